import { api } from '../../shared/api/index.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import type { SdkContext } from './context.ts';
import type { ChannelsApi } from './channels.ts';
import type { MessagingApi } from './messaging.ts';
import { NetworkError } from './errors.ts';

/** Items per sync request: large enough that a long absence syncs in a few round trips (the server allows 5,000). */
export const SYNC_PAGE_SIZE = 2000;

const CURSOR_KEY = 'feed:cursor';
/** Positions remembered below the cursor, to handle a late item once (and never twice). */
const HANDLED_MEMORY = 4096;

/**
 * One receive pipeline for realtime `feed` events and `sync` pages: items are handled one at a
 * time in `pos` order and deduplicated by pos (the cursor). While a sync runs, realtime items are
 * buffered so a later pos can never move the cursor past items the sync has not fetched yet.
 */
export class FeedPipeline {
  private cursor: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** The sync under way (`push` buffers meanwhile), and whether it was asked for again (see sync). */
  private running: Promise<number> | null = null;
  private again = false;
  private buffer: FeedItem[] = [];
  private stale = false;
  /** Recently handled positions, oldest first. */
  private readonly handled = new Set<number>();
  /**
   * Items at or below this were handled (or skipped) before: the cursor this pipeline started from,
   * raised as old positions leave `handled`.
   */
  private floor: number | null = null;

  constructor(
    private readonly ctx: SdkContext,
    private readonly channels: ChannelsApi,
    private readonly messaging: MessagingApi,
  ) {}

  async position(): Promise<number> {
    this.cursor ??= (await this.ctx.store.get<number>(CURSOR_KEY)) ?? 0;
    this.floor ??= this.cursor;
    return this.cursor;
  }

  /** Realtime delivery. */
  push(item: FeedItem): void {
    if (this.stale && !this.running) {
      // An earlier item failed on the network: catch up through sync rather than skip past it.
      void this.sync().catch(() => undefined);
    }
    if (this.running) {
      this.buffer.push(item);
      return;
    }
    this.enqueue([item]);
  }

  /**
   * Pages through `GET /sync` from the stored cursor until `hasMore` is false. A sync asked for while
   * one runs (a reconnect during a long catch-up) makes that one go round once more and resolves with
   * it: its first round may have read before items the socket then missed while disconnected.
   */
  sync(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.syncRounds();
    this.running = run;
    return run;
  }

  private async syncRounds(): Promise<number> {
    this.stale = false;
    let handled = 0;
    let complete = false;
    try {
      do {
        this.again = false;
        for (;;) {
          await this.idle();
          const cursor = await this.position();
          const page = await this.ctx.http.call(api.messages.sync, { query: { cursor, limit: SYNC_PAGE_SIZE } });
          handled += page.items.length;
          this.enqueue(page.items);
          await this.idle();
          if (!page.hasMore) break;
        }
      } while (this.again);
      complete = true;
    } finally {
      // From here on a sync asked for is a new one: this one has read its last page. (Were it still
      // `running` while it hands over what it buffered, that request would be answered by a sync that
      // never reads again, and live items on the new connection would not wait for it.)
      this.running = null;
      const buffered = this.buffer.sort((a, b) => a.pos - b.pos);
      this.buffer = [];
      // After a failed sync the buffered items would move the cursor past positions the sync never
      // fetched (lost for good): drop them instead; the next sync (next push or connect) fetches them.
      if (complete) this.enqueue(buffered);
      else this.stale = true;
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
    if (item.pos <= cursor) {
      // A late item: a transport that relays several servers (a broadcast adapter) can deliver a
      // lower position after a higher one. Dropping it would lose it for good (sync resumes after the
      // cursor), so it is handled now, once, without moving the cursor back.
      if (item.pos <= (this.floor ?? cursor) || this.handled.has(item.pos)) return;
      await this.dispatchOnce(item);
      this.remember(item.pos);
      return;
    }
    await this.dispatchOnce(item);
    this.remember(item.pos);
    this.cursor = item.pos;
    await this.ctx.store.set(CURSOR_KEY, item.pos);
  }

  private async dispatchOnce(item: FeedItem): Promise<void> {
    try {
      await this.dispatch(item);
    } catch (err) {
      // Transport failures stop here without moving the cursor: the next sync retries the item.
      if (err instanceof NetworkError) throw err;
      // Anything else (a verification failure was already reported as a `security` event) is skipped.
    }
  }

  private remember(pos: number): void {
    this.handled.add(pos);
    if (this.handled.size <= HANDLED_MEMORY) return;
    const oldest = this.handled.values().next().value as number;
    this.handled.delete(oldest);
    this.floor = Math.max(this.floor ?? 0, oldest);
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
