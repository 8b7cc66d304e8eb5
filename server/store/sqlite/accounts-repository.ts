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

  agency(id: string): AgencyRow | undefined {
    return this.q.agencyById.get({ id });
  }

  listAgencies(): AgencyRow[] {
    return this.db.select().from(agencies).orderBy(asc(agencies.country), asc(agencies.name)).all();
  }

  insertAgency(row: typeof agencies.$inferInsert): void {
    this.db.insert(agencies).values(row).run();
  }

  updateAgency(id: string, patch: Partial<typeof agencies.$inferInsert>): void {
    this.db.update(agencies).set(patch).where(eq(agencies.id, id)).run();
  }

  officer(id: string): OfficerRow | undefined {
    return this.q.officerById.get({ id });
  }

  officerByUsername(username: string): OfficerRow | undefined {
    return this.q.officerByUsername.get({ username });
  }

  listOfficers(agencyId: string): OfficerRow[] {
    return this.db.select().from(officers).where(eq(officers.agencyId, agencyId)).orderBy(asc(officers.username)).all();
  }

  countOfficers(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(officers).get()?.n ?? 0;
  }

  insertOfficer(row: typeof officers.$inferInsert): void {
    this.db.insert(officers).values(row).run();
  }

  updateOfficer(id: string, patch: Partial<typeof officers.$inferInsert>): void {
    this.db.update(officers).set(patch).where(eq(officers.id, id)).run();
  }

  /** Atomically advances the last accepted TOTP step; false if the step was already used (replay). */
  advanceTotpStep(id: string, step: number): boolean {
    const res = this.db
      .update(officers)
      .set({ totpLastStep: step })
      .where(and(eq(officers.id, id), sql`${officers.totpLastStep} < ${step}`))
      .run();
    return res.changes === 1;
  }

  insertEnrolmentToken(row: typeof enrolmentTokens.$inferInsert): void {
    this.db.insert(enrolmentTokens).values(row).run();
  }

  enrolmentTokenByHash(hash: string): EnrolmentTokenRow | undefined {
    return this.q.tokenByHash.get({ hash });
  }

  updateEnrolmentToken(id: string, patch: Partial<typeof enrolmentTokens.$inferInsert>): void {
    this.db.update(enrolmentTokens).set(patch).where(eq(enrolmentTokens.id, id)).run();
  }

  /** Marks the token used if it still is usable; false when another request won the race. */
  consumeEnrolmentToken(id: string, now: number): boolean {
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

  revokeOpenEnrolmentTokens(officerId: string, now: number): void {
    this.db
      .update(enrolmentTokens)
      .set({ revokedAt: now })
      .where(and(eq(enrolmentTokens.officerId, officerId), isNull(enrolmentTokens.usedAt), isNull(enrolmentTokens.revokedAt)))
      .run();
  }

  loginFailure(username: string) {
    return this.db.select().from(loginFailures).where(eq(loginFailures.username, username)).get();
  }

  upsertLoginFailure(row: typeof loginFailures.$inferInsert): void {
    this.db
      .insert(loginFailures)
      .values(row)
      .onConflictDoUpdate({
        target: loginFailures.username,
        set: { count: row.count, windowStart: row.windowStart, lockedAt: row.lockedAt ?? null, lastFailureAt: row.lastFailureAt ?? null },
      })
      .run();
  }

  clearLoginFailures(username: string): void {
    this.db.delete(loginFailures).where(eq(loginFailures.username, username)).run();
  }
}
