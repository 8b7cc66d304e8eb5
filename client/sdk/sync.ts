import { api } from '../../shared/api/index.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import type { SdkContext } from './context.ts';
import type { ChannelsApi } from './channels.ts';
import type { MessagingApi } from './messaging.ts';
import { NetworkError } from './errors.ts';

/** Items per sync request: large enough that a long absence syncs in a few round trips (the server allows 5,000). */
export const SYNC_PAGE_SIZE = 2000;

const CURSOR_KEY = 'feed:cursor';

/**
 * One receive pipeline for realtime `feed` events and `sync` pages: items are handled one at a
 * time in `pos` order and deduplicated by pos (the cursor). While a sync runs, realtime items are
 * buffered so a later pos can never move the cursor past items the sync has not fetched yet.
 */
export class FeedPipeline {
  private cursor: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private syncing = false;
  private buffer: FeedItem[] = [];
  private stale = false;

  constructor(
    private readonly ctx: SdkContext,
    private readonly channels: ChannelsApi,
    private readonly messaging: MessagingApi,
  ) {}

  async position(): Promise<number> {
    this.cursor ??= (await this.ctx.store.get<number>(CURSOR_KEY)) ?? 0;
    return this.cursor;
  }

  /** Realtime delivery. */
  push(item: FeedItem): void {
    if (this.stale && !this.syncing) {
      // An earlier item failed on the network: catch up through sync rather than skip past it.
      void this.sync().catch(() => undefined);
    }
    if (this.syncing) {
      this.buffer.push(item);
      return;
    }
    this.enqueue([item]);
  }

  /** Pages through `GET /sync` from the stored cursor until `hasMore` is false. */
  async sync(): Promise<number> {
    if (this.syncing) return this.idle().then(() => this.position());
    this.syncing = true;
    this.stale = false;
    let handled = 0;
    try {
      for (;;) {
        await this.idle();
        const cursor = await this.position();
        const page = await this.ctx.http.call(api.messages.sync, { query: { cursor, limit: SYNC_PAGE_SIZE } });
        handled += page.items.length;
        this.enqueue(page.items);
        await this.idle();
        if (!page.hasMore) break;
      }
    } finally {
      this.syncing = false;
      const buffered = this.buffer.sort((a, b) => a.pos - b.pos);
      this.buffer = [];
      this.enqueue(buffered);
    }
    await this.idle();
    return handled;
  }

  /** Resolves when every queued item is handled. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain);
  }

  private enqueue(items: FeedItem[]): void {
    const sorted = [...items].sort((a, b) => a.pos - b.pos);
    this.chain = this.chain.then(async () => {
      try {
        for (const item of sorted) await this.handleOne(item);
      } catch {
        this.stale = true;
      }
    });
  }

  private async handleOne(item: FeedItem): Promise<void> {
    const cursor = await this.position();
    if (item.pos <= cursor) return;
    try {
      await this.dispatch(item);
    } catch (err) {
      // Transport failures stop here without moving the cursor: the next sync retries the item.
      if (err instanceof NetworkError) throw err;
      // Anything else (a verification failure was already reported as a `security` event) is skipped.
    }
    this.cursor = item.pos;
    await this.ctx.store.set(CURSOR_KEY, item.pos);
  }

  private async dispatch(item: FeedItem): Promise<void> {
    switch (item.kind) {
      case 'message':
        await this.messaging.onMessage(item.data);
        return;
      case 'membership':
        await this.channels.onMembership(item.channelId, item.data);
        return;
      case 'key_envelope':
        await this.channels.onKeyEnvelope(item.channelId, item.data);
        return;
      case 'receipt':
        // My own read/acknowledged receipts come back to my devices (docs/MESSAGING.md "Read markers").
        this.ctx.events.emit(item.data.officerId === this.ctx.officer?.id ? 'ownReceipt' : 'receipt', item.data);
        return;
      case 'read_marker':
        this.ctx.events.emit('readMarker', item.data);
        return;
      case 'invitation': {
        const inv = item.data;
        this.ctx.events.emit('invitation', { id: inv.id, channelId: inv.channelId, inviteeId: inv.inviteeId, createdBy: inv.createdBy, status: inv.status });
        await this.channels.onInvitation(inv);
        return;
      }
      case 'channel': {
        const data = item.data;
        const removed = data.rekeyRequired ? (data.removedOfficerIds ?? []) : [];
        this.ctx.events.emit('channel', { channelId: item.channelId, readOnly: data.readOnly ?? null, rekeyRequired: removed, data: item.data });
        if (removed.length) await this.channels.onRekeyRequired(item.channelId, removed);
        return;
      }
    }
  }
}
