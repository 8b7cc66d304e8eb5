import type { RequestRow } from '../requests/repository.ts';

/** Storage port for statistics (docs/STATS.md): read-only metadata queries. SQL in server/store/sqlite/stats-repository.ts. */

/** The request metadata the figures are computed from: never content, never the case index. */
export type StatsRequestRow = Pick<
  RequestRow,
  | 'urgency'
  | 'requesterAgencyId'
  | 'requesterCountry'
  | 'requestedAgencyId'
  | 'requestedCountry'
  | 'state'
  | 'receivedAt'
  | 'deadline'
  | 'firstAnswerAt'
  | 'closedAt'
  | 'refusalGround'
>;

export interface StatsRepository {
  /** Requests received (server-stamped) in [from, to), optionally only those the agency sent or received. */
  requestsIn(from: number, to: number, agencyId: string | null): Promise<StatsRequestRow[]>;
  /** Live directory entries last confirmed before `staleBefore`. */
  staleEntries(agencyId: string | null, staleBefore: number): Promise<number>;
  /** Desks whose most recent test page is not acknowledged (still open, exhausted or cancelled). */
  desksWithUnacknowledgedTest(agencyId: string | null): Promise<number>;
  /** Pages opened in [from, to) whose ladder ran out (state exhausted). */
  exhaustedPages(from: number, to: number, agencyId: string | null): Promise<number>;
}
