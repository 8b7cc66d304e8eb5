import type { Actor } from '../auth/actor.ts';
import type { DesksService } from '../desks/service.ts';
import type { Tx } from '../store/store.ts';
import type { ChannelDeskLookup } from './channel-desk.ts';
import type { PagingService } from './escalation.ts';
import type { PagePriority } from './paging-repository.ts';

/** What a flagged message asks of its channel's desk, decided before the send's transaction. */
export interface MessagePagePlan {
  deskId: string;
  priority: PagePriority;
  ackRequested: boolean;
}

/** A receipt as the acknowledgement through reading sees it (server/messages/receipts.ts). */
export interface ReceiptForPage {
  kind: 'delivered' | 'read' | 'acknowledged';
  /** When each receipted message was stored. */
  messageCreatedAt: number[];
}

export interface MessagePagesDeps {
  paging: Pick<PagingService, 'openIn' | 'acknowledgeIn' | 'mayAcknowledge'>;
  desks: Pick<DesksService, 'pagingDesk'>;
  lookup: Pick<ChannelDeskLookup, 'deskOf'>;
}

/**
 * Pages for messages (docs/DESKS.md "Pages for messages"): an urgent or acknowledgement-requested
 * message in a channel that belongs to a desk pages the desk (`reason: message`), in the message's
 * own transaction; an acknowledged receipt (or, for a page without an acknowledgement request, a
 * read receipt) by someone the page reached or the desk's people acknowledges it. The send and
 * receipt paths reach this only through `server/messages`' `MessagePager` port.
 */
export class MessagePages {
  private readonly paging: MessagePagesDeps['paging'];
  private readonly desks: MessagePagesDeps['desks'];
  private readonly lookup: MessagePagesDeps['lookup'];

  constructor(deps: MessagePagesDeps) {
    this.paging = deps.paging;
    this.desks = deps.desks;
    this.lookup = deps.lookup;
  }

  /**
   * Before the send's transaction (no write lock): the page a message asks for, or null. Only a flagged
   * message costs a look-up. Over a channel opened from the desk's directory entry, the desk's own
   * people answer the requester: their messages page nobody.
   */
  async plan(senderId: string, channelId: string, flags: { urgent: boolean; ackRequired: boolean }): Promise<MessagePagePlan | null> {
    if (!flags.urgent && !flags.ackRequired) return null;
    const found = await this.lookup.deskOf(channelId);
    if (!found) return null;
    const desk = await this.desks.pagingDesk(found.deskId);
    if (!desk) return null;
    if (found.link === 'contact_entry' && (desk.members.includes(senderId) || desk.supervisors.includes(senderId))) return null;
    return { deskId: desk.id, priority: flags.urgent ? 'urgent' : 'normal', ackRequested: flags.ackRequired };
  }

  /**
   * In the send's transaction: opens the page, or coalesces with the desk's open page for the channel
   * (one open page per desk and channel: a burst of urgent messages pages once). A coalesced message
   * that asks for more raises the open page to urgent and/or acknowledgement requested for its next steps.
   */
  async openIn(tx: Tx, plan: MessagePagePlan, channelId: string, sender: Actor, at: number): Promise<string> {
    const open = await tx.paging.openPageOfChannel(plan.deskId, channelId);
    if (open) {
      await tx.paging.raise(open.id, {
        priority: open.priority === 'urgent' || plan.priority === 'urgent' ? 'urgent' : 'normal',
        ackRequested: open.ackRequested || plan.ackRequested,
      });
      return open.id;
    }
    const input = { deskId: plan.deskId, priority: plan.priority, ackRequested: plan.ackRequested, channelId, reason: 'message', requesterId: sender.officerId } as const;
    return (await this.paging.openIn(tx, input, sender, { at })).page.id;
  }

  /**
   * In the receipt's transaction: acknowledges the channel's open message pages the receipt answers.
   * An `acknowledged` receipt answers any; a `read` receipt answers a page that asked for no
   * acknowledgement; either only for a message stored since the page opened. The reader must be
   * someone the page reached or the desk's people. Returns the ids acknowledged.
   */
  async acknowledgeIn(tx: Tx, reader: Actor, channelId: string, receipt: ReceiptForPage): Promise<string[]> {
    if (receipt.kind === 'delivered') return [];
    const acked: string[] = [];
    for (const page of await tx.paging.openPagesOfChannel(channelId)) {
      if (page.reason !== 'message') continue;
      if (receipt.kind === 'read' && page.ackRequested) continue;
      if (!receipt.messageCreatedAt.some((t) => t >= page.createdAt)) continue;
      if (!(await this.paging.mayAcknowledge(tx, page, reader))) continue;
      if (await this.paging.acknowledgeIn(tx, page.id, reader, 'receipt')) acked.push(page.id);
    }
    return acked;
  }
}
