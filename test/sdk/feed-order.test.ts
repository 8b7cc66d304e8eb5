/**
 * The SDK's receive pipeline and items delivered out of position order (issue 16): a transport that
 * relays several servers can deliver pos 7 before pos 5. The earlier item must still be handled,
 * exactly once, and nothing at or below the starting cursor is handled again.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelsApi } from '../../client/sdk/channels.ts';
import type { SdkContext } from '../../client/sdk/context.ts';
import type { MessagingApi } from '../../client/sdk/messaging.ts';
import { NetworkError } from '../../client/sdk/errors.ts';
import { FeedPipeline } from '../../client/sdk/sync.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';

function pipeline(
  startCursor: number,
  sync?: (route: unknown, opts?: unknown) => Promise<unknown>,
  beforeHandling: (seq: number) => Promise<void> = async () => {},
): { feed: FeedPipeline; handled: number[] } {
  const kv = new Map<string, unknown>([['feed:cursor', startCursor]]);
  const handled: number[] = [];
  const ctx = {
    store: { get: async (k: string) => kv.get(k), set: async (k: string, v: unknown) => void kv.set(k, v) },
    events: { emit: () => true },
    http: { call: sync ?? (async () => ({ items: [], cursor: startCursor, hasMore: false })) },
  } as unknown as SdkContext;
  const messaging = {
    onMessage: async (m: { seq: number }) => {
      await beforeHandling(m.seq);
      handled.push(m.seq);
    },
  } as unknown as MessagingApi;
  return { feed: new FeedPipeline(ctx, {} as ChannelsApi, messaging), handled };
}

const item = (pos: number): FeedItem => ({ pos, kind: 'message', channelId: 'c', createdAt: pos, data: { seq: pos } }) as unknown as FeedItem;

describe('FeedPipeline: late items', () => {
  it('handles an item that arrives after a higher position, once', async () => {
    const { feed, handled } = pipeline(2);
    for (const pos of [3, 7, 5, 7, 5, 6, 2, 1]) feed.push(item(pos));
    await feed.idle();
    // 5 and 6 arrived late: handled (once each); 7 and 5 repeated: ignored; 1 and 2 were handled before the start.
    expect(handled).toEqual([3, 7, 5, 6]);
    expect(await feed.position()).toBe(7);
  });

  it('a sync that fails does not let the items buffered meanwhile move the cursor past what it never fetched', async () => {
    let fail: (err: Error) => void = () => {};
    const { feed, handled } = pipeline(2, () => new Promise((_, reject) => (fail = reject)));
    const syncing = feed.sync().catch(() => 'failed');
    await new Promise((r) => setTimeout(r, 0));
    feed.push(item(9)); // live, while the sync (which would have returned 3..8) is under way
    fail(new NetworkError('node died'));
    expect(await syncing).toBe('failed');
    await feed.idle();
    expect(handled).toEqual([]);
    expect(await feed.position()).toBe(2);
  });

  it('a sync asked for while one runs (a reconnect during a catch-up) runs once more after it, so what the socket missed meanwhile is fetched', async () => {
    let answerFirst: (page: unknown) => void = () => {};
    const cursors: number[] = [];
    const { feed, handled } = pipeline(2, (_route: unknown, opts?: unknown) => {
      const cursor = (opts as { query: { cursor: number } }).query.cursor;
      cursors.push(cursor);
      // The first page was read before 5..8 committed; the socket was down while they did.
      if (cursors.length === 1) return new Promise((resolve) => (answerFirst = resolve));
      return Promise.resolve({ items: [5, 6, 7, 8, 9].filter((p) => p > cursor).map(item), hasMore: false });
    });
    const first = feed.sync();
    await new Promise((r) => setTimeout(r, 0));
    const second = feed.sync(); // the socket reconnected
    feed.push(item(9)); // live on the new connection
    answerFirst({ items: [item(3), item(4)], hasMore: false });
    expect(await first).toBe(await second);
    await feed.idle();
    expect(cursors).toEqual([2, 4]);
    expect(handled).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(await feed.position()).toBe(9);
  });

  it('a sync asked for while the previous one hands over what it buffered (its last page already read) is a new sync, and live items wait for it', async () => {
    const cursors: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let reachedGate: () => void = () => {};
    const atGate = new Promise<void>((r) => (reachedGate = r));
    const { feed, handled } = pipeline(
      2,
      async (_route: unknown, opts?: unknown) => {
        const cursor = (opts as { query: { cursor: number } }).query.cursor;
        cursors.push(cursor);
        // The first page was read before 6..8 committed; the socket was down while they did.
        if (cursors.length === 1) return { items: [item(3), item(4)], hasMore: false };
        return { items: [6, 7, 8, 9].filter((p) => p > cursor).map(item), hasMore: false };
      },
      async (seq) => {
        if (seq !== 5) return;
        reachedGate();
        await gate;
      },
    );
    const first = feed.sync();
    feed.push(item(5)); // live during the first sync: buffered, handled once its pages are
    await atGate; // the first sync has read its last page and is handling 5
    const second = feed.sync(); // the socket reconnected
    feed.push(item(9)); // live on the new connection
    release();
    await first;
    await second;
    await feed.idle();
    expect(cursors).toEqual([2, 5]);
    expect(handled).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(await feed.position()).toBe(9);
  });
});
