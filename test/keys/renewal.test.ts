import { describe, expect, it } from 'vitest';
import { api, type CertificateStatus, type LiaisonClient, type SecurityNotice } from '../../client/sdk/index.ts';
import {
  certificateCodec,
  createRenewalRequest,
  generateIdentity,
  renewalDue,
  renewalDueAt,
  renewalRequestCodec,
  type CertRenewalRequest,
  type OfficerCertificate,
} from '../../shared/crypto/index.ts';
import type { PendingOfficerKeys } from '../../shared/schemas/keys.ts';
import { expectError, makeApp, type TestApp } from '../world/app.ts';
import { certificationBody, certify, keyedNetwork, relogin, type Actor } from '../world/actors.ts';
import { DAY_MS, createAgency, createOfficer, initPlatform, listen, signIn, totpCode, type Creds, type Host } from '../world/network.ts';
import { call } from '../world/protocol.ts';
import { tamperableFetch } from '../e2e/tamper.ts';
import type { FetchFn } from '../../client/sdk/http.ts';
import { rawDb } from '../world/db.ts';

const PASSPHRASE = 'renewal passphrase for the test 2026';
const YEAR_MS = 365 * DAY_MS;

interface Agency {
  host: Host;
  t0: number;
  platform: Creds;
  creds: { admin: Creds; alice: Creds; carol: Creds };
  admin: LiaisonClient;
  alice: LiaisonClient;
  carol: LiaisonClient;
}

/** One agency through the API and the SDK: its admin (the root) and two officers, keyed and certified on day 0. */
async function agency(t: TestApp, opts: { aliceFetch?: FetchFn } = {}): Promise<Agency> {
  const host = { app: t.app, clock: t.clock, baseUrl: await listen(t.app) };
  const pw = 'correct horse battery staple 42';
  const platform = await initPlatform(host, { username: 'platform', displayName: 'Platform Admin', country: 'FR', password: pw });
  const a = await createAgency(host, platform, { name: 'Policia Judiciaria', country: 'PT', kind: 'police', admin: { username: 'pj-admin', displayName: 'PJ Admin', password: pw } });
  const aliceCreds = await createOfficer(host, a.admin, { username: 'alice', displayName: 'Alice', password: pw });
  const carolCreds = await createOfficer(host, a.admin, { username: 'carol', displayName: 'Carol', password: pw });
  const admin = await signIn(host, a.admin);
  const alice = await signIn(host, aliceCreds, opts.aliceFetch ? { fetch: opts.aliceFetch } : {});
  const carol = await signIn(host, carolCreds);
  for (const c of [admin, alice, carol]) await c.createIdentity(PASSPHRASE);
  await admin.certifyPending();
  return { host, t0: t.clock.now(), platform, creds: { admin: a.admin, alice: aliceCreds, carol: carolCreds }, admin, alice, carol };
}

/** Moves both clocks (the SDK clients read the server's ManualClock) to `day` days after provisioning; everyone signs in again. */
async function dayOf(net: Agency, day: number): Promise<void> {
  net.host.clock.set(net.t0 + day * DAY_MS);
  for (const [client, who] of [
    [net.admin, net.creds.admin],
    [net.alice, net.creds.alice],
    [net.carol, net.creds.carol],
  ] as const) {
    await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, net.host.clock.now()) });
    net.host.clock.advance(30_000);
  }
}

async function pending(client: LiaisonClient): Promise<Record<string, PendingOfficerKeys['reason']>> {
  const { officers } = await client.call(api.keys.pending);
  return Object.fromEntries(officers.map((o) => [o.officerId, o.reason]));
}

async function currentCert(client: LiaisonClient, officerId: string): Promise<OfficerCertificate> {
  const { keys } = await client.call(api.keys.officerKeys, { params: { id: officerId } });
  return certificateCodec.fromWire(keys.certificate);
}

/** `creator` opens a case channel with `member`, sends, and `member` reads it back. */
async function exchange(creator: LiaisonClient, member: LiaisonClient, title: string): Promise<void> {
  const channel = await creator.createChannel({ kind: 'case', title, members: [member.officerId!] });
  const sent = await creator.send(channel.id, { kind: 'text', text: `hello from ${title}` });
  const got = await member.history(channel.id);
  expect(got.map((m) => [m.messageId, m.payload])).toEqual([[sent.messageId, { kind: 'text', text: `hello from ${title}` }]]);
  const reply = await member.send(channel.id, { kind: 'text', text: 'received' });
  expect((await creator.history(channel.id)).map((m) => m.messageId)).toContain(reply.messageId);
}

