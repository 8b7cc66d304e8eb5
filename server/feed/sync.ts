import type Database from 'better-sqlite3';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { STORED_MESSAGE_COLUMNS, toStoredMessage, type StoredMessageRow } from '../messages/stored-message.ts';

interface FeedRow extends StoredMessageRow {
  pos: number;
  kind: FeedItem['kind'];
  channelId: string;
  payload: string | null;
  createdAt: number;
}

export interface SyncPage {
  items: FeedItem[];
  cursor: number;
  hasMore: boolean;
}

/**
 * Reads the feed for one officer: items after the cursor addressed to them, or in a channel during
 * one of their membership spans. The inner query walks only the officer's spans (feed_channel_idx)
 * and their personal items (feed_recipient_idx), so cost follows what they can see, not the feed size.
 */
export class FeedReader {
  private readonly page: Database.Statement;

  constructor(sqlite: Database.Database) {
    this.page = sqlite.prepare(
      `SELECT f.pos, f.kind, f.channel_id AS channelId, f.payload, f.created_at AS createdAt, ${STORED_MESSAGE_COLUMNS}
       FROM (
         SELECT f2.pos AS pos FROM channel_members cm
           JOIN feed f2 ON f2.channel_id = cm.channel_id AND f2.pos >= cm.from_pos AND f2.pos > @cursor
         WHERE cm.officer_id = @officerId AND f2.recipient_id IS NULL AND (cm.until_pos IS NULL OR f2.pos < cm.until_pos)
         UNION
         SELECT pos FROM feed WHERE recipient_id = @officerId AND pos > @cursor
         ORDER BY pos LIMIT @limit
       ) v
       JOIN feed f ON f.pos = v.pos
       LEFT JOIN messages m ON m.pk = f.message_pk AND f.kind = 'message'
       ORDER BY f.pos`,
    );
  }

  read(officerId: string, cursor: number, limit: number): SyncPage {
    const rows = this.page.all({ officerId, cursor, limit: limit + 1 }) as FeedRow[];
    const hasMore = rows.length > limit;
    const items = rows.slice(0, limit).map(toItem);
    return { items, cursor: items.length > 0 ? items[items.length - 1]!.pos : cursor, hasMore };
  }
}

function toItem(r: FeedRow): FeedItem {
  const data: unknown = r.kind === 'message' ? toStoredMessage(r) : JSON.parse(r.payload ?? 'null');
  return { pos: r.pos, kind: r.kind, channelId: r.channelId, data, createdAt: r.createdAt };
}
