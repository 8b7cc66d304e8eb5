import type { StoredMessageRow } from '../../messages/stored-message.ts';
import type { MessageRow, MessagesRepository, NewMessage, ReceiptRow, UseGrantRow } from '../../messages/repository.ts';
import type { PgExecutor } from './executor.ts';
import { STORED_MESSAGE_COLUMNS } from './stored-message-columns.ts';

/** PostgreSQL SQL for messages, use grants and receipts (mirrors SqliteMessagesRepository). */
export class PgMessagesRepository implements MessagesRepository {
  constructor(private readonly q: PgExecutor) {}

  async byId(id: string): Promise<MessageRow | undefined> {
    return (await this.q.query<MessageRow>(
      `SELECT pk, id, channel_id AS "channelId", seq, sender_id AS "senderId", handling, envelope,
              ack_required AS "ackRequired", created_at AS "createdAt" FROM messages WHERE id = $1`,
      [id],
    )).rows[0];
  }

  async insert(m: NewMessage): Promise<number> {
    const r = await this.q.query<{ pk: number }>(
      `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, created_at, expires_at, request_meta)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING pk`,
      [m.id, m.channelId, m.seq, m.senderId, m.senderDeviceId, m.epoch, m.handling, m.envelope, m.size, m.ackRequired, m.forwardedFrom, m.createdAt, m.expiresAt, m.requestMeta],
    );
    return r.rows[0]!.pk;
  }

  async setLastSeq(channelId: string, seq: number): Promise<void> {
    await this.q.query('UPDATE channels SET last_message_seq = $1 WHERE id = $2', [seq, channelId]);
  }

