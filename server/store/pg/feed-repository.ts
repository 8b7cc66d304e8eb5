import type { FeedItem } from '../../../shared/schemas/channels.ts';
import type { FeedRepository, FeedRow, SpanRow } from '../../feed/repository.ts';
import type { PgExecutor } from './executor.ts';
import { STORED_MESSAGE_COLUMNS } from './stored-message-columns.ts';

/**
 * PostgreSQL SQL for the feed (mirrors SqliteFeedRepository). Positions come from the identity
 * sequence of feed.pos; every write transaction holds the global write lock (PgStore), so positions
 * are handed out, and committed, in order: a reader never sees pos N+1 without pos N — within one
 * snapshot; a reader that runs several statements bounds them by `head()` read first (FeedReader).
 */
export class PgFeedRepository implements FeedRepository {
  constructor(private readonly q: PgExecutor) {}

  async insert(channelId: string, kind: FeedItem['kind'], messagePk: number | null, recipientId: string | null, payload: string | null, createdAt: number): Promise<number> {
    const r = await this.q.query<{ pos: number }>(
      'INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING pos',
      [channelId, kind, messagePk, recipientId, payload, createdAt],
    );
    return r.rows[0]!.pos;
  }

  /** Reserves a position no feed row will take (the sequence never hands a value out twice). */
  async reservePos(): Promise<number> {
    return (await this.q.query<{ pos: number }>("SELECT nextval(pg_get_serial_sequence('feed', 'pos')) AS pos")).rows[0]!.pos;
  }

  async spansOf(officerId: string, afterPos: number): Promise<SpanRow[]> {
    return (await this.q.query<SpanRow>(
      `SELECT channel_id AS "channelId", from_pos AS "fromPos", until_pos AS "untilPos" FROM channel_members
       WHERE officer_id = $1 AND (until_pos IS NULL OR until_pos > $2)`,
      [officerId, afterPos],
    )).rows;
  }

  async channelWalk(channelId: string, after: number, until: number, limit: number): Promise<number[]> {
    const r = await this.q.query<{ pos: number }>(
      'SELECT pos FROM feed WHERE channel_id = $1 AND pos > $2 AND pos < $3 AND recipient_id IS NULL ORDER BY pos LIMIT $4',
      [channelId, after, until, limit],
    );
    return r.rows.map((x) => x.pos);
  }

  async personalWalk(officerId: string, after: number, until: number, limit: number): Promise<number[]> {
    const r = await this.q.query<{ pos: number }>('SELECT pos FROM feed WHERE recipient_id = $1 AND pos > $2 AND pos < $3 ORDER BY pos LIMIT $4', [officerId, after, until, limit]);
    return r.rows.map((x) => x.pos);
  }

  async head(): Promise<number> {
    return Number((await this.q.query<{ pos: string | number }>('SELECT coalesce(max(pos), 0) AS pos FROM feed')).rows[0]!.pos);
  }

  async rowsAt(positions: readonly number[]): Promise<FeedRow[]> {
    if (positions.length === 0) return [];
    return (await this.q.query<FeedRow>(
      `SELECT f.pos, f.kind, f.channel_id AS "channelId", f.payload, f.created_at AS "createdAt", ${STORED_MESSAGE_COLUMNS}
       FROM feed f
       LEFT JOIN messages m ON m.pk = f.message_pk AND f.kind = 'message'
       WHERE f.pos = ANY($1::bigint[])
       ORDER BY f.pos`,
      [[...positions]],
    )).rows;
  }
}
