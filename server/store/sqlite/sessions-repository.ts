import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agencies, officers, refreshTokens, sessions } from './schema.ts';
import type { SessionRepository, SessionRow, AuthRow } from '../../auth/session-repository.ts';

// Async wrappers over synchronous better-sqlite3 statements: the port is async for PostgreSQL.
export class SqliteSessionRepository implements SessionRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    // Runs on every authenticated request: one indexed join, prepared once.
    this.q = {
      auth: db
        .select({
          sessionId: sessions.id,
          revokedAt: sessions.revokedAt,
          lastUsedAt: sessions.lastUsedAt,
          absoluteExpiresAt: sessions.absoluteExpiresAt,
          officerId: officers.id,
          agencyId: officers.agencyId,
          role: officers.role,
          status: officers.status,
          agencyStatus: agencies.status,
        })
        .from(sessions)
        .innerJoin(officers, eq(officers.id, sessions.officerId))
        .innerJoin(agencies, eq(agencies.id, officers.agencyId))
        .where(and(eq(sessions.id, sql.placeholder('sid')), eq(sessions.officerId, sql.placeholder('sub'))))
        .prepare(),
      touch: db
        .update(sessions)
        .set({ lastUsedAt: sql`${sql.placeholder('now')}` })
        .where(eq(sessions.id, sql.placeholder('sid')))
        .prepare(),
      refresh: db
        .select({ token: refreshTokens, session: sessions })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, sql.placeholder('hash')))
        .prepare(),
    };
  }

  async authRow(sid: string, sub: string): Promise<AuthRow | undefined> {
    return this.q.auth.get({ sid, sub });
  }

  async touch(sid: string, now: number): Promise<void> {
    this.q.touch.run({ sid, now });
  }

  async insertSession(row: typeof sessions.$inferInsert): Promise<void> {
    this.db.insert(sessions).values(row).run();
  }

  async session(id: string): Promise<SessionRow | undefined> {
    return this.db.select().from(sessions).where(eq(sessions.id, id)).get();
  }

  async listActive(officerId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.officerId, officerId),
          isNull(sessions.revokedAt),
          sql`${sessions.absoluteExpiresAt} > ${now}`,
        ),
      )
      .orderBy(desc(sessions.lastUsedAt))
      .all();
  }

  /** Revokes the given officer's open sessions (all, or one); returns the ids revoked. */
  async revoke(officerId: string, now: number, reason: string, sessionId?: string): Promise<string[]> {
    const conds = [eq(sessions.officerId, officerId), isNull(sessions.revokedAt)];
    if (sessionId !== undefined) conds.push(eq(sessions.id, sessionId));
    return this.db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: reason })
      .where(and(...conds))
      .returning({ id: sessions.id })
      .all()
      .map((r) => r.id);
  }

  async refreshRow(hash: string) {
    return this.q.refresh.get({ hash });
  }

  async insertRefreshToken(row: typeof refreshTokens.$inferInsert): Promise<void> {
    this.db.insert(refreshTokens).values(row).run();
  }

  /** Marks a refresh token used; false if it already was (a replayed or raced token). */
  async useRefreshToken(hash: string, now: number): Promise<boolean> {
    return (
      this.db
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.tokenHash, hash), isNull(refreshTokens.usedAt)))
        .run().changes === 1
    );
  }
}
