import type Database from 'better-sqlite3';
import type { AttachmentRow, AttachmentsRepository } from '../../attachments/repository.ts';

// Async wrappers over synchronous better-sqlite3 statements: the port is async for PostgreSQL.
export class SqliteAttachmentsRepository implements AttachmentsRepository {
  private readonly s;

  constructor(sqlite: Database.Database) {
    this.s = {
      byId: sqlite.prepare('SELECT id, channel_id AS channelId, size, uploaded_by AS uploadedBy FROM attachments WHERE id = ?'),
      insert: sqlite.prepare('INSERT OR IGNORE INTO attachments (id, channel_id, size, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?)'),
      delete: sqlite.prepare('DELETE FROM attachments WHERE id = ?'),
      referenced: sqlite.prepare('SELECT 1 FROM message_attachments WHERE attachment_id = ? LIMIT 1').pluck(),
      usedByOfficer: sqlite.prepare('SELECT ifnull(sum(size), 0) FROM attachments WHERE uploaded_by = ?').pluck(),
      usedByChannel: sqlite.prepare('SELECT ifnull(sum(size), 0) FROM attachments WHERE channel_id = ?').pluck(),
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

  async byId(id: string): Promise<AttachmentRow | undefined> {
    return this.s.byId.get(id) as AttachmentRow | undefined;
  }

  async insert(id: string, channelId: string, size: number, uploadedBy: string, createdAt: number): Promise<boolean> {
    return this.s.insert.run(id, channelId, size, uploadedBy, createdAt).changes === 1;
  }

  async delete(id: string): Promise<void> {
    this.s.delete.run(id);
  }

  async referenced(id: string): Promise<boolean> {
    return this.s.referenced.get(id) !== undefined;
  }

  async usedByOfficer(officerId: string): Promise<number> {
    return this.s.usedByOfficer.get(officerId) as number;
  }

  async usedByChannel(channelId: string): Promise<number> {
    return this.s.usedByChannel.get(channelId) as number;
  }

  async memberCanSee(officerId: string, attachmentId: string): Promise<boolean> {
    return this.s.memberCanSee.get(officerId, attachmentId) !== undefined;
  }
}
