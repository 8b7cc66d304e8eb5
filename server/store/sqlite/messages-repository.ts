import type Database from 'better-sqlite3';
import type { StoredMessageRow } from '../../messages/stored-message.ts';
import { STORED_MESSAGE_COLUMNS } from './stored-message-columns.ts';
import type { MessagesRepository, MessageRow, NewMessage, ReceiptRow, UseGrantRow } from '../../messages/repository.ts';

/** SQL for messages and receipts, prepared once (send and sync are hot paths); async wrappers, as the port is async for PostgreSQL. */
export class SqliteMessagesRepository implements MessagesRepository {
  private readonly s;

  constructor(sqlite: Database.Database) {
    this.s = {
      byId: sqlite.prepare(
        `SELECT pk, id, channel_id AS channelId, seq, sender_id AS senderId, handling, envelope,
                ack_required AS ackRequired, created_at AS createdAt FROM messages WHERE id = ?`,
      ),
      insert: sqlite.prepare(
        `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, created_at, expires_at, request_meta)
         VALUES (@id, @channelId, @seq, @senderId, @senderDeviceId, @epoch, @handling, @envelope, @size, @ackRequired, @forwardedFrom, @createdAt, @expiresAt, @requestMeta)`,
      ),
      setLastSeq: sqlite.prepare('UPDATE channels SET last_message_seq = ? WHERE id = ?'),
      insertGrant: sqlite.prepare(
        `INSERT INTO use_grants (message_id, channel_id, source_message_id, grantor_id, purpose, grantee_agency_id, expires_at, created_at)
         VALUES (@messageId, @channelId, @sourceMessageId, @grantorId, @purpose, @granteeAgencyId, @expiresAt, @createdAt)`,
      ),
      grantById: sqlite.prepare(
        `SELECT message_id AS messageId, channel_id AS channelId, source_message_id AS sourceMessageId, grantor_id AS grantorId, purpose,
                grantee_agency_id AS granteeAgencyId, expires_at AS expiresAt, created_at AS createdAt FROM use_grants WHERE message_id = ?`,
      ),
      link: sqlite.prepare('INSERT INTO message_attachments (message_pk, attachment_id) VALUES (?, ?)'),
      feedPos: sqlite.prepare("SELECT pos FROM feed WHERE message_pk = ? AND kind = 'message'").pluck(),
      history: sqlite.prepare(
        `SELECT ${STORED_MESSAGE_COLUMNS} FROM messages m JOIN feed f ON f.message_pk = m.pk AND f.kind = 'message'
         WHERE m.channel_id = @channelId AND m.seq > @afterSeq
           AND EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = m.channel_id AND cm.officer_id = @officerId
                       AND cm.from_pos <= f.pos AND (cm.until_pos IS NULL OR f.pos < cm.until_pos))
         ORDER BY m.seq LIMIT @limit`,
      ),
      insertReceipt: sqlite.prepare('INSERT OR IGNORE INTO receipts (message_pk, officer_id, kind, at) VALUES (?, ?, ?, ?)'),
      setReceiptPos: sqlite.prepare('UPDATE receipts SET pos = ? WHERE message_pk = ? AND officer_id = ? AND kind = ?'),
      // A receipt is visible inside the viewer's spans only; a legacy receipt without a position to current members only.
      receiptsVisible: sqlite.prepare(
        `SELECT r.officer_id AS officerId, r.kind, r.at FROM receipts r
         WHERE r.message_pk = @messagePk AND CASE WHEN r.pos IS NULL THEN @current = 1 ELSE EXISTS (
           SELECT 1 FROM channel_members cm WHERE cm.channel_id = @channelId AND cm.officer_id = @officerId
             AND cm.from_pos <= r.pos AND (cm.until_pos IS NULL OR r.pos < cm.until_pos)) END
         ORDER BY r.at, r.officer_id`,
      ),
      readMarker: sqlite.prepare('SELECT seq FROM read_markers WHERE channel_id = ? AND officer_id = ?').pluck(),
      raiseReadMarker: sqlite.prepare(
        `INSERT INTO read_markers (channel_id, officer_id, seq, updated_at) VALUES (@channelId, @officerId, @seq, @at)
         ON CONFLICT (channel_id, officer_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at WHERE excluded.seq > read_markers.seq`,
      ),
      readMarkersOf: sqlite.prepare('SELECT channel_id AS channelId, seq FROM read_markers WHERE officer_id = ?'),
      acknowledgedBy: sqlite
        .prepare(
          `SELECT m.id FROM receipts r JOIN messages m ON m.pk = r.message_pk
           WHERE m.channel_id = ? AND r.officer_id = ? AND r.kind = 'acknowledged' AND m.seq > ? AND m.seq <= ? ORDER BY m.seq`,
        )
        .pluck(),
      lastSpanEnd: sqlite.prepare('SELECT max(until_pos) FROM channel_members WHERE channel_id = ? AND officer_id = ?').pluck(),
      membersAt: sqlite
        .prepare('SELECT DISTINCT officer_id FROM channel_members WHERE channel_id = ? AND from_pos <= ? AND (until_pos IS NULL OR until_pos > ?)')
        .pluck(),
      expired: sqlite
        .prepare(
          `SELECT m.pk FROM messages m JOIN channels c ON c.id = m.channel_id
           WHERE m.expires_at <= ? AND c.legal_hold = 0
             AND NOT EXISTS (SELECT 1 FROM channel_legal_holds h WHERE h.channel_id = c.id)
           ORDER BY m.expires_at LIMIT ?`,
        )
        .pluck(),
      attachmentsOf: sqlite.prepare('SELECT attachment_id FROM message_attachments WHERE message_pk = ?').pluck(),
      delReceipts: sqlite.prepare('DELETE FROM receipts WHERE message_pk = ?'),
      delLinks: sqlite.prepare('DELETE FROM message_attachments WHERE message_pk = ?'),
      delFeed: sqlite.prepare('DELETE FROM feed WHERE message_pk = ?'),
      delMessage: sqlite.prepare('DELETE FROM messages WHERE pk = ?'),
      orphans: sqlite
        .prepare(
          `SELECT a.id FROM attachments a WHERE a.created_at <= ?
           AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id) LIMIT ?`,
        )
        .pluck(),
    };
  }

