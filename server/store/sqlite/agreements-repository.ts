import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agreementParties, agreementSuspensions, agreements, extendedAccessGrants } from './schema.ts';
import type { AgreementsRepository, AgreementRow, PartyRow, GrantRow, SuspensionRow } from '../../agreements/repository.ts';

/** SQL for agreements, their parties' signatures and extended-access grants. */
export class SqliteAgreementsRepository implements AgreementsRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      byId: db.select().from(agreements).where(eq(agreements.id, sql.placeholder('id'))).prepare(),
      parties: db
        .select()
        .from(agreementParties)
        .where(eq(agreementParties.agreementId, sql.placeholder('id')))
        .orderBy(asc(agreementParties.agencyId))
        .prepare(),
      activeGrants: db
        .select()
        .from(extendedAccessGrants)
        .where(
          and(
            eq(extendedAccessGrants.agencyId, sql.placeholder('agencyId')),
            isNull(extendedAccessGrants.revokedAt),
            gt(extendedAccessGrants.expiresAt, sql.placeholder('now')),
          ),
        )
        .prepare(),
      grantById: db.select().from(extendedAccessGrants).where(eq(extendedAccessGrants.id, sql.placeholder('id'))).prepare(),
      suspensions: db
        .select()
        .from(agreementSuspensions)
        .where(eq(agreementSuspensions.agreementId, sql.placeholder('id')))
        .orderBy(asc(agreementSuspensions.agencyId))
        .prepare(),
    };
  }

  async agreement(id: string): Promise<AgreementRow | undefined> {
    return this.q.byId.get({ id });
  }

  async parties(agreementId: string): Promise<PartyRow[]> {
    return this.q.parties.all({ id: agreementId });
  }

  async insert(row: typeof agreements.$inferInsert, partyIds: readonly string[]): Promise<void> {
    this.db.insert(agreements).values(row).run();
    this.db
      .insert(agreementParties)
      .values(partyIds.map((agencyId) => ({ agreementId: row.id, agencyId })))
      .run();
  }

  async setStatus(id: string, status: AgreementRow['status'], now: number): Promise<void> {
    this.db.update(agreements).set({ status, updatedAt: now }).where(eq(agreements.id, id)).run();
  }

  async touch(id: string, now: number): Promise<void> {
    this.db.update(agreements).set({ updatedAt: now }).where(eq(agreements.id, id)).run();
  }

  async sign(agreementId: string, agencyId: string, patch: { signedBy: string; signature: string; signerPublicKey: string; signedAt: number }): Promise<void> {
    this.db
      .update(agreementParties)
      .set(patch)
      .where(and(eq(agreementParties.agreementId, agreementId), eq(agreementParties.agencyId, agencyId)))
      .run();
  }

  /** The parties currently holding the agreement suspended, by agency id. */
  async suspensions(agreementId: string): Promise<SuspensionRow[]> {
    return this.q.suspensions.all({ id: agreementId });
  }

  async addSuspension(row: typeof agreementSuspensions.$inferInsert): Promise<void> {
    this.db.insert(agreementSuspensions).values(row).run();
  }

  async liftSuspension(agreementId: string, agencyId: string): Promise<void> {
    this.db
      .delete(agreementSuspensions)
      .where(and(eq(agreementSuspensions.agreementId, agreementId), eq(agreementSuspensions.agencyId, agencyId)))
      .run();
  }

  /** Agreements one of `agencyIds` is a party to; all agreements when null. */
  async list(agencyIds: readonly string[] | null): Promise<AgreementRow[]> {
    const base = this.db.select().from(agreements);
    if (agencyIds === null) return base.orderBy(asc(agreements.createdAt)).all();
    const ids = this.db
      .select({ id: agreementParties.agreementId })
      .from(agreementParties)
      .where(inArray(agreementParties.agencyId, [...agencyIds]));
    return base.where(inArray(agreements.id, ids)).orderBy(asc(agreements.createdAt)).all();
  }

  async activeGrants(agencyId: string, now: number): Promise<GrantRow[]> {
    return this.q.activeGrants.all({ agencyId, now });
  }

  async grant(id: string): Promise<GrantRow | undefined> {
    return this.q.grantById.get({ id });
  }

  async insertGrant(row: typeof extendedAccessGrants.$inferInsert): Promise<void> {
    this.db.insert(extendedAccessGrants).values(row).run();
  }

  async revokeGrant(id: string, now: number): Promise<void> {
    this.db.update(extendedAccessGrants).set({ revokedAt: now }).where(eq(extendedAccessGrants.id, id)).run();
  }

  /** Grants given by or to `agencyId`; all when null. */
  async grants(agencyId: string | null): Promise<GrantRow[]> {
    const base = this.db.select().from(extendedAccessGrants);
    if (agencyId === null) return base.orderBy(asc(extendedAccessGrants.createdAt)).all();
    return base
      .where(or(eq(extendedAccessGrants.sponsorAgencyId, agencyId), eq(extendedAccessGrants.agencyId, agencyId)))
      .orderBy(asc(extendedAccessGrants.createdAt))
      .all();
  }
}
