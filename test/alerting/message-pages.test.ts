/**
 * Pages for messages (docs/DESKS.md "Pages for messages"), through the real send and receipt paths
 * (the SDK over HTTP) with a real RFC 8030/8291 push service: an urgent or acknowledgement-requested
 * message in a channel opened from the desk's directory entry pages the desk, coalesces with the
 * channel's open page, never pages its sender or comes from the desk's own people, and an
 * acknowledgement (or, for a page that asked for none, reading) of the message acknowledges the page.
 * Also the claim hook: cancelling a page in a transaction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiaisonClient } from '../../client/sdk/index.ts';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import { expectError } from '../world/app.ts';
import { TestPushService, type TestSubscription } from '../world/push-service.ts';
import { MARKER, auditRows } from './fixtures.ts';
import { MINUTE_MS, PASSPHRASE, call, deliveries, deskWorld, listen, ok, sdk, subscribe } from './desk-world.ts';
import { rawDb } from '../world/db.ts';

let push: TestPushService | undefined;
let clients: LiaisonClient[] = [];
afterEach(async () => {
  for (const c of clients) c.disconnect();
  clients = [];
  await push?.close();
  push = undefined;
});

function payloadsOf(sub: TestSubscription): ContentFreeNotification[] {
  return push!.deliveredTo(sub.id).map((r) => JSON.parse(r.plaintext!) as ContentFreeNotification);
}

/** Pedro (PT, off the desk) reaches the night desk through its directory entry: a channel with Ana, on duty. */
async function messageScenario() {
  push = await TestPushService.start();
  const W = await deskWorld();
  const { t, pt, ana, rui, sam, pedro, desk } = W;
  const baseUrl = await listen(t);
  const c = { ptAdmin: await sdk(t, baseUrl, pt.admin), ana: await sdk(t, baseUrl, ana), pedro: await sdk(t, baseUrl, pedro) };
  clients = Object.values(c);
  for (const client of clients) await client.createIdentity(PASSPHRASE);
  await c.ptAdmin.certifyPending();
  const subs = { ana: push.subscribe(), rui: push.subscribe(), sam: push.subscribe(), pedro: push.subscribe() };
  await subscribe(t, ana, subs.ana);
  await subscribe(t, rui, subs.rui);
  await subscribe(t, sam, subs.sam);
  await subscribe(t, pedro, subs.pedro);
  const entry = await c.ptAdmin.createDirectoryEntry({ title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' }, deskId: desk.id });
  const contact = await c.pedro.contact(entry.id, { message: `Hello ${MARKER}` });
  expect(contact.messageSent).toBe(true);
  await t.app.ctx.paging.idle();
  const pages = async () => (await ok<{ pages: Page[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/pages`))).pages;
  const [contactPage] = await pages();
  expect(contactPage).toMatchObject({ reason: 'contact_request', channelId: contact.channel.id, state: 'open' });
  return { ...W, c, subs, channelId: contact.channel.id, contactPage: contactPage!, pages, rui, sam };
}

describe('pages for messages', () => {
  it('an urgent or acknowledgement-requested message pages the desk once per open page; the acknowledgement of the message acknowledges it', async () => {
    const S = await messageScenario();
    const { t, c, subs, channelId, ana, pedro, desk } = S;
    const paging = t.app.ctx.paging;
    const pageIds: (string | undefined)[] = [];
    const send = async (who: LiaisonClient, opts: { urgent?: boolean; ackRequired?: boolean }) => {
      const res = await who.send(channelId, { kind: 'text', text: `Secret ${MARKER}` }, opts);
      await paging.idle();
      pageIds.push(res.pageId);
      return res.messageId;
    };

    // The contact request's page is open for the channel: an urgent message coalesces with it (and says so).
    await send(c.pedro, { urgent: true });
    expect(pageIds).toEqual([S.contactPage.id]);
    expect((await S.pages()).map((p) => p.id)).toEqual([S.contactPage.id]);
    expect(payloadsOf(subs.ana)).toHaveLength(1);
    await ok(await call(t, ana, 'POST', `/pages/${S.contactPage.id}/ack`));

    // A plain message pages nobody.
    await send(c.pedro, {});
    expect(await S.pages()).toHaveLength(1);

    // Acknowledgement requested: a normal page for the channel, to Ana on duty; never to Pedro, its sender.
    const m1 = await send(c.pedro, { ackRequired: true });
    const [p1] = (await S.pages()).filter((p) => p.reason === 'message');
    expect(p1).toMatchObject({ deskId: desk.id, reason: 'message', priority: 'normal', ackRequested: true, channelId, state: 'open', step: 0 });
    expect(payloadsOf(subs.ana).at(-1)).toEqual({ v: 1, id: p1!.id, kind: 'page', priority: 'normal', ackRequested: true, channelId, deskId: desk.id, at: expect.any(Number) });
    expect(push!.deliveredTo(subs.ana.id).every((r) => !r.plaintext!.includes(MARKER))).toBe(true);
    expect(payloadsOf(subs.pedro)).toEqual([]);

    // An urgent message while it is open: the same page, raised to urgent for its next steps.
    const m2 = await send(c.pedro, { urgent: true });
    const afterUrgent = await S.pages();
    expect(afterUrgent).toHaveLength(2);
    expect(afterUrgent.find((p) => p.id === p1!.id)).toMatchObject({ priority: 'urgent', ackRequested: true, state: 'open' });
    expect(payloadsOf(subs.ana)).toHaveLength(2);

    // The desk's own people answer over this channel: Ana's urgent message pages nobody.
    await send(c.ana, { urgent: true, ackRequired: true });
    expect(await S.pages()).toHaveLength(2);

    // Reading does not acknowledge a page that asked for an acknowledgement; acknowledging the message does.
    await c.ana.markRead(channelId, [m1, m2]);
    expect((await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${p1!.id}`))).page.state).toBe('open');
    await c.ana.acknowledge(channelId, m1);
    const acked = (await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${p1!.id}`))).page;
    expect(acked).toMatchObject({ state: 'acknowledged', ackedBy: ana.id, nextFireAt: null });
    t.clock.advance(10 * MINUTE_MS);
    expect(await paging.tick()).toBe(0);

    // Urgent without an acknowledgement request: a page that reading answers, but only reading a message
    // stored since it opened. Nobody reads it in time, so it climbs to Rui; then Ana reads it.
    const m3 = await send(c.pedro, { urgent: true });
    const p2 = (await S.pages()).find((p) => p.reason === 'message' && p.state === 'open')!;
    expect(p2).toMatchObject({ priority: 'urgent', ackRequested: false });
    t.clock.advance(5 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    expect(payloadsOf(subs.rui).map((p) => p.id)).toEqual([p2.id]);
    await c.ana.markRead(channelId, [m2]);
    expect((await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${p2.id}`))).page.state).toBe('open');
    await c.ana.markRead(channelId, [m3]);
    expect((await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${p2.id}`))).page).toMatchObject({ state: 'acknowledged', ackedBy: ana.id });
    expect(deliveries(t, p2.id).map((d) => [d.step, d.officerId])).toEqual([
      [0, ana.id],
      [1, S.rui.id],
    ]);
    // Pedro, the sender, was never paged. Each send told him the page it opened or joined, which he may
    // read as its requester (the desk's phone shows once it is exhausted); plain and the desk's own messages none.
    expect(payloadsOf(subs.pedro)).toEqual([]);
    expect(pageIds).toEqual([S.contactPage.id, undefined, p1!.id, p1!.id, undefined, p2.id]);
    expect((await ok<{ page: Page }>(await call(t, pedro, 'GET', `/pages/${p2.id}`))).page).toMatchObject({ state: 'acknowledged', deskPhone: null });

    // Audited without content: opened twice for messages, acknowledged through receipts.
    const acks = auditRows(t, 'page.acknowledged').map((a) => JSON.parse(a.details) as { via: string });
    expect(acks.map((a) => a.via)).toEqual(['page', 'receipt', 'receipt']);
    const opened = auditRows(t, 'page.opened').map((a) => JSON.parse(a.details) as { reason: string; paged: string[] });
    expect(opened.map((o) => [o.reason, o.paged])).toEqual([
      ['contact_request', [ana.id]],
      ['message', [ana.id]],
      ['message', [ana.id]],
    ]);
    for (const row of auditRows(t, 'page.')) expect(row.details).not.toContain(MARKER);
  });

  it('a receipt by someone the page did not reach and who is not the desk\'s does not acknowledge it', async () => {
    const S = await messageScenario();
    const { t, c, channelId, ana, pedro } = S;
    await ok(await call(t, ana, 'POST', `/pages/${S.contactPage.id}/ack`));
    // Ana asks Pedro for an acknowledgement: her message pages nobody (she is the desk's).
    const fromAna = await c.ana.send(channelId, { kind: 'text', text: 'please ack' }, { ackRequired: true });
    expect(await S.pages()).toHaveLength(1);
    // Pedro asks for one: a page; Pedro's own acknowledgement of Ana's message does not answer it.
    const mine = await c.pedro.send(channelId, { kind: 'text', text: 'ack please' }, { ackRequired: true });
    await t.app.ctx.paging.idle();
    const page = (await S.pages()).find((p) => p.reason === 'message')!;
    await c.pedro.acknowledge(channelId, fromAna.messageId);
    expect((await ok<{ page: Page }>(await call(t, pedro, 'GET', `/pages/${page.id}`))).page.state).toBe('open');
    // Nor can he acknowledge his own message (refused as before), and the page stays open.
    expectError(await call(t, pedro, 'POST', `/channels/${channelId}/receipts`, { kind: 'acknowledged', messageIds: [mine.messageId] }), 400, 'own_message');
    expect((await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${page.id}`))).page.state).toBe('open');
  });
});

