/**
 * Seeding for the messaging benches: a data directory with two agencies under an active agreement,
 * enrolled officers (real sessions and access tokens, through the API in-process), identity keys and
 * certificates made with shared/crypto and written directly to the database (as
 * test/messaging-b/helpers.ts does), and channels whose verified membership chain is stored like the
 * channels service stores it. The app is closed afterwards; the benches serve the directory from a
 * separate server process.
 */
import { Secret, TOTP } from 'otpauth';
import {
  applyEvent,
  cosignMembershipEvent,
  createMembershipEvent,
  generateIdentity,
  issueCertificate,
  membershipEventCodec,
  messageEnvelopeCodec,
  policyFromMinimum,
  toB64,
  type ChannelState,
  type IdentityKeys,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import { buildApp, type App } from '../../server/app.ts';
import { defaultConfig } from '../../server/config.ts';
import { distribute, send as encrypt, session, type Officer, type Session } from '../crypto/fixtures.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const PASSWORD = 'bench passphrase long enough 1';

export interface BenchOfficer extends Officer {
  id: string;
  agencyId: string;
  accessToken: string;
}

export interface BenchChannel {
  id: string;
  state: ChannelState;
  members: BenchOfficer[];
  sessions: Map<string, Session>;
}

export interface Seeder {
  app: App;
  officers: BenchOfficer[];
  agencyA: string;
  agencyB: string;
  agreementId: string;
  close(): Promise<void>;
}

function totp(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

async function inject(app: App, method: 'POST' | 'GET', url: string, payload?: unknown, token?: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- bench seeding reads loosely typed JSON
  const res = await app.inject({ method, url, ...(payload ? { payload: payload as Record<string, unknown> } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function enrol(app: App, token: string): Promise<{ accessToken: string; officerId: string }> {
  const begin = await inject(app, 'POST', '/api/v1/enrolment/begin', { token, password: PASSWORD });
  const done = await inject(app, 'POST', '/api/v1/enrolment/complete', { token, totp: totp(begin.totpSecret as string) });
  return { accessToken: done.accessToken as string, officerId: done.officer.id as string };
}

/** Provisions `officerCount` officers (alternating agencies A and B) on a fresh data directory. */
export async function seedOfficers(dataDir: string, officerCount: number): Promise<Seeder> {
  const base = defaultConfig({ dataDir, logLevel: 'silent', argon2: { memoryCost: 8_192, timeCost: 1, parallelism: 1 } });
  const app = await buildApp({ ...base, rateLimit: { ...base.rateLimit, max: 1_000_000 }, login: { ...base.login, ipMaxPerWindow: 100_000 } }, { logger: false });
  await app.ready();
  const { ctx } = app;
  const init = ctx.accounts.initPlatform({ username: 'admin', displayName: 'Platform Admin', country: 'FR' });
  const admin = await enrol(app, init.enrolment.token);
  const agency = async (name: string, country: string) => {
    const r = await inject(app, 'POST', '/api/v1/agencies', { name, country, kind: 'police', admin: { username: `${country.toLowerCase()}-admin`, displayName: `${country} admin` } }, admin.accessToken);
    const a = await enrol(app, r.enrolment.token as string);
    return { id: r.agency.id as string, adminToken: a.accessToken };
  };
  const A = await agency('Policia Judiciaria', 'PT');
  const B = await agency('Guardia Civil', 'ES');
  const roots = new Map<string, IdentityKeys>([
    [A.id, generateIdentity({ officerId: `root-${A.id}`, agencyId: A.id })],
    [B.id, generateIdentity({ officerId: `root-${B.id}`, agencyId: B.id })],
  ]);
  const now = Date.now();
  for (const [agencyId, root] of roots) {
    ctx.sqlite.prepare('INSERT INTO agency_roots (agency_id, officer_id, sign_public_key, created_at) VALUES (?, ?, ?, ?)').run(agencyId, root.officerId, toB64(root.signPublicKey), now);
  }
  const agreementId = 'bench-mou';
  ctx.sqlite
    .prepare(
      `INSERT INTO agreements (id, version, parties, scope, valid_from, valid_until, title, text, text_hash, status, proposed_by, created_at, updated_at)
       VALUES (?, 1, ?, '["drug-trafficking"]', ?, ?, 'MOU', 'text', 'hash', 'active', ?, ?, ?)`,
    )
    .run(agreementId, JSON.stringify([A.id, B.id].sort()), now - 60_000, now + YEAR_MS, admin.officerId, now, now);
  const insertKeys = ctx.sqlite.prepare(
    `INSERT INTO officer_keys (officer_id, agency_id, sign_public_key, dh_public_key, enrol_event, prekey, backup, created_at, updated_at)
     VALUES (?, ?, ?, ?, '{}', '{}', '{}', ?, ?)`,
  );
  const officers: BenchOfficer[] = [];
  const one = async (i: number) => {
    const ag = i % 2 === 0 ? A : B;
    const created = await inject(app, 'POST', `/api/v1/agencies/${ag.id}/officers`, { username: `bench${i}`, displayName: `Bench ${i}` }, ag.adminToken);
    const e = await enrol(app, created.enrolment.token as string);
    const keys = generateIdentity({ officerId: e.officerId, agencyId: ag.id });
    const cert = issueCertificate(keys, { role: 'officer', issuedAt: now - 60_000, expiresAt: now + YEAR_MS }, roots.get(ag.id)!);
    insertKeys.run(e.officerId, ag.id, toB64(keys.signPublicKey), toB64(keys.dhPublicKey), now, now);
    officers[i] = { id: e.officerId, agencyId: ag.id, accessToken: e.accessToken, keys, cert, deviceId: `${e.officerId}-dev1` };
  };
  for (let i = 0; i < officerCount; i += 8) await Promise.all(Array.from({ length: Math.min(8, officerCount - i) }, (_, k) => one(i + k)));
  return {
    app,
    officers,
    agencyA: A.id,
    agencyB: B.id,
    agreementId,
    close: () => app.close(),
  };
}

/**
 * A cross-agency channel created by members[0] with every other member added (co-signed), stored
 * as the channels service stores it: events, feed items, spans, head. Sessions hold the epoch secret
 * of the final epoch for every member.
 */
export function seedChannel(s: Seeder, id: string, members: BenchOfficer[]): BenchChannel {
  const { sqlite, feed } = s.app.ctx;
  const chain = { agencyRoot: (a: string) => s.app.ctx.keys.agencyRoot(a) };
  const creator = members[0]!;
  const t0 = Date.now() - members.length - 10;
  const create = createMembershipEvent(
    null,
    {
      channelId: id,
      kind: 'create',
      time: t0,
      actorOfficerId: creator.id,
      actorDeviceId: creator.deviceId,
      channelKind: 'case',
      agreementId: s.agreementId,
      policy: policyFromMinimum('TLP:CLEAR'),
      member: creator.cert,
    },
    creator.keys,
  );
  let state = applyEvent(null, create, chain);
  sqlite
    .prepare(
      `INSERT INTO channels (id, kind, agreement_id, created_by, created_at, encrypted_meta, policy, head_seq, head_hash, retention_days, legal_hold)
       VALUES (?, 'case', ?, ?, ?, 'meta', '{}', 0, '', 365, 0)`,
    )
    .run(id, s.agreementId, creator.id, t0);
  const insertEvent = sqlite.prepare('INSERT INTO membership_events (channel_id, seq, event, hash, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const setHead = sqlite.prepare('UPDATE channels SET head_seq = ?, head_hash = ?, policy = ? WHERE id = ?');
  const insertSpan = sqlite.prepare('INSERT INTO channel_members (channel_id, officer_id, agency_id, role, from_epoch, from_pos) VALUES (?, ?, ?, ?, ?, ?)');
  const store = (event: MembershipEvent, st: ChannelState, time: number): number => {
    const wire = membershipEventCodec.toWire(event);
    const item = feed.append({ channelId: id, kind: 'membership', data: wire, createdAt: time });
    insertEvent.run(id, event.seq, JSON.stringify(wire), toB64(st.current.stateHash), event.actorOfficerId, time);
    setHead.run(st.current.epoch, toB64(st.current.stateHash), JSON.stringify(st.current.policy), id);
    return item.pos;
  };
  sqlite.transaction(() => {
    insertSpan.run(id, creator.id, creator.agencyId, 'owner', 0, store(create, state, t0));
    members.slice(1).forEach((m, i) => {
      const time = t0 + i + 1;
      let e = createMembershipEvent(state, { kind: 'add', time, actorOfficerId: creator.id, actorDeviceId: creator.deviceId, member: m.cert, role: 'member' }, creator.keys);
      if (m.agencyId !== creator.agencyId) e = cosignMembershipEvent(e, m.keys, m.cert);
      state = applyEvent(state, e, chain);
      insertSpan.run(id, m.id, m.agencyId, 'member', state.current.epoch, store(e, state, time));
    });
  })();
  const secrets = distribute(state, creator, members);
  const sessions = new Map<string, Session>();
  for (const m of members) {
    const ses = session(m, id);
    ses.secrets.set(state.current.epoch, secrets.get(m.id)!);
    sessions.set(m.id, ses);
  }
  return { id, state, members, sessions };
}

/** ~1 KiB of text: the padded inner frame encrypts to 1,040 bytes of ciphertext. */
const TEXT = 'x'.repeat(900);

/** A real client envelope (libsodium, as the SDK makes it) in wire JSON. */
export function buildEnvelope(ch: BenchChannel, sender: BenchOfficer, messageId: string): Record<string, unknown> {
  const env = encrypt(ch.sessions.get(sender.id)!, ch.state, { kind: 'text', text: TEXT }, { messageId, time: Date.now() });
  return messageEnvelopeCodec.toWire(env);
}
