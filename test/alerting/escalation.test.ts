/**
 * Paging and escalation (issue 13) with real components: a local RFC 8030/8291 push service and a
 * real SMTP server. The clock is a ManualClock at 03:00 in Lisbon; the scheduler is driven by
 * `ctx.paging.tick()` instead of sleeping. Requests go through app.inject and the SDK.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PagingService } from '../../server/alerting/escalation.ts';
import { inQuietHours } from '../../server/alerting/quiet-hours.ts';
import { ManualClock } from '../../server/clock.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { Page, TestPageResult } from '../../shared/schemas/pages.ts';
import { expectError, makeApp, tempDir, type TestApp } from '../world/app.ts';
import { TestPushService, type TestSubscription } from '../world/push-service.ts';
import { TestSmtpServer } from '../world/smtp.ts';
import { call, deliveries, deskWorld, MINUTE_MS, ok, PASSPHRASE, sdk, subscribe, TIME_TRAVEL } from './desk-world.ts';
import { MARKER } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

let push: TestPushService | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await push?.close();
  await smtp?.close();
  push = undefined;
  smtp = undefined;
});

/** The whole network with keys, push subscriptions, Sam's e-mail and a directory entry for the desk; Eva files a contact request. */
async function contactScenario() {
  push = await TestPushService.start();
  smtp = await TestSmtpServer.start();
  const W = await deskWorld({ smtpUrl: smtp.url });
  const { t, pt, es, ana, rui, sam, eva, desk } = W;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const clients = { ptAdmin: await sdk(t, baseUrl, pt.admin), esAdmin: await sdk(t, baseUrl, es.admin), ana: await sdk(t, baseUrl, ana), eva: await sdk(t, baseUrl, eva) };
  for (const c of Object.values(clients)) await c.createIdentity(PASSPHRASE);
  await clients.ptAdmin.certifyPending();
  await clients.esAdmin.certifyPending();

  const subs = { ana: push.subscribe(), rui: push.subscribe(), sam: push.subscribe() };
  await subscribe(t, ana, subs.ana);
  await subscribe(t, rui, subs.rui);
  await subscribe(t, sam, subs.sam);
  // Ana's quiet hours cover 03:00: an urgent page ignores them.
  await ok(await call(t, ana, 'PUT', '/notifications/settings', { email: null, push: true, emailEnabled: false, quietHours: { start: '00:00', end: '07:00', timeZone: 'Europe/Lisbon' } }));
  await ok(await call(t, sam, 'PUT', '/notifications/settings', { email: 'sam@pj.example', push: true, emailEnabled: true, quietHours: null }));

  const entry = await clients.ptAdmin.createDirectoryEntry({ title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' }, deskId: desk.id });
  // Every step so far was audited; no page exists yet.
  expect((await ok<{ pages: Page[] }>(await call(t, pt.admin, 'GET', `/desks/${desk.id}/pages`))).pages).toEqual([]);

  const target = await clients.eva.contactTarget(entry.id);
  expect(target.recipients.map((r) => r.officerId)).toEqual([ana.id]);
  const contact = await clients.eva.contact(entry.id, { message: `Urgent ${MARKER} request` });
  await t.app.ctx.paging.idle();
  const [page] = (await ok<{ pages: Page[] }>(await call(t, ana, 'GET', '/pages/mine'))).pages;
  expect(page).toMatchObject({ deskId: desk.id, priority: 'urgent', ackRequested: true, reason: 'contact_request', channelId: contact.channel.id, step: 0, state: 'open', deskPhone: null });
  return { ...W, clients, subs, page: page!, contact };
}

function payloadsOf(sub: TestSubscription): ContentFreeNotification[] {
  return push!.deliveredTo(sub.id).map((r) => JSON.parse(r.plaintext!) as ContentFreeNotification);
}

describe('escalation ladder', () => {
  it('a contact request at 03:00 pages the on-duty officer, then the next on the rota, then the supervisor (push and e-mail), then shows the desk phone', async () => {
    const S = await contactScenario();
    const { t, subs, page, eva, ana, rui, sam, desk } = S;
    const paging = t.app.ctx.paging;

    // Step 0: Ana's push, content-free, urgent, acknowledgement requested; quiet hours ignored.
    const [first, ...more] = push!.deliveredTo(subs.ana.id);
    expect(more).toEqual([]);
    expect(first!.vapid.ok).toBe(true);
    expect(first!.headers.urgency).toBe('high');
    expect(first!.plaintext).not.toContain(MARKER);
    expect(JSON.parse(first!.plaintext!)).toEqual({ v: 1, id: page.id, kind: 'page', priority: 'urgent', ackRequested: true, channelId: S.contact.channel.id, deskId: desk.id, at: expect.any(Number) });
    expect(payloadsOf(subs.rui)).toEqual([]);

    // Not yet due: nothing happens.
    t.clock.advance(4 * MINUTE_MS);
    expect(await paging.tick()).toBe(0);
    expect(push!.received).toHaveLength(1);

    // Step 1 after ackMinutes: Rui (the next shift, 09:00).
    t.clock.advance(2 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    expect(payloadsOf(subs.rui).map((p) => [p.id, p.priority])).toEqual([[page.id, 'urgent']]);
    expect(payloadsOf(subs.sam)).toEqual([]);
    expect(smtp!.received).toEqual([]);

    // Step 2: Sam, the supervisor, by push and e-mail (real SMTP), content-free with a link.
    t.clock.advance(5 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    expect(payloadsOf(subs.sam).map((p) => p.id)).toEqual([page.id]);
    await smtp!.waitFor(1);
    const [mail] = smtp!.received;
    expect(mail!.to).toEqual(['sam@pj.example']);
    expect(mail!.raw).not.toContain(MARKER);
    // The link opens the page (where it is acknowledged); the supervisor is no member of its channel.
    expect(mail!.text).toContain(`http://liaison.test/#/pages/${page.id}`);

    // The requester sees no phone number while the ladder runs…
    expect((await ok<{ page: Page }>(await call(t, eva, 'GET', `/pages/${page.id}`))).page).toMatchObject({ state: 'open', step: 2, deskPhone: null });

    // Step 3: exhausted; the requester is shown the desk's 24/7 number.
    t.clock.advance(5 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    const exhausted = (await ok<{ page: Page }>(await call(t, eva, 'GET', `/pages/${page.id}`))).page;
    expect(exhausted).toMatchObject({ state: 'exhausted', step: 3, nextFireAt: null, deskPhone: '+351218645150' });
    // No further step, however long one waits.
    t.clock.advance(60 * MINUTE_MS);
    expect(await paging.tick()).toBe(0);
    expect(push!.received).toHaveLength(3);
    expect(smtp!.received).toHaveLength(1);

    // Who was paged when: one row per step and officer, outcomes by transport.
    const rows = deliveries(t, page.id);
    expect(rows.map((r) => [r.step, r.officerId])).toEqual([
      [0, ana.id],
      [1, rui.id],
      [2, sam.id],
    ]);
    expect(JSON.parse(rows[2]!.outcomes!)).toEqual(expect.arrayContaining([{ transport: 'push', ok: true }, { transport: 'email', ok: true }]));
    // The desk's history shows the same: who was paged at which step, when, and each transport's outcome.
    const [history] = (await ok<{ pages: Page[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/pages`))).pages;
    expect(history!.paged!.map((d) => [d.step, d.officerId, d.at - page.createdAt])).toEqual([
      [0, ana.id, 0],
      [1, rui.id, 6 * MINUTE_MS],
      [2, sam.id, 11 * MINUTE_MS],
    ]);
    expect(history!.paged![2]!.results).toEqual(expect.arrayContaining([{ transport: 'push', ok: true }, { transport: 'email', ok: true }]));
    // Other views of a page leave the history out.
    expect((await ok<{ page: Page }>(await call(t, sam, 'GET', `/pages/${page.id}`))).page.paged).toBeUndefined();

    // An exhausted page cannot be acknowledged; an officer of another agency does not see it at all.
    expectError(await call(t, ana, 'POST', `/pages/${page.id}/ack`), 409, 'page_closed');
    expectError(await call(t, S.es.admin, 'POST', `/pages/${page.id}/ack`), 404, 'not_found');
    expectError(await call(t, S.es.admin, 'GET', `/pages/${page.id}`), 404, 'not_found');

    // Audited without content: no names, no phone number.
    const audit = rawDb(t.app).prepare(`SELECT action, details FROM audit_events WHERE action LIKE 'page.%' ORDER BY seq`).all() as { action: string; details: string }[];
    expect(audit.map((a) => a.action)).toEqual(['page.opened', 'page.escalated', 'page.escalated', 'page.exhausted']);
    for (const a of audit) {
      expect(a.details).not.toContain(MARKER);
      expect(a.details).not.toContain('218645150');
    }
    for (const c of Object.values(S.clients)) c.disconnect();
  });

  it('an acknowledgement after step 0 stops the ladder (idempotent); nobody else is paged', async () => {
    const S = await contactScenario();
    const { t, subs, page, ana, eva } = S;
    // The requester may look but not acknowledge (they were not paged and are not the desk's).
    expectError(await call(t, eva, 'POST', `/pages/${page.id}/ack`), 404, 'not_found');
    const acked = (await ok<{ page: Page }>(await call(t, ana, 'POST', `/pages/${page.id}/ack`))).page;
    expect(acked).toMatchObject({ state: 'acknowledged', ackedBy: ana.id, ackedAt: t.clock.now(), nextFireAt: null });
    const again = (await ok<{ page: Page }>(await call(t, ana, 'POST', `/pages/${page.id}/ack`))).page;
    expect(again).toEqual(acked);
    expect((await ok<{ pages: Page[] }>(await call(t, ana, 'GET', '/pages/mine'))).pages).toEqual([]);

    t.clock.advance(60 * MINUTE_MS);
    expect(await t.app.ctx.paging.tick()).toBe(0);
    expect(payloadsOf(subs.ana)).toHaveLength(1);
    expect(payloadsOf(subs.rui)).toEqual([]);
    expect(payloadsOf(subs.sam)).toEqual([]);
    expect(smtp!.received).toEqual([]);
    expect(deliveries(t, page.id).map((r) => r.step)).toEqual([0]);
    const states = (await ok<{ pages: Page[] }>(await call(t, S.sam, 'GET', `/desks/${S.desk.id}/pages?state=acknowledged`))).pages;
    expect(states.map((p) => p.id)).toEqual([page.id]);
    for (const c of Object.values(S.clients)) c.disconnect();
  });
});

describe('escalation timers survive restarts and fire once', () => {
  /** Opens an urgent page on the desk the way a flow does: in a transaction, notified after commit. */
  async function openPage(t: TestApp, deskId: string): Promise<string> {
    const { ctx } = t.app;
    const opened = await ctx.store.write((tx) =>
      ctx.paging.openIn(tx, { deskId, priority: 'urgent', ackRequested: true, channelId: null, reason: 'message', requesterId: null }, null),
    );
    await opened.sent;
    return opened.page.id;
  }

  it('a new app on the same data directory takes the overdue step exactly once, however often it ticks', async () => {
    const dataDir = tempDir();
    const W = await deskWorld({ dataDir, keepOpen: true });
    const pageId = await openPage(W.t, W.desk.id);
    expect(deliveries(W.t, pageId).map((r) => [r.step, r.officerId])).toEqual([[0, W.ana.id]]);
    const openedAt = W.t.clock.now();
    await W.t.app.close();

    // Restart past the deadline: the step is taken from the database, not from a timer of the old app.
    const t2 = await makeApp({ clock: new ManualClock(openedAt + 6 * MINUTE_MS), config: { ...TIME_TRAVEL, dataDir } });
    const [a, b] = await Promise.all([t2.app.ctx.paging.tick(), t2.app.ctx.paging.tick()]);
    expect(a + b).toBe(1);
    expect(await t2.app.ctx.paging.tick()).toBe(0);
    expect(deliveries(t2, pageId).map((r) => [r.step, r.officerId])).toEqual([
      [0, W.ana.id],
      [1, W.rui.id],
    ]);
  });

  it('two schedulers on the same store take one step once', async () => {
    const W = await deskWorld();
    const { t } = W;
    const pageId = await openPage(t, W.desk.id);
    const { ctx } = t.app;
    const other = new PagingService({ store: ctx.store, clock: t.clock, audit: ctx.audit, desks: ctx.desks, alerting: ctx.alerting });
    t.clock.advance(5 * MINUTE_MS);
    const results = await Promise.all([ctx.paging.tick(), other.tick(), ctx.paging.tick(), other.tick()]);
    expect(results.reduce((x, y) => x + y, 0)).toBe(1);
    expect(deliveries(t, pageId).filter((r) => r.step === 1)).toHaveLength(1);
    const escalated = rawDb(t.app).prepare(`SELECT count(*) AS n FROM audit_events WHERE action = 'page.escalated' AND target_id = ?`).get(pageId) as { n: number };
    expect(escalated.n).toBe(1);
  });
});

describe('paging API: permissions and validation', () => {
  it('test pages, desk pages, my pages, acknowledgement and the escalation setting answer the right statuses', async () => {
    push = await TestPushService.start();
    const { t, pt, ana, rui, sam, eva, desk } = await deskWorld();
    const sub = push.subscribe();
    await subscribe(t, ana, sub);

    // Test page: supervisors and administrators; a member gets 403, another agency 404, an unknown desk 404.
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/test-page`), 403, 'forbidden');
    expectError(await call(t, eva, 'POST', `/desks/${desk.id}/test-page`), 404, 'not_found');
    expectError(await call(t, pt.admin, 'POST', '/desks/00000000-0000-4000-8000-000000000000/test-page'), 404, 'not_found');
    const test = await ok<TestPageResult>(await call(t, sam, 'POST', `/desks/${desk.id}/test-page`), 201);
    expect(test.paged).toEqual([{ officerId: ana.id, results: [{ transport: 'push', ok: true }] }]);
    expect(test.page).toMatchObject({ reason: 'test', priority: 'normal', state: 'open', step: 0, nextFireAt: null });
    const [got] = push.deliveredTo(sub.id);
    expect(JSON.parse(got!.plaintext!)).toMatchObject({ id: test.page.id, kind: 'test', deskId: desk.id });
    expect(got!.plaintext).not.toContain(MARKER);

    // Quiet hours hold back a normal (test) page.
    await ok(await call(t, ana, 'PUT', '/notifications/settings', { email: null, push: true, emailEnabled: false, quietHours: { start: '02:00', end: '04:00', timeZone: 'Europe/Lisbon' } }));
    const quiet = await ok<TestPageResult>(await call(t, pt.admin, 'POST', `/desks/${desk.id}/test-page`), 201);
    expect(quiet.paged).toEqual([{ officerId: ana.id, results: [], skipped: 'quiet_hours' }]);
    expect(push.deliveredTo(sub.id)).toHaveLength(1);
    // A test page never escalates.
    t.clock.advance(60 * MINUTE_MS);
    expect(await t.app.ctx.paging.tick()).toBe(0);

    // Desk pages: the desk's people; a bad state is 400; another agency 404.
    const listed = await ok<{ pages: Page[] }>(await call(t, rui, 'GET', `/desks/${desk.id}/pages?state=open`));
    expect(listed.pages.map((p) => p.id).sort()).toEqual([test.page.id, quiet.page.id].sort());
    expectError(await call(t, rui, 'GET', `/desks/${desk.id}/pages?state=sleeping`), 400, 'validation_failed');
    expectError(await call(t, eva, 'GET', `/desks/${desk.id}/pages`), 404, 'not_found');

    // My pages: only pages that reached me.
    expect((await ok<{ pages: Page[] }>(await call(t, ana, 'GET', '/pages/mine'))).pages.map((p) => p.id).sort()).toEqual([test.page.id, quiet.page.id].sort());
    expect((await ok<{ pages: Page[] }>(await call(t, rui, 'GET', '/pages/mine'))).pages).toEqual([]);

    // Acknowledge: any of the desk's people; strangers and unknown ids 404.
    expectError(await call(t, eva, 'POST', `/pages/${test.page.id}/ack`), 404, 'not_found');
    expectError(await call(t, ana, 'POST', '/pages/00000000-0000-4000-8000-000000000000/ack'), 404, 'not_found');
    expect((await ok<{ page: Page }>(await call(t, rui, 'POST', `/pages/${test.page.id}/ack`))).page).toMatchObject({ state: 'acknowledged', ackedBy: rui.id });

    // The escalation setting: 1–120 minutes, supervisors and administrators.
    expect(desk.escalation).toEqual({ ackMinutes: 5 });
    expectError(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { escalation: { ackMinutes: 0 } }), 400, 'validation_failed');
    expectError(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { escalation: { ackMinutes: 121 } }), 400, 'validation_failed');
    expectError(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { escalation: { ackMinutes: 5, repeat: true } }), 400, 'validation_failed');
    expectError(await call(t, ana, 'PATCH', `/desks/${desk.id}`, { escalation: { ackMinutes: 10 } }), 403, 'forbidden');
    const patched = await ok<{ desk: Desk }>(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { escalation: { ackMinutes: 30 } }));
    expect(patched.desk.escalation).toEqual({ ackMinutes: 30 });
  });
});

describe('quiet hours', () => {
  it('are read in the officer\'s own zone, overnight windows included, end excluded', () => {
    const night = { start: '22:00', end: '06:00', timeZone: 'America/New_York' };
    // 24 Nov 2026: New York is UTC-5.
    expect(inQuietHours(night, Date.UTC(2026, 10, 24, 3, 30))).toBe(true); // 22:30 local
    expect(inQuietHours(night, Date.UTC(2026, 10, 24, 10, 59))).toBe(true); // 05:59
    expect(inQuietHours(night, Date.UTC(2026, 10, 24, 11, 0))).toBe(false); // 06:00
    expect(inQuietHours(night, Date.UTC(2026, 10, 24, 17, 0))).toBe(false); // 12:00
    // After the spring-forward (8 Mar 2026), 05:30 local is 09:30 UTC.
    expect(inQuietHours(night, Date.UTC(2026, 2, 9, 9, 30))).toBe(true);
    expect(inQuietHours({ start: '09:00', end: '17:00', timeZone: 'Europe/Lisbon' }, Date.UTC(2026, 6, 1, 8, 30))).toBe(true); // 09:30 WEST
    expect(inQuietHours({ start: '08:00', end: '08:00', timeZone: 'Europe/Lisbon' }, Date.UTC(2026, 6, 1, 7, 0))).toBe(false);
  });
});
