/** Storage port for pages and their deliveries. SQL lives in server/store/sqlite/paging-repository.ts. */
export type PagePriority = 'urgent' | 'normal';
export type PageReason = 'contact_request' | 'test' | 'message' | 'desk_request';
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
}
