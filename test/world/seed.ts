/**
 * Seeding a network with real keys through the server's own code, shared by the fault suites and
 * the benchmarks: two agencies under an active agreement, enrolled officers (real sessions through
 * the API, in-process), identity keys and certificates made with shared/crypto and written to the
 * database, and cross-agency channels stored as the channels service stores them.
 */
import { Secret, TOTP } from 'otpauth';
import {
  applyEvent,
  cosignMembershipEvent,
  createMembershipEvent,
  generateIdentity,
  issueCertificate,
  membershipEventCodec,
  policyFromMinimum,
  toB64,
  type ChannelState,
  type IdentityKeys,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import { buildApp, type App } from '../../server/app.ts';
import { defaultConfig, type AppConfig } from '../../server/config.ts';
import { distribute, session, type Officer, type Session } from '../crypto/fixtures.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const PASSWORD = 'seeded network passphrase 1';

export interface SeedOfficer extends Officer {
  id: string;
  agencyId: string;
  accessToken: string;
}

export interface SeedChannel {
  id: string;
  state: ChannelState;
  members: SeedOfficer[];
  sessions: Map<string, Session>;
}

export interface SeededNetwork {
  officers: SeedOfficer[];
  channels: SeedChannel[];
  agreementId: string;
}

/** Config for seeding / in-process apps: cheap Argon2 and no throttles (everything comes from 127.0.0.1). */
export function seedConfig(dataDir: string, overrides: Partial<AppConfig> = {}): AppConfig {
  const base = defaultConfig({ dataDir, logLevel: 'silent', argon2: { memoryCost: 8_192, timeCost: 1, parallelism: 1 } });
  return {
    ...base,
    rateLimit: { ...base.rateLimit, max: 1_000_000 },
    login: { ...base.login, ipMaxPerWindow: 100_000, sourceMaxFailures: 100_000 },
    messaging: { ...base.messaging, retentionSweepMs: 0 },
    ...overrides,
  };
}

function totpNow(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- seeding reads loosely typed JSON

async function inject(app: App, method: 'POST' | 'GET', url: string, payload?: unknown, token?: string): Promise<Json> {
  const res = await app.inject({
    method,
    url,
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (res.statusCode >= 300) throw new Error(`seed ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Json;
}

async function enrol(app: App, token: string): Promise<{ accessToken: string; officerId: string }> {
  const begin = await inject(app, 'POST', '/api/v1/enrolment/begin', { token, password: PASSWORD });
  const done = await inject(app, 'POST', '/api/v1/enrolment/complete', { token, totp: totpNow(begin.totpSecret as string) });
  return { accessToken: done.accessToken as string, officerId: done.officer.id as string };
}

/**
 * Seeds `officerCount` officers (alternating agencies A and B, under an active agreement) with real
 * sessions, identity keys and certificates: everything a client needs to build valid envelopes.
 */
export async function seedOfficers(
  app: App,
  officerCount: number,
  opts: { agreementId: string; usernamePrefix: string },
): Promise<{ officers: SeedOfficer[]; agencyA: string; agencyB: string; agreementId: string }> {
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
  const { agreementId } = opts;
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
  const officers: SeedOfficer[] = [];
  const one = async (i: number) => {
    const ag = i % 2 === 0 ? A : B;
    const created = await inject(app, 'POST', `/api/v1/agencies/${ag.id}/officers`, { username: `${opts.usernamePrefix}${i}`, displayName: `Officer ${i}` }, ag.adminToken);
    const e = await enrol(app, created.enrolment.token as string);
    const keys = generateIdentity({ officerId: e.officerId, agencyId: ag.id });
    const cert = issueCertificate(keys, { role: 'officer', issuedAt: now - 60_000, expiresAt: now + YEAR_MS }, roots.get(ag.id)!);
    insertKeys.run(e.officerId, ag.id, toB64(keys.signPublicKey), toB64(keys.dhPublicKey), now, now);
    officers[i] = { id: e.officerId, agencyId: ag.id, accessToken: e.accessToken, keys, cert, deviceId: `${e.officerId}-dev1` };
  };
  for (let i = 0; i < officerCount; i += 8) await Promise.all(Array.from({ length: Math.min(8, officerCount - i) }, (_, k) => one(i + k)));
  return { officers, agencyA: A.id, agencyB: B.id, agreementId };
}

/** `seedOfficers` plus one cross-agency channel per entry of `channels` (officer indexes; the first creates it). */
export async function seedNetwork(dataDir: string, officerCount: number, channels: number[][], opts: { app?: App } = {}): Promise<SeededNetwork & { app: App }> {
  const app = opts.app ?? (await buildApp(seedConfig(dataDir), { logger: false }));
  const { officers, agreementId } = await seedOfficers(app, officerCount, { agreementId: 'faults-mou', usernamePrefix: 'officer' });
  const seeded = channels.map((idx, c) => seedChannel(app, agreementId, `faults-ch-${c}`, idx.map((i) => officers[i]!)));
  return { app, officers, channels: seeded, agreementId };
}

export function seedChannel(app: App, agreementId: string, id: string, members: SeedOfficer[]): SeedChannel {
  const { sqlite, feed } = app.ctx;
  const chain = { agencyRoot: (a: string) => app.ctx.keys.agencyRoot(a) };
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
      agreementId,
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
    .run(id, agreementId, creator.id, t0);
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

/** A real client envelope (libsodium, as the SDK makes it; the sender chain counter increases) in wire JSON. */
