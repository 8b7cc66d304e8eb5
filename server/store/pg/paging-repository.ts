import type { PageDeliveryRow, PageRow, PageState, PagingRepository, ReachabilityReportRow } from '../../alerting/paging-repository.ts';
import type { PgExecutor } from './executor.ts';
import { encode, insertSql, selectList, setList, type TableMap } from './row-mapping.ts';

const PAGES: TableMap<PageRow> = {
  table: 'pages',
  columns: {
    id: 'id',
    deskId: 'desk_id',
    priority: 'priority',
    ackRequested: 'ack_requested',
    channelId: 'channel_id',
    reason: 'reason',
    requesterId: 'requester_id',
    createdAt: 'created_at',
    step: 'step',
    state: 'state',
    nextFireAt: 'next_fire_at',
    ackedAt: 'acked_at',
    ackedBy: 'acked_by',
  },
  booleans: ['ackRequested'],
};

const DELIVERIES: TableMap<PageDeliveryRow> = {
  table: 'page_deliveries',
  columns: { pageId: 'page_id', step: 'step', officerId: 'officer_id', outcomes: 'outcomes', at: 'at' },
};

const REPORTS: TableMap<ReachabilityReportRow> = {
  table: 'reachability_reports',
  columns: {
    id: 'id',
    deskId: 'desk_id',
    periodStart: 'period_start',
    periodEnd: 'period_end',
    scheduled: 'scheduled',
    report: 'report',
    createdAt: 'created_at',
    createdBy: 'created_by',
  },
  booleans: ['scheduled'],
};

const PAGE = `SELECT ${selectList(PAGES)} FROM pages`;

/** PostgreSQL SQL for pages and page deliveries (mirrors SqlitePagingRepository); `advance` is the fire-once conditional update. */
export class PgPagingRepository implements PagingRepository {
  constructor(private readonly q: PgExecutor) {}

  private async pages(where: string, params: unknown[]): Promise<PageRow[]> {
    return (await this.q.query<PageRow>(`${PAGE} ${where}`, params)).rows;
  }

  async page(id: string): Promise<PageRow | undefined> {
    return (await this.pages('WHERE id = $1', [id]))[0];
  }

  async insertPage(row: PageRow): Promise<void> {
    const { text, params } = insertSql(PAGES, row);
    await this.q.query(text, params);
  }

  async advance(id: string, fromStep: number, patch: Pick<PageRow, 'step' | 'state' | 'nextFireAt'>): Promise<boolean> {
    const params: unknown[] = [id, fromStep];
    const r = await this.q.query(`UPDATE pages SET ${setList(PAGES, patch, params)} WHERE id = $1 AND step = $2 AND state = 'open'`, params);
    return r.rowCount === 1;
  }

  async acknowledge(id: string, by: string, at: number): Promise<boolean> {
    const r = await this.q.query(
      "UPDATE pages SET state = 'acknowledged', acked_at = $2, acked_by = $3, next_fire_at = NULL WHERE id = $1 AND state = 'open'",
      [id, at, by],
    );
    return r.rowCount === 1;
  }

  async cancel(id: string): Promise<boolean> {
    const r = await this.q.query("UPDATE pages SET state = 'cancelled', next_fire_at = NULL WHERE id = $1 AND state = 'open'", [id]);
    return r.rowCount === 1;
  }

  async raise(id: string, patch: Pick<PageRow, 'priority' | 'ackRequested'>): Promise<boolean> {
    const params: unknown[] = [id, patch.priority, encode(patch.ackRequested)];
    const set = setList(PAGES, patch, params);
    const r = await this.q.query(`UPDATE pages SET ${set} WHERE id = $1 AND state = 'open' AND (priority <> $2 OR ack_requested <> $3)`, params);
    return r.rowCount === 1;
  }

  async openPageOfChannel(deskId: string, channelId: string): Promise<PageRow | undefined> {
    const rows = await this.pages(`WHERE channel_id = $1 AND state = 'open' AND desk_id = $2 ORDER BY created_at, id COLLATE "C" LIMIT 1`, [channelId, deskId]);
    return rows[0];
  }

  async openPagesOfChannel(channelId: string): Promise<PageRow[]> {
    return this.pages(`WHERE channel_id = $1 AND state = 'open' ORDER BY created_at, id COLLATE "C"`, [channelId]);
  }

  async pagesOpenedBetween(deskId: string, from: number, to: number): Promise<PageRow[]> {
    return this.pages(`WHERE desk_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id COLLATE "C"`, [deskId, from, to]);
  }

  async due(now: number, limit: number): Promise<PageRow[]> {
    return this.pages(`WHERE state = 'open' AND next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at, id COLLATE "C" LIMIT $2`, [now, limit]);
  }

  async pagesOfDesk(deskId: string, state: PageState | undefined, limit: number): Promise<PageRow[]> {
    return state === undefined
      ? this.pages(`WHERE desk_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2`, [deskId, limit])
      : this.pages(`WHERE desk_id = $1 AND state = $3 ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2`, [deskId, limit, state]);
  }

  async openPagesFor(officerId: string, limit: number): Promise<PageRow[]> {
    return this.pages(
      `WHERE state = 'open' AND id IN (SELECT DISTINCT page_id FROM page_deliveries WHERE officer_id = $1)
       ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2`,
      [officerId, limit],
    );
  }

  async insertDelivery(row: PageDeliveryRow): Promise<boolean> {
    const { text, params } = insertSql(DELIVERIES, row, 'ON CONFLICT DO NOTHING');
    return (await this.q.query(text, params)).rowCount === 1;
  }

  async setOutcomes(pageId: string, step: number, officerId: string, outcomes: string): Promise<void> {
    await this.q.query('UPDATE page_deliveries SET outcomes = $4 WHERE page_id = $1 AND step = $2 AND officer_id = $3', [pageId, step, officerId, outcomes]);
  }

  async deliveries(pageId: string): Promise<PageDeliveryRow[]> {
    const r = await this.q.query<PageDeliveryRow>(`SELECT ${selectList(DELIVERIES)} FROM page_deliveries WHERE page_id = $1 ORDER BY step, at`, [pageId]);
    return r.rows;
  }

  async insertReport(row: ReachabilityReportRow): Promise<boolean> {
    // The partial unique index (desk, period end) of scheduled reports is the fire-once guard.
    const { text, params } = insertSql(REPORTS, row, 'ON CONFLICT DO NOTHING');
    return (await this.q.query(text, params)).rowCount === 1;
  }

  async reports(deskId: string, from: number, to: number, limit: number): Promise<ReachabilityReportRow[]> {
    const r = await this.q.query<ReachabilityReportRow>(
      `SELECT ${selectList(REPORTS)} FROM reachability_reports
       WHERE desk_id = $1 AND period_end > $2 AND period_end <= $3
       ORDER BY period_end DESC, created_at DESC, id COLLATE "C" DESC LIMIT $4`,
      [deskId, from, to, limit],
    );
    return r.rows;
  }

  async desksWithoutReport(periodEnd: number, limit: number): Promise<string[]> {
    const r = await this.q.query<{ id: string }>(
      `SELECT id FROM desks
       WHERE created_at < $1 AND id NOT IN (SELECT desk_id FROM reachability_reports WHERE period_end = $1 AND scheduled = 1)
       ORDER BY id COLLATE "C" LIMIT $2`,
      [periodEnd, limit],
    );
    return r.rows.map((row) => row.id);
  }
}
