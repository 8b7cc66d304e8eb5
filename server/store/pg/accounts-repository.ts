import type { AccountsRepository, AgencyRow, EnrolmentTokenRow, NewAgency, NewEnrolmentToken, NewLoginFailure, NewOfficer, OfficerRow } from '../../accounts/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, num, selectList, setList } from './row-mapping.ts';
import { agencies, enrolmentTokens, loginFailures, officers } from './schema.ts';
import { tableMap } from './tables.ts';

const AGENCIES = tableMap(agencies);
const OFFICERS = tableMap(officers);
const TOKENS = tableMap(enrolmentTokens);
const FAILURES = tableMap(loginFailures);
const AGENCY = selectList(AGENCIES);
const OFFICER = selectList(OFFICERS);
const TOKEN = selectList(TOKENS);

/** PostgreSQL SQL for agencies, officers, enrolment tokens and sign-in failures (mirrors SqliteAccountsRepository). */
export class PgAccountsRepository implements AccountsRepository {
  constructor(private readonly q: PgExecutor) {}

  async agency(id: string): Promise<AgencyRow | undefined> {
    return (await this.q.query<AgencyRow>(`SELECT ${AGENCY} FROM agencies WHERE id = $1`, [id])).rows[0];
  }

  async listAgencies(): Promise<AgencyRow[]> {
    return (await this.q.query<AgencyRow>(`SELECT ${AGENCY} FROM agencies ORDER BY country COLLATE "C", name COLLATE "C"`)).rows;
  }

  async insertAgency(row: NewAgency): Promise<void> {
    const { text, params } = insertSql(AGENCIES, row);
    await this.q.query(text, params);
  }

  async updateAgency(id: string, patch: Partial<NewAgency>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE agencies SET ${setList(AGENCIES, patch, params)} WHERE id = $1`, params);
  }

  async officer(id: string): Promise<OfficerRow | undefined> {
    return (await this.q.query<OfficerRow>(`SELECT ${OFFICER} FROM officers WHERE id = $1`, [id])).rows[0];
  }

  async officerByUsername(username: string): Promise<OfficerRow | undefined> {
    return (await this.q.query<OfficerRow>(`SELECT ${OFFICER} FROM officers WHERE username = $1`, [username])).rows[0];
  }

  async listOfficers(agencyId: string): Promise<OfficerRow[]> {
    return (await this.q.query<OfficerRow>(`SELECT ${OFFICER} FROM officers WHERE agency_id = $1 ORDER BY username COLLATE "C"`, [agencyId])).rows;
  }

  async countOfficers(): Promise<number> {
    return num((await this.q.query<{ n: number }>('SELECT count(*) AS n FROM officers')).rows[0]?.n ?? 0);
  }

  async insertOfficer(row: NewOfficer): Promise<void> {
    const { text, params } = insertSql(OFFICERS, row);
    await this.q.query(text, params);
  }

  async updateOfficer(id: string, patch: Partial<NewOfficer>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE officers SET ${setList(OFFICERS, patch, params)} WHERE id = $1`, params);
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.q.query('UPDATE officers SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2', [id, step]);
    return r.rowCount === 1;
  }

  async insertEnrolmentToken(row: NewEnrolmentToken): Promise<void> {
    const { text, params } = insertSql(TOKENS, row);
    await this.q.query(text, params);
  }

  async enrolmentTokenByHash(hash: string): Promise<EnrolmentTokenRow | undefined> {
    return (await this.q.query<EnrolmentTokenRow>(`SELECT ${TOKEN} FROM enrolment_tokens WHERE token_hash = $1`, [hash])).rows[0];
  }

  async updateEnrolmentToken(id: string, patch: Partial<NewEnrolmentToken>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE enrolment_tokens SET ${setList(TOKENS, patch, params)} WHERE id = $1`, params);
  }

  async consumeEnrolmentToken(id: string, now: number): Promise<boolean> {
    const r = await this.q.query(
      'UPDATE enrolment_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2',
      [id, now],
    );
    return r.rowCount === 1;
  }

  async revokeOpenEnrolmentTokens(officerId: string, now: number): Promise<void> {
    await this.q.query('UPDATE enrolment_tokens SET revoked_at = $2 WHERE officer_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [officerId, now]);
  }

  async loginFailure(username: string): Promise<{ username: string; count: number; windowStart: number; lockedAt: number | null; lastFailureAt: number | null } | undefined> {
    return (await this.q.query<{ username: string; count: number; windowStart: number; lockedAt: number | null; lastFailureAt: number | null }>(
      `SELECT ${selectList(FAILURES)} FROM login_failures WHERE username = $1`,
      [username],
    )).rows[0];
  }

  async upsertLoginFailure(row: NewLoginFailure): Promise<void> {
    await this.q.query(
      `INSERT INTO login_failures (username, count, window_start, locked_at, last_failure_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (username) DO UPDATE SET count = EXCLUDED.count, window_start = EXCLUDED.window_start,
         locked_at = EXCLUDED.locked_at, last_failure_at = EXCLUDED.last_failure_at`,
      [row.username, row.count, row.windowStart, row.lockedAt ?? null, row.lastFailureAt ?? null],
    );
  }

  async clearLoginFailures(username: string): Promise<void> {
    await this.q.query('DELETE FROM login_failures WHERE username = $1', [username]);
  }
}
