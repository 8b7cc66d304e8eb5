import type { AttachmentsService } from '../attachments/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Store, Tx } from '../store/store.ts';

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
  private readonly store: Store;
  private readonly audit: AuditService;
  private readonly attachments: Pick<AttachmentsService, 'removeBlob'>;

  constructor(deps: { store: Store; audit: AuditService; attachments: Pick<AttachmentsService, 'removeBlob'> }) {
    this.store = deps.store;
    this.audit = deps.audit;
    this.attachments = deps.attachments;
  }

  async sweep(now: number): Promise<SweepResult> {
    const total: SweepResult = { messages: 0, receipts: 0, attachments: 0 };
    const blobs: string[] = [];
    for (;;) {
      const n = await this.store.write((tx) => this.sweepBatch(tx, now, total, blobs));
      if (n < BATCH) break;
    }
    for (;;) {
      const ids = await this.store.write(async (tx) => {
        const orphans = await tx.messages.orphanAttachments(now - ORPHAN_UPLOAD_MS, BATCH);
        for (const id of orphans) await tx.attachments.delete(id);
        return orphans;
      });
      blobs.push(...ids);
      total.attachments += ids.length;
      if (ids.length < BATCH) break;
    }
    for (const id of blobs) this.attachments.removeBlob(id);
    if (total.messages > 0 || total.attachments > 0) {
      await this.audit.recordAlone(auditEvents.messagesRetentionSweep(null, { type: 'messages', id: null }, { ...total }));
    }
    return total;
  }

  private async sweepBatch(tx: Tx, now: number, total: SweepResult, blobs: string[]): Promise<number> {
    const { messages, attachments } = tx;
    const pks = await messages.expiredMessagePks(now, BATCH);
    const candidates = new Set<string>();
    for (const pk of pks) {
      for (const a of await messages.attachmentsOf(pk)) candidates.add(a);
      total.receipts += await messages.deleteMessage(pk);
    }
    for (const id of candidates) {
      if (await attachments.referenced(id)) continue;
      await attachments.delete(id);
      blobs.push(id);
      total.attachments += 1;
    }
    total.messages += pks.length;
    return pks.length;
  }
}
