import type { DeskRequestRow, DeskRequestState, IntakeKeyRow, IntakeRepository } from '../../intake/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, type TableMap } from './row-mapping.ts';

const KEYS: TableMap<IntakeKeyRow> = {
  table: 'desk_intake_keys',
  columns: { deskId: 'desk_id', version: 'version', statement: 'statement', signerId: 'signer_id', createdAt: 'created_at' },
};

const REQUESTS: TableMap<DeskRequestRow> = {
  table: 'desk_requests',
  columns: {
    id: 'id',
    deskId: 'desk_id',
    requesterId: 'requester_id',
    requestId: 'request_id',
    version: 'version',
    request: 'request',
    receivedAt: 'received_at',
    pageId: 'page_id',
    state: 'state',
    claimedBy: 'claimed_by',
    claimedAt: 'claimed_at',
    caseChannelId: 'case_channel_id',
    copyOf: 'copy_of',
  },
};

const KEY = `SELECT ${selectList(KEYS)} FROM desk_intake_keys`;
const REQUEST = `SELECT ${selectList(REQUESTS)} FROM desk_requests`;

/** PostgreSQL SQL for desk intake keys and desk requests (mirrors SqliteIntakeRepository); `claim` lets the first claim win. */
export class PgIntakeRepository implements IntakeRepository {
  constructor(private readonly q: PgExecutor) {}

  async keys(deskId: string): Promise<IntakeKeyRow[]> {
    return (await this.q.query<IntakeKeyRow>(`${KEY} WHERE desk_id = $1 ORDER BY version`, [deskId])).rows;
  }

  async key(deskId: string, version: number): Promise<IntakeKeyRow | undefined> {
    return (await this.q.query<IntakeKeyRow>(`${KEY} WHERE desk_id = $1 AND version = $2`, [deskId, version])).rows[0];
  }

  async latestKey(deskId: string): Promise<IntakeKeyRow | undefined> {
    return (await this.q.query<IntakeKeyRow>(`${KEY} WHERE desk_id = $1 ORDER BY version DESC LIMIT 1`, [deskId])).rows[0];
  }

  async insertKey(row: IntakeKeyRow): Promise<void> {
    const { text, params } = insertSql(KEYS, row);
    await this.q.query(text, params);
  }

  async request(id: string): Promise<DeskRequestRow | undefined> {
    return (await this.q.query<DeskRequestRow>(`${REQUEST} WHERE id = $1`, [id])).rows[0];
  }

  async requestByRequester(requesterId: string, requestId: string): Promise<DeskRequestRow | undefined> {
    return (await this.q.query<DeskRequestRow>(`${REQUEST} WHERE requester_id = $1 AND request_id = $2`, [requesterId, requestId])).rows[0];
  }

  async insertRequest(row: DeskRequestRow): Promise<void> {
    const { text, params } = insertSql(REQUESTS, row);
    await this.q.query(text, params);
  }

  async requestsOfDesk(deskId: string, state: DeskRequestState | undefined, limit: number): Promise<DeskRequestRow[]> {
    const r =
      state === undefined
        ? await this.q.query<DeskRequestRow>(`${REQUEST} WHERE desk_id = $1 ORDER BY received_at DESC, id COLLATE "C" DESC LIMIT $2`, [deskId, limit])
        : await this.q.query<DeskRequestRow>(`${REQUEST} WHERE desk_id = $1 AND state = $3 ORDER BY received_at DESC, id COLLATE "C" DESC LIMIT $2`, [
            deskId,
            limit,
            state,
          ]);
    return r.rows;
  }

  async requestsOf(requesterId: string, limit: number): Promise<DeskRequestRow[]> {
    const r = await this.q.query<DeskRequestRow>(`${REQUEST} WHERE requester_id = $1 ORDER BY received_at DESC, id COLLATE "C" DESC LIMIT $2`, [requesterId, limit]);
    return r.rows;
  }

  async claim(id: string, by: string, at: number): Promise<boolean> {
    const r = await this.q.query("UPDATE desk_requests SET state = 'claimed', claimed_by = $2, claimed_at = $3 WHERE id = $1 AND state = 'open'", [id, by, at]);
    return r.rowCount === 1;
  }

  async setCaseChannel(id: string, channelId: string): Promise<void> {
    await this.q.query('UPDATE desk_requests SET case_channel_id = $2 WHERE id = $1', [id, channelId]);
  }

  async linkCopy(id: string, requestId: string): Promise<boolean> {
    const r = await this.q.query(`UPDATE desk_requests SET copy_of = $2 WHERE id = $1 AND state = 'copy' AND copy_of IS NULL`, [id, requestId]);
    return r.rowCount === 1;
  }
}
