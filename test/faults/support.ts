/**
 * Shared machinery for the fault suites: seeding a network with real keys through the server's own
 * code (in the test process, then closed), real server processes on loopback, small HTTP helpers.
 * Everything is bounded in time and cleans up after itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
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
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { buildApp, type App } from '../../server/app.ts';
import { defaultConfig, type AppConfig } from '../../server/config.ts';
import { distribute, send as encrypt, session, type Officer, type Session } from '../crypto/fixtures.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const PASSWORD = 'fault suite passphrase 1';
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Small deterministic PRNG (mulberry32); the seed is logged by each suite. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(name: string): number {
  const raw = process.env[name] ?? process.env.FAULTS_SEED;
  return raw ? Number(raw) : Date.now() % 2 ** 31;
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

// ---------------------------------------------------------------------------------------------
// Temp dirs and cleanup
// ---------------------------------------------------------------------------------------------

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `liaison-faults-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Seeding (server code in the test process; the app is closed before a server process starts)
// ---------------------------------------------------------------------------------------------

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
    login: { ...base.login, ipMaxPerWindow: 100_000 },
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
 * sessions, identity keys and certificates, and one cross-agency channel per entry of `channels`
 * (indexes into the officer list; the first is the creator), stored like the channels service
 * stores them. Returns everything a client needs to build valid envelopes.
 */
export async function seedNetwork(dataDir: string, officerCount: number, channels: number[][], opts: { app?: App } = {}): Promise<SeededNetwork & { app: App }> {
  const app = opts.app ?? (await buildApp(seedConfig(dataDir), { logger: false }));
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
  const agreementId = 'faults-mou';
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
    const created = await inject(app, 'POST', `/api/v1/agencies/${ag.id}/officers`, { username: `officer${i}`, displayName: `Officer ${i}` }, ag.adminToken);
    const e = await enrol(app, created.enrolment.token as string);
    const keys = generateIdentity({ officerId: e.officerId, agencyId: ag.id });
    const cert = issueCertificate(keys, { role: 'officer', issuedAt: now - 60_000, expiresAt: now + YEAR_MS }, roots.get(ag.id)!);
    insertKeys.run(e.officerId, ag.id, toB64(keys.signPublicKey), toB64(keys.dhPublicKey), now, now);
    officers[i] = { id: e.officerId, agencyId: ag.id, accessToken: e.accessToken, keys, cert, deviceId: `${e.officerId}-dev1` };
  };
  for (let i = 0; i < officerCount; i += 8) await Promise.all(Array.from({ length: Math.min(8, officerCount - i) }, (_, k) => one(i + k)));
  const seeded = channels.map((idx, c) => seedChannel(app, agreementId, `faults-ch-${c}`, idx.map((i) => officers[i]!)));
  return { app, officers, channels: seeded, agreementId };
}

