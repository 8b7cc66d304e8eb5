import type Database from 'better-sqlite3';
import type { AttachmentsService } from '../attachments/service.ts';
import type { AuditService } from '../audit/service.ts';
import { transact } from '../db/tx.ts';

const BATCH = 1000;
/** Uploads never referenced by a message are dropped after a day. */
export const ORPHAN_UPLOAD_MS = 24 * 3600 * 1000;

export interface SweepResult {
  messages: number;
  receipts: number;
  attachments: number;
}

/**
 * Deletes expired messages (unless any agency holds their channel: the flag or a hold row) with their feed rows, receipts
 * and attachment links, then attachments nobody references any more. Rows go in batched
 * transactions; blob files are unlinked only after the commit (an orphan file is harmless, a row
 * pointing at a missing file is not).
 */
export class RetentionSweeper {
  private readonly s;

  private readonly sqlite: Database.Database;
  private readonly audit: AuditService;
  private readonly attachments: Pick<AttachmentsService, 'removeBlob'>;

  constructor(deps: { sqlite: Database.Database; audit: AuditService; attachments: Pick<AttachmentsService, 'removeBlob'> }) {
    const { sqlite } = deps;
    this.sqlite = sqlite;
    this.audit = deps.audit;
    this.attachments = deps.attachments;
    this.s = {
      expired: sqlite
        .prepare(
          `SELECT m.pk FROM messages m JOIN channels c ON c.id = m.channel_id
           WHERE m.expires_at <= ? AND c.legal_hold = 0
             AND NOT EXISTS (SELECT 1 FROM channel_legal_holds h WHERE h.channel_id = c.id)
           ORDER BY m.expires_at LIMIT ${BATCH}`,
        )
        .pluck(),
      attachmentsOf: sqlite.prepare('SELECT attachment_id FROM message_attachments WHERE message_pk = ?').pluck(),
      delReceipts: sqlite.prepare('DELETE FROM receipts WHERE message_pk = ?'),
      delLinks: sqlite.prepare('DELETE FROM message_attachments WHERE message_pk = ?'),
      delFeed: sqlite.prepare('DELETE FROM feed WHERE message_pk = ?'),
      delMessage: sqlite.prepare('DELETE FROM messages WHERE pk = ?'),
      referenced: sqlite.prepare('SELECT 1 FROM message_attachments WHERE attachment_id = ? LIMIT 1').pluck(),
      orphans: sqlite
        .prepare(
          `SELECT a.id FROM attachments a WHERE a.created_at <= ?
           AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id) LIMIT ${BATCH}`,
        )
        .pluck(),
      delAttachment: sqlite.prepare('DELETE FROM attachments WHERE id = ?'),
    };
  }

  sweep(now: number): SweepResult {
    const total: SweepResult = { messages: 0, receipts: 0, attachments: 0 };
    const blobs: string[] = [];
    for (;;) {
      const n = transact(this.sqlite, () => this.sweepBatch(now, total, blobs));
      if (n < BATCH) break;
    }
    for (;;) {
      const ids = transact(this.sqlite, () => {
        const orphans = this.s.orphans.all(now - ORPHAN_UPLOAD_MS) as string[];
        for (const id of orphans) this.s.delAttachment.run(id);
        return orphans;
      });
      blobs.push(...ids);
      total.attachments += ids.length;
      if (ids.length < BATCH) break;
    }
    for (const id of blobs) this.attachments.removeBlob(id);
    if (total.messages > 0 || total.attachments > 0) {
      this.audit.record({ action: 'messages.retention_sweep', targetType: 'messages', details: { ...total } });
    }
    return total;
  }

  private sweepBatch(now: number, total: SweepResult, blobs: string[]): number {
    const pks = this.s.expired.all(now) as number[];
    const candidates = new Set<string>();
    for (const pk of pks) {
      for (const a of this.s.attachmentsOf.all(pk) as string[]) candidates.add(a);
      total.receipts += this.s.delReceipts.run(pk).changes;
      this.s.delLinks.run(pk);
      this.s.delFeed.run(pk);
      this.s.delMessage.run(pk);
    }
    for (const id of candidates) {
      if (this.s.referenced.get(id) !== undefined) continue;
      this.s.delAttachment.run(id);
      blobs.push(id);
      total.attachments += 1;
    }
    total.messages += pks.length;
    return pks.length;
  }
}
