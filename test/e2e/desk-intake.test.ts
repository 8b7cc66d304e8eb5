/**
 * Desk intake end to end (issue 13, PROTOCOL.md §11): SDK clients over HTTP, a real RFC 8030/8291 push
 * service and SMTP server, a ManualClock at 03:00 Lisbon driving the paging scheduler.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeskNotice } from '../../client/sdk/index.ts';
import { api } from '../../shared/api/index.ts';
import { certificateCodec, deskRequestCodec, openDeskRequest, type IntakeKeyPair } from '../../shared/crypto/index.ts';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import { TestPushService, type TestSubscription } from '../world/push-service.ts';
import { TestSmtpServer } from '../world/smtp.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import { DAY_MS, call, intakeWorld, MINUTE_MS, ok, PASSPHRASE, sdk } from './desk-intake-world.ts';
import { rawDb } from '../world/db.ts';

/** In the request's text only: never in the server's storage, pushes or e-mails. */
const SECRET = 'PLAINTEXT-MARKER-7781';

let push: TestPushService | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await push?.close();
  await smtp?.close();
  push = undefined;
  smtp = undefined;
});

function payloadsOf(sub: TestSubscription): ContentFreeNotification[] {
  return push!.deliveredTo(sub.id).map((r) => JSON.parse(r.plaintext!) as ContentFreeNotification);
}

/** Every file of the data directory (database, WAL, secrets…) as one buffer, to grep. */
function dataDirBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) parts.push(fs.readFileSync(p));
  }
  return Buffer.concat(parts);
}