function seedChannel(app: App, agreementId: string, id: string, members: SeedOfficer[]): SeedChannel {
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
export function buildEnvelope(ch: SeedChannel, sender: SeedOfficer, messageId: string, text = 'fault suite message'): Record<string, unknown> {
  const s = ch.sessions.get(sender.id);
  if (!s) throw new Error(`buildEnvelope: ${sender.id} is not a member of ${ch.id}`);
  const env = encrypt(s, ch.state, { kind: 'text', text }, { messageId, time: Date.now() });
  return messageEnvelopeCodec.toWire(env);
}

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

export interface ServerOptions {
  dataDir: string;
  port: number;
  logFile: string;
  env?: Record<string, string>;
}

/**
 * A real server process under tsx (test/faults/server-entry.ts: server/main.ts minus its start-up
 * web-app build). Started as `node --import tsx` rather than the `tsx` CLI: the CLI runs the server
 * in a grandchild, which a SIGKILL to the CLI would orphan.
 */
export class ServerProcess {
  child: ChildProcess | null = null;
  exited: Promise<number | string | null> = Promise.resolve(null);
  starts = 0;
  readonly url: string;

  constructor(readonly opts: ServerOptions) {
    this.url = `http://127.0.0.1:${opts.port}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) throw new Error('server already running');
    const log = fs.openSync(this.opts.logFile, 'a');
    fs.writeSync(log, `\n--- start ${++this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/server-entry.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATA_DIR: this.opts.dataDir,
        PORT: String(this.opts.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOGIN_RATE_PER_MINUTE: '100000',
        RETENTION_SWEEP_SECONDS: '0',
        ...this.opts.env,
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    void this.exited.then(() => {
      if (this.child === child) this.child = null;
    });
    await this.waitReady(timeoutMs);
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.child) throw new Error(`server exited during start-up; see ${this.opts.logFile}:\n${tail(this.opts.logFile)}`);
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    throw new Error(`server not ready after ${timeoutMs} ms; see ${this.opts.logFile}:\n${tail(this.opts.logFile)}`);
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends `signal` and waits for the process to exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 12_000): Promise<number | string | null> {
    const child = this.child;
    if (!child) return null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    this.child = null;
    return result;
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Opens the database read-only (between a kill and a restart) and runs `PRAGMA integrity_check`. */
export function integrityCheck(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'liaison.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export function withDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'liaison.db'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Per-channel seq check: returns a description of every gap / duplicate, and the highest seq. */
export function seqProblems(db: Database.Database): { problems: string[]; maxSeq: Map<string, number> } {
  const rows = db.prepare('SELECT channel_id AS c, seq FROM messages ORDER BY channel_id, seq').all() as { c: string; seq: number }[];
  const last = db.prepare('SELECT id, last_message_seq AS n FROM channels').all() as { id: string; n: number }[];
  const problems: string[] = [];
  const maxSeq = new Map<string, number>();
  for (const r of rows) {
    const expected = (maxSeq.get(r.c) ?? 0) + 1;
    if (r.seq !== expected) problems.push(`${r.c}: seq ${r.seq} where ${expected} was expected`);
    maxSeq.set(r.c, r.seq);
  }
  for (const c of last) if ((maxSeq.get(c.id) ?? 0) !== c.n) problems.push(`${c.id}: last_message_seq ${c.n} but ${maxSeq.get(c.id) ?? 0} messages`);
  return { problems, maxSeq };
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Json;
}

export async function http(url: string, opts: { method?: string; token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpResult> {
  const res = await fetch(url, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    body = text ? (JSON.parse(text) as Json) : {};
  } catch {
    body = { raw: text };
  }
  return { status: res.status, headers: res.headers, body };
}

/** Every feed item after `cursor` for the token's officer, following pages to the end. */
export async function syncAll(base: string, token: string, cursor = 0, maxPages = 1_000): Promise<{ items: FeedItem[]; cursor: number }> {
  const items: FeedItem[] = [];
  for (let page = 0; page < maxPages; page++) {
    const res = await http(`${base}/api/v1/sync?cursor=${cursor}&limit=1000`, { token });
    if (res.status !== 200) throw new Error(`sync: ${res.status} ${JSON.stringify(res.body)}`);
    const p = res.body as { items: FeedItem[]; cursor: number; hasMore: boolean };
    items.push(...p.items);
    cursor = p.cursor;
    if (!p.hasMore) return { items, cursor };
  }
  throw new Error('sync: too many pages');
}

/** Runs a small Node script in a child process (for external SQLite lock holders etc.). */
export function nodeScript(code: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--input-type=module', '-e', code, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function canMountTmpfs(dir: string, sizeMiB: number): { ok: boolean; reason: string } {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: r.error.message };
  if (r.status !== 0) return { ok: false, reason: (r.stderr || r.stdout || `exit ${r.status}`).trim() };
  return { ok: true, reason: '' };
}

export function unmount(dir: string): void {
  for (let i = 0; i < 10; i++) {
    const r = spawnSync('umount', [dir], { encoding: 'utf8' });
    if (r.status === 0) return;
    spawnSync('sleep', ['0.2']);
  }
  spawnSync('umount', ['-l', dir]);
}
