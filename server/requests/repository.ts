/** Storage port for requests (docs/REQUESTS.md). SQL lives in server/store/sqlite/requests-repository.ts. */

export interface RequestRow {
  id: string;
  channelId: string;
  ref: string;
  messageId: string;
  template: string;
  urgency: 'urgent' | 'non-urgent';
  directAccess: boolean;
  requesterId: string;
  requesterAgencyId: string;
  requesterCountry: string;
  requestedAgencyId: string;
  requestedCountry: string;
  agreementId: string | null;
  deskId: string | null;
  timeZone: string;
  state: string;
  resumeState: string | null;
  receivedAt: number;
  deadline: number;
  suspendedMs: number;
  clarificationSince: number | null;
  judicialPendingSince: number | null;
  firstAnswerAt: number | null;
  closedAt: number | null;
  refusalGround: string | null;
  caseIndex: string | null;
  remindedEarlyAt: number | null;
  remindedDueAt: number | null;
  updatedAt: number;
}

export interface RequestEventRow {
  requestId: string;
  messageId: string;
  kind: string;
  detail: string | null;
  state: string;
  actorId: string;
  agencyId: string;
  at: number;
}

export type RequestChanges = Partial<
  Pick<RequestRow, 'state' | 'resumeState' | 'deadline' | 'suspendedMs' | 'clarificationSince' | 'judicialPendingSince' | 'firstAnswerAt' | 'closedAt' | 'refusalGround' | 'updatedAt'>
>;

/** Which requests a listing covers: by agency and side, optionally restricted to channels (an officer's). */
export interface RequestFilter {
  agencyId: string;
  role: 'sent' | 'received' | 'both';
  states?: readonly string[];
  /** Only requests whose deadline is before this instant. */
  deadlineBefore?: number;
  deskId?: string;
  limit: number;
}

export interface RequestsRepository {
  byId(id: string): Promise<RequestRow | undefined>;
  byRef(channelId: string, ref: string): Promise<RequestRow | undefined>;
  insert(row: RequestRow): Promise<void>;
  update(id: string, changes: RequestChanges): Promise<void>;
  insertEvent(row: RequestEventRow): Promise<void>;
  events(requestId: string): Promise<RequestEventRow[]>;
  list(filter: RequestFilter): Promise<RequestRow[]>;
  /** Open requests (not terminal) between the two agencies with this case index. */
  openWithCaseIndex(caseIndex: string, requesterAgencyId: string, requestedAgencyId: string): Promise<RequestRow[]>;
  /** Requests in `states` whose reminder instant (`early`: 75 % of the period; `due`: the deadline) passed and that were not reminded yet. */
  dueReminders(which: 'early' | 'due', states: readonly string[], now: number, limit: number): Promise<RequestRow[]>;
  /** Claims a reminder: true for the one caller that set it. */
  claimReminder(id: string, which: 'early' | 'due', at: number): Promise<boolean>;
  timeZoneOf(agencyId: string): Promise<string | undefined>;
  setTimeZone(agencyId: string, timeZone: string, at: number, by: string): Promise<void>;
  /** The agency's SPOC desk (Art. 4(1) copy rule, docs/REQUESTS.md), null when the rule is off. */
  spocDeskOf(agencyId: string): Promise<string | null>;
  /** Sets or clears the SPOC desk; a new settings row takes `defaultTimeZone`. */
  setSpocDesk(agencyId: string, spocDeskId: string | null, defaultTimeZone: string, at: number, by: string): Promise<void>;
}
