import type { StatsRepository, StatsRequestRow } from '../../stats/repository.ts';
import type { PgExecutor } from './executor.ts';
import { num } from './row-mapping.ts';

const REQUEST_COLUMNS = `urgency, requester_agency_id AS "requesterAgencyId", requester_country AS "requesterCountry",
  requested_agency_id AS "requestedAgencyId", requested_country AS "requestedCountry", state, received_at AS "receivedAt",
  deadline, first_answer_at AS "firstAnswerAt", closed_at AS "closedAt", refusal_ground AS "refusalGround"`;

/** PostgreSQL SQL for statistics (mirrors SqliteStatsRepository): aggregates over request, directory and page metadata. */
export class PgStatsRepository implements StatsRepository {
  constructor(private readonly q: PgExecutor) {}

  async requestsIn(from: number, to: number, agencyId: string | null): Promise<StatsRequestRow[]> {
    const r =
      agencyId === null
        ? await this.q.query<StatsRequestRow>(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE received_at >= $1 AND received_at < $2`, [from, to])
        : await this.q.query<StatsRequestRow>(
            `SELECT ${REQUEST_COLUMNS} FROM requests WHERE received_at >= $1 AND received_at < $2 AND (requester_agency_id = $3 OR requested_agency_id = $3)`,
            [from, to, agencyId],
          );
    return r.rows;
  }

  async staleEntries(agencyId: string | null, staleBefore: number): Promise<number> {
    const r = await this.q.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM directory_entries WHERE retired_at IS NULL AND last_confirmed_at < $2 AND ($1::text IS NULL OR agency_id = $1)',
      [agencyId, staleBefore],
    );
    return num(r.rows[0]?.n ?? 0);
  }

  async desksWithUnacknowledgedTest(agencyId: string | null): Promise<number> {
    const r = await this.q.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM desks d WHERE ($1::text IS NULL OR d.agency_id = $1) AND (
         SELECT p.state FROM pages p WHERE p.desk_id = d.id AND p.reason = 'test' ORDER BY p.created_at DESC, p.id COLLATE "C" DESC LIMIT 1
       ) IN ('open', 'exhausted', 'cancelled')`,
      [agencyId],
    );
    return num(r.rows[0]?.n ?? 0);
  }

  async exhaustedPages(from: number, to: number, agencyId: string | null): Promise<number> {
    const r = await this.q.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM pages p JOIN desks d ON d.id = p.desk_id
       WHERE p.state = 'exhausted' AND p.created_at >= $1 AND p.created_at < $2 AND ($3::text IS NULL OR d.agency_id = $3)`,
      [from, to, agencyId],
    );
    return num(r.rows[0]?.n ?? 0);
  }
}
