import { and, asc, desc, eq, gte, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agencyRootProposals, agencyRootSets, agencyRoots, deviceSessions, keyLog, keyLogHeads, officerDevices, officerKeys, officers } from './schema.ts';
import type { DeviceRow, KeysRepository, NewDevice, OfficerKeysRow, AgencyRootRow, KeyLogRow, PendingKeysRow, RootProposalRow, RootSetRow } from '../../keys/repository.ts';

/** SQL for registered keys, agency roots and the key-transparency log; hot statements prepared once. */
export class SqliteKeysRepository implements KeysRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      keysOf: db.select().from(officerKeys).where(eq(officerKeys.officerId, sql.placeholder('id'))).prepare(),
      rootOf: db.select().from(agencyRoots).where(eq(agencyRoots.agencyId, sql.placeholder('id'))).prepare(),
      lastEntry: db.select().from(keyLog).orderBy(desc(keyLog.idx)).limit(1).prepare(),
      headAt: db.select().from(keyLogHeads).where(eq(keyLogHeads.size, sql.placeholder('size'))).prepare(),
      latestHead: db.select().from(keyLogHeads).orderBy(desc(keyLogHeads.size)).limit(1).prepare(),
      // Every send from a device reads its row (ChannelAccess caches it).
      device: db
        .select()
        .from(officerDevices)
        .where(and(eq(officerDevices.officerId, sql.placeholder('officerId')), eq(officerDevices.deviceId, sql.placeholder('deviceId'))))
        .prepare(),
    };
  }

  async keys(officerId: string): Promise<OfficerKeysRow | undefined> {
    return this.q.keysOf.get({ id: officerId });
  }

  async upsertKeys(row: typeof officerKeys.$inferInsert): Promise<void> {
    const { officerId: _id, createdAt: _c, ...patch } = row;
    this.db.insert(officerKeys).values(row).onConflictDoUpdate({ target: officerKeys.officerId, set: patch }).run();
  }

  async updateKeys(officerId: string, patch: Partial<typeof officerKeys.$inferInsert>): Promise<void> {
    this.db.update(officerKeys).set(patch).where(eq(officerKeys.officerId, officerId)).run();
  }

  /**
   * Active officers of an agency whose keys need a certificate: none yet, a renewal requested, an
   * expired certificate, or a certificate role that is not the account's (officer → "officer",
   * administrators → "agency_admin"). The service decides the reason; this only narrows the rows.
   */
  async pending(agencyId: string, now: number): Promise<PendingKeysRow[]> {
    const certRole = sql`json_extract(${officerKeys.certificate}, '$.role')`;
    const accountCertRole = sql`CASE WHEN ${officers.role} = 'officer' THEN 'officer' ELSE 'agency_admin' END`;
    return this.db
      .select({ k: officerKeys, role: officers.role })
      .from(officerKeys)
      .innerJoin(officers, eq(officers.id, officerKeys.officerId))
      .where(
        and(
          eq(officerKeys.agencyId, agencyId),
          eq(officers.status, 'active'),
          or(
            isNull(officerKeys.certificate),
            isNotNull(officerKeys.renewalRequestedAt),
            sql`json_extract(${officerKeys.certificate}, '$.expiresAt') <= ${now}`,
            sql`${certRole} <> ${accountCertRole}`,
          ),
        ),
      )
      .orderBy(asc(officerKeys.createdAt))
      .all()
      .map((r) => ({ ...r.k, officerRole: r.role }));
  }

  async certifiedKeys(agencyId: string): Promise<PendingKeysRow[]> {
    return this.db
      .select({ k: officerKeys, role: officers.role })
      .from(officerKeys)
      .innerJoin(officers, eq(officers.id, officerKeys.officerId))
      .where(and(eq(officerKeys.agencyId, agencyId), isNotNull(officerKeys.certificate), eq(officers.status, 'active')))
      .orderBy(asc(officerKeys.createdAt))
      .all()
      .map((r) => ({ ...r.k, officerRole: r.role }));
  }

  async revocable(agencyId: string): Promise<OfficerKeysRow[]> {
    return this.db
      .select({ k: officerKeys })
      .from(officerKeys)
      .innerJoin(officers, eq(officers.id, officerKeys.officerId))
      .where(and(eq(officerKeys.agencyId, agencyId), isNotNull(officerKeys.certificate), eq(officers.status, 'suspended')))
      .orderBy(asc(officerKeys.officerId))
      .all()
      .map((r) => r.k);
  }

  async latestEntriesOf(officerId: string, limit: number): Promise<KeyLogRow[]> {
    return this.db.select().from(keyLog).where(eq(keyLog.officerId, officerId)).orderBy(desc(keyLog.idx)).limit(limit).all();
  }

  async root(agencyId: string): Promise<AgencyRootRow | undefined> {
    return this.q.rootOf.get({ id: agencyId });
  }

  async insertRoot(row: typeof agencyRoots.$inferInsert): Promise<void> {
    this.db.insert(agencyRoots).values(row).run();
  }

  async rootSets(agencyId: string): Promise<RootSetRow[]> {
    return this.db.select().from(agencyRootSets).where(eq(agencyRootSets.agencyId, agencyId)).orderBy(asc(agencyRootSets.version)).all();
  }

  async insertRootSet(row: RootSetRow): Promise<void> {
    this.db.insert(agencyRootSets).values(row).run();
  }

  async rootProposal(agencyId: string): Promise<RootProposalRow | undefined> {
    return this.db.select().from(agencyRootProposals).where(eq(agencyRootProposals.agencyId, agencyId)).get();
  }

  async putRootProposal(row: RootProposalRow): Promise<void> {
    const { agencyId: _a, ...patch } = row;
    this.db.insert(agencyRootProposals).values(row).onConflictDoUpdate({ target: agencyRootProposals.agencyId, set: patch }).run();
  }

  async deleteRootProposal(agencyId: string): Promise<void> {
    this.db.delete(agencyRootProposals).where(eq(agencyRootProposals.agencyId, agencyId)).run();
  }

  async lastEntry(): Promise<KeyLogRow | undefined> {
    return this.q.lastEntry.get();
  }

  async insertEntry(row: typeof keyLog.$inferInsert): Promise<void> {
    this.db.insert(keyLog).values(row).run();
  }

  async insertHead(size: number, head: string, createdAt: number): Promise<void> {
    this.db.insert(keyLogHeads).values({ size, head, createdAt }).run();
  }

  async entries(from: number, limit: number): Promise<KeyLogRow[]> {
    return this.db.select().from(keyLog).where(gte(keyLog.idx, from)).orderBy(asc(keyLog.idx)).limit(limit).all();
  }

  async headAt(size: number): Promise<string | undefined> {
    return this.q.headAt.get({ size })?.head;
  }

  async latestHead(): Promise<string | undefined> {
    return this.q.latestHead.get()?.head;
  }

  // ---- devices (PROTOCOL.md §4.5) ----

  async device(officerId: string, deviceId: string): Promise<DeviceRow | undefined> {
    return this.q.device.get({ officerId, deviceId });
  }

  async devicesOf(officerId: string): Promise<DeviceRow[]> {
    return this.db
      .select()
      .from(officerDevices)
      .where(eq(officerDevices.officerId, officerId))
      .orderBy(desc(officerDevices.addedAt), asc(officerDevices.deviceId))
      .all();
  }

  async putDevice(row: NewDevice): Promise<void> {
    const { officerId: _o, deviceId: _d, ...patch } = row;
    this.db
      .insert(officerDevices)
      .values(row)
      .onConflictDoUpdate({ target: [officerDevices.officerId, officerDevices.deviceId], set: { revokedAt: null, revokeEvent: null, ...patch } })
      .run();
  }

  async updateDevice(officerId: string, deviceId: string, patch: Partial<Pick<DeviceRow, 'name' | 'lastSeenAt' | 'revokedAt' | 'revokeEvent'>>): Promise<void> {
    this.db
      .update(officerDevices)
      .set(patch)
      .where(and(eq(officerDevices.officerId, officerId), eq(officerDevices.deviceId, deviceId)))
      .run();
  }

  async bindSession(row: { sessionId: string; officerId: string; deviceId: string; createdAt: number }): Promise<void> {
    const { sessionId: _s, ...patch } = row;
    this.db.insert(deviceSessions).values(row).onConflictDoUpdate({ target: deviceSessions.sessionId, set: patch }).run();
  }

  async deviceOfSession(sessionId: string): Promise<string | undefined> {
    return this.db.select({ deviceId: deviceSessions.deviceId }).from(deviceSessions).where(eq(deviceSessions.sessionId, sessionId)).get()?.deviceId;
  }

  async sessionsOfDevice(officerId: string, deviceId: string): Promise<string[]> {
    return this.db
      .select({ id: deviceSessions.sessionId })
      .from(deviceSessions)
      .where(and(eq(deviceSessions.officerId, officerId), eq(deviceSessions.deviceId, deviceId)))
      .all()
      .map((r) => r.id);
  }
}