describe("the desk's own channel", () => {
  it('an urgent message there pages the desk without its sender (Ana, on duty: so Rui, next); Rui reading it acknowledges the page', async () => {
    push = await TestPushService.start();
    const { t, pt, ana, rui, sam, desk } = await deskWorld();
    const baseUrl = await listen(t);
    const c = { ptAdmin: await sdk(t, baseUrl, pt.admin), ana: await sdk(t, baseUrl, ana), rui: await sdk(t, baseUrl, rui) };
    clients = Object.values(c);
    for (const client of clients) await client.createIdentity(PASSPHRASE);
    await c.ptAdmin.certifyPending();
    const subs = { ana: push.subscribe(), rui: push.subscribe() };
    await subscribe(t, ana, subs.ana);
    await subscribe(t, rui, subs.rui);
    const channel = await c.ana.createChannel({ kind: 'team', title: 'Night desk', members: [rui.id] });
    // As the desk's first intake key statement records it (server/intake): the desk's own channel.
    rawDb(t.app).prepare('UPDATE desks SET channel_id = ? WHERE id = ?').run(channel.id, desk.id);

    const sent = await c.ana.send(channel.id, { kind: 'text', text: `Secret ${MARKER}` }, { urgent: true });
    await t.app.ctx.paging.idle();
    expect(sent.pageId).toEqual(expect.any(String));
    const page = (await ok<{ page: Page }>(await call(t, sam, 'GET', `/pages/${sent.pageId}`))).page;
    expect(page).toMatchObject({ deskId: desk.id, reason: 'message', channelId: channel.id, priority: 'urgent', ackRequested: false, step: 1, state: 'open' });
    expect(deliveries(t, page.id).map((d) => [d.step, d.officerId])).toEqual([[1, rui.id]]);
    expect(payloadsOf(subs.ana)).toEqual([]);
    expect(payloadsOf(subs.rui).map((p) => [p.id, p.priority, p.channelId])).toEqual([[page.id, 'urgent', channel.id]]);

    await c.rui.markRead(channel.id, [sent.messageId]);
    expect((await ok<{ page: Page }>(await call(t, sam, 'GET', `/pages/${page.id}`))).page).toMatchObject({ state: 'acknowledged', ackedBy: rui.id });
  });
});

