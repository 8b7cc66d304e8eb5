import type { RequestChanges, RequestEventRow, RequestFilter, RequestRow, RequestsRepository } from '../../requests/repository.ts';
import { TERMINAL_STATES } from '../../../shared/requests/lifecycle.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, setList, type TableMap } from './row-mapping.ts';

const REQUESTS: TableMap<RequestRow> = {
  table: 'requests',
  columns: {
    id: 'id',
    channelId: 'channel_id',
    ref: 'ref',
    messageId: 'message_id',
    template: 'template',
    urgency: 'urgency',
    directAccess: 'direct_access',
    requesterId: 'requester_id',
    requesterAgencyId: 'requester_agency_id',
    requesterCountry: 'requester_country',
    requestedAgencyId: 'requested_agency_id',
    requestedCountry: 'requested_country',
    agreementId: 'agreement_id',
    deskId: 'desk_id',
    timeZone: 'time_zone',
    state: 'state',
    resumeState: 'resume_state',
    receivedAt: 'received_at',
    deadline: 'deadline',
    suspendedMs: 'suspended_ms',
    clarificationSince: 'clarification_since',
    judicialPendingSince: 'judicial_pending_since',
    firstAnswerAt: 'first_answer_at',
    closedAt: 'closed_at',
    refusalGround: 'refusal_ground',
    caseIndex: 'case_index',
    remindedEarlyAt: 'reminded_early_at',
    remindedDueAt: 'reminded_due_at',
    updatedAt: 'updated_at',
  },
  booleans: ['directAccess'],
};

const EVENTS: TableMap<RequestEventRow> = {
  table: 'request_events',
  columns: {
    requestId: 'request_id',
    messageId: 'message_id',
    kind: 'kind',
    detail: 'detail',
    state: 'state',
    actorId: 'actor_id',
    agencyId: 'agency_id',
    at: 'at',
  },
};

const REQUEST = `SELECT ${selectList(REQUESTS)} FROM requests`;

/** PostgreSQL SQL for requests, their timelines and the agencies' request settings (mirrors SqliteRequestsRepository). */
export class PgRequestsRepository implements RequestsRepository {
  constructor(private readonly q: PgExecutor) {}

  private async rows(where: string, params: unknown[]): Promise<RequestRow[]> {
    return (await this.q.query<RequestRow>(`${REQUEST} ${where}`, params)).rows;
  }

  async byId(id: string): Promise<RequestRow | undefined> {
    return (await this.rows('WHERE id = $1', [id]))[0];
  }

  async byRef(channelId: string, ref: string): Promise<RequestRow | undefined> {
    return (await this.rows('WHERE channel_id = $1 AND ref = $2', [channelId, ref]))[0];
  }

  async insert(row: RequestRow): Promise<void> {
    const { text, params } = insertSql(REQUESTS, row);
    await this.q.query(text, params);
  }

  async update(id: string, changes: RequestChanges): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE requests SET ${setList(REQUESTS, changes, params)} WHERE id = $1`, params);
  }

  async insertEvent(row: RequestEventRow): Promise<void> {
    const { text, params } = insertSql(EVENTS, row);
    await this.q.query(text, params);
  }

  async events(requestId: string): Promise<RequestEventRow[]> {
    const r = await this.q.query<RequestEventRow>(`SELECT ${selectList(EVENTS)} FROM request_events WHERE request_id = $1 ORDER BY pk`, [requestId]);
    return r.rows;
  }

  async list(f: RequestFilter): Promise<RequestRow[]> {
    const params: unknown[] = [f.agencyId];
    const where = [f.role === 'sent' ? 'requester_agency_id = $1' : f.role === 'received' ? 'requested_agency_id = $1' : '(requester_agency_id = $1 OR requested_agency_id = $1)'];
    if (f.states) {
      params.push([...f.states]);
      where.push(`state = ANY($${params.length}::text[])`);
    }
    if (f.deadlineBefore !== undefined) {
      params.push(f.deadlineBefore);
      where.push(`deadline < $${params.length}`);
    }
    if (f.deskId !== undefined) {
      params.push(f.deskId);
      where.push(`desk_id = $${params.length}`);
    }
    params.push(f.limit);
    return this.rows(`WHERE ${where.join(' AND ')} ORDER BY deadline, id COLLATE "C" LIMIT $${params.length}`, params);
  }

  async openWithCaseIndex(caseIndex: string, requesterAgencyId: string, requestedAgencyId: string): Promise<RequestRow[]> {
    return this.rows(
      `WHERE case_index = $1 AND requester_agency_id = $2 AND requested_agency_id = $3 AND NOT (state = ANY($4::text[]))
       ORDER BY received_at LIMIT 20`,
      [caseIndex, requesterAgencyId, requestedAgencyId, [...TERMINAL_STATES]],
    );
  }

  async dueReminders(which: 'early' | 'due', states: readonly string[], now: number, limit: number): Promise<RequestRow[]> {
    // early: receivedAt + 75 % of (deadline − receivedAt − suspendedMs) + suspendedMs, i.e. 75 % of the legal period
    // (integer arithmetic on bigint truncates like SQLite's integer division).
    const instant = which === 'early' ? 'received_at + suspended_ms + (deadline - received_at - suspended_ms) * 3 / 4' : 'deadline';
    const unsent = which === 'early' ? 'reminded_early_at IS NULL' : 'reminded_due_at IS NULL';
    return this.rows(`WHERE state = ANY($1::text[]) AND ${unsent} AND ${instant} <= $2 ORDER BY deadline LIMIT $3`, [[...states], now, limit]);
  }

  async claimReminder(id: string, which: 'early' | 'due', at: number): Promise<boolean> {
    const column = which === 'early' ? 'reminded_early_at' : 'reminded_due_at';
    const r = await this.q.query(`UPDATE requests SET ${column} = $2 WHERE id = $1 AND ${column} IS NULL`, [id, at]);
    return r.rowCount === 1;
  }

  async timeZoneOf(agencyId: string): Promise<string | undefined> {
    const r = await this.q.query<{ z: string }>('SELECT time_zone AS z FROM agency_request_settings WHERE agency_id = $1', [agencyId]);
    return r.rows[0]?.z;
  }

  async setTimeZone(agencyId: string, timeZone: string, at: number, by: string): Promise<void> {
    await this.q.query(
      `INSERT INTO agency_request_settings (agency_id, time_zone, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_id) DO UPDATE SET time_zone = $2, updated_at = $3, updated_by = $4`,
      [agencyId, timeZone, at, by],
    );
  }

  async spocDeskOf(agencyId: string): Promise<string | null> {
    const r = await this.q.query<{ d: string | null }>('SELECT spoc_desk_id AS d FROM agency_request_settings WHERE agency_id = $1', [agencyId]);
    return r.rows[0]?.d ?? null;
  }

  async setSpocDesk(agencyId: string, spocDeskId: string | null, defaultTimeZone: string, at: number, by: string): Promise<void> {
    await this.q.query(
      `INSERT INTO agency_request_settings (agency_id, time_zone, spoc_desk_id, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agency_id) DO UPDATE SET spoc_desk_id = $3, updated_at = $4, updated_by = $5`,
      [agencyId, defaultTimeZone, spocDeskId, at, by],
    );
  }
}
