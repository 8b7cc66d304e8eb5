/**
 * A demo/test network shared by the demo (`scripts/demo.ts`) and `test/e2e/**`: provisioning
 * through the real API (app.inject), SDK clients (`LiaisonClient`) over real sockets, identities,
 * certification, an active agreement and a case channel between two agencies.
 *
 * No vitest import here: the demo runs this outside the test runner.
 */
import type { AddressInfo } from 'node:net';
import { Secret, TOTP } from 'otpauth';
import { apiCall, totpCode, World, type Account } from './world.ts';
import type { App } from '../../server/app.ts';
import type { ManualClock } from '../../server/clock.ts';
import { LiaisonClient, MemoryStore, type ChannelInfo, type CreateChannelInput } from '../../client/sdk/index.ts';
import type { FetchFn } from '../../client/sdk/http.ts';
import type { Agreement, ProposeAgreementBody } from '../../shared/schemas/agreements.ts';

export { totpCode };

export const DAY_MS = 24 * 3600 * 1000;
export const E2E_PASSWORD = 'correct horse battery staple 42';
export const E2E_PASSPHRASE = 'liaison e2e passphrase 2026';

export interface Host {
  app: App;
  clock: ManualClock;
  baseUrl: string;
}

/** Credentials of an enrolled account (what a person would keep). */
export interface Creds {
  id: string;
  agencyId: string;
  username: string;
  displayName: string;
  password: string;
  totpSecret: string;
  accessToken: string;
}

export function otpauthUri(username: string, secretBase32: string): string {
  return new TOTP({ issuer: 'Liaison', label: username, secret: Secret.fromBase32(secretBase32), digits: 6, period: 30, algorithm: 'SHA1' }).toString();
}

/** Listens on a random loopback port (real sockets) and returns the origin. */
export async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** One API call through the app (no network); throws on an unexpected status. */
export async function api<T>(host: Pick<Host, 'app'>, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, opts: { token?: string; payload?: unknown; expect?: number } = {}): Promise<T> {
  const { token, ...rest } = opts;
  return apiCall<T>(host.app, method, url, { ...rest, ...(token ? { tokens: { accessToken: token } } : {}) });
}

function creds(a: Account, displayName: string): Creds {
  return { id: a.id, agencyId: a.agencyId, username: a.username, displayName, password: a.password, totpSecret: a.totpSecret, accessToken: a.tokens.accessToken };
}

const world = (host: Omit<Host, 'baseUrl'>) => World.of(host.app, host.clock);

/** Both enrolment steps; the clock moves one TOTP step on so the next code is fresh. */
export async function enrolWith(host: Omit<Host, 'baseUrl'>, token: string, password: string, displayName: string): Promise<Creds> {
  return creds(await world(host).enrol(token, password), displayName);
}

export async function initPlatform(host: Omit<Host, 'baseUrl'>, opts: { username: string; displayName: string; country: string; password: string }): Promise<Creds> {
  return creds(await world(host).platform(opts), opts.displayName);
}

export interface AgencySpec {
  name: string;
  country: string;
  kind: string;
  sponsorAgencyId?: string;
  admin: { username: string; displayName: string; password: string };
}

/** The platform admin creates the agency with its administrator, who enrols. */
export async function createAgency(host: Omit<Host, 'baseUrl'>, platform: Creds, spec: AgencySpec): Promise<{ agencyId: string; admin: Creds }> {
  const agency = await world(host).agency({
    name: spec.name,
    country: spec.country,
    kind: spec.kind,
    ...(spec.sponsorAgencyId ? { sponsorAgencyId: spec.sponsorAgencyId } : {}),
    admin: spec.admin.username,
    adminDisplayName: spec.admin.displayName,
    adminPassword: spec.admin.password,
    by: { tokens: { accessToken: platform.accessToken } },
  });
  return { agencyId: agency.id, admin: creds(agency.admin, spec.admin.displayName) };
}

/** The agency admin creates an officer, who enrols. */
export async function createOfficer(host: Omit<Host, 'baseUrl'>, admin: Creds, o: { username: string; displayName: string; password: string; role?: 'officer' | 'agency_admin' }): Promise<Creds> {
  const agency = { id: admin.agencyId, admin: { tokens: { accessToken: admin.accessToken } } };
  return creds(await world(host).officer(agency, o.username, o.displayName, { password: o.password, ...(o.role ? { role: o.role } : {}) }), o.displayName);
}

/** Signs in through the SDK (TOTP from the shared clock, which then moves a step on). */
export async function signIn(host: Host, who: Creds, opts: { fetch?: FetchFn } = {}): Promise<LiaisonClient> {
  const client = new LiaisonClient({
    baseUrl: host.baseUrl,
    store: new MemoryStore(),
    now: () => host.clock.now(),
    retry: { attempts: 3, baseDelayMs: 10 },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, host.clock.now()), deviceLabel: 'e2e' });
  host.clock.advance(30_000);
  return client;
}

