import type { AuthRow, SessionRepository, SessionRow } from '../../auth/session-repository.ts';
import { SESSION_CHANNEL } from './cluster.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList } from './row-mapping.ts';
import { refreshTokens, sessions } from './schema.ts';
import { tableMap } from './tables.ts';

const SESSIONS = tableMap(sessions);
const TOKENS = tableMap(refreshTokens);
const SESSION = selectList(SESSIONS);

type RefreshRow = Awaited<ReturnType<SessionRepository['refreshRow']>>;
type NewSession = Parameters<SessionRepository['insertSession']>[0];
type NewRefreshToken = Parameters<SessionRepository['insertRefreshToken']>[0];

/** PostgreSQL SQL for sessions and refresh tokens (mirrors SqliteSessionRepository). */
export class PgSessionRepository implements SessionRepository {
  constructor(private readonly q: PgExecutor) {}

  async authRow(sid: string, sub: string): Promise<AuthRow | undefined> {
    const r = await this.q.query<AuthRow>(
      `SELECT s.id AS "sessionId", s.revoked_at AS "revokedAt", s.last_used_at AS "lastUsedAt", s.absolute_expires_at AS "absoluteExpiresAt",
              o.id AS "officerId", o.agency_id AS "agencyId", o.role, o.status, a.status AS "agencyStatus"
       FROM sessions s JOIN officers o ON o.id = s.officer_id JOIN agencies a ON a.id = o.agency_id
       WHERE s.id = $1 AND s.officer_id = $2`,
      [sid, sub],
    );
    return r.rows[0];
  }

  async touch(sid: string, now: number): Promise<void> {
    await this.q.query('UPDATE sessions SET last_used_at = $2 WHERE id = $1', [sid, now]);
  }

  async insertSession(row: NewSession): Promise<void> {
    const { text, params } = insertSql(SESSIONS, row);
    await this.q.query(text, params);
  }

  async session(id: string): Promise<SessionRow | undefined> {
    return (await this.q.query<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE id = $1`, [id])).rows[0];
  }

  async listActive(officerId: string, now: number): Promise<SessionRow[]> {
    return (await this.q.query<SessionRow>(
      `SELECT ${SESSION} FROM sessions WHERE officer_id = $1 AND revoked_at IS NULL AND absolute_expires_at > $2 ORDER BY last_used_at DESC`,
      [officerId, now],
    )).rows;
  }

  async revoke(officerId: string, now: number, reason: string, sessionId?: string): Promise<string[]> {
    const params: unknown[] = [officerId, now, reason];
    let where = 'officer_id = $1 AND revoked_at IS NULL';
    if (sessionId !== undefined) {
      params.push(sessionId);
      where += ' AND id = $4';
    }
    const r = await this.q.query<{ id: string }>(`UPDATE sessions SET revoked_at = $2, revoke_reason = $3 WHERE ${where} RETURNING id`, params);
    const ids = r.rows.map((row) => row.id);
    // Every node disconnects the revoked sessions' sockets: the notice is delivered when (and only if) this transaction commits.
    if (ids.length > 0) await this.q.query('SELECT pg_notify($1, $2)', [SESSION_CHANNEL, JSON.stringify({ officerId, sessionIds: ids, reason })]);
    return ids;
  }

  async refreshRow(hash: string): Promise<RefreshRow> {
    const r = await this.q.query<{ token: NonNullable<RefreshRow>['token']; session: NonNullable<RefreshRow>['session'] }>(
      `SELECT json_build_object('tokenHash', t.token_hash, 'sessionId', t.session_id, 'createdAt', t.created_at, 'usedAt', t.used_at) AS token,
              json_build_object('id', s.id, 'officerId', s.officer_id, 'deviceLabel', s.device_label, 'ip', s.ip, 'userAgent', s.user_agent,
                'createdAt', s.created_at, 'lastUsedAt', s.last_used_at, 'absoluteExpiresAt', s.absolute_expires_at,
                'revokedAt', s.revoked_at, 'revokeReason', s.revoke_reason) AS session
       FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1`,
      [hash],
    );
    return r.rows[0];
  }

  async insertRefreshToken(row: NewRefreshToken): Promise<void> {
    const { text, params } = insertSql(TOKENS, row);
    await this.q.query(text, params);
  }

  async useRefreshToken(hash: string, now: number): Promise<boolean> {
    return (await this.q.query('UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL', [hash, now])).rowCount === 1;
  }
}
