import { and, asc, eq, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agencyRequestSettings, requestEvents, requests } from './schema.ts';
import type { RequestChanges, RequestEventRow, RequestFilter, RequestRow, RequestsRepository } from '../../requests/repository.ts';
import { TERMINAL_STATES } from '../../../shared/requests/lifecycle.ts';

/** SQL for requests, their timelines and the agencies' request settings. */
export class SqliteRequestsRepository implements RequestsRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      byId: db.select().from(requests).where(eq(requests.id, sql.placeholder('id'))).prepare(),
      byRef: db
        .select()
        .from(requests)
        .where(and(eq(requests.channelId, sql.placeholder('channelId')), eq(requests.ref, sql.placeholder('ref'))))
        .prepare(),
    };
  }

  async byId(id: string): Promise<RequestRow | undefined> {
    return this.q.byId.get({ id }) as RequestRow | undefined;
  }

  async byRef(channelId: string, ref: string): Promise<RequestRow | undefined> {
    return this.q.byRef.get({ channelId, ref }) as RequestRow | undefined;
  }

  async insert(row: RequestRow): Promise<void> {
    this.db.insert(requests).values(row).run();
  }

  async update(id: string, changes: RequestChanges): Promise<void> {
    this.db.update(requests).set(changes).where(eq(requests.id, id)).run();
  }

  async insertEvent(row: RequestEventRow): Promise<void> {
    this.db.insert(requestEvents).values(row).run();
  }

  async events(requestId: string): Promise<RequestEventRow[]> {
    return this.db
      .select({
        requestId: requestEvents.requestId,
        messageId: requestEvents.messageId,
        kind: requestEvents.kind,
        detail: requestEvents.detail,
        state: requestEvents.state,
        actorId: requestEvents.actorId,
        agencyId: requestEvents.agencyId,
        at: requestEvents.at,
      })
      .from(requestEvents)
      .where(eq(requestEvents.requestId, requestId))
      .orderBy(asc(requestEvents.pk))
      .all();
  }

  async list(f: RequestFilter): Promise<RequestRow[]> {
    const side =
      f.role === 'sent'
        ? eq(requests.requesterAgencyId, f.agencyId)
        : f.role === 'received'
          ? eq(requests.requestedAgencyId, f.agencyId)
          : or(eq(requests.requesterAgencyId, f.agencyId), eq(requests.requestedAgencyId, f.agencyId));
    const where = and(
      side,
      f.states ? inArray(requests.state, [...f.states]) : undefined,
      f.deadlineBefore !== undefined ? lt(requests.deadline, f.deadlineBefore) : undefined,
      f.deskId !== undefined ? eq(requests.deskId, f.deskId) : undefined,
    );
    return this.db.select().from(requests).where(where).orderBy(asc(requests.deadline), asc(requests.id)).limit(f.limit).all() as RequestRow[];
  }

  async openWithCaseIndex(caseIndex: string, requesterAgencyId: string, requestedAgencyId: string): Promise<RequestRow[]> {
    return this.db
      .select()
      .from(requests)
      .where(
        and(
          eq(requests.caseIndex, caseIndex),
          eq(requests.requesterAgencyId, requesterAgencyId),
          eq(requests.requestedAgencyId, requestedAgencyId),
          notInArray(requests.state, [...TERMINAL_STATES]),
        ),
      )
      .orderBy(asc(requests.receivedAt))
      .limit(20)
      .all() as RequestRow[];
  }

  async dueReminders(which: 'early' | 'due', states: readonly string[], now: number, limit: number): Promise<RequestRow[]> {
    // early: receivedAt + 75 % of (deadline − receivedAt − suspendedMs) + suspendedMs, i.e. 75 % of the legal period.
    const instant =
      which === 'early' ? sql`${requests.receivedAt} + ${requests.suspendedMs} + (${requests.deadline} - ${requests.receivedAt} - ${requests.suspendedMs}) * 3 / 4` : sql`${requests.deadline}`;
    const unsent = which === 'early' ? isNull(requests.remindedEarlyAt) : isNull(requests.remindedDueAt);
    return this.db
      .select()
      .from(requests)
      .where(and(inArray(requests.state, [...states]), unsent, sql`${instant} <= ${now}`))
      .orderBy(asc(requests.deadline))
      .limit(limit)
      .all() as RequestRow[];
  }

  async claimReminder(id: string, which: 'early' | 'due', at: number): Promise<boolean> {
    const set = which === 'early' ? { remindedEarlyAt: at } : { remindedDueAt: at };
    const unsent = which === 'early' ? isNull(requests.remindedEarlyAt) : isNull(requests.remindedDueAt);
    return this.db.update(requests).set(set).where(and(eq(requests.id, id), unsent)).run().changes === 1;
  }

  async timeZoneOf(agencyId: string): Promise<string | undefined> {
    return this.db.select({ z: agencyRequestSettings.timeZone }).from(agencyRequestSettings).where(eq(agencyRequestSettings.agencyId, agencyId)).get()?.z;
  }

  async spocDeskOf(agencyId: string): Promise<string | null> {
    return this.db.select({ d: agencyRequestSettings.spocDeskId }).from(agencyRequestSettings).where(eq(agencyRequestSettings.agencyId, agencyId)).get()?.d ?? null;
  }

  async setSpocDesk(agencyId: string, spocDeskId: string | null, defaultTimeZone: string, at: number, by: string): Promise<void> {
    this.db
      .insert(agencyRequestSettings)
      .values({ agencyId, timeZone: defaultTimeZone, spocDeskId, updatedAt: at, updatedBy: by })
      .onConflictDoUpdate({ target: agencyRequestSettings.agencyId, set: { spocDeskId, updatedAt: at, updatedBy: by } })
      .run();
  }

  async setTimeZone(agencyId: string, timeZone: string, at: number, by: string): Promise<void> {
    this.db
      .insert(agencyRequestSettings)
      .values({ agencyId, timeZone, updatedAt: at, updatedBy: by })
      .onConflictDoUpdate({ target: agencyRequestSettings.agencyId, set: { timeZone, updatedAt: at, updatedBy: by } })
      .run();
  }
}