  async byId(id: string): Promise<MessageRow | undefined> {
    return this.s.byId.get(id) as MessageRow | undefined;
  }

  /** Inserts the message and returns its pk. */
  async insert(m: NewMessage): Promise<number> {
    return Number(this.s.insert.run(m).lastInsertRowid);
  }

  async setLastSeq(channelId: string, seq: number): Promise<void> {
    this.s.setLastSeq.run(seq, channelId);
  }

  async insertGrant(g: UseGrantRow): Promise<void> {
    this.s.insertGrant.run(g);
  }

  async grantById(messageId: string): Promise<UseGrantRow | undefined> {
    return this.s.grantById.get(messageId) as UseGrantRow | undefined;
  }

  async linkAttachment(messagePk: number, attachmentId: string): Promise<void> {
    this.s.link.run(messagePk, attachmentId);
  }

  async feedPos(messagePk: number): Promise<number | undefined> {
    return this.s.feedPos.get(messagePk) as number | undefined;
  }

  /** Messages after `afterSeq` that lie inside one of the officer's membership spans. */
  async history(channelId: string, officerId: string, afterSeq: number, limit: number): Promise<StoredMessageRow[]> {
    return this.s.history.all({ channelId, officerId, afterSeq, limit }) as StoredMessageRow[];
  }

  /** True when the receipt is new. */
  async insertReceipt(messagePk: number, officerId: string, kind: string, at: number): Promise<boolean> {
    return this.s.insertReceipt.run(messagePk, officerId, kind, at).changes === 1;
  }

  async setReceiptPos(messagePk: number, officerId: string, kind: string, pos: number): Promise<void> {
    this.s.setReceiptPos.run(pos, messagePk, officerId, kind);
  }

  /** The message's receipts whose feed position lies inside one of the viewer's membership spans. */
  async receiptsVisibleTo(messagePk: number, channelId: string, officerId: string, current: boolean): Promise<ReceiptRow[]> {
    return this.s.receiptsVisible.all({ messagePk, channelId, officerId, current: current ? 1 : 0 }) as ReceiptRow[];
  }

  async readMarker(channelId: string, officerId: string): Promise<number> {
    return (this.s.readMarker.get(channelId, officerId) as number | undefined) ?? 0;
  }

  async raiseReadMarker(channelId: string, officerId: string, seq: number, at: number): Promise<boolean> {
    return this.s.raiseReadMarker.run({ channelId, officerId, seq, at }).changes === 1;
  }

  async readMarkersOf(officerId: string): Promise<Map<string, number>> {
    const rows = this.s.readMarkersOf.all(officerId) as { channelId: string; seq: number }[];
    return new Map(rows.map((r) => [r.channelId, r.seq]));
  }

  async acknowledgedBy(channelId: string, officerId: string, afterSeq: number, toSeq: number): Promise<string[]> {
    return this.s.acknowledgedBy.all(channelId, officerId, afterSeq, toSeq) as string[];
  }

  /** The end (exclusive) of the officer's last closed span in the channel, if any. */
  async lastSpanEnd(channelId: string, officerId: string): Promise<number | null> {
    return (this.s.lastSpanEnd.get(channelId, officerId) as number | null) ?? null;
  }

  /** Officers whose membership span covers feed position `pos` of the channel. */
  async membersAt(channelId: string, pos: number): Promise<string[]> {
    return this.s.membersAt.all(channelId, pos, pos) as string[];
  }

  async expiredMessagePks(now: number, limit: number): Promise<number[]> {
    return this.s.expired.all(now, limit) as number[];
  }

  async attachmentsOf(messagePk: number): Promise<string[]> {
    return this.s.attachmentsOf.all(messagePk) as string[];
  }

  async deleteMessage(messagePk: number): Promise<number> {
    const receipts = this.s.delReceipts.run(messagePk).changes;
    this.s.delLinks.run(messagePk);
    this.s.delFeed.run(messagePk);
    this.s.delMessage.run(messagePk);
    return receipts;
  }

  async orphanAttachments(createdBefore: number, limit: number): Promise<string[]> {
    return this.s.orphans.all(createdBefore, limit) as string[];
  }
}
