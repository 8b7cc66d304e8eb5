/** Storage port for pages and their deliveries. SQL lives in server/store/sqlite/paging-repository.ts. */
export type PagePriority = 'urgent' | 'normal';
export type PageReason = 'contact_request' | 'test' | 'message' | 'desk_request' | 'deadline';
export type PageState = 'open' | 'acknowledged' | 'exhausted' | 'cancelled';

export interface PageRow {
  id: string;
  deskId: string;
  priority: PagePriority;
  ackRequested: boolean;
  channelId: string | null;
  reason: PageReason;
  requesterId: string | null;
  createdAt: number;
  step: number;
  state: PageState;
  nextFireAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
}

export interface PageDeliveryRow {
  pageId: string;
  step: number;
  officerId: string;
  /** JSON DeliveryResult[] once sent, null while sending, or {"skipped":"quiet_hours"}. */
  outcomes: string | null;
  at: number;
}

/** A stored reachability report (docs/DESKS.md "Reachability reports"). */
export interface ReachabilityReportRow {
  id: string;
  deskId: string;
  periodStart: number;
  periodEnd: number;
  scheduled: boolean;
  /** JSON ReachabilityNumbers. */
  report: string;
  createdAt: number;
  createdBy: string | null;
}

export interface PagingRepository {
  page(id: string): Promise<PageRow | undefined>;
  insertPage(row: PageRow): Promise<void>;
  /**
   * Moves an open page from step `fromStep` to `patch` (the fire-once guard): true only when this call
   * changed the row, so two schedulers (or a restarted one) never take the same step twice.
   */
  advance(id: string, fromStep: number, patch: Pick<PageRow, 'step' | 'state' | 'nextFireAt'>): Promise<boolean>;
  /** Acknowledges an open page; true when this call changed it. */
  acknowledge(id: string, by: string, at: number): Promise<boolean>;
  /** Cancels an open page (its item was taken care of otherwise); true when this call changed it. */
  cancel(id: string): Promise<boolean>;
  /** Raises an open page to `urgent` and/or acknowledgement requested (a coalesced message asked for more); true when changed. */
  raise(id: string, patch: Pick<PageRow, 'priority' | 'ackRequested'>): Promise<boolean>;
  /** The desk's open page for a channel, if any (a message coalesces with it). */
  openPageOfChannel(deskId: string, channelId: string): Promise<PageRow | undefined>;
  /** Open pages for a channel (any desk), oldest first. */
  openPagesOfChannel(channelId: string): Promise<PageRow[]>;
  /** The desk's pages opened in [from, to), oldest first (reachability reports). */
  pagesOpenedBetween(deskId: string, from: number, to: number): Promise<PageRow[]>;
  /** Open pages whose next step is due at `now`, oldest deadline first. */
  due(now: number, limit: number): Promise<PageRow[]>;
  /** The desk's pages, newest first, optionally in one state. */
  pagesOfDesk(deskId: string, state: PageState | undefined, limit: number): Promise<PageRow[]>;
  /** Open pages that reached the officer, newest first. */
  openPagesFor(officerId: string, limit: number): Promise<PageRow[]>;
  /** Inserts a delivery row; false when (page, step, officer) exists already. */
  insertDelivery(row: PageDeliveryRow): Promise<boolean>;
  setOutcomes(pageId: string, step: number, officerId: string, outcomes: string): Promise<void>;
  deliveries(pageId: string): Promise<PageDeliveryRow[]>;
  /** Stores a report; false when a scheduled one for the same desk and period end exists (another scheduler's). */
  insertReport(row: ReachabilityReportRow): Promise<boolean>;
  /** The desk's reports whose period ends in (from, to], newest first. */
  reports(deskId: string, from: number, to: number, limit: number): Promise<ReachabilityReportRow[]>;
  /** Desks created before `periodEnd` that have no scheduled report ending at `periodEnd` yet. */
  desksWithoutReport(periodEnd: number, limit: number): Promise<string[]>;
}
