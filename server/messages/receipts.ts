import type { Receipt } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { RoutedFeedItem } from '../feed/feed.ts';
import type { ChannelAccess } from '../channels/access.ts';
import type { MessageRow } from './repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { MessagePager } from './service.ts';

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
  private readonly pager: MessagePager | undefined;

  constructor(
    deps: { store: Store; clock: Clock; feed: FeedWriter; pager?: MessagePager },
    private readonly access: ChannelAccess,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.feed = deps.feed;
    this.pager = deps.pager;
  }

  async record(actor: Actor, channelId: string, kind: ReceiptKind, messageIds: readonly string[]): Promise<{ stored: number }> {
    await this.access.requireMember(actor, channelId);
    // Committed state: the messages must exist and be visible; the receipts are then written once each.
    const targets = await this.store.read(async (r) => {
      const out: MessageRow[] = [];
      for (const id of messageIds) out.push(await this.visibleMessage(r, actor, channelId, id));
      return out;
    });
    for (const m of targets) {
      if (m.senderId === actor.officerId) throw new ValidationError(`Message ${m.id} is your own; receipts are for recipients`, 'own_message');
      if (kind === 'acknowledged' && m.ackRequired !== 1) {
        throw new ValidationError(`Message ${m.id} does not ask for an acknowledgement`, 'ack_not_required');
      }
    }
    const at = this.clock.now();
    let stored = 0;
    await this.store.write(async (tx) => {
      const out: RoutedFeedItem[] = [];
      for (const m of targets) {
        if (!(await tx.messages.insertReceipt(m.pk, actor.officerId, kind, at))) continue;
        let pos: number;
        // Checked inside the transaction, so a removal cannot slip between the check and the item.
        if (await tx.access.isCurrentMember(channelId, m.senderId)) {
          const data: Receipt = { channelId, messageId: m.id, officerId: actor.officerId, kind, at };
          const item = await this.feed.append({ channelId, kind: 'receipt', data, createdAt: at, messagePk: m.pk, recipientId: m.senderId }, tx.feed);
          out.push(item);
          pos = item.pos;
        } else {
          pos = await this.feed.reservePos(tx.feed);
        }
        await tx.messages.setReceiptPos(m.pk, actor.officerId, kind, pos);
        // Read and acknowledged receipts also reach the officer's own devices (a personal item to self), so a
        // message read or acknowledged on one device shows so on every device (docs/MESSAGING.md "Read markers").
        if (kind !== 'delivered') {
          const own: Receipt = { channelId, messageId: m.id, officerId: actor.officerId, kind, at };
          out.push(await this.feed.append({ channelId, kind: 'receipt', data: own, createdAt: at, messagePk: m.pk, recipientId: actor.officerId }, tx.feed));
        }
        stored++;
      }
      // Acknowledging (or, where no acknowledgement was asked, reading) a desk's message acknowledges its page.
      if (this.pager && kind !== 'delivered') await this.pager.acknowledgeIn(tx, actor, channelId, { kind, messageCreatedAt: targets.map((m) => m.createdAt) });
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
  statusOf(actor: Actor, messageId: string): Promise<{ messageId: string; recipients: RecipientStatus[] }> {
    // Committed state on the reader connection, membership included (one consistent view).
    return this.store.read((r) => this.statusIn(r, actor, messageId));
  }

  private async statusIn(r: Repositories, actor: Actor, messageId: string): Promise<{ messageId: string; recipients: RecipientStatus[] }> {
    const repo = r.messages;
    const m = await repo.byId(messageId);
    const pos = m ? await repo.feedPos(m.pk) : undefined;
    if (!m || pos === undefined) throw new NotFoundError('Message');
    const current = await r.access.isCurrentMember(m.channelId, actor.officerId);
    if (!(current || m.senderId === actor.officerId) || !(await r.access.spanCovers(m.channelId, actor.officerId, pos))) throw new NotFoundError('Message');
    const end = current ? null : await repo.lastSpanEnd(m.channelId, actor.officerId);
    const viewPos = end === null ? Number.MAX_SAFE_INTEGER : end - 1;
    const byOfficer = new Map<string, RecipientStatus>();
    const entry = (officerId: string): RecipientStatus => {
      let s = byOfficer.get(officerId);
      if (!s) byOfficer.set(officerId, (s = { officerId, delivered: null, read: null, acknowledged: null }));
      return s;
    };
    for (const id of await repo.membersAt(m.channelId, viewPos)) if (id !== m.senderId) entry(id);
    for (const rc of await repo.receiptsVisibleTo(m.pk, m.channelId, actor.officerId, current)) entry(rc.officerId)[rc.kind] = rc.at;
    return { messageId, recipients: [...byOfficer.values()].sort((a, b) => a.officerId.localeCompare(b.officerId)) };
  }

  /** The message, if it is in this channel and inside one of the caller's current membership spans; else 404. */
  private async visibleMessage(r: Repositories, actor: Actor, channelId: string, messageId: string): Promise<MessageRow> {
    const m = await r.messages.byId(messageId);
    const pos = m && m.channelId === channelId ? await r.messages.feedPos(m.pk) : undefined;
    if (!m || pos === undefined || !(await r.access.isCurrentMember(channelId, actor.officerId)) || !(await r.access.spanCovers(channelId, actor.officerId, pos))) {
      throw new NotFoundError('Message');
    }
    return m;
  }
}