describe('who a page never reaches, and cancelling one', () => {
  it('the requester is not paged (the ladder skips them); a cancelled page takes no further step and cannot be acknowledged', async () => {
    push = await TestPushService.start();
    const { t, ana, rui, sam, desk } = await deskWorld();
    const { ctx } = t.app;
    // Ana, on duty, asked: step 0 has nobody else, so Rui (the next shift) is paged at once.
    const opened = await ctx.store.write((tx) =>
      ctx.paging.openIn(tx, { deskId: desk.id, priority: 'urgent', ackRequested: true, channelId: null, reason: 'message', requesterId: ana.id }, null),
    );
    await opened.sent;
    expect(deliveries(t, opened.page.id).map((d) => [d.step, d.officerId])).toEqual([[1, rui.id]]);
    // Then the supervisor, never Ana.
    t.clock.advance(5 * MINUTE_MS);
    expect(await ctx.paging.tick()).toBe(1);
    expect(deliveries(t, opened.page.id).map((d) => d.officerId)).toEqual([rui.id, sam.id]);

    // The claim hook: cancelled in a transaction, once.
    expect(await ctx.store.write((tx) => ctx.paging.cancelIn(tx, opened.page.id, null, 'claimed'))).toBe(true);
    expect(await ctx.store.write((tx) => ctx.paging.cancelIn(tx, opened.page.id, null, 'claimed'))).toBe(false);
    t.clock.advance(60 * MINUTE_MS);
    expect(await ctx.paging.tick()).toBe(0);
    expect((await ok<{ page: Page }>(await call(t, sam, 'GET', `/pages/${opened.page.id}`))).page).toMatchObject({ state: 'cancelled', nextFireAt: null, step: 2 });
    expectError(await call(t, sam, 'POST', `/pages/${opened.page.id}/ack`), 409, 'page_closed');
    expect(auditRows(t, 'page.cancelled').map((a) => JSON.parse(a.details))).toEqual([{ deskId: desk.id, step: 2, cause: 'claimed' }]);
  });
});
