import { afterEach, describe, expect, it } from 'vitest';
import type { FeedItem, Receipt } from '../../shared/schemas/channels.ts';
import { bearer, makeApp, type TestApp } from '../world/app.ts';
import {
  addMember,
  closeSockets,
  collect,
  connect,
  connected,
  listen,
  makeChannel,
  makeWorld,
  postMessage,
  removeMember,
  sendBody,
  waitFor,
  type Person,
} from '../world/messaging.ts';

afterEach(() => closeSockets());

interface Status {
  messageId: string;
  recipients: { officerId: string; delivered: number | null; read: number | null; acknowledged: number | null }[];
}

async function receipt(t: TestApp, ch: { id: string }, who: Person, kind: Receipt['kind'], messageId: string) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(who.tokens), payload: { kind, messageIds: [messageId] } });
  expect(res.statusCode).toBe(200);
}

async function status(t: TestApp, who: Person, messageId: string) {
  return t.app.inject({ method: 'GET', url: `/api/v1/messages/${messageId}/receipts`, headers: bearer(who.tokens) });
}

async function syncedReceipts(t: TestApp, who: Person): Promise<Receipt[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/sync?cursor=0&limit=1000', headers: bearer(who.tokens) });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: FeedItem[] }).items.filter((i) => i.kind === 'receipt').map((i) => i.data as Receipt);
}

describe('receipts after removal', () => {
  it('a removed sender does not see receipts or members after removal (receipt status, sync)', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    // Carol owns the channel (held under the agreement); alice writes in it, is removed, and bob (re)joins after her.
    const ch = makeChannel(t, w, w.carol, [w.alice, w.bob]);
    removeMember(t, w, ch, w.carol, w.bob);
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'alice-1' }))).statusCode).toBe(201);
    await receipt(t, ch, w.carol, 'delivered', 'alice-1');
    removeMember(t, w, ch, w.carol, w.alice);
    addMember(t, w, ch, w.carol, w.bob);
    t.clock.advance(1000);
    await receipt(t, ch, w.carol, 'read', 'alice-1');

    const res = await status(t, w.alice, 'alice-1');
    expect(res.statusCode).toBe(200);
    const seen = res.json() as Status;
    // Up to her removal: carol's delivery; nothing of the later read, and nothing of bob joining.
    expect(seen.recipients).toEqual([{ officerId: w.carol.id, delivered: expect.any(Number), read: null, acknowledged: null }]);
    expect((await syncedReceipts(t, w.alice)).map((r) => r.kind)).toEqual(['delivered']);

    // The channel's remaining members still see everything inside their own spans.
    const asCarol = (await status(t, w.carol, 'alice-1')).json() as Status;
    expect(asCarol.recipients.find((r) => r.officerId === w.carol.id)).toMatchObject({ delivered: expect.any(Number), read: expect.any(Number) });
    expect(asCarol.recipients.map((r) => r.officerId)).toContain(w.bob.id);
  });

  it('a sender re-added later does not see receipts recorded while they were out', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.carol, [w.alice]);
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'alice-2' }))).statusCode).toBe(201);
    removeMember(t, w, ch, w.carol, w.alice);
    await receipt(t, ch, w.carol, 'read', 'alice-2');
    addMember(t, w, ch, w.carol, w.alice);
    const seen = (await status(t, w.alice, 'alice-2')).json() as Status;
    expect(seen.recipients).toEqual([{ officerId: w.carol.id, delivered: null, read: null, acknowledged: null }]);
    expect(await syncedReceipts(t, w.alice)).toEqual([]);
  });

  it('a removed sender is not pushed receipts on their officer socket after removal', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.carol, [w.alice]);
    const control = makeChannel(t, w, w.carol, [w.alice]);
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'alice-3' }))).statusCode).toBe(201);
    expect((await postMessage(t, control, w.alice, sendBody(control, w.alice, { messageId: 'alice-ctl' }))).statusCode).toBe(201);
    const url = await listen(t);
    const socket = connect(url, w.alice.tokens.accessToken);
    await connected(socket);
    const feed = collect<FeedItem>(socket, 'feed');
    removeMember(t, w, ch, w.carol, w.alice);
    await receipt(t, ch, w.carol, 'read', 'alice-3');
    // A receipt in a channel she is still in arrives after the other one would have: ordering proves absence.
    await receipt(t, control, w.carol, 'read', 'alice-ctl');
    await waitFor(socket, 'feed', (i: FeedItem) => i.kind === 'receipt' && (i.data as Receipt).messageId === 'alice-ctl');
    expect(feed.filter((i) => i.kind === 'receipt').map((i) => (i.data as Receipt).messageId)).toEqual(['alice-ctl']);
  });
});
