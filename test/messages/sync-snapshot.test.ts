/**
 * A sync page is read with several statements (the membership spans, a walk per span and one over the
 * officer's personal items, then the rows). A commit can land between two of them — on PostgreSQL each
 * statement has its own snapshot, on SQLite a commit can come between two awaits. Found by the cluster
 * test (issue 16): a page returned a message of one channel committed after the walk of another
 * channel, whose own new message (a lower position) it lacked, and the client's cursor moved past that
 * message for good. Here the interleaving is forced: the reader's first channel walk waits until two
 * sends, one per channel, have committed.
 */
import { describe, expect, it } from 'vitest';
import { FeedReader } from '../../server/feed/sync.ts';
import type { FeedRepository } from '../../server/feed/repository.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { bearer, makeApp, type TestApp } from '../world/app.ts';
import { makeChannel, makeWorld, postMessage, sendBody, type Person } from '../world/messaging.ts';

async function fullSync(t: TestApp, who: Person): Promise<number[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/sync?cursor=0&limit=1000', headers: bearer(who.tokens) });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: FeedItem[] }).items.map((i) => i.pos);
}

describe('sync: one consistent page', () => {
  it('a page never holds a position above one it leaves out, even when sends commit while it is read', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const first = makeChannel(t, w, w.alice, [w.bob]);
    const second = makeChannel(t, w, w.alice, [w.bob]);
    for (const ch of [first, second]) expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice))).statusCode).toBe(201);
    const byId = new Map([first, second].map((c) => [c.id, c]));

    let interleaved = false;
    const page = await t.app.ctx.store.read((r) => {
      const feed: FeedRepository = Object.create(r.feed) as FeedRepository;
      feed.channelWalk = async (channelId, after, until, limit) => {
        const rows = await r.feed.channelWalk(channelId, after, until, limit);
        if (!interleaved) {
          interleaved = true;
          // Committed after this walk, before the other channel's: first in the channel just walked
          // (the lower position), then in the other one.
          const walked = byId.get(channelId)!;
          const other = walked === first ? second : first;
          for (const ch of [walked, other]) expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice))).statusCode).toBe(201);
        }
        return rows;
      };
      return new FeedReader().read(feed, w.bob.id, 0, 100);
    });
    expect(interleaved).toBe(true);

    const all = await fullSync(t, w.bob);
    const got = page.items.map((i) => i.pos);
    // What the page returned is the start of the feed as Bob sees it, with nothing skipped.
    expect(got.length).toBeGreaterThanOrEqual(4); // two membership events and the two earlier messages
    expect(got).toEqual(all.slice(0, got.length));
    // A sync from the page's cursor brings the rest.
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/sync?cursor=${page.cursor}`, headers: bearer(w.bob.tokens) });
    const rest = (res.json() as { items: FeedItem[] }).items.map((i) => i.pos);
    expect([...got, ...rest]).toEqual(all);
  });
});
