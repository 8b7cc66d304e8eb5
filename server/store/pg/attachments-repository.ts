import type { AttachmentRow, AttachmentsRepository } from '../../attachments/repository.ts';
import type { PgExecutor } from './executor.ts';
import { num } from './row-mapping.ts';

/** PostgreSQL SQL for attachment rows (mirrors SqliteAttachmentsRepository; the blobs live in BlobStore). */
export class PgAttachmentsRepository implements AttachmentsRepository {
  constructor(private readonly q: PgExecutor) {}

  async byId(id: string): Promise<AttachmentRow | undefined> {
    const r = await this.q.query<AttachmentRow>('SELECT id, channel_id AS "channelId", size, uploaded_by AS "uploadedBy" FROM attachments WHERE id = $1', [id]);
    return r.rows[0];
  }

  async insert(id: string, channelId: string, size: number, uploadedBy: string, createdAt: number): Promise<boolean> {
    const r = await this.q.query(
      'INSERT INTO attachments (id, channel_id, size, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [id, channelId, size, uploadedBy, createdAt],
    );
    return r.rowCount === 1;
  }

  async delete(id: string): Promise<void> {
    await this.q.query('DELETE FROM attachments WHERE id = $1', [id]);
  }

  async referenced(id: string): Promise<boolean> {
    const r = await this.q.query('SELECT 1 FROM message_attachments WHERE attachment_id = $1 LIMIT 1', [id]);
    return r.rows.length > 0;
  }

  async usedByOfficer(officerId: string): Promise<number> {
    const r = await this.q.query<{ n: string | number }>('SELECT coalesce(sum(size), 0) AS n FROM attachments WHERE uploaded_by = $1', [officerId]);
    return num(r.rows[0]?.n ?? 0);
  }

  async usedByChannel(channelId: string): Promise<number> {
    const r = await this.q.query<{ n: string | number }>('SELECT coalesce(sum(size), 0) AS n FROM attachments WHERE channel_id = $1', [channelId]);
    return num(r.rows[0]?.n ?? 0);
  }

  async memberCanSee(officerId: string, attachmentId: string): Promise<boolean> {
    const r = await this.q.query(
      `SELECT 1 FROM message_attachments ma
       JOIN messages m ON m.pk = ma.message_pk
       JOIN feed f ON f.message_pk = m.pk AND f.kind = 'message'
       JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.officer_id = $1 AND cm.until_pos IS NULL AND cm.from_pos <= f.pos
       WHERE ma.attachment_id = $2 LIMIT 1`,
      [officerId, attachmentId],
    );
    return r.rows.length > 0;
  }
}
