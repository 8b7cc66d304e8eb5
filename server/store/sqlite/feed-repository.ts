import type Database from 'better-sqlite3';
import type { FeedItem } from '../../../shared/schemas/channels.ts';
import type { FeedRepository, FeedRow, SpanRow } from '../../feed/repository.ts';
import { STORED_MESSAGE_COLUMNS } from './stored-message-columns.ts';

// Async wrappers over synchronous better-sqlite3 statements: the port is async for PostgreSQL.
export class SqliteFeedRepository implements FeedRepository {
  // Prepared once: insert runs for every message and receipt, the walks for every sync page.
  private readonly s;

  constructor(sqlite: Database.Database) {
    this.s = {
      insert: sqlite.prepare('INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      // AUTOINCREMENT hands out max(sqlite_sequence.seq, max(pos)) + 1, so raising seq reserves a position.
      reserve: sqlite
        .prepare("UPDATE sqlite_sequence SET seq = max(seq, (SELECT ifnull(max(pos), 0) FROM feed)) + 1 WHERE name = 'feed' RETURNING seq")
        .pluck(),
      drop: sqlite.prepare('DELETE FROM feed WHERE pos = ?'),
      spans: sqlite.prepare(
        `SELECT channel_id AS channelId, from_pos AS fromPos, until_pos AS untilPos FROM channel_members
         WHERE officer_id = ? AND (until_pos IS NULL OR until_pos > ?)`,
      ),
      // `+recipient_id`: the walk must use feed_channel_idx, never the recipient index's NULL range.
      spanWalk: sqlite.prepare('SELECT pos FROM feed WHERE channel_id = ? AND pos > ? AND pos < ? AND +recipient_id IS NULL ORDER BY pos LIMIT ?').pluck(),
      personalWalk: sqlite.prepare('SELECT pos FROM feed WHERE recipient_id = ? AND pos > ? AND pos < ? ORDER BY pos LIMIT ?').pluck(),
      head: sqlite.prepare('SELECT ifnull(max(pos), 0) FROM feed').pluck(),
      rows: sqlite.prepare(
        `SELECT f.pos, f.kind, f.channel_id AS channelId, f.payload, f.created_at AS createdAt, ${STORED_MESSAGE_COLUMNS}
         FROM json_each(?) j
         JOIN feed f ON f.pos = j.value
         LEFT JOIN messages m ON m.pk = f.message_pk AND f.kind = 'message'
         ORDER BY f.pos`,
      ),
    };
  }

  async insert(channelId: string, kind: FeedItem['kind'], messagePk: number | null, recipientId: string | null, payload: string | null, createdAt: number): Promise<number> {
    return Number(this.s.insert.run(channelId, kind, messagePk, recipientId, payload, createdAt).lastInsertRowid);
  }

  async reservePos(): Promise<number> {
    const pos = this.s.reserve.get() as number | undefined;
    if (pos !== undefined) return pos;
    // No feed row ever written (sqlite_sequence has no entry yet): write one and take it back.
    const info = this.s.insert.run('', 'receipt', null, null, null, 0);
    this.s.drop.run(info.lastInsertRowid);
    return Number(info.lastInsertRowid);
  }

  async spansOf(officerId: string, afterPos: number): Promise<SpanRow[]> {
    return this.s.spans.all(officerId, afterPos) as SpanRow[];
  }

  async channelWalk(channelId: string, after: number, until: number, limit: number): Promise<number[]> {
    return this.s.spanWalk.all(channelId, after, until, limit) as number[];
  }

  async personalWalk(officerId: string, after: number, until: number, limit: number): Promise<number[]> {
    return this.s.personalWalk.all(officerId, after, until, limit) as number[];
  }

  async head(): Promise<number> {
    return this.s.head.get() as number;
  }

  async rowsAt(positions: readonly number[]): Promise<FeedRow[]> {
    return this.s.rows.all(JSON.stringify(positions)) as FeedRow[];
  }
}