/** Polls until `check` returns a truthy value (events arrive asynchronously over the socket). */
export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TwoAgencyNetwork {
  host: Host;
  platform: Creds;
  /** Agency A (PT police): admin (root) and officer alice. */
  a: { agencyId: string; admin: Creds; alice: Creds };
  /** Agency B (ES police): admin (root) and officer bob. */
  b: { agencyId: string; admin: Creds; bob: Creds };
  adminA: LiaisonClient;
  adminB: LiaisonClient;
  alice: LiaisonClient;
  bob: LiaisonClient;
  agreement: Agreement;
}

/**
 * Two agencies in two countries with keyed roots, certified officers and an active agreement,
 * everything provisioned through the API and the SDK. Clients are signed in, not connected.
 */
export async function twoAgencyNetwork(
  host: Host,
  /** identities: false skips keys, certificates and the agreement (then `agreement` is a placeholder). */
  opts: { prefix?: string; fetch?: { alice?: FetchFn; bob?: FetchFn }; identities?: boolean } = {},
): Promise<TwoAgencyNetwork> {
  const p = opts.prefix ?? '';
  const pw = E2E_PASSWORD;
  const platform = await initPlatform(host, { username: `${p}platform`, displayName: 'Platform Admin', country: 'FR', password: pw });
  const a = await createAgency(host, platform, { name: 'Policia Judiciaria', country: 'PT', kind: 'police', admin: { username: `${p}pj-admin`, displayName: 'PJ Admin', password: pw } });
  const b = await createAgency(host, platform, { name: 'Guardia Civil', country: 'ES', kind: 'police', admin: { username: `${p}gc-admin`, displayName: 'GC Admin', password: pw } });
  const aliceCreds = await createOfficer(host, a.admin, { username: `${p}alice`, displayName: 'Alice', password: pw });
  const bobCreds = await createOfficer(host, b.admin, { username: `${p}bob`, displayName: 'Bob', password: pw });

  const adminA = await signIn(host, a.admin);
  const adminB = await signIn(host, b.admin);
  const alice = await signIn(host, aliceCreds, opts.fetch?.alice ? { fetch: opts.fetch.alice } : {});
  const bob = await signIn(host, bobCreds, opts.fetch?.bob ? { fetch: opts.fetch.bob } : {});
  const base = { host, platform, a: { agencyId: a.agencyId, admin: a.admin, alice: aliceCreds }, b: { agencyId: b.agencyId, admin: b.admin, bob: bobCreds }, adminA, adminB, alice, bob };
  if (opts.identities === false) return { ...base, agreement: { id: '' } as Agreement };
  // Roots first (the first admin of an agency to register keys becomes its root).
  for (const c of [adminA, adminB, alice, bob]) await c.createIdentity(E2E_PASSPHRASE);
  await adminA.certifyPending();
  await adminB.certifyPending();
  const agreement = await activeAgreement(host, adminA, adminB, [a.agencyId, b.agencyId]);
  return { ...base, agreement };
}

/** Proposed by the first admin, signed by both through the SDK. */
export async function activeAgreement(host: Host, proposer: LiaisonClient, other: LiaisonClient, parties: string[], scope: ProposeAgreementBody['scope'] = ['drug-trafficking', 'precursors']): Promise<Agreement> {
  const proposed = await proposer.proposeAgreement({
    parties,
    scope,
    validFrom: host.clock.now() - 1000,
    validUntil: host.clock.now() + 365 * DAY_MS,
    title: 'Memorandum of understanding',
    text: 'Cooperation on precursors and drug trafficking.',
  });
  await proposer.signAgreement(proposed.id);
  const active = await other.signAgreement(proposed.id);
  if (active.status !== 'active') throw new Error(`agreement not active: ${active.status}`);
  return active;
}

/**
 * Alice opens a case channel with Bob (other agency): Bob gets the invitation (live or by sync),
 * co-signs and accepts; Alice distributes the new epoch; returns once Bob can read the title.
 */
export async function openCaseChannel(
  net: Pick<TwoAgencyNetwork, 'alice' | 'bob' | 'agreement'> & { bobId?: string },
  meta: { title: string; description?: string; caseRef?: string; policy?: CreateChannelInput['policy'] },
): Promise<ChannelInfo> {
  const { alice, bob } = net;
  const invitations: string[] = [];
  const off = bob.on('invitation', (e) => {
    if (e.status === 'pending') invitations.push(e.id);
  });
  try {
    const channel = await alice.createChannel({
      kind: 'case',
      agreementId: net.agreement.id,
      title: meta.title,
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.caseRef ? { caseRef: meta.caseRef } : {}),
      members: [bob.officerId!],
      policy: meta.policy ?? { minimum: 'TLP:GREEN' },
    });
    const invitationId = await waitFor(async () => {
      if (!bob.connected) await bob.sync();
      return invitations[0];
    }, 'invitation');
    await bob.acceptInvitation(invitationId);
    await waitFor(async () => {
      if (!alice.connected) await alice.sync();
      if (!bob.connected) await bob.sync();
      return (await bob.channel(channel.id)).title === meta.title;
    }, 'title decrypted by bob');
    return channel;
  } finally {
    off();
  }
}
