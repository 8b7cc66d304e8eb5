import type Database from 'better-sqlite3';
import type { Db } from '../db/client.ts';
import type { DomainEventBus } from '../events.ts';
import type { FeedData, FeedItem, FeedKind } from '../../shared/schemas/channels.ts';

export type { FeedKind };

/** A feed item plus its routing: null recipient = the channel's members at that position. */
export type RoutedFeedItem = FeedItem & { recipientId: string | null };

/**
 * The ordered log every sync cursor and realtime event is based on. `append` runs inside the
 * caller's transaction; `publish` must be called only after that transaction committed, so nothing
 * is announced that could still roll back.
 */
export class FeedWriter {
  // Prepared once: append runs for every message and receipt.
  private readonly insert: Database.Statement;
  private readonly reserve: Database.Statement;
  private readonly drop: Database.Statement;

  constructor(
    db: Db,
    private readonly events: DomainEventBus,
  ) {
    // drizzle's better-sqlite3 database carries its client at runtime; its exported type omits it.
    const sqlite = (db as Db & { $client: Database.Database }).$client;
    this.insert = sqlite.prepare(
      'INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // AUTOINCREMENT hands out max(sqlite_sequence.seq, max(pos)) + 1, so raising seq reserves a position.
    this.reserve = sqlite.prepare("UPDATE sqlite_sequence SET seq = max(seq, (SELECT ifnull(max(pos), 0) FROM feed)) + 1 WHERE name = 'feed' RETURNING seq").pluck();
    this.drop = sqlite.prepare('DELETE FROM feed WHERE pos = ?');
  }

  append<K extends FeedKind>(item: {
    channelId: string;
    kind: K;
    data: FeedData<K>;
    createdAt: number;
    /** Set for messages (joined at read time) and for rows that must vanish with a message (receipts). */
    messagePk?: number;
    recipientId?: string | null;
  }): RoutedFeedItem {
    const recipientId = item.recipientId ?? null;
    // Messages are joined from `messages` at read time; other kinds keep their JSON here.
    const payload = item.kind === 'message' ? null : JSON.stringify(item.data);
    const info = this.insert.run(item.channelId, item.kind, item.messagePk ?? null, recipientId, payload, item.createdAt);
    // TS cannot correlate a generic kind with its data; the signature above already did.
    return { pos: Number(info.lastInsertRowid), kind: item.kind, channelId: item.channelId, data: item.data, createdAt: item.createdAt, recipientId } as RoutedFeedItem;
  }

  /**
   * Takes the next feed position without writing a row (AUTOINCREMENT never hands it out again):
   * gives a record that nobody is told about, like a receipt whose sender left, its place in the
   * order that membership spans are measured in. Runs inside the caller's transaction.
   */
  reservePos(): number {
    const pos = this.reserve.get() as number | undefined;
    if (pos !== undefined) return pos;
    // No feed row ever written (sqlite_sequence has no entry yet): write one and take it back.
    const info = this.insert.run('', 'receipt', null, null, null, 0);
    this.drop.run(info.lastInsertRowid);
    return Number(info.lastInsertRowid);
  }

  publish(items: readonly RoutedFeedItem[]): void {
    for (const item of items) this.events.emit('feed.appended', item);
  }
}