describe('certificate renewal (PROTOCOL.md §4.2)', () => {
  it('is due from issuedAt + floor((expiresAt − issuedAt) · 4/5) on, expired certificates included', () => {
    const cert = { issuedAt: 1_000, expiresAt: 1_000 + 1_003 };
    expect(renewalDueAt(cert)).toBe(1_000 + 802);
    expect(renewalDue(cert, 1_801)).toBe(false);
    expect(renewalDue(cert, 1_802)).toBe(true);
    expect(renewalDue(cert, 5_000)).toBe(true);
    expect(renewalDueAt({ issuedAt: 0, expiresAt: YEAR_MS })).toBe(292 * DAY_MS);
  });

  it('at 80 % of the lifetime sync asks for renewal, the root renews, and on day 400 the officer still joins channels and exchanges messages', { timeout: 120_000 }, async () => {
    const t = await makeApp();
    const net = await agency(t);
    const [aliceId, carolId, adminId] = [net.alice.officerId!, net.carol.officerId!, net.admin.officerId!];
    const first = await currentCert(net.admin, aliceId);
    expect(first.expiresAt - first.issuedAt).toBe(YEAR_MS);

    // Day 290 (before 80 % = day 292): nothing to ask for.
    await dayOf(net, 290);
    await net.alice.sync();
    expect(await net.alice.certificate()).toMatchObject({ expiresAt: first.expiresAt, renewalRequestedAt: null, expired: false });
    expect(await pending(net.admin)).toEqual({});

    // Day 300: every sync asks for renewal (once).
    await dayOf(net, 300);
    for (const c of [net.alice, net.carol, net.admin]) await c.sync();
    await net.alice.sync();
    const requested = (await net.alice.certificate()) as CertificateStatus;
    expect(requested.renewalRequestedAt).toBeGreaterThanOrEqual(net.t0 + 300 * DAY_MS);
    expect(await pending(net.admin)).toEqual({ [aliceId]: 'renewal', [carolId]: 'renewal', [adminId]: 'renewal' });
    const audit = rawDb(t.app).prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'keys.renewal_requested'").get() as { n: number };
    expect(audit.n).toBe(3);

    expect((await net.admin.certifyPending()).sort()).toEqual([aliceId, carolId, adminId].sort());
    expect(await pending(net.admin)).toEqual({});
    const renewed = await currentCert(net.carol, aliceId);
    // Same keys, same role, a new lifetime from now; the server serves the newest certificate.
    expect(renewed).toMatchObject({ role: 'officer', signPublicKey: first.signPublicKey, dhPublicKey: first.dhPublicKey, expiresAt: renewed.issuedAt + YEAR_MS });
    expect(renewed.issuedAt).toBeGreaterThanOrEqual(net.t0 + 300 * DAY_MS);
    expect(await net.alice.certificate({ refresh: true })).toMatchObject({ expiresAt: renewed.expiresAt, renewalRequestedAt: null, expired: false });
    // The renewal's cert-issue entry is expected by the officer's key-log audit (a certificate of its keys by its root).
    expect((await net.alice.auditKeyLog()).foreignEntries).toBe(0);

    // Day 400: the first certificates would have expired a month ago.
    await dayOf(net, 400);
    expect(net.host.clock.now()).toBeGreaterThan(first.expiresAt);
    await exchange(net.carol, net.alice, 'Operation Day 400');
    expect(await pending(net.admin)).toEqual({});
  });

  it('an expired certificate (day 370, never renewed) re-enters the queue on its own, is re-certified and works again', { timeout: 120_000 }, async () => {
    const t = await makeApp();
    const net = await agency(t);
    const [aliceId, carolId, adminId] = [net.alice.officerId!, net.carol.officerId!, net.admin.officerId!];
    await dayOf(net, 370);
    // Nobody synced since day 0: no renewal request, yet the queue lists every expired certificate.
    expect(await pending(net.admin)).toEqual({ [aliceId]: 'expired', [carolId]: 'expired', [adminId]: 'expired' });
    // Until then an expired certificate cannot be added to a channel.
    await expect(net.carol.createChannel({ kind: 'case', title: 'Too early', members: [aliceId] })).rejects.toThrow();

    expect((await net.admin.certifyPending()).sort()).toEqual([aliceId, carolId, adminId].sort());
    expect(await pending(net.admin)).toEqual({});
    const cert = await currentCert(net.admin, aliceId);
    expect(cert.expiresAt).toBe(cert.issuedAt + YEAR_MS);
    expect(cert.issuedAt).toBeGreaterThanOrEqual(net.t0 + 370 * DAY_MS);
    await exchange(net.carol, net.alice, 'Operation Day 370');
  });

  it('a role change re-certifies: the queue says role-changed and the new certificate carries the new role', { timeout: 120_000 }, async () => {
    const t = await makeApp();
    const aliceFetch = tamperableFetch();
    const net = await agency(t, { aliceFetch: aliceFetch.fetch });
    const carolId = net.carol.officerId!;
    expect((await currentCert(net.admin, carolId)).role).toBe('officer');
    await net.admin.call(api.accounts.setRole, { params: { id: carolId }, body: { role: 'agency_admin' } });
    expect(await pending(net.admin)).toEqual({ [carolId]: 'role-changed' });
    expect(await net.admin.certifyPending()).toEqual([carolId]);
    const promoted = await currentCert(net.admin, carolId);
    expect(promoted.role).toBe('agency_admin');
    expect(await pending(net.admin)).toEqual({});

    // And back: a demotion re-certifies as officer, superseding the agency_admin certificate.
    await net.admin.call(api.accounts.setRole, { params: { id: carolId }, body: { role: 'officer' } });
    expect(await pending(net.admin)).toEqual({ [carolId]: 'role-changed' });
    await net.admin.certifyPending();
    const demoted = await currentCert(net.admin, carolId);
    expect(demoted.role).toBe('officer');
    expect(demoted.issuedAt).toBeGreaterThanOrEqual(promoted.issuedAt);

    // The superseded agency_admin certificate still verifies (not expired), but a client that audited the key
    // log uses only the newest: a server serving the old one is caught.
    expect((await net.alice.auditKeyLog()).foreignEntries).toBe(0);
    const security: SecurityNotice[] = [];
    net.alice.on('security', (n) => security.push(n));
    aliceFetch.set((url, _m, body) => (url.pathname === `/api/v1/keys/officers/${carolId}` ? { keys: { ...(body as { keys: object }).keys, certificate: certificateCodec.toWire(promoted) } } : body));
    await expect(net.alice.createChannel({ kind: 'case', title: 'Old role', members: [carolId] })).rejects.toMatchObject({ code: 'keys/superseded-certificate' });
    expect(security).toEqual([expect.objectContaining({ kind: 'certificate_superseded', officerId: carolId, code: 'keys/superseded-certificate' })]);
    aliceFetch.set(null);
    await exchange(net.alice, net.carol, 'Operation Current Role');
  });
});

