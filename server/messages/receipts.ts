import type { Receipt } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/tx.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { RoutedFeedItem } from '../feed/feed.ts';
import type { ChannelAccess } from './channel-access.ts';
import type { MessageRow, MessagesRepository } from './repository.ts';

export type ReceiptKind = Receipt['kind'];

export interface RecipientStatus {
  officerId: string;
  delivered: number | null;
  read: number | null;
  acknowledged: number | null;
}

/** Delivered / read / acknowledged receipts; each new one is a feed item for the message's sender. */
export class ReceiptsService {
  constructor(
    private readonly ctx: AppContext,
    private readonly access: ChannelAccess,
    private readonly repo: MessagesRepository,
  ) {}

  record(actor: Actor, channelId: string, kind: ReceiptKind, messageIds: readonly string[]): { stored: number } {
    this.access.requireMember(actor, channelId);
    const targets = messageIds.map((id) => this.visibleMessage(actor, channelId, id));
    for (const m of targets) {
      if (m.senderId === actor.officerId) throw new ValidationError(`Message ${m.id} is your own; receipts are for recipients`, 'own_message');
      if (kind === 'acknowledged' && m.ackRequired !== 1) {
        throw new ValidationError(`Message ${m.id} does not ask for an acknowledgement`, 'ack_not_required');
      }
    }
    const at = this.ctx.clock.now();
    const items = transact(this.ctx.sqlite, () => {
      const out: RoutedFeedItem[] = [];
      for (const m of targets) {
        if (!this.repo.insertReceipt(m.pk, actor.officerId, kind, at)) continue;
        const data: Receipt = { channelId, messageId: m.id, officerId: actor.officerId, kind, at };
        out.push(this.ctx.feed.append({ channelId, kind: 'receipt', data, createdAt: at, messagePk: m.pk, recipientId: m.senderId }));
      }
      return out;
    });
    this.ctx.feed.publish(items);
    return { stored: items.length };
  }

  /** Per-recipient status: current members other than the sender, plus anyone who left a receipt. */
  statusOf(actor: Actor, messageId: string): { messageId: string; recipients: RecipientStatus[] } {
    const m = this.repo.byId(messageId);
    if (!m) throw new NotFoundError('Message');
    if (m.senderId !== actor.officerId) this.visibleMessage(actor, m.channelId, messageId);
    const byOfficer = new Map<string, RecipientStatus>();
    const entry = (officerId: string): RecipientStatus => {
      let s = byOfficer.get(officerId);
      if (!s) byOfficer.set(officerId, (s = { officerId, delivered: null, read: null, acknowledged: null }));
      return s;
    };
    for (const id of this.access.currentMemberIds(m.channelId)) if (id !== m.senderId) entry(id);
    for (const r of this.repo.receipts(m.pk)) entry(r.officerId)[r.kind] = r.at;
    return { messageId, recipients: [...byOfficer.values()].sort((a, b) => a.officerId.localeCompare(b.officerId)) };
  }

  /** The message, if it is in this channel and inside one of the caller's current membership spans; else 404. */
  private visibleMessage(actor: Actor, channelId: string, messageId: string): MessageRow {
    const m = this.repo.byId(messageId);
    const pos = m && m.channelId === channelId ? this.repo.feedPos(m.pk) : undefined;
    if (!m || pos === undefined || !this.access.isCurrentMember(channelId, actor.officerId) || !this.access.spanCovers(channelId, actor.officerId, pos)) {
      throw new NotFoundError('Message');
    }
    return m;
  }
}