  async insertGrant(g: UseGrantRow): Promise<void> {
    await this.q.query(
      `INSERT INTO use_grants (message_id, channel_id, source_message_id, grantor_id, purpose, grantee_agency_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [g.messageId, g.channelId, g.sourceMessageId, g.grantorId, g.purpose, g.granteeAgencyId, g.expiresAt, g.createdAt],
    );
  }

  async grantById(messageId: string): Promise<UseGrantRow | undefined> {
    return (await this.q.query<UseGrantRow>(
      `SELECT message_id AS "messageId", channel_id AS "channelId", source_message_id AS "sourceMessageId", grantor_id AS "grantorId", purpose,
              grantee_agency_id AS "granteeAgencyId", expires_at AS "expiresAt", created_at AS "createdAt" FROM use_grants WHERE message_id = $1`,
      [messageId],
    )).rows[0];
  }

  async linkAttachment(messagePk: number, attachmentId: string): Promise<void> {
    await this.q.query('INSERT INTO message_attachments (message_pk, attachment_id) VALUES ($1, $2)', [messagePk, attachmentId]);
  }

  async feedPos(messagePk: number): Promise<number | undefined> {
    return (await this.q.query<{ pos: number }>("SELECT pos FROM feed WHERE message_pk = $1 AND kind = 'message'", [messagePk])).rows[0]?.pos;
  }

  async history(channelId: string, officerId: string, afterSeq: number, limit: number): Promise<StoredMessageRow[]> {
    return (await this.q.query<StoredMessageRow>(
      `SELECT ${STORED_MESSAGE_COLUMNS} FROM messages m JOIN feed f ON f.message_pk = m.pk AND f.kind = 'message'
       WHERE m.channel_id = $1 AND m.seq > $3
         AND EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = m.channel_id AND cm.officer_id = $2
                     AND cm.from_pos <= f.pos AND (cm.until_pos IS NULL OR f.pos < cm.until_pos))
       ORDER BY m.seq LIMIT $4`,
      [channelId, officerId, afterSeq, limit],
    )).rows;
  }

  async insertReceipt(messagePk: number, officerId: string, kind: string, at: number): Promise<boolean> {
    const r = await this.q.query('INSERT INTO receipts (message_pk, officer_id, kind, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [messagePk, officerId, kind, at]);
    return r.rowCount === 1;
  }

  async setReceiptPos(messagePk: number, officerId: string, kind: string, pos: number): Promise<void> {
    await this.q.query('UPDATE receipts SET pos = $1 WHERE message_pk = $2 AND officer_id = $3 AND kind = $4', [pos, messagePk, officerId, kind]);
  }

  async receiptsVisibleTo(messagePk: number, channelId: string, officerId: string, current: boolean): Promise<ReceiptRow[]> {
    return (await this.q.query<ReceiptRow>(
      `SELECT r.officer_id AS "officerId", r.kind, r.at FROM receipts r
       WHERE r.message_pk = $1 AND CASE WHEN r.pos IS NULL THEN $4::boolean ELSE EXISTS (
         SELECT 1 FROM channel_members cm WHERE cm.channel_id = $2 AND cm.officer_id = $3
           AND cm.from_pos <= r.pos AND (cm.until_pos IS NULL OR r.pos < cm.until_pos)) END
       ORDER BY r.at, r.officer_id COLLATE "C"`,
      [messagePk, channelId, officerId, current],
    )).rows;
  }

  async readMarker(channelId: string, officerId: string): Promise<number> {
    return (await this.q.query<{ seq: number }>('SELECT seq FROM read_markers WHERE channel_id = $1 AND officer_id = $2', [channelId, officerId])).rows[0]?.seq ?? 0;
  }

  async raiseReadMarker(channelId: string, officerId: string, seq: number, at: number): Promise<boolean> {
    const r = await this.q.query(
      `INSERT INTO read_markers (channel_id, officer_id, seq, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel_id, officer_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at WHERE excluded.seq > read_markers.seq`,
      [channelId, officerId, seq, at],
    );
    return r.rowCount === 1;
  }

  async readMarkersOf(officerId: string): Promise<Map<string, number>> {
    const r = await this.q.query<{ channelId: string; seq: number }>('SELECT channel_id AS "channelId", seq FROM read_markers WHERE officer_id = $1', [officerId]);
    return new Map(r.rows.map((x) => [x.channelId, x.seq]));
  }

  async acknowledgedBy(channelId: string, officerId: string, afterSeq: number, toSeq: number): Promise<string[]> {
    const r = await this.q.query<{ id: string }>(
      `SELECT m.id FROM receipts r JOIN messages m ON m.pk = r.message_pk
       WHERE m.channel_id = $1 AND r.officer_id = $2 AND r.kind = 'acknowledged' AND m.seq > $3 AND m.seq <= $4 ORDER BY m.seq`,
      [channelId, officerId, afterSeq, toSeq],
    );
    return r.rows.map((x) => x.id);
  }

  async lastSpanEnd(channelId: string, officerId: string): Promise<number | null> {
    return (await this.q.query<{ m: number | null }>('SELECT max(until_pos) AS m FROM channel_members WHERE channel_id = $1 AND officer_id = $2', [channelId, officerId])).rows[0]?.m ?? null;
  }

  async membersAt(channelId: string, pos: number): Promise<string[]> {
    const r = await this.q.query<{ id: string }>(
      'SELECT DISTINCT officer_id AS id FROM channel_members WHERE channel_id = $1 AND from_pos <= $2 AND (until_pos IS NULL OR until_pos > $2)',
      [channelId, pos],
    );
    return r.rows.map((x) => x.id);
  }

  async expiredMessagePks(now: number, limit: number): Promise<number[]> {
    const r = await this.q.query<{ pk: number }>(
      `SELECT m.pk FROM messages m JOIN channels c ON c.id = m.channel_id
       WHERE m.expires_at <= $1 AND c.legal_hold = 0
         AND NOT EXISTS (SELECT 1 FROM channel_legal_holds h WHERE h.channel_id = c.id)
       ORDER BY m.expires_at LIMIT $2`,
      [now, limit],
    );
    return r.rows.map((x) => x.pk);
  }

  async attachmentsOf(messagePk: number): Promise<string[]> {
    const r = await this.q.query<{ id: string }>('SELECT attachment_id AS id FROM message_attachments WHERE message_pk = $1 ORDER BY attachment_id COLLATE "C"', [messagePk]);
    return r.rows.map((x) => x.id);
  }

  async deleteMessage(messagePk: number): Promise<number> {
    const receipts = (await this.q.query('DELETE FROM receipts WHERE message_pk = $1', [messagePk])).rowCount ?? 0;
    await this.q.query('DELETE FROM message_attachments WHERE message_pk = $1', [messagePk]);
    await this.q.query('DELETE FROM feed WHERE message_pk = $1', [messagePk]);
    await this.q.query('DELETE FROM messages WHERE pk = $1', [messagePk]);
    return receipts;
  }

  async orphanAttachments(createdBefore: number, limit: number): Promise<string[]> {
    const r = await this.q.query<{ id: string }>(
      `SELECT a.id FROM attachments a WHERE a.created_at <= $1
       AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id) LIMIT $2`,
      [createdBefore, limit],
    );
    return r.rows.map((x) => x.id);
  }
}
