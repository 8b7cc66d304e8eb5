import type { AgencyRootRow, DeviceRow, KeyLogRow, KeysRepository, NewDevice, NewKeyLog, NewOfficerKey, OfficerKeysRow, PendingKeysRow, RootProposalRow, RootSetRow } from '../../keys/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, setList, type TableMap } from './row-mapping.ts';
import { agencyRootProposals, agencyRootSets, agencyRoots, keyLog, officerDevices, officerKeys } from './schema.ts';
import { tableMap } from './tables.ts';

const KEYS = tableMap(officerKeys);
const ROOTS = tableMap(agencyRoots);
const ROOT_SETS = tableMap(agencyRootSets);
const PROPOSALS = tableMap(agencyRootProposals);
const LOG = tableMap(keyLog);
const DEVICES = tableMap(officerDevices);
const KEY = selectList(KEYS);
const KEY_K = selectList(KEYS, 'k');
const ENTRY = selectList(LOG);
const DEVICE = selectList(DEVICES);

/** `INSERT … ON CONFLICT (target) DO UPDATE SET` every inserted column but the target (drizzle's onConflictDoUpdate with the row as `set`). */
function upsertSql<Row>(t: TableMap<Row>, row: Partial<Row>, target: string[], extraSet = ''): { text: string; params: unknown[] } {
  const { text, params } = insertSql(t, row);
  const cols = text.slice(text.indexOf('(') + 1, text.indexOf(')')).split(', ');
  const set = cols.filter((c) => !target.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  if (extraSet) set.unshift(extraSet);
  return { text: `${text} ON CONFLICT (${target.join(', ')}) DO UPDATE SET ${set.join(', ')}`, params };
}

/** PostgreSQL SQL for registered keys, agency roots, devices and the key-transparency log (mirrors SqliteKeysRepository). */
export class PgKeysRepository implements KeysRepository {
  constructor(private readonly q: PgExecutor) {}

  async keys(officerId: string): Promise<OfficerKeysRow | undefined> {
    return (await this.q.query<OfficerKeysRow>(`SELECT ${KEY} FROM officer_keys WHERE officer_id = $1`, [officerId])).rows[0];
  }

  async upsertKeys(row: NewOfficerKey): Promise<void> {
    // Like the SQLite version: on conflict every given column but the key and created_at is overwritten.
    const { text, params } = upsertSql(KEYS, row, ['officer_id']);
    await this.q.query(text.replace(/, created_at = EXCLUDED\.created_at/, ''), params);
  }

  async updateKeys(officerId: string, patch: Partial<NewOfficerKey>): Promise<void> {
    const params: unknown[] = [officerId];
    await this.q.query(`UPDATE officer_keys SET ${setList(KEYS, patch, params)} WHERE officer_id = $1`, params);
  }

  async pending(agencyId: string, now: number): Promise<PendingKeysRow[]> {
    return (await this.q.query<PendingKeysRow>(
      `SELECT ${KEY_K}, o.role AS "officerRole" FROM officer_keys k JOIN officers o ON o.id = k.officer_id
       WHERE k.agency_id = $1 AND o.status = 'active' AND (
         k.certificate IS NULL OR k.renewal_requested_at IS NOT NULL
         OR (k.certificate::jsonb ->> 'expiresAt')::numeric <= $2
         OR (k.certificate::jsonb ->> 'role') <> CASE WHEN o.role = 'officer' THEN 'officer' ELSE 'agency_admin' END)
       ORDER BY k.created_at`,
      [agencyId, now],
    )).rows;
  }

  async certifiedKeys(agencyId: string): Promise<PendingKeysRow[]> {
    return (await this.q.query<PendingKeysRow>(
      `SELECT ${KEY_K}, o.role AS "officerRole" FROM officer_keys k JOIN officers o ON o.id = k.officer_id
       WHERE k.agency_id = $1 AND k.certificate IS NOT NULL AND o.status = 'active' ORDER BY k.created_at`,
      [agencyId],
    )).rows;
  }

  async revocable(agencyId: string): Promise<OfficerKeysRow[]> {
    return (await this.q.query<OfficerKeysRow>(
      `SELECT ${KEY_K} FROM officer_keys k JOIN officers o ON o.id = k.officer_id
       WHERE k.agency_id = $1 AND k.certificate IS NOT NULL AND o.status = 'suspended' ORDER BY k.officer_id COLLATE "C"`,
      [agencyId],
    )).rows;
  }

  async latestEntriesOf(officerId: string, limit: number): Promise<KeyLogRow[]> {
    return (await this.q.query<KeyLogRow>(`SELECT ${ENTRY} FROM key_log WHERE officer_id = $1 ORDER BY idx DESC LIMIT $2`, [officerId, limit])).rows;
  }

  async root(agencyId: string): Promise<AgencyRootRow | undefined> {
    return (await this.q.query<AgencyRootRow>(`SELECT ${selectList(ROOTS)} FROM agency_roots WHERE agency_id = $1`, [agencyId])).rows[0];
  }

  async insertRoot(row: AgencyRootRow): Promise<void> {
    const { text, params } = insertSql(ROOTS, row);
    await this.q.query(text, params);
  }

  async rootSets(agencyId: string): Promise<RootSetRow[]> {
    return (await this.q.query<RootSetRow>(`SELECT ${selectList(ROOT_SETS)} FROM agency_root_sets WHERE agency_id = $1 ORDER BY version`, [agencyId])).rows;
  }

  async insertRootSet(row: RootSetRow): Promise<void> {
    const { text, params } = insertSql(ROOT_SETS, row);
    await this.q.query(text, params);
  }

  async rootProposal(agencyId: string): Promise<RootProposalRow | undefined> {
    return (await this.q.query<RootProposalRow>(`SELECT ${selectList(PROPOSALS)} FROM agency_root_proposals WHERE agency_id = $1`, [agencyId])).rows[0];
  }

  async putRootProposal(row: RootProposalRow): Promise<void> {
    const { text, params } = upsertSql(PROPOSALS, row, ['agency_id']);
    await this.q.query(text, params);
  }

  async deleteRootProposal(agencyId: string): Promise<void> {
    await this.q.query('DELETE FROM agency_root_proposals WHERE agency_id = $1', [agencyId]);
  }

  async lastEntry(): Promise<KeyLogRow | undefined> {
    return (await this.q.query<KeyLogRow>(`SELECT ${ENTRY} FROM key_log ORDER BY idx DESC LIMIT 1`)).rows[0];
  }

  async insertEntry(row: NewKeyLog): Promise<void> {
    const { text, params } = insertSql(LOG, row);
    await this.q.query(text, params);
  }

  async insertHead(size: number, head: string, createdAt: number): Promise<void> {
    await this.q.query('INSERT INTO key_log_heads (size, head, created_at) VALUES ($1, $2, $3)', [size, head, createdAt]);
  }

  async entries(from: number, limit: number): Promise<KeyLogRow[]> {
    return (await this.q.query<KeyLogRow>(`SELECT ${ENTRY} FROM key_log WHERE idx >= $1 ORDER BY idx LIMIT $2`, [from, limit])).rows;
  }

  async headAt(size: number): Promise<string | undefined> {
    return (await this.q.query<{ head: string }>('SELECT head FROM key_log_heads WHERE size = $1', [size])).rows[0]?.head;
  }

  async latestHead(): Promise<string | undefined> {
    return (await this.q.query<{ head: string }>('SELECT head FROM key_log_heads ORDER BY size DESC LIMIT 1')).rows[0]?.head;
  }

  async device(officerId: string, deviceId: string): Promise<DeviceRow | undefined> {
    return (await this.q.query<DeviceRow>(`SELECT ${DEVICE} FROM officer_devices WHERE officer_id = $1 AND device_id = $2`, [officerId, deviceId])).rows[0];
  }

  async devicesOf(officerId: string): Promise<DeviceRow[]> {
    return (await this.q.query<DeviceRow>(`SELECT ${DEVICE} FROM officer_devices WHERE officer_id = $1 ORDER BY added_at DESC, device_id COLLATE "C"`, [officerId])).rows;
  }

  async putDevice(row: NewDevice): Promise<void> {
    const { text, params } = upsertSql(DEVICES, row, ['officer_id', 'device_id'], 'revoked_at = NULL, revoke_event = NULL');
    await this.q.query(text, params);
  }

  async updateDevice(officerId: string, deviceId: string, patch: Partial<Pick<DeviceRow, 'name' | 'lastSeenAt' | 'revokedAt' | 'revokeEvent'>>): Promise<void> {
    const params: unknown[] = [officerId, deviceId];
    await this.q.query(`UPDATE officer_devices SET ${setList(DEVICES, patch, params)} WHERE officer_id = $1 AND device_id = $2`, params);
  }

  async bindSession(row: { sessionId: string; officerId: string; deviceId: string; createdAt: number }): Promise<void> {
    await this.q.query(
      `INSERT INTO device_sessions (session_id, officer_id, device_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_id) DO UPDATE SET officer_id = EXCLUDED.officer_id, device_id = EXCLUDED.device_id, created_at = EXCLUDED.created_at`,
      [row.sessionId, row.officerId, row.deviceId, row.createdAt],
    );
  }

  async deviceOfSession(sessionId: string): Promise<string | undefined> {
    return (await this.q.query<{ deviceId: string }>('SELECT device_id AS "deviceId" FROM device_sessions WHERE session_id = $1', [sessionId])).rows[0]?.deviceId;
  }

  async sessionsOfDevice(officerId: string, deviceId: string): Promise<string[]> {
    const r = await this.q.query<{ id: string }>('SELECT session_id AS id FROM device_sessions WHERE officer_id = $1 AND device_id = $2', [officerId, deviceId]);
    return r.rows.map((x) => x.id);
  }
}