describe('desk intake end to end', () => {
  it('a sealed request at 03:00 is read at once by the desk, pages and escalates until claimed, opens a case channel; a removed member cannot read the next version', async () => {
    push = await TestPushService.start();
    smtp = await TestSmtpServer.start();
    const W = await intakeWorld({ smtpUrl: smtp.url });
    const { t, c, desk, entry, ana, rui, sam, eva } = W;
    const subs = { ana: push.subscribe(), rui: push.subscribe(), sam: push.subscribe() };
    for (const [who, sub] of [
      [ana, subs.ana],
      [rui, subs.rui],
      [sam, subs.sam],
    ] as const) {
      await ok(await call(t, who, 'POST', '/notifications/subscriptions', { ...sub.json, label: 'phone' }), 201);
    }
    await ok(await call(t, sam, 'PUT', '/notifications/settings', { email: 'sam@pj.example', push: true, emailEnabled: true, quietHours: null }));

    // Sam sets up the intake: desk channel (roster), key v1, secret sent TLP:RED in the channel.
    const setup = await c.sam.desks.setupIntake(desk.id);
    expect(setup.version).toBe(1);
    expect((await c.sam.members(setup.channelId)).map((m) => [m.officerId, m.role]).sort()).toEqual(
      [
        [sam.id, 'owner'],
        [ana.id, 'member'],
        [rui.id, 'member'],
      ].sort(),
    );

    // Ana's and Eva's apps are online: only the desk's people get the content-free desk notices.
    const notices: { ana: DeskNotice[]; eva: DeskNotice[] } = { ana: [], eva: [] };
    c.ana.on('desk', (n) => notices.ana.push(n));
    c.eva.on('desk', (n) => notices.eva.push(n));
    await c.ana.connect();
    await c.eva.connect();

    // Eva (ES) seals an urgent request through the directory entry at 03:00.
    const sent = await c.eva.desks.request(entry.id, { text: `Seizure at the port, need subscriber data ${SECRET}`, priority: 'urgent' });
    expect(sent.receivedAt).toBe(t.clock.now());
    await t.app.ctx.paging.idle();
    await vi.waitFor(() => expect(notices.ana).toEqual([{ deskId: desk.id, kind: 'request', requestId: sent.id, at: sent.receivedAt }]));

    // Ana, on duty, reads it at once: no consent step. Rui can read it too.
    const [item] = await c.ana.desks.inbox(desk.id);
    expect(item).toMatchObject({ id: sent.id, requesterOfficerId: eva.id, version: 1, error: null, state: 'open', receivedAt: sent.receivedAt, pageId: sent.pageId });
    expect(item!.payload).toEqual({ kind: 'text', text: `Seizure at the port, need subscriber data ${SECRET}` });
    expect((await c.rui.desks.inbox(desk.id))[0]!.payload).toEqual(item!.payload);

    // The page reached Ana by push, content-free.
    const [first] = payloadsOf(subs.ana);
    expect(first).toMatchObject({ id: sent.pageId, kind: 'page', priority: 'urgent', ackRequested: true, deskId: desk.id });
    expect(push.received.every((r) => !r.plaintext?.includes(SECRET))).toBe(true);

    // Nobody acknowledges: Rui (next shift), then Sam by push and e-mail.
    t.clock.advance(6 * MINUTE_MS);
    expect(await t.app.ctx.paging.tick()).toBe(1);
    expect(payloadsOf(subs.rui).map((p) => p.id)).toEqual([sent.pageId]);
    t.clock.advance(5 * MINUTE_MS);
    expect(await t.app.ctx.paging.tick()).toBe(1);
    expect(payloadsOf(subs.sam).map((p) => p.id)).toEqual([sent.pageId]);
    await smtp.waitFor(1);
    expect(smtp.received[0]!.to).toEqual(['sam@pj.example']);
    expect(smtp.received[0]!.raw).not.toContain(SECRET);

    // Ana claims: the page is acknowledged and the ladder stops; Rui's late claim is refused.
    const pushesBefore = push.received.length;
    const { caseChannelId } = await c.ana.desks.claim(desk.id, sent.id);
    const page = (await ok<{ page: Page }>(await call(t, ana, 'GET', `/pages/${sent.pageId}`))).page;
    expect(page).toMatchObject({ state: 'acknowledged', ackedBy: ana.id, nextFireAt: null });
    await expect(c.rui.desks.claim(desk.id, sent.id)).rejects.toMatchObject({ status: 409, code: 'already_claimed' });
    await vi.waitFor(() => expect(notices.ana.map((n) => [n.kind, n.officerId])).toEqual([['request', undefined], ['claimed', ana.id]]));
    expect(notices.eva).toEqual([]);
    t.clock.advance(30 * MINUTE_MS);
    expect(await t.app.ctx.paging.tick()).toBe(0);
    expect(push.received).toHaveLength(pushesBefore);
    expect(smtp.received).toHaveLength(1);
    // The claim stays visible to the desk.
    expect((await c.sam.desks.inbox(desk.id))[0]).toMatchObject({ state: 'claimed', claimedBy: ana.id, caseChannelId });

    // Eva's SDK sees the claim and joins the case channel (the invitation is from the claimer); Ana's first
    // message quotes the request, then a reply.
    const [mine] = await c.eva.desks.myRequests();
    expect(mine).toMatchObject({ id: sent.id, state: 'claimed', claimedBy: ana.id, caseChannelId });
    expect((await c.eva.members(caseChannelId)).map((m) => m.officerId).sort()).toEqual([ana.id, eva.id].sort());
    await c.ana.sync();
    await c.ana.idle();
    await c.ana.send(caseChannelId, { kind: 'text', text: 'Taken. Calling the carrier now.' });
    const texts = (await c.eva.history(caseChannelId)).map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
    expect(texts).toContain('Taken. Calling the carrier now.');
    expect(texts.some((x) => x.includes(SECRET))).toBe(true);

    // Handover note in the desk channel, listed for the desk.
    await c.ana.desks.handover(desk.id, 'Night: one request claimed, case channel open with ES.');
    expect((await c.sam.desks.handovers(desk.id)).map((h) => [h.authorId, h.text])).toEqual([[ana.id, 'Night: one request claimed, case channel open with ES.']]);

    // Rui leaves the desk: Sam's sync removes him from the desk channel and rotates to v2.
    await ok(await call(t, sam, 'PUT', `/desks/${desk.id}/rota`, { timeZone: 'Europe/Lisbon', weekly: [{ officerId: ana.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }], overrides: [] }));
    await ok(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { members: [ana.id] }));
    expect(await c.sam.desks.syncDeskChannel(desk.id)).toEqual({ added: [], removed: [rui.id], rotated: true });
    const second = await c.eva.desks.request(entry.id, { text: `Second request ${SECRET}` });
    await t.app.ctx.paging.idle();
    const anaInbox = await c.ana.desks.inbox(desk.id);
    expect(anaInbox.find((r) => r.id === second.id)).toMatchObject({ version: 2, error: null, payload: { kind: 'text', text: `Second request ${SECRET}` } });
    // Rui still holds v1 only; given the v2 request (as a server could), it does not open for him.
    const ruiDesks = c.rui.desks as unknown as { heldVersions(d: string): Promise<number[]>; secret(d: string, v: number): Promise<IntakeKeyPair | undefined> };
    expect(await ruiDesks.heldVersions(desk.id)).toEqual([1]);
    const v1 = (await ruiDesks.secret(desk.id, 1))!;
    const stored = (await ok<{ requests: { id: string; request: Record<string, unknown> }[] }>(await call(t, ana, 'GET', `/desks/${desk.id}/requests`))).requests;
    const wire = stored.find((r) => r.id === second.id)!.request;
    const evaCert = (await c.rui.call(api.keys.officerKeys, { params: { id: eva.id } })).keys.certificate!;
    const cert = certificateCodec.fromWire(evaCert);
    expect(() =>
      openDeskRequest({ request: deskRequestCodec.fromWire(wire), deskId: desk.id, requesterCert: cert, authority: t.app.ctx.keys.cachedRoot(cert.agencyId)!, intakeKey: (v) => (v === 1 ? v1 : undefined), now: t.clock.now() }),
    ).toThrow(expect.objectContaining({ code: 'intake/unknown-version' }));
    // And the desk's routes no longer answer him.
    await expect(c.rui.desks.inbox(desk.id)).rejects.toMatchObject({ status: 404 });

    // The server stored sealed requests only: no plaintext anywhere in its data directory.
    const rows = rawDb(t.app).prepare('SELECT request FROM desk_requests').all() as { request: string }[];
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.request).not.toContain(SECRET);
    c.ana.disconnect();
    c.eva.disconnect();
    rawDb(t.app).walCheckpoint();
    expect(dataDirBytes(t.config.dataDir).includes(SECRET)).toBe(false);
  });

  it("history belongs to the desk: a member added later reads a request sealed before they joined, once a supervisor's client unlocks", async () => {
    const { t, c, w, pt, desk, entry, ana, rui, sam, baseUrl } = await intakeWorld();
    const { channelId } = await c.sam.desks.setupIntake(desk.id);
    const early = await c.eva.desks.request(entry.id, { text: `Before Tom joined ${SECRET}` });
    await t.app.ctx.paging.idle();

    const tom = await w.officer(pt, 'tom.dias', 'Tom Dias');
    const tomClient = await sdk(t, baseUrl, tom);
    await tomClient.createIdentity(PASSPHRASE);
    await c.ptAdmin.certifyPending();
    await ok<{ desk: Desk }>(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { members: [ana.id, rui.id, tom.id] }));
    // Listed on the desk, Tom is not yet a reader: the desk channel changes only by a supervisor's signature.
    expect((await tomClient.desks.inbox(desk.id))[0]).toMatchObject({ id: early.id, payload: null, error: 'intake/unknown-version' });

    // Sam signs in on another device with desk sync on unlock: Tom is added and the secret re-sent in the new epoch.
    const samTablet = await sdk(t, baseUrl, sam, { syncDesksOnUnlock: true });
    await samTablet.unlock(PASSPHRASE);
    await samTablet.desks.settled();
    expect((await samTablet.members(channelId)).map((m) => m.officerId)).toContain(tom.id);
    const [item] = await tomClient.desks.inbox(desk.id);
    expect(item).toMatchObject({ id: early.id, error: null, payload: { kind: 'text', text: `Before Tom joined ${SECRET}` } });
  });

  it('a supervisor\'s sync rotates an intake key once it is 7 days old, and the desk reads requests sealed to the new version', async () => {
    const { t, c, desk, entry } = await intakeWorld();
    const { version } = await c.sam.desks.setupIntake(desk.id);
    expect(version).toBe(1);
    t.clock.advance(6 * DAY_MS);
    expect(await c.sam.desks.syncDeskChannel(desk.id)).toEqual({ added: [], removed: [], rotated: false });
    t.clock.advance(DAY_MS);
    expect(await c.sam.desks.syncDeskChannel(desk.id)).toMatchObject({ rotated: true });
    // Synced again at once: the new key is fresh, nothing changes.
    expect(await c.sam.desks.syncDeskChannel(desk.id)).toEqual({ added: [], removed: [], rotated: false });
    const sent = await c.eva.desks.request(entry.id, { text: `After rotation ${SECRET}` });
    const item = (await c.ana.desks.inbox(desk.id)).find((r) => r.id === sent.id);
    expect(item).toMatchObject({ version: 2, error: null, payload: { kind: 'text', text: `After rotation ${SECRET}` } });
  });

  it('a requester pins the highest intake key version it verified and refuses a statement the server rolls back', async () => {
    const { t, c, desk, entry, eva, baseUrl } = await intakeWorld();
    await c.sam.desks.setupIntake(desk.id);
    // Eva's app on a server that can swap the statement it serves.
    let served: unknown = null;
    const swapping: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (served === null || !String(input instanceof Request ? input.url : input).endsWith(`/directory/${entry.id}/intake`)) return res;
      return new Response(JSON.stringify(served), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const app = await sdk(t, baseUrl, eva, { fetch: swapping });
    await app.unlock(PASSPHRASE);
    const security: string[] = [];
    app.on('security', (n) => security.push(n.code ?? n.kind));

    const v1 = await ok<Record<string, unknown>>(await call(t, eva, 'GET', `/directory/${entry.id}/intake`));
    await app.desks.request(entry.id, { text: 'sealed to v1' });
    t.clock.advance(1_000);
    expect(await c.sam.desks.rotateIntake(desk.id)).toBe(2);
    await app.desks.request(entry.id, { text: 'sealed to v2' });
    await t.app.ctx.paging.idle();

    // The server withholds the rotation now: Eva's app refuses to seal to v1 again and raises a notice.
    served = v1;
    await expect(app.desks.request(entry.id, { text: 'must not be sent' })).rejects.toMatchObject({ code: 'intake/rollback' });
    expect(security).toContain('intake/rollback');
    const versions = (rawDb(t.app).prepare('SELECT version FROM desk_requests ORDER BY received_at, id').all() as { version: number }[]).map((r) => r.version);
    expect(versions.sort()).toEqual([1, 2]);
    // The desk reads both.
    expect((await c.ana.desks.inbox(desk.id)).map((r) => [r.version, r.payload])).toEqual([
      [1, { kind: 'text', text: 'sealed to v1' }],
      [2, { kind: 'text', text: 'sealed to v2' }],
    ]);
  });
});
