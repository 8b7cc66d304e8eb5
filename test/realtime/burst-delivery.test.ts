import { afterEach, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { makeApp } from '../world/app.ts';
import { closeSockets, collect, connect, connected, listen, makeChannel, makeWorld, postMessage, sendBody, sleep } from '../world/messaging.ts';

afterEach(() => closeSockets());

// Group commit delivers a burst of messages to each member in one flush, written to the TCP
// socket in one go (server/realtime/coalesce-writes.ts): every frame must arrive intact and in order.
describe('burst delivery over WebSocket', () => {
  it('a burst of concurrent sends reaches every member complete and in seq order', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const url = await listen(t);
    const a = connect(url, w.alice.tokens.accessToken);
    const b = connect(url, w.bob.tokens.accessToken);
    await Promise.all([connected(a), connected(b)]);
    const feeds = [collect<FeedItem>(a, 'feed'), collect<FeedItem>(b, 'feed')];
    const burst = 60;
    const results = await Promise.all(
      Array.from({ length: burst }, (_, i) => postMessage(t, ch, i % 2 ? w.alice : w.bob, sendBody(ch, i % 2 ? w.alice : w.bob, { messageId: `burst-${i}` }))),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const seqOf = (i: FeedItem) => (i.data as { seq: number }).seq;
    for (const n of [0, 1]) {
      for (let tries = 0; tries < 200 && feeds[n]!.filter((i) => i.kind === 'message').length < burst; tries++) await sleep(10);
      const seqs = feeds[n]!.filter((i) => i.kind === 'message').map(seqOf);
      expect(seqs).toEqual(Array.from({ length: burst }, (_, i) => i + 1));
    }
  });
});
