/**
 * Contact requests ("reach them", issue 5) through the SDK over real sockets: three agencies, no
 * agreement between A and B (contact requests), an active agreement between A and C (ordinary direct
 * channel). Provisioning goes through the API (app.inject); officers act through LiaisonClient.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiaisonApiError, LiaisonClient, MemoryStore, type ChannelNotice, type ReceivedMessage } from '../../client/sdk/index.ts';
import type { CreateDirectoryEntryBody, DirectoryEntry } from '../../shared/schemas/directory.ts';
import { bearer, makeApp, totpCode, worldOf, type Enrolled, type TestApp } from '../world/app.ts';
import { waitFor } from '../world/network.ts';
import { rawDb } from '../world/db.ts';

const PASSPHRASE = 'liaison contact passphrase 2026';
const DAY_MS = 24 * 3600 * 1000;

interface Person {
  creds: Enrolled;
  id: string;
  client: LiaisonClient;
}

interface World {
  t: TestApp;
  baseUrl: string;
  platform: Enrolled;
  agencies: { a: string; b: string; c: string };
  adminA: Person;
  alice: Person;
  carolA: Person;
  adminB: Person;
  bob: Person;
  dave: Person;
  adminC: Person;
  carl: Person;
  entries: { bob: DirectoryEntry; desk: DirectoryEntry; dave: DirectoryEntry; carl: DirectoryEntry; retired: DirectoryEntry };
  agreementAC: string;
}

async function call(t: TestApp, who: Enrolled, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), ...(payload === undefined ? {} : { payload: payload as object }) });
}

function expectApiError(res: { statusCode: number; json(): unknown }, status: number, code: string): void {
  expect({ status: res.statusCode, code: (res.json() as { error?: { code?: string } }).error?.code }).toEqual({ status, code });
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LiaisonApiError);
  expect({ status: (err as LiaisonApiError).status, code: (err as LiaisonApiError).code }).toEqual({ status, code });
}

async function person(t: TestApp, baseUrl: string, creds: Enrolled): Promise<Person> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 3, baseDelayMs: 10 } });
  await client.login({ username: creds.username, password: creds.password, totp: totpCode(creds.totpSecret, t.clock.now()), deviceLabel: 'contact' });
  t.clock.advance(30_000);
  return { creds, id: client.officerId!, client };
}

async function world(): Promise<World> {
  const t = await makeApp({ keepOpen: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const w = worldOf(t);
  const platform = await w.platform({ username: 'platform', displayName: 'Platform' });
  const agency = (name: string, country: string) => w.agency({ name, country, admin: `${country.toLowerCase()}-admin`, adminDisplayName: `${name} admin` });
  const a = await agency('Policia Judiciaria', 'PT');
  const b = await agency('Guardia Civil', 'ES');
  const c = await agency('Carabinieri', 'IT');
  const creds = {
    alice: await w.officer(a, 'alice', 'Alice'),
    carolA: await w.officer(a, 'carol', 'Carol'),
    bob: await w.officer(b, 'bob', 'Bob'),
    dave: await w.officer(b, 'dave', 'Dave'),
    carl: await w.officer(c, 'carl', 'Carl'),
  };
  const p = {
    adminA: await person(t, baseUrl, a.admin),
    adminB: await person(t, baseUrl, b.admin),
    adminC: await person(t, baseUrl, c.admin),
    alice: await person(t, baseUrl, creds.alice),
    carolA: await person(t, baseUrl, creds.carolA),
    bob: await person(t, baseUrl, creds.bob),
    dave: await person(t, baseUrl, creds.dave),
    carl: await person(t, baseUrl, creds.carl),
  };
  for (const x of Object.values(p)) await x.client.createIdentity(PASSPHRASE);
  for (const admin of [p.adminA, p.adminB, p.adminC]) await admin.client.certifyPending();

  // Agreement A–C only: A–B have none.
  const proposed = await p.adminA.client.proposeAgreement({
    parties: [a.id, c.id],
    scope: ['drug-trafficking'],
    validFrom: t.clock.now() - 1000,
    validUntil: t.clock.now() + 90 * DAY_MS,
    title: 'MOU A–C',
    text: 'Cooperation on drug trafficking.',
  });
  await p.adminA.client.signAgreement(proposed.id);
  expect((await p.adminC.client.signAgreement(proposed.id)).status).toBe('active');

  const entry: Omit<CreateDirectoryEntryBody, 'title'> = { specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' } };
  const entries = {
    bob: await p.adminB.client.createDirectoryEntry({ ...entry, title: 'Darknet liaison', officerId: p.bob.id }),
    desk: await p.adminB.client.createDirectoryEntry({ ...entry, title: 'Precursors desk' }),
    dave: await p.adminB.client.createDirectoryEntry({ ...entry, title: 'Fugitives liaison', officerId: p.dave.id }),
    carl: await p.adminC.client.createDirectoryEntry({ ...entry, title: 'Cyber unit', officerId: p.carl.id }),
    retired: await p.adminB.client.createDirectoryEntry({ ...entry, title: 'Old desk', officerId: p.bob.id }),
  };
  await p.adminB.client.retireDirectoryEntry(entries.retired.id);
  for (const x of [p.alice, p.bob, p.adminB, p.carl]) await x.client.connect();
  return { t, baseUrl, platform, agencies: { a: a.id, b: b.id, c: c.id }, ...p, entries, agreementAC: proposed.id };
}

function auditActions(t: TestApp, targetId: string): string[] {
  return (rawDb(t.app).prepare('SELECT action FROM audit_events WHERE target_id = ? ORDER BY seq').all(targetId) as { action: string }[]).map((r) => r.action);
}

describe('contact requests (directory → direct channel)', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  }, 120_000);
  afterAll(async () => {
    for (const x of [w.adminA, w.adminB, w.adminC, w.alice, w.carolA, w.bob, w.dave, w.carl]) x.client.disconnect();
    await w.t.app.close();
  });

  it('the SDK searches and reads the directory', async () => {
    const page = await w.alice.client.searchDirectory({ q: 'darknet', availableNow: true });
    expect(page.entries.map((e) => e.id)).toEqual([w.entries.bob.id]);
    expect((await w.alice.client.directoryEntry(w.entries.bob.id)).entry.officer?.id).toBe(w.bob.id);
    // the retired entry is gone for everyone
    await rejectsWith(w.alice.client.directoryEntry(w.entries.retired.id), 404, 'not_found');
  });

  it('without an agreement: a pending contact request that the recipient sees live and that gains no member', async () => {
    const target = await w.alice.client.contactTarget(w.entries.bob.id);
    expect(target).toEqual({
      entryId: w.entries.bob.id,
      recipients: [{ officerId: w.bob.id, agencyId: w.agencies.b, displayName: 'Bob', role: 'officer' }],
      agreementId: null,
      contactRequest: true,
      deskRequests: false,
    });
    const live: string[] = [];
    w.bob.client.on('invitation', (e) => live.push(e.id));
    const res = await w.alice.client.contact(w.entries.bob.id, { message: 'Hello Bob, about the Friday shipment' });
    expect(res).toMatchObject({ contactRequest: true, messageSent: false });
    expect(res.channel).toMatchObject({ kind: 'direct', agreementId: null, contactRequest: 'pending', readOnly: 'contact_request_pending', contactEntryId: w.entries.bob.id });
    expect(res.channel.members.map((m) => m.officerId)).toEqual([w.alice.id]);
    await waitFor(() => live.includes(res.invitationId!), 'bob sees the contact request live');
    expect((await w.bob.client.contactRequests()).map((i) => [i.id, i.channelId, i.contactRequest])).toEqual([[res.invitationId, res.channel.id, true]]);

    // A second request to the same officer while this one is pending is refused.
    await rejectsWith(w.alice.client.contact(w.entries.bob.id), 409, 'contact_request_exists');
    // Nothing can be sent before the recipient accepts.
    await rejectsWith(w.alice.client.send(res.channel.id, { kind: 'text', text: 'ping' }), 409, 'channel_read_only');
    // No third member: not a colleague of the requester (chain-valid while only one member) …
    await rejectsWith(w.alice.client.addMember(res.channel.id, w.carolA.id), 409, 'contact_request_members_fixed');
    // … and the recipient's agency admin cannot answer for the recipient.
    expectApiError(await call(w.t, w.adminB.creds, 'POST', `/invitations/${res.invitationId}/decline`), 403, 'contact_request_invitee_only');
    // Officers outside the channel get a 404, as if it did not exist (the recipient too, until accepting).
    for (const outsider of [w.dave, w.bob, w.carolA]) expectApiError(await call(w.t, outsider.creds, 'GET', `/channels/${res.channel.id}`), 404, 'not_found');
    expect(auditActions(w.t, w.entries.bob.id)).toContain('directory.contact_requested');

    // Accept: bob co-signs his own add; alice learns it live, her queued introduction reaches bob; both ways.
    const aliceChannel: ChannelNotice[] = [];
    w.alice.client.on('channel', (e) => aliceChannel.push(e));
    const bobGot: ReceivedMessage[] = [];
    const aliceGot: ReceivedMessage[] = [];
    w.bob.client.on('message', (m) => bobGot.push(m));
    w.alice.client.on('message', (m) => aliceGot.push(m));
    const accepted = await w.bob.client.acceptContactRequest(res.invitationId!);
    expect(accepted).toMatchObject({ id: res.channel.id, contactRequest: 'accepted', readOnly: null });
    await waitFor(() => aliceChannel.some((e) => e.channelId === res.channel.id && (e.data as { contactRequest?: string }).contactRequest === 'accepted'), 'alice sees the acceptance live');
    await waitFor(() => bobGot.find((m) => m.channelId === res.channel.id), 'introduction delivered');
    expect(bobGot[0]).toMatchObject({ senderId: w.alice.id, payload: { kind: 'text', text: 'Hello Bob, about the Friday shipment' } });
    await w.bob.client.send(res.channel.id, { kind: 'text', text: 'Hi Alice, go ahead' });
    const reply = await waitFor(() => aliceGot.find((m) => m.channelId === res.channel.id && m.senderId === w.bob.id), 'reply delivered');
    expect(reply.payload).toEqual({ kind: 'text', text: 'Hi Alice, go ahead' });
    expect((await w.alice.client.members(res.channel.id)).map((m) => m.officerId).sort()).toEqual([w.alice.id, w.bob.id].sort());
    expect((rawDb(w.t.app).prepare('SELECT count(*) AS n FROM messages WHERE channel_id = ?').get(res.channel.id) as { n: number }).n).toBe(2);
    expect(await w.bob.client.channel(res.channel.id)).toMatchObject({ title: 'Contact: Darknet liaison', contactRequest: 'accepted' });

    // Still never a third member once accepted: with two members the chain rules refuse it already in the
    // SDK (the server's contact_request_members_fixed check, exercised above, stands behind them).
    await expect(w.alice.client.addMember(res.channel.id, w.carolA.id)).rejects.toMatchObject({ code: 'chain/direct-full' });
    await expect(w.bob.client.addMember(res.channel.id, w.dave.id)).rejects.toMatchObject({ code: 'chain/unauthorised' });
    expect(auditActions(w.t, res.channel.id)).toEqual(expect.arrayContaining(['channel.created', 'channel.invited', 'channel.invitation_accepted', 'channel.contact_request_accepted']));
  }, 60_000);

  it('a desk without a linked officer reaches its agency admins; declining closes the channel for good', async () => {
    const target = await w.alice.client.contactTarget(w.entries.desk.id);
    expect(target.recipients.map((r) => [r.officerId, r.role])).toEqual([[w.adminB.id, 'agency_admin']]);
    const aliceChannel: ChannelNotice[] = [];
    w.alice.client.on('channel', (e) => aliceChannel.push(e));
    const live: string[] = [];
    w.adminB.client.on('invitation', (e) => live.push(e.id));
    const res = await w.alice.client.contact(w.entries.desk.id, { message: 'Precursor question' });
    await waitFor(() => live.includes(res.invitationId!), 'the desk admin sees the request live');

    await w.adminB.client.declineContactRequest(res.invitationId!);
    await waitFor(() => aliceChannel.some((e) => e.channelId === res.channel.id && e.readOnly === 'closed'), 'alice learns of the decline live');
    expect(await w.alice.client.channel(res.channel.id)).toMatchObject({ contactRequest: 'declined', readOnly: 'closed' });
    await rejectsWith(w.alice.client.send(res.channel.id, { kind: 'text', text: 'please?' }), 409, 'channel_read_only');
    // A declined request cannot be accepted afterwards, nor re-sent into the closed channel.
    expectApiError(await call(w.t, w.adminB.creds, 'POST', `/invitations/${res.invitationId}/decline`), 409, 'invitation_closed');
    await rejectsWith(w.alice.client.addMember(res.channel.id, w.adminB.id), 409, 'contact_request_members_fixed');
    expect(auditActions(w.t, res.channel.id)).toEqual(expect.arrayContaining(['channel.invitation_declined', 'channel.contact_request_declined']));
    // The introduction never left alice's device.
    const stored = (id: string) => (rawDb(w.t.app).prepare('SELECT count(*) AS n FROM messages WHERE channel_id = ?').get(id) as { n: number }).n;
    expect(stored(res.channel.id)).toBe(0);
  }, 60_000);

  it('with an agreement covering both agencies the same call opens an ordinary direct channel', async () => {
    const target = await w.alice.client.contactTarget(w.entries.carl.id);
    expect(target).toMatchObject({ agreementId: w.agreementAC, contactRequest: false });
    const live: string[] = [];
    w.carl.client.on('invitation', (e) => live.push(e.id));
    const carlGot: ReceivedMessage[] = [];
    w.carl.client.on('message', (m) => carlGot.push(m));
    const res = await w.alice.client.contact(w.entries.carl.id, { message: 'Ciao Carl' });
    expect(res.contactRequest).toBe(false);
    expect(res.channel).toMatchObject({ kind: 'direct', agreementId: w.agreementAC, contactRequest: null, contactEntryId: w.entries.carl.id });
    await waitFor(() => live.includes(res.invitationId!), 'carl sees the invitation');
    expect(await w.carl.client.contactRequests()).toEqual([]);
    await w.carl.client.acceptInvitation(res.invitationId!);
    await waitFor(() => carlGot.find((m) => m.channelId === res.channel.id), 'introduction delivered to carl');
    expect(carlGot[0]!.payload).toEqual({ kind: 'text', text: 'Ciao Carl' });
    expect(await w.alice.client.channel(res.channel.id)).toMatchObject({ readOnly: null, contactRequest: null });
    // An ordinary direct channel: the usual rule applies (two members, enforced by the chain rules, here
    // already in alice's SDK), not the contact-request one.
    await expect(w.alice.client.addMember(res.channel.id, w.carolA.id)).rejects.toMatchObject({ code: 'chain/direct-full' });
  }, 60_000);

  it('within one agency the same call adds the colleague at once and sends the message straight away', async () => {
    const aliceEntry = await w.adminA.client.createDirectoryEntry({ specialisations: ['fugitives'], languages: ['pt'], availability: { kind: '24/7' }, title: 'PT fugitives', officerId: w.alice.id });
    expect(await w.carolA.client.contactTarget(aliceEntry.id)).toMatchObject({ agreementId: null, contactRequest: false });
    const aliceGot: ReceivedMessage[] = [];
    w.alice.client.on('message', (m) => aliceGot.push(m));
    const res = await w.carolA.client.contact(aliceEntry.id, { message: 'Olá Alice' });
    expect(res).toMatchObject({ contactRequest: false, invitationId: null, messageSent: true });
    expect(res.channel).toMatchObject({ kind: 'direct', agreementId: null, contactRequest: null, readOnly: null });
    expect(res.channel.members.map((m) => m.officerId).sort()).toEqual([w.alice.id, w.carolA.id].sort());
    const got = await waitFor(() => aliceGot.find((m) => m.channelId === res.channel.id), 'alice receives the message');
    expect(got.payload).toEqual({ kind: 'text', text: 'Olá Alice' });
    expect(auditActions(w.t, aliceEntry.id)).toContain('directory.contacted');
  }, 60_000);

  it('refuses retired entries, suspended officers, oneself and recipients the entry does not name', async () => {
    await rejectsWith(w.alice.client.contact(w.entries.retired.id), 404, 'not_found');
    expectApiError(await call(w.t, w.alice.creds, 'GET', `/directory/${w.entries.retired.id}/contact`), 404, 'not_found');
    await rejectsWith(w.bob.client.contact(w.entries.bob.id), 409, 'contact_self');

    expect((await call(w.t, w.adminB.creds, 'POST', `/officers/${w.dave.id}/suspend`)).statusCode).toBe(200);
    await rejectsWith(w.alice.client.contact(w.entries.dave.id), 409, 'officer_suspended');

    // A crafted request naming someone else than the entry's contact (dave's colleague bob via the desk entry).
    const body = { recipientId: w.bob.id, events: [{}], encryptedMeta: 'x' };
    expectApiError(await call(w.t, w.alice.creds, 'POST', `/directory/${w.entries.desk.id}/contact`, body), 400, 'invalid_recipient');
    // Not authenticated.
    expect((await w.t.app.inject({ method: 'GET', url: `/api/v1/directory/${w.entries.bob.id}/contact` })).statusCode).toBe(401);
  }, 60_000);
});
