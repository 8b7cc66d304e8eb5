import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agencies, enrolmentTokens, loginFailures, officers } from './schema.ts';
import type { AccountsRepository, AgencyRow, OfficerRow, EnrolmentTokenRow } from '../../accounts/repository.ts';

/** SQL for agencies, officers and enrolment tokens; statements prepared once. */
export class SqliteAccountsRepository implements AccountsRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      agencyById: db.select().from(agencies).where(eq(agencies.id, sql.placeholder('id'))).prepare(),
      officerById: db.select().from(officers).where(eq(officers.id, sql.placeholder('id'))).prepare(),
      officerByUsername: db.select().from(officers).where(eq(officers.username, sql.placeholder('username'))).prepare(),
      tokenByHash: db
        .select()
        .from(enrolmentTokens)
        .where(eq(enrolmentTokens.tokenHash, sql.placeholder('hash')))
        .prepare(),
    };
  }

  async agency(id: string): Promise<AgencyRow | undefined> {
    return this.q.agencyById.get({ id });
  }

  async listAgencies(): Promise<AgencyRow[]> {
    return this.db.select().from(agencies).orderBy(asc(agencies.country), asc(agencies.name)).all();
  }

  async insertAgency(row: typeof agencies.$inferInsert): Promise<void> {
    this.db.insert(agencies).values(row).run();
  }

  async updateAgency(id: string, patch: Partial<typeof agencies.$inferInsert>): Promise<void> {
    this.db.update(agencies).set(patch).where(eq(agencies.id, id)).run();
  }

  async officer(id: string): Promise<OfficerRow | undefined> {
    return this.q.officerById.get({ id });
  }

  async officerByUsername(username: string): Promise<OfficerRow | undefined> {
    return this.q.officerByUsername.get({ username });
  }

  async listOfficers(agencyId: string): Promise<OfficerRow[]> {
    return this.db.select().from(officers).where(eq(officers.agencyId, agencyId)).orderBy(asc(officers.username)).all();
  }

  async countOfficers(): Promise<number> {
    return this.db.select({ n: sql<number>`count(*)` }).from(officers).get()?.n ?? 0;
  }

  async insertOfficer(row: typeof officers.$inferInsert): Promise<void> {
    this.db.insert(officers).values(row).run();
  }

  async updateOfficer(id: string, patch: Partial<typeof officers.$inferInsert>): Promise<void> {
    this.db.update(officers).set(patch).where(eq(officers.id, id)).run();
  }

  /** Atomically advances the last accepted TOTP step; false if the step was already used (replay). */
  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const res = this.db
      .update(officers)
      .set({ totpLastStep: step })
      .where(and(eq(officers.id, id), sql`${officers.totpLastStep} < ${step}`))
      .run();
    return res.changes === 1;
  }

  async insertEnrolmentToken(row: typeof enrolmentTokens.$inferInsert): Promise<void> {
    this.db.insert(enrolmentTokens).values(row).run();
  }

  async enrolmentTokenByHash(hash: string): Promise<EnrolmentTokenRow | undefined> {
    return this.q.tokenByHash.get({ hash });
  }

  async updateEnrolmentToken(id: string, patch: Partial<typeof enrolmentTokens.$inferInsert>): Promise<void> {
    this.db.update(enrolmentTokens).set(patch).where(eq(enrolmentTokens.id, id)).run();
  }

  /** Marks the token used if it still is usable; false when another request won the race. */
  async consumeEnrolmentToken(id: string, now: number): Promise<boolean> {
    const res = this.db
      .update(enrolmentTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(enrolmentTokens.id, id),
          isNull(enrolmentTokens.usedAt),
          isNull(enrolmentTokens.revokedAt),
          sql`${enrolmentTokens.expiresAt} > ${now}`,
        ),
      )
      .run();
    return res.changes === 1;
  }

  async revokeOpenEnrolmentTokens(officerId: string, now: number): Promise<void> {
    this.db
      .update(enrolmentTokens)
      .set({ revokedAt: now })
      .where(and(eq(enrolmentTokens.officerId, officerId), isNull(enrolmentTokens.usedAt), isNull(enrolmentTokens.revokedAt)))
      .run();
  }

  async loginFailure(username: string): Promise<{ username: string; count: number; windowStart: number; lockedAt: number | null; lastFailureAt: number | null } | undefined> {
    return this.db.select().from(loginFailures).where(eq(loginFailures.username, username)).get();
  }

  async upsertLoginFailure(row: typeof loginFailures.$inferInsert): Promise<void> {
    this.db
      .insert(loginFailures)
      .values(row)
      .onConflictDoUpdate({
        target: loginFailures.username,
        set: { count: row.count, windowStart: row.windowStart, lockedAt: row.lockedAt ?? null, lastFailureAt: row.lastFailureAt ?? null },
      })
      .run();
  }

  async clearLoginFailures(username: string): Promise<void> {
    this.db.delete(loginFailures).where(eq(loginFailures.username, username)).run();
  }
}
