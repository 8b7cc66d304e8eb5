import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { desks, pageDeliveries, pages, reachabilityReports } from './schema.ts';
import type { PageDeliveryRow, PageRow, PageState, PagingRepository, ReachabilityReportRow } from '../../alerting/paging-repository.ts';

/** SQL for pages and page deliveries; `advance` is the conditional update that makes a step fire once. */
export class SqlitePagingRepository implements PagingRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      byId: db.select().from(pages).where(eq(pages.id, sql.placeholder('id'))).prepare(),
      due: db
        .select()
        .from(pages)
        .where(and(eq(pages.state, 'open'), isNotNull(pages.nextFireAt), lte(pages.nextFireAt, sql.placeholder('now'))))
        .orderBy(asc(pages.nextFireAt), asc(pages.id))
        .limit(sql.placeholder('limit'))
        .prepare(),
      // Every read or acknowledged receipt asks this (server/alerting/message-pages.ts): prepared once, on pages_channel_idx.
      openOfChannel: db
        .select()
        .from(pages)
        .where(and(eq(pages.channelId, sql.placeholder('channelId')), eq(pages.state, 'open')))
        .orderBy(asc(pages.createdAt), asc(pages.id))
        .prepare(),
    };
  }

  async page(id: string): Promise<PageRow | undefined> {
    return this.q.byId.get({ id });
  }

  async insertPage(row: PageRow): Promise<void> {
    this.db.insert(pages).values(row).run();
  }

  async advance(id: string, fromStep: number, patch: Pick<PageRow, 'step' | 'state' | 'nextFireAt'>): Promise<boolean> {
    return this.db.update(pages).set(patch).where(and(eq(pages.id, id), eq(pages.step, fromStep), eq(pages.state, 'open'))).run().changes === 1;
  }

  async acknowledge(id: string, by: string, at: number): Promise<boolean> {
    return (
      this.db
        .update(pages)
        .set({ state: 'acknowledged', ackedAt: at, ackedBy: by, nextFireAt: null })
        .where(and(eq(pages.id, id), eq(pages.state, 'open')))
        .run().changes === 1
    );
  }

  async cancel(id: string): Promise<boolean> {
    return this.db.update(pages).set({ state: 'cancelled', nextFireAt: null }).where(and(eq(pages.id, id), eq(pages.state, 'open'))).run().changes === 1;
  }

  async raise(id: string, patch: Pick<PageRow, 'priority' | 'ackRequested'>): Promise<boolean> {
    const weaker = or(sql`${pages.priority} <> ${patch.priority}`, sql`${pages.ackRequested} <> ${patch.ackRequested ? 1 : 0}`);
    return this.db.update(pages).set(patch).where(and(eq(pages.id, id), eq(pages.state, 'open'), weaker)).run().changes === 1;
  }

  async openPageOfChannel(deskId: string, channelId: string): Promise<PageRow | undefined> {
    return this.db
      .select()
      .from(pages)
      .where(and(eq(pages.channelId, channelId), eq(pages.state, 'open'), eq(pages.deskId, deskId)))
      .orderBy(asc(pages.createdAt), asc(pages.id))
      .limit(1)
      .get();
  }

  async openPagesOfChannel(channelId: string): Promise<PageRow[]> {
    return this.q.openOfChannel.all({ channelId });
  }

  async pagesOpenedBetween(deskId: string, from: number, to: number): Promise<PageRow[]> {
    return this.db
      .select()
      .from(pages)
      .where(and(eq(pages.deskId, deskId), gte(pages.createdAt, from), lt(pages.createdAt, to)))
      .orderBy(asc(pages.createdAt), asc(pages.id))
      .all();
  }

  async due(now: number, limit: number): Promise<PageRow[]> {
    return this.q.due.all({ now, limit });
  }

  async pagesOfDesk(deskId: string, state: PageState | undefined, limit: number): Promise<PageRow[]> {
    const where = state === undefined ? eq(pages.deskId, deskId) : and(eq(pages.deskId, deskId), eq(pages.state, state));
    return this.db.select().from(pages).where(where).orderBy(desc(pages.createdAt), desc(pages.id)).limit(limit).all();
  }

  async openPagesFor(officerId: string, limit: number): Promise<PageRow[]> {
    const mine = this.db.selectDistinct({ id: pageDeliveries.pageId }).from(pageDeliveries).where(eq(pageDeliveries.officerId, officerId));
    return this.db
      .select()
      .from(pages)
      .where(and(eq(pages.state, 'open'), inArray(pages.id, mine)))
      .orderBy(desc(pages.createdAt), desc(pages.id))
      .limit(limit)
      .all();
  }

  async insertDelivery(row: PageDeliveryRow): Promise<boolean> {
    return this.db.insert(pageDeliveries).values(row).onConflictDoNothing().run().changes === 1;
  }

  async setOutcomes(pageId: string, step: number, officerId: string, outcomes: string): Promise<void> {
    this.db
      .update(pageDeliveries)
      .set({ outcomes })
      .where(and(eq(pageDeliveries.pageId, pageId), eq(pageDeliveries.step, step), eq(pageDeliveries.officerId, officerId)))
      .run();
  }

  async deliveries(pageId: string): Promise<PageDeliveryRow[]> {
    return this.db.select().from(pageDeliveries).where(eq(pageDeliveries.pageId, pageId)).orderBy(asc(pageDeliveries.step), asc(pageDeliveries.at)).all();
  }

  async insertReport(row: ReachabilityReportRow): Promise<boolean> {
    // The partial unique index (desk, period end) of scheduled reports is the fire-once guard.
    return this.db.insert(reachabilityReports).values(row).onConflictDoNothing().run().changes === 1;
  }

  async reports(deskId: string, from: number, to: number, limit: number): Promise<ReachabilityReportRow[]> {
    return this.db
      .select()
      .from(reachabilityReports)
      .where(and(eq(reachabilityReports.deskId, deskId), gt(reachabilityReports.periodEnd, from), lte(reachabilityReports.periodEnd, to)))
      .orderBy(desc(reachabilityReports.periodEnd), desc(reachabilityReports.createdAt), desc(reachabilityReports.id))
      .limit(limit)
      .all();
  }

  async desksWithoutReport(periodEnd: number, limit: number): Promise<string[]> {
    const done = this.db
      .select({ id: reachabilityReports.deskId })
      .from(reachabilityReports)
      .where(and(eq(reachabilityReports.periodEnd, periodEnd), eq(reachabilityReports.scheduled, true)));
    const rows = this.db
      .select({ id: desks.id })
      .from(desks)
      .where(and(lt(desks.createdAt, periodEnd), notInArray(desks.id, done)))
      .orderBy(asc(desks.id))
      .limit(limit)
      .all();
    return rows.map((r) => r.id);
  }
}
