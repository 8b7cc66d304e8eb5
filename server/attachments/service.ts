import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { BlobStore, TooLargeError } from './blob-store.ts';

export interface AttachmentInfo {
  attachmentId: string;
  size: number;
  channelId: string;
}

interface AttachmentRow {
  id: string;
  channelId: string;
  size: number;
  uploadedBy: string;
}

/** Encrypted attachment blobs: streamed upload by channel members, download by those who may see them. */
export class AttachmentsService {
  readonly blobs: BlobStore;
  private readonly s;

  constructor(private readonly ctx: AppContext) {
    this.blobs = new BlobStore(ctx.config.dataDir);
    const sqlite: Database.Database = ctx.sqlite;
    this.s = {
      byId: sqlite.prepare('SELECT id, channel_id AS channelId, size, uploaded_by AS uploadedBy FROM attachments WHERE id = ?'),
      insert: sqlite.prepare('INSERT OR IGNORE INTO attachments (id, channel_id, size, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?)'),
      referenced: sqlite.prepare('SELECT 1 FROM message_attachments WHERE attachment_id = ? LIMIT 1').pluck(),
      // A current member of a channel holding a message that references the blob, inside their span.
      memberCanSee: sqlite
        .prepare(
          `SELECT 1 FROM message_attachments ma
           JOIN messages m ON m.pk = ma.message_pk
           JOIN feed f ON f.message_pk = m.pk AND f.kind = 'message'
           JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.officer_id = ? AND cm.until_pos IS NULL AND cm.from_pos <= f.pos
           WHERE ma.attachment_id = ? LIMIT 1`,
        )
        .pluck(),
    };
  }

  get maxBytes(): number {
    return this.ctx.config.messaging.attachmentMaxBytes;
  }

  /** Channel an attachment was uploaded to, if it exists. */
  channelOf(id: string): string | undefined {
    return (this.s.byId.get(id) as AttachmentRow | undefined)?.channelId;
  }

  /** Streams the body to the blob store; `created` is false when the same blob was already stored here. */
  async upload(actor: Actor, channelId: string, body: Readable, declaredLength: number | null): Promise<{ info: AttachmentInfo; created: boolean }> {
    this.ctx.messages.access.requireMember(actor, channelId);
    if (declaredLength !== null && declaredLength > this.maxBytes) throw new TooLargeError(this.maxBytes);
    const { id, size } = await this.blobs.write(body, this.maxBytes);
    const inserted = this.s.insert.run(id, channelId, size, actor.officerId, this.ctx.clock.now()).changes === 1;
    if (!inserted) {
      const row = this.s.byId.get(id) as AttachmentRow;
      if (row.channelId !== channelId) throw new ConflictError('This ciphertext is already stored for another channel; encrypt it afresh', 'attachment_exists');
    }
    return { info: { attachmentId: id, size, channelId }, created: inserted };
  }

  /** Opens the blob for someone allowed to read it; everyone else gets the 404 of a missing one. */
  open(actor: Actor, id: string): { size: number; stream: Readable } {
    const row = this.s.byId.get(id) as AttachmentRow | undefined;
    if (!row || !this.canRead(actor, row)) throw new NotFoundError('Attachment');
    return { size: row.size, stream: fs.createReadStream(this.blobs.pathOf(id)) };
  }

  /** Retention: the row is gone, drop the file. */
  removeBlob(id: string): void {
    this.blobs.remove(id);
  }

  private canRead(actor: Actor, row: AttachmentRow): boolean {
    if (this.s.memberCanSee.get(actor.officerId, row.id) !== undefined) return true;
    return row.uploadedBy === actor.officerId && this.s.referenced.get(row.id) === undefined && this.ctx.messages.access.isCurrentMember(row.channelId, actor.officerId);
  }
}
