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
import type { FeedItem } from '../../shared/schemas/channels.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test helpers read loosely typed JSON
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

export { seedChannel, seedConfig, seedNetwork, type SeedChannel, type SeededNetwork, type SeedOfficer } from '../world/seed.ts';
import type { SeedChannel, SeedOfficer } from '../world/seed.ts';
import { messageEnvelope } from '../world/world.ts';

export function buildEnvelope(ch: SeedChannel, sender: SeedOfficer, messageId: string, text = 'fault suite message'): Record<string, unknown> {
  return messageEnvelope(ch, sender, text, { messageId, time: Date.now() });
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
        // Hundreds of loopback clients by design: lift the per-IP caps (config.limits) explicitly.
        MAX_CONNECTIONS_PER_IP: '1000000',
        ARGON2_MAX_QUEUE: '1000000',
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
