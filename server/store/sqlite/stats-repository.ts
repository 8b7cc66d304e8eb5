import type Database from 'better-sqlite3';
import type { StatsRepository, StatsRequestRow } from '../../stats/repository.ts';

const REQUEST_COLUMNS = `urgency, requester_agency_id AS requesterAgencyId, requester_country AS requesterCountry,
  requested_agency_id AS requestedAgencyId, requested_country AS requestedCountry, state, received_at AS receivedAt,
  deadline, first_answer_at AS firstAnswerAt, closed_at AS closedAt, refusal_ground AS refusalGround`;

/** SQL for statistics: aggregates over request, directory and page metadata (never content). */
export class SqliteStatsRepository implements StatsRepository {
  private readonly q;

  constructor(sqlite: Database.Database) {
    this.q = {
      requestsAll: sqlite.prepare(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE received_at >= ? AND received_at < ?`),
      requestsOf: sqlite.prepare(
        `SELECT ${REQUEST_COLUMNS} FROM requests WHERE received_at >= ? AND received_at < ? AND (requester_agency_id = ? OR requested_agency_id = ?)`,
      ),
      stale: sqlite.prepare(
        'SELECT count(*) AS n FROM directory_entries WHERE retired_at IS NULL AND last_confirmed_at < @staleBefore AND (@agencyId IS NULL OR agency_id = @agencyId)',
      ),
      unackedTest: sqlite.prepare(
        `SELECT count(*) AS n FROM desks d WHERE (@agencyId IS NULL OR d.agency_id = @agencyId) AND (
           SELECT p.state FROM pages p WHERE p.desk_id = d.id AND p.reason = 'test' ORDER BY p.created_at DESC, p.id DESC LIMIT 1
         ) IN ('open', 'exhausted', 'cancelled')`,
      ),
      exhausted: sqlite.prepare(
        `SELECT count(*) AS n FROM pages p JOIN desks d ON d.id = p.desk_id
         WHERE p.state = 'exhausted' AND p.created_at >= @from AND p.created_at < @to AND (@agencyId IS NULL OR d.agency_id = @agencyId)`,
      ),
    };
  }

  async requestsIn(from: number, to: number, agencyId: string | null): Promise<StatsRequestRow[]> {
    return (agencyId === null ? this.q.requestsAll.all(from, to) : this.q.requestsOf.all(from, to, agencyId, agencyId)) as StatsRequestRow[];
  }

  async staleEntries(agencyId: string | null, staleBefore: number): Promise<number> {
    return (this.q.stale.get({ agencyId, staleBefore }) as { n: number }).n;
  }

  async desksWithUnacknowledgedTest(agencyId: string | null): Promise<number> {
    return (this.q.unackedTest.get({ agencyId }) as { n: number }).n;
  }

  async exhaustedPages(from: number, to: number, agencyId: string | null): Promise<number> {
    return (this.q.exhausted.get({ from, to, agencyId }) as { n: number }).n;
  }
}