describe('renewal requests the server refuses', () => {
  async function network(t: TestApp) {
    const net = await keyedNetwork(t);
    const t0 = t.clock.now();
    return { ...net, t0 };
  }
  const post = (t: TestApp, who: Actor, request: CertRenewalRequest | Record<string, unknown>) =>
    call(t, who, 'POST', '/keys/me/renewal', { request: 'signature' in request && request.signature instanceof Uint8Array ? renewalRequestCodec.toWire(request as CertRenewalRequest) : request });

  it('refuses a bad signature, another officer, a stale certificate, a skewed time, and a request before 80 %; accepts a good one once', async () => {
    const t = await makeApp();
    const { a, t0 } = await network(t);
    const alice = a.officer;
    const cert = alice.cert!;

    // Day 10: valid, but not due.
    t.clock.set(t0 + 10 * DAY_MS);
    await relogin(t, alice, a.admin);
    expectError(await post(t, alice, createRenewalRequest(alice.keys, cert, t.clock.now())), 409, 'renewal_not_due');

    t.clock.set(t0 + 300 * DAY_MS);
    await relogin(t, alice, a.admin, a.officer);
    const now = () => t.clock.now();
    // A bad signature: the officer's request with one signature byte flipped.
    const good = createRenewalRequest(alice.keys, cert, now());
    const flipped = { ...good, signature: good.signature.slice() };
    flipped.signature[0]! ^= 1;
    expectError(await post(t, alice, flipped), 400, 'cert_renewal_bad_signature');
    // Signed by other keys than the certified ones (an attacker's key for alice's id).
    const forgerKeys = { ...generateIdentity({ officerId: alice.id, agencyId: alice.agencyId }) };
    const forged = createRenewalRequest(forgerKeys, { ...cert, signPublicKey: forgerKeys.signPublicKey, dhPublicKey: forgerKeys.dhPublicKey }, now());
    expectError(await post(t, alice, { ...good, signature: forged.signature }), 400, 'cert_renewal_bad_signature');
    // From another officer: the admin posts alice's valid request, and a request it signs about alice.
    expectError(await post(t, a.admin, good), 400, 'wrong_subject');
    // About a certificate that is not alice's current one.
    const other = { ...cert, issuedAt: cert.issuedAt - 1 };
    expectError(await post(t, alice, createRenewalRequest(alice.keys, other, now())), 400, 'cert_renewal_wrong_certificate');
    // Dated more than the tolerance away from the server clock.
    expectError(await post(t, alice, createRenewalRequest(alice.keys, cert, now() - 11 * 60_000)), 400, 'cert_renewal_time_skew');
    expectError(await post(t, alice, { ...renewalRequestCodec.toWire(good), v: 2 }), 400, 'wire_invalid');
    expect(((await call(t, a.admin, 'GET', '/keys/pending')).json() as { officers: unknown[] }).officers).toEqual([]);

    // The good request queues alice once; repeating it changes nothing.
    const ok = await post(t, alice, good);
    expect(ok.statusCode).toBe(200);
    const at = (ok.json() as { keys: { renewalRequestedAt: number } }).keys.renewalRequestedAt;
    expect(at).toBe(now());
    t.clock.advance(1000);
    const again = await post(t, alice, createRenewalRequest(alice.keys, cert, now()));
    expect((again.json() as { keys: { renewalRequestedAt: number } }).keys.renewalRequestedAt).toBe(at);
    expect(((await call(t, a.admin, 'GET', '/keys/pending')).json() as { officers: { officerId: string; reason: string }[] }).officers).toEqual([
      expect.objectContaining({ officerId: alice.id, reason: 'renewal' }),
    ]);

    // The root renews: the request is answered and the queue is empty again.
    t.clock.set(t0 + 299 * DAY_MS);
    const { body: older } = certificationBody(t, a.admin, alice);
    t.clock.set(t0 + 300 * DAY_MS + 2000);
    await certify(t, a.admin, alice);
    expect(((await call(t, a.admin, 'GET', '/keys/pending')).json() as { officers: unknown[] }).officers).toEqual([]);
    // A certificate issued before the current one never replaces it (the newest is the officer's certificate).
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', older), 409, 'certificate_superseded');
    expect((await call(t, a.admin, 'GET', `/keys/officers/${alice.id}`)).json()).toMatchObject({ keys: { certificate: { issuedAt: alice.cert!.issuedAt }, renewalRequestedAt: null } });
  });

  it('a suspended officer: the request is refused, the queue drops it, and the root cannot certify it', async () => {
    const t = await makeApp();
    const { a, t0 } = await network(t);
    const alice = a.officer;
    t.clock.set(t0 + 300 * DAY_MS);
    await relogin(t, alice, a.admin);
    const request = createRenewalRequest(alice.keys, alice.cert!, t.clock.now());
    expect((await post(t, alice, request)).statusCode).toBe(200);
    expect(((await call(t, a.admin, 'GET', '/keys/pending')).json() as { officers: { officerId: string }[] }).officers.map((o) => o.officerId)).toEqual([alice.id]);

    expect((await call(t, a.admin, 'POST', `/officers/${alice.id}/suspend`)).statusCode).toBe(200);
    // The suspended officer's session is gone: the request is refused at the door …
    expectError(await post(t, alice, createRenewalRequest(alice.keys, alice.cert!, t.clock.now())), 401, 'session_expired');
    // … and by the keys service itself for any caller that still acts as that officer.
    const actor = { officerId: alice.id, agencyId: alice.agencyId, role: 'officer' as const, sessionId: 's', ip: null };
    await expect(t.app.ctx.keys.requestRenewal(actor, { request: renewalRequestCodec.toWire(request) })).rejects.toMatchObject({ statusCode: 403, code: 'account_suspended' });
    // The queue no longer lists the officer, and the root cannot renew its certificate.
    expect(((await call(t, a.admin, 'GET', '/keys/pending')).json() as { officers: unknown[] }).officers).toEqual([]);
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, alice).body), 409, 'officer_suspended');
  });
});
