import { and, isNull, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { deskIntakeKeys, deskRequests } from './schema.ts';
import type { DeskRequestRow, DeskRequestState, IntakeKeyRow, IntakeRepository } from '../../intake/repository.ts';

/** SQL for desk intake keys and desk requests; `claim` is the conditional update that lets the first claim win. */
export class SqliteIntakeRepository implements IntakeRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      key: db
        .select()
        .from(deskIntakeKeys)
        .where(and(eq(deskIntakeKeys.deskId, sql.placeholder('deskId')), eq(deskIntakeKeys.version, sql.placeholder('version'))))
        .prepare(),
      latestKey: db.select().from(deskIntakeKeys).where(eq(deskIntakeKeys.deskId, sql.placeholder('deskId'))).orderBy(desc(deskIntakeKeys.version)).limit(1).prepare(),
      request: db.select().from(deskRequests).where(eq(deskRequests.id, sql.placeholder('id'))).prepare(),
      byRequester: db
        .select()
        .from(deskRequests)
        .where(and(eq(deskRequests.requesterId, sql.placeholder('requesterId')), eq(deskRequests.requestId, sql.placeholder('requestId'))))
        .prepare(),
    };
  }

  async keys(deskId: string): Promise<IntakeKeyRow[]> {
    return this.db.select().from(deskIntakeKeys).where(eq(deskIntakeKeys.deskId, deskId)).orderBy(asc(deskIntakeKeys.version)).all();
  }

  async key(deskId: string, version: number): Promise<IntakeKeyRow | undefined> {
    return this.q.key.get({ deskId, version });
  }

  async latestKey(deskId: string): Promise<IntakeKeyRow | undefined> {
    return this.q.latestKey.get({ deskId });
  }

  async insertKey(row: IntakeKeyRow): Promise<void> {
    this.db.insert(deskIntakeKeys).values(row).run();
  }

  async request(id: string): Promise<DeskRequestRow | undefined> {
    return this.q.request.get({ id });
  }

  async requestByRequester(requesterId: string, requestId: string): Promise<DeskRequestRow | undefined> {
    return this.q.byRequester.get({ requesterId, requestId });
  }

  async insertRequest(row: DeskRequestRow): Promise<void> {
    this.db.insert(deskRequests).values(row).run();
  }

  async requestsOfDesk(deskId: string, state: DeskRequestState | undefined, limit: number): Promise<DeskRequestRow[]> {
    const where = state === undefined ? eq(deskRequests.deskId, deskId) : and(eq(deskRequests.deskId, deskId), eq(deskRequests.state, state));
    return this.db.select().from(deskRequests).where(where).orderBy(desc(deskRequests.receivedAt), desc(deskRequests.id)).limit(limit).all();
  }

  async requestsOf(requesterId: string, limit: number): Promise<DeskRequestRow[]> {
    return this.db.select().from(deskRequests).where(eq(deskRequests.requesterId, requesterId)).orderBy(desc(deskRequests.receivedAt), desc(deskRequests.id)).limit(limit).all();
  }

  async claim(id: string, by: string, at: number): Promise<boolean> {
    return this.db.update(deskRequests).set({ state: 'claimed', claimedBy: by, claimedAt: at }).where(and(eq(deskRequests.id, id), eq(deskRequests.state, 'open'))).run().changes === 1;
  }

  async linkCopy(id: string, requestId: string): Promise<boolean> {
    return this.db.update(deskRequests).set({ copyOf: requestId }).where(and(eq(deskRequests.id, id), eq(deskRequests.state, 'copy'), isNull(deskRequests.copyOf))).run().changes === 1;
  }

  async setCaseChannel(id: string, channelId: string): Promise<void> {
    this.db.update(deskRequests).set({ caseChannelId: channelId }).where(eq(deskRequests.id, id)).run();
  }
}
