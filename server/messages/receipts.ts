import type { Receipt } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { RoutedFeedItem } from '../feed/feed.ts';
import type { ChannelAccess } from '../channels/access.ts';
import type { MessageRow, MessagesRepository } from './repository.ts';
import type { Store } from '../store/store.ts';

export type ReceiptKind = Receipt['kind'];

export interface RecipientStatus {
  officerId: string;
  delivered: number | null;
  read: number | null;
  acknowledged: number | null;
}

/**
 * Delivered / read / acknowledged receipts. Each has a feed position, and only officers whose
 * membership span covers it ever see it: a new receipt is a feed item for the message's sender
 * while the sender is a member, and a silent position once they left.
 */
export class ReceiptsService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly feed: FeedWriter;

  constructor(
    deps: { store: Store; clock: Clock; feed: FeedWriter },
    private readonly access: ChannelAccess,
    private readonly repo: MessagesRepository,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.feed = deps.feed;
  }

  async record(actor: Actor, channelId: string, kind: ReceiptKind, messageIds: readonly string[]): Promise<{ stored: number }> {
    this.access.requireMember(actor, channelId);
    const targets = messageIds.map((id) => this.visibleMessage(actor, channelId, id));
    for (const m of targets) {
      if (m.senderId === actor.officerId) throw new ValidationError(`Message ${m.id} is your own; receipts are for recipients`, 'own_message');
      if (kind === 'acknowledged' && m.ackRequired !== 1) {
        throw new ValidationError(`Message ${m.id} does not ask for an acknowledgement`, 'ack_not_required');
      }
    }
    const at = this.clock.now();
    let stored = 0;
    await this.store.write((tx) => {
      const out: RoutedFeedItem[] = [];
      for (const m of targets) {
        if (!tx.messages.insertReceipt(m.pk, actor.officerId, kind, at)) continue;
        let pos: number;
        // Checked inside the transaction, so a removal cannot slip between the check and the item.
        if (this.access.isCurrentMember(channelId, m.senderId)) {
          const data: Receipt = { channelId, messageId: m.id, officerId: actor.officerId, kind, at };
          const item = this.feed.append({ channelId, kind: 'receipt', data, createdAt: at, messagePk: m.pk, recipientId: m.senderId });
          out.push(item);
          pos = item.pos;
        } else {
          pos = this.feed.reservePos();
        }
        tx.messages.setReceiptPos(m.pk, actor.officerId, kind, pos);
        stored++;
      }
      tx.onCommit(() => this.feed.publish(out));
    });
    return { stored };
  }

  /**
   * Per-recipient status as far as the caller's membership reaches: the members at the caller's
   * last visible position (the current members while they are one) other than the sender, plus
   * anyone whose receipt lies inside one of the caller's spans. A sender who left keeps the status
   * of their own messages up to their removal, and learns nothing after it.
   */
  statusOf(actor: Actor, messageId: string): { messageId: string; recipients: RecipientStatus[] } {
    const m = this.repo.byId(messageId);
    const pos = m ? this.repo.feedPos(m.pk) : undefined;
    if (!m || pos === undefined) throw new NotFoundError('Message');
    const current = this.access.isCurrentMember(m.channelId, actor.officerId);
    if (!(current || m.senderId === actor.officerId) || !this.access.spanCovers(m.channelId, actor.officerId, pos)) throw new NotFoundError('Message');
    const end = current ? null : this.repo.lastSpanEnd(m.channelId, actor.officerId);
    const viewPos = end === null ? Number.MAX_SAFE_INTEGER : end - 1;
    const byOfficer = new Map<string, RecipientStatus>();
    const entry = (officerId: string): RecipientStatus => {
      let s = byOfficer.get(officerId);
      if (!s) byOfficer.set(officerId, (s = { officerId, delivered: null, read: null, acknowledged: null }));
      return s;
    };
    for (const id of this.repo.membersAt(m.channelId, viewPos)) if (id !== m.senderId) entry(id);
    for (const r of this.repo.receiptsVisibleTo(m.pk, m.channelId, actor.officerId, current)) entry(r.officerId)[r.kind] = r.at;
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
