/**
 * Messaging benches (issue 7), each measured in the same run as its ceiling, median of 3 reps (1 with --quick):
 *   send   — acknowledged sends/s over HTTP (1 KiB ciphertext envelope, authenticated, validated,
 *            committed with synchronous=FULL, fanned out to a 10-member channel with every member
 *            connected) vs a minimal Fastify POST inserting the same body with synchronous=NORMAL.
 *   fanout — deliveries/s to a 100-member channel over socket.io end to end (HTTP send → persisted →
 *            `feed` event at 100 connected clients) vs bare socket.io broadcasting the same payload to
 *            100 sockets; then send→delivered p99 at half the measured maximum rate.
 *   sync   — reconnect after missing 10,000 messages across 50 channels: the whole backlog through
 *            GET /sync (the SDK's page size, SYNC_PAGE_SIZE from client/sdk/sync.ts), time to last byte of
 *            every page summed.
 *
 * Process layout: the Liaison server (test/bench/server-entry.ts: server/main.ts without the web
 * build) and each ceiling server run as their own child process (`node --import tsx`), the load generator (HTTP clients with keep-alive, socket.io clients) is this
 * process. On 2 cores this gives the server one core and the client the other, and the ceiling gets
 * the same layout, so the ratio compares servers rather than client overhead. Data is seeded in this
 * process before the server starts (real officers, sessions, keys, channels), then the app is closed.
 * Loopback only; every child process and data directory is removed at the end.
 * Set BENCH_CPU_PROF=dir to write a V8 CPU profile of the Liaison server process.
 * Run alone: npx tsx test/bench/messaging.ts [--quick]
 */
import { SYNC_PAGE_SIZE } from '../../client/sdk/sync.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import { buildEnvelope, seedChannel, seedOfficers, type BenchChannel, type BenchOfficer } from './messaging-seed.ts';

export const HOST = '127.0.0.1';
const SEND_CONCURRENCY = 64;
const FANOUT_CONCURRENCY = 16;
/** Hard cap on any one measured phase: a broken server fails the bench instead of hanging it. */
const PHASE_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- helpers

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A port the OS just handed out (and we released): no collisions with ephemeral client ports. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pidOfPort = new Map<number, number>();
/** CPU seconds used so far by the child serving `port` (Linux /proc; 0 elsewhere). */
export function serverCpu(port: number): number {
  const pid = pidOfPort.get(port);
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

export interface Proc {
  child: ChildProcess;
  port: number;
}

function nodeTs(script: string, args: string[], env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): ChildProcess {
  // 'ipc': the bench-only memory probe (test/bench/memory-probe.ts) answers over it.
  return spawn(process.execPath, ['--import', 'tsx', ...extraNodeArgs, script, ...args], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

/** 60 s: a start on a loaded 2-core machine (tsx compiling, PostgreSQL migrations) can take well over 20 s. */
async function waitFor(pred: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await pred()) return;
    } catch (err) {
      if ((err as Error).message.includes('exited')) throw err;
    }
    await sleep(50);
  }
  throw new Error(`${what} did not become ready`);
}

/**
 * Where the Liaison server keeps its data: SQLite in the data directory (the default), or PostgreSQL
 * (test/bench/postgres.ts). Seeding always goes through SQLite; `attach` then moves the seeded data
 * directory to the store and returns the server's extra environment.
 */
export interface BenchStore {
  name: 'sqlite' | 'postgres';
  attach(dataDir: string): Promise<NodeJS.ProcessEnv>;
  /** The durable-insert ceiling for this store (test/bench/ceiling-server.ts) and its environment. */
  ceiling: 'insert' | 'pg-insert';
  ceilingEnv(): Promise<NodeJS.ProcessEnv>;
  dispose(): Promise<void>;
  /** Measured phases run this long and count what completed (closedLoop's budgetMs) instead of a fixed count. */
  budgetMs?: number;
}

export const sqliteStore: BenchStore = {
  name: 'sqlite',
  attach: async () => ({}),
  ceiling: 'insert',
  ceilingEnv: async () => ({}),
  dispose: async () => {},
};

export async function startLiaison(dataDir: string, extraNodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const port = await freePort();
  const prof = process.env['BENCH_CPU_PROF'];
  const child = nodeTs(
    'test/bench/server-entry.ts',
    [],
    {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RETENTION_SWEEP_SECONDS: '0',
      // Thousands of loopback sockets by design: lift the per-IP connection cap explicitly.
      MAX_CONNECTIONS_PER_IP: '1000000',
      ...env,
    },
    [...extraNodeArgs, ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])],
  );
  child.stdout?.resume();
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`liaison server exited ${child.exitCode}`);
    return (await fetch(`http://${HOST}:${port}/health/ready`)).ok;
  }, 'liaison server').catch((err: unknown) => {
    // Not returned, so no caller would stop it.
    child.kill('SIGKILL');
    throw err;
  });
  pidOfPort.set(port, child.pid!);
  return { child, port };
}

export async function startCeiling(mode: 'insert' | 'pg-insert' | 'socketio', dataDir: string, extraNodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const port = await freePort();
  const child = nodeTs('test/bench/ceiling-server.ts', [mode, String(port), dataDir], { ...process.env, ...env }, extraNodeArgs);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ceiling ${mode} did not start`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`ceiling ${mode} exited ${code}`)));
  });
  child.stdout?.resume();
  pidOfPort.set(port, child.pid!);
  return { child, port };
}

/** PostgreSQL statements the bench server has sent so far (test/bench/memory-probe.ts). */
export function pgQueries(p: Proc): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pg query probe timed out')), 10_000);
    const onMessage = (msg: { pgQueries?: number }) => {
      if (typeof msg.pgQueries !== 'number') return;
      clearTimeout(timer);
      p.child.off('message', onMessage);
      resolve(msg.pgQueries);
    };
    p.child.on('message', onMessage);
    p.child.send('pg-queries');
  });
}

export async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000).then(() => p.child.kill('SIGKILL'))]);
}

export function post(agent: http.Agent, port: number, urlPath: string, body: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: HOST,
        port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(
  agent: http.Agent,
  port: number,
  urlPath: string,
  token: string,
): Promise<{ status: number; body: string; ms: number; serverMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path: urlPath, method: 'GET', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      // `Server-Timing: app;dur=<ms>`: the server's own time for the request, without the transfer.
      const timing = /app;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - t0,
          serverMs: timing ? Number(timing[1]) : NaN,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export interface Job {
  path: string;
  body: string;
  token?: string;
}

export interface LoopOptions {
  /** Each request's ms (request → response) is pushed here. */
  latencies?: number[];
  /**
   * Stop taking jobs after this long and count the ones answered (rather than fail the phase when
   * not every job is done within PHASE_TIMEOUT_MS): PostgreSQL on a loaded machine.
   */
  budgetMs?: number;
}

/** Closed loop: `concurrency` requests in flight until every job is done; returns jobs/s. */
export async function closedLoop(port: number, jobs: Job[], concurrency: number, expectStatus: number, opts: LoopOptions = {}): Promise<number> {
  return (await closedLoopRun(port, jobs, concurrency, expectStatus, opts)).rate;
}

/** closedLoop, also saying how many jobs were answered (all of them unless `budgetMs` ran out). */
export async function closedLoopRun(port: number, jobs: Job[], concurrency: number, expectStatus: number, opts: LoopOptions = {}): Promise<{ rate: number; done: number }> {
  const { latencies, budgetMs } = opts;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  let firstError = '';
  const deadline = Date.now() + (budgetMs ?? PHASE_TIMEOUT_MS);
  const worker = async () => {
    while (next < jobs.length && Date.now() < deadline) {
      const job = jobs[next++]!;
      const t0 = performance.now();
      const r = await post(agent, port, job.path, job.body, job.token);
      latencies?.push(performance.now() - t0);
      if (r.status !== expectStatus) {
        failed++;
        firstError ||= `${r.status} ${r.body.slice(0, 200)}`;
      }
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpu(port);
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  if (process.env['BENCH_DEBUG']) {
    const cpu = process.cpuUsage(cpu0);
    process.stderr.write(`    [${port}] ${seconds.toFixed(2)} s, client cpu ${((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)}, server cpu ${((serverCpu(port) - srv0) / seconds).toFixed(2)}\n`);
  }
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} of ${jobs.length} requests failed: ${firstError}`);
  if (next < jobs.length && budgetMs === undefined) throw new Error(`phase exceeded ${PHASE_TIMEOUT_MS} ms`);
  return { rate: next / seconds, done: next };
}

type Client = Socket;

export async function connectAll(port: number, tokens: string[]): Promise<Client[]> {
  const sockets = tokens.map((token) =>
    ioClient(`http://${HOST}:${port}`, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true }),
  );
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', (e) => reject(e));
        }),
    ),
  );
  return sockets;
}

export function sendJobs(ch: BenchChannel, senders: BenchOfficer[], count: number, tag: string): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; i < count; i++) {
    const sender = senders[i % senders.length]!;
    const envelope = buildEnvelope(ch, sender, `${tag}-${i}`);
    jobs.push({ path: `/api/v1/channels/${ch.id}/messages`, body: JSON.stringify({ envelope }), token: sender.accessToken });
  }
  return jobs;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// ---------------------------------------------------------------- send

export interface SendBenchResult {
  send_durable_per_s: number;
  ceiling_insert_normal_per_s: number;
  /** Server CPU (user + system) per acknowledged send, with 10 members connected (each send fans out to 10 sockets). */
  send_cpu_us: number;
  /** The same with no member connected: the send path without fan-out. */
  send_nofanout_cpu_us: number;
  send_nofanout_per_s: number;
  /** Ceiling server CPU per insert. */
  ceiling_cpu_us: number;
  /** PostgreSQL round trips of the server per acknowledged send (10 members online); 0 on SQLite. */
  send_pg_queries: number;
  /** Request → 201 latency over every measured send (10 members online), and over every ceiling insert. */
  send_p50_ms: number;
  send_p99_ms: number;
  ceiling_p50_ms: number;
  ceiling_p99_ms: number;
}

export async function runSendBench({ quick, store = sqliteStore }: { quick: boolean; store?: BenchStore }): Promise<SendBenchResult> {
  const reps = quick ? 1 : 3;
  const count = quick ? 3000 : 6000;
  const dataDir = tempDir('liaison-bench-send-');
  const ceilDir = tempDir('liaison-bench-ceil-');
  let liaison: Proc | undefined;
  let ceiling: Proc | undefined;
  let sockets: Client[] = [];
  try {
    const seeder = await seedOfficers(dataDir, 10);
    // One channel (same 10 members) per rep: a sender may send at most EPOCH_MAX_MESSAGES (1,000) in
    // one epoch, and a full run sends 1,830 per member.
    // Plus one for the rep without receivers.
    const chans = Array.from({ length: reps + 2 }, (_, r) => seedChannel(seeder, `bench-send-${r}`, seeder.officers));
    await seeder.close();
    const repJobs = chans.map((ch, r) => sendJobs(ch, ch.members, r === 0 ? 300 : count, `send${r}`));
    const env = await store.attach(dataDir);
    // One after the other, so a start that fails leaves no process the finally block does not know of.
    liaison = await startLiaison(dataDir, [], env);
    ceiling = await startCeiling(store.ceiling, ceilDir, [], await store.ceilingEnv());
    sockets = await connectAll(liaison.port, seeder.officers.map((m) => m.accessToken));
    let delivered = 0;
    for (const s of sockets) s.on('feed', () => delivered++);
    // Warm-up (JIT, caches, WAL) on both servers, not measured.
    await closedLoop(liaison.port, repJobs[0]!, SEND_CONCURRENCY, 201, { budgetMs: store.budgetMs });
    await closedLoop(ceiling.port, repJobs[0]!, SEND_CONCURRENCY, 201, { budgetMs: store.budgetMs });
    const sends: number[] = [];
    const ceilings: number[] = [];
    const sendCpu: number[] = [];
    const ceilCpu: number[] = [];
    const sendMs: number[] = [];
    const ceilMs: number[] = [];
    // Server CPU per operation: unlike throughput, barely moved by other load on the machine.
    const queries: number[] = [];
    const timedCpu = async (port: number, jobs: Job[], rates: number[], cpu: number[], latencies?: number[], counted?: Proc) => {
      const q0 = counted ? await pgQueries(counted) : 0;
      const c0 = serverCpu(port);
      const { rate, done } = await closedLoopRun(port, jobs, SEND_CONCURRENCY, 201, { latencies, budgetMs: store.budgetMs });
      rates.push(rate);
      cpu.push(((serverCpu(port) - c0) * 1e6) / done);
      if (counted) queries.push(((await pgQueries(counted)) - q0) / done);
    };
    for (let r = 1; r <= reps; r++) {
      await timedCpu(liaison.port, repJobs[r]!, sends, sendCpu, sendMs, store.name === 'postgres' ? liaison : undefined);
      await timedCpu(ceiling.port, repJobs[r]!, ceilings, ceilCpu, ceilMs);
    }
    for (const s of sockets) s.close();
    sockets = [];
    const bare: number[] = [];
    const bareCpu: number[] = [];
    await timedCpu(liaison.port, repJobs[reps + 1]!, bare, bareCpu);
    process.stderr.write(
      `  send reps ${sends.map((x) => x.toFixed(0)).join(', ')}; ceiling ${ceilings.map((x) => x.toFixed(0)).join(', ')}; deliveries ${delivered}; ` +
        `CPU µs per send ${sendCpu.map((x) => x.toFixed(0)).join(', ')}, without receivers ${bareCpu[0]!.toFixed(0)}, per ceiling insert ${ceilCpu.map((x) => x.toFixed(0)).join(', ')}` +
        (queries.length > 0 ? `; PostgreSQL queries per send ${queries.map((x) => x.toFixed(1)).join(', ')}` : '') +
        '\n',
    );
    return {
      send_durable_per_s: median(sends),
      ceiling_insert_normal_per_s: median(ceilings),
      send_cpu_us: median(sendCpu),
      send_nofanout_cpu_us: bareCpu[0]!,
      send_nofanout_per_s: bare[0]!,
      ceiling_cpu_us: median(ceilCpu),
      send_pg_queries: queries.length > 0 ? median(queries) : 0,
      send_p50_ms: quantile(sendMs.sort((a, b) => a - b), 0.5),
      send_p99_ms: quantile(sendMs, 0.99),
      ceiling_p50_ms: quantile(ceilMs.sort((a, b) => a - b), 0.5),
      ceiling_p99_ms: quantile(ceilMs, 0.99),
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.all([stop(liaison), stop(ceiling)]);
    await store.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ceilDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- fan-out

export interface FanoutBenchResult {
  fanout_deliveries_per_s: number;
  ceiling_socketio_fanout_per_s: number;
  fanout_p99_ms: number;
  fanout_p50_ms: number;
  fanout_p99_rate_per_s: number;
}

interface Receivers {
  delivered: number;
  /** messageId → send start (performance.now()). */
  sentAt: Map<string, number>;
  latencies: number[] | null;
}

function listenFeed(sockets: Client[], rx: Receivers): void {
  for (const s of sockets) {
    s.on('feed', (item: { kind: string; data: { envelope?: { header?: { messageId?: string } } } }) => {
      if (item.kind !== 'message') return;
      rx.delivered++;
      if (rx.latencies) {
        const t0 = rx.sentAt.get(item.data.envelope?.header?.messageId ?? '');
        if (t0 !== undefined) rx.latencies.push(performance.now() - t0);
      }
    });
  }
}

async function untilDelivered(rx: Receivers, target: number): Promise<void> {
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (rx.delivered < target) {
    if (Date.now() > deadline) throw new Error(`fan-out: only ${rx.delivered} of ${target} deliveries arrived`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Max throughput: a closed loop of sends, timed until the last delivery of the rep arrived. */
async function fanoutRep(port: number, jobs: Job[], rx: Receivers, recipients: number, budgetMs?: number): Promise<number> {
  const start = rx.delivered;
  const t0 = performance.now();
  const { done } = await closedLoopRun(port, jobs, FANOUT_CONCURRENCY, 201, { budgetMs });
  await untilDelivered(rx, start + done * recipients);
  return (rx.delivered - start) / ((performance.now() - t0) / 1000);
}

/** Open loop at `rate` sends/s: send→delivered latency of every delivery. */
async function latencyRun(port: number, jobs: Job[], rate: number, rx: Receivers, recipients: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  rx.latencies = [];
  const start = rx.delivered;
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const job = jobs[i]!;
    const id = (JSON.parse(job.body) as { envelope: { header: { messageId: string } } }).envelope.header.messageId;
    rx.sentAt.set(id, performance.now());
    inflight.push(post(agent, port, job.path, job.body, job.token));
  }
  await Promise.all(inflight);
  await untilDelivered(rx, start + jobs.length * recipients);
  agent.destroy();
  const out = rx.latencies.sort((a, b) => a - b);
  rx.latencies = null;
  return out;
}

export async function runFanoutBench({ quick, store = sqliteStore }: { quick: boolean; store?: BenchStore }): Promise<FanoutBenchResult> {
  const reps = quick ? 1 : 3;
  const count = quick ? 300 : 600;
  const members = 100;
  const dataDir = tempDir('liaison-bench-fanout-');
  const ceilDir = tempDir('liaison-bench-ceil-');
  let liaison: Proc | undefined;
  let ceiling: Proc | undefined;
  const sockets: Client[] = [];
  try {
    const seeder = await seedOfficers(dataDir, members);
    const ch = seedChannel(seeder, 'bench-fanout', seeder.officers);
    await seeder.close();
    const senders = ch.members.slice(0, 10);
    const repJobs = Array.from({ length: reps + 1 }, (_, r) => sendJobs(ch, senders, r === 0 ? 100 : count, `fan${r}`));
    const env = await store.attach(dataDir);
    liaison = await startLiaison(dataDir, [], env);
    ceiling = await startCeiling('socketio', ceilDir);
    const liaisonRx: Receivers = { delivered: 0, sentAt: new Map(), latencies: null };
    const ceilingRx: Receivers = { delivered: 0, sentAt: new Map(), latencies: null };
    const ls = await connectAll(liaison.port, ch.members.map((m) => m.accessToken));
    sockets.push(...ls);
    listenFeed(ls, liaisonRx);
    const cs = await connectAll(ceiling.port, ch.members.map(() => 'x'));
    sockets.push(...cs);
    listenFeed(cs, ceilingRx);
    // The bare server takes { channelId, envelope }: the same bytes on the wire as Liaison's feed item.
    const ceilingJobs = (jobs: Job[]): Job[] =>
      jobs.map((j) => ({ path: '/broadcast', body: `{"channelId":${JSON.stringify(ch.id)},${j.body.slice(1)}` }));
    await fanoutRep(liaison.port, repJobs[0]!, liaisonRx, members);
    await fanoutRep(ceiling.port, ceilingJobs(repJobs[0]!), ceilingRx, members);
    const rates: number[] = [];
    const ceilings: number[] = [];
    for (let r = 1; r <= reps; r++) {
      rates.push(await fanoutRep(liaison.port, repJobs[r]!, liaisonRx, members, store.budgetMs));
      ceilings.push(await fanoutRep(ceiling.port, ceilingJobs(repJobs[r]!), ceilingRx, members));
    }
    const maxSends = median(rates) / members;
    const rate = maxSends / 2;
    const latencyJobs = sendJobs(ch, senders, Math.max(50, Math.round(rate * (quick ? 2 : 4))), 'lat');
    const lat = await latencyRun(liaison.port, latencyJobs, rate, liaisonRx, members);
    process.stderr.write(`  fanout reps ${rates.map((x) => x.toFixed(0)).join(', ')}; ceiling ${ceilings.map((x) => x.toFixed(0)).join(', ')}; latency at ${rate.toFixed(0)} sends/s\n`);
    return {
      fanout_deliveries_per_s: median(rates),
      ceiling_socketio_fanout_per_s: median(ceilings),
      fanout_p99_ms: quantile(lat, 0.99),
      fanout_p50_ms: quantile(lat, 0.5),
      fanout_p99_rate_per_s: rate,
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.all([stop(liaison), stop(ceiling)]);
    await store.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ceilDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- sync

export interface SyncBenchResult {
  sync_10k_ms: number;
  sync_10k_pages: number;
  sync_page_size: number;
  sync_10k_wall_ms: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** The page size the SDK's sync loop asks for, so the bench follows the real client. */
export function sdkSyncPageSize(): number {
  return SYNC_PAGE_SIZE;
}

export async function runSyncBench({ quick }: { quick: boolean }): Promise<SyncBenchResult> {
  const reps = quick ? 1 : 3;
  const channels = 50;
  const perChannel = 200;
  const dataDir = tempDir('liaison-bench-sync-');
  let liaison: Proc | undefined;
  try {
    const seeder = await seedOfficers(dataDir, 2);
    const [me, peer] = seeder.officers as [BenchOfficer, BenchOfficer];
    const chans = Array.from({ length: channels }, (_, i) => seedChannel(seeder, `bench-sync-${i}`, [me, peer]));
    const { sqlite } = seeder.app.ctx.sqliteStore;
    const { feed } = seeder.app.ctx;
    const cursor = sqlite.prepare('SELECT max(pos) FROM feed').pluck().get() as number;
    // The backlog, stored as the send path stores it (message row, last seq, feed row), oldest first, interleaved.
    const insert = sqlite.prepare(
      `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, 'TLP:AMBER', ?, ?, 0, NULL, ?, ?)`,
    );
    const setLastSeq = sqlite.prepare('UPDATE channels SET last_message_seq = ? WHERE id = ?');
    const envelopes = chans.map((ch) => Array.from({ length: perChannel }, (_, s) => buildEnvelope(ch, peer, `sync-${ch.id}-${s}`)));
    sqlite.transaction(() => {
      for (let s = 0; s < perChannel; s++) {
        for (const [c, ch] of chans.entries()) {
          const env = envelopes[c]![s]!;
          const now = Date.now();
          const size = Math.floor(((env['ciphertext'] as string).length * 3) / 4);
          const pk = Number(insert.run(`sync-${ch.id}-${s}`, ch.id, s + 1, peer.id, peer.deviceId, ch.state.current.epoch, JSON.stringify(env), size, now, now + 365 * DAY_MS).lastInsertRowid);
          setLastSeq.run(s + 1, ch.id);
          // append stores no data for a message (it is joined from `messages` at read time). The SQLite
          // repository runs its statement before its first await, so it lands in this synchronous transaction.
          void feed.append({ channelId: ch.id, kind: 'message', data: null as never, createdAt: now, messagePk: pk }, seeder.app.ctx.store.feed);
        }
      }
    })();
    await seeder.close();
    liaison = await startLiaison(dataDir);
    const pageSize = sdkSyncPageSize();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const syncAll = async (): Promise<{ ms: number; wallMs: number; pages: number; messages: number }> => {
      let c = cursor;
      let ms = 0;
      let wallMs = 0;
      let pages = 0;
      let messages = 0;
      for (;;) {
        const r = await get(agent, liaison!.port, `/api/v1/sync?cursor=${c}&limit=${pageSize}`, me.accessToken);
        if (r.status !== 200) throw new Error(`sync: ${r.status} ${r.body.slice(0, 200)}`);
        if (!Number.isFinite(r.serverMs)) throw new Error('sync: the server sent no Server-Timing header');
        ms += r.serverMs;
        wallMs += r.ms;
        pages++;
        // Parsed outside the timed window: the client's JSON work is not server time.
        const page = JSON.parse(r.body) as { items: { kind: string }[]; cursor: number; hasMore: boolean };
        messages += page.items.filter((i) => i.kind === 'message').length;
        c = page.cursor;
        if (!page.hasMore) break;
        if (pages > 1000) throw new Error('sync: too many pages');
      }
      return { ms, wallMs, pages, messages };
    };
    await syncAll(); // warm-up
    const runs: number[] = [];
    const wall: number[] = [];
    let pages = 0;
    for (let r = 0; r < reps; r++) {
      const res = await syncAll();
      if (res.messages !== channels * perChannel) throw new Error(`sync returned ${res.messages} messages, expected ${channels * perChannel}`);
      runs.push(res.ms);
      wall.push(res.wallMs);
      pages = res.pages;
    }
    agent.destroy();
    process.stderr.write(`  sync reps server ${runs.map((x) => x.toFixed(1)).join(', ')} ms, client wall ${wall.map((x) => x.toFixed(1)).join(', ')} ms over ${pages} pages\n`);
    return { sync_10k_ms: median(runs), sync_10k_wall_ms: median(wall), sync_10k_pages: pages, sync_page_size: pageSize };
  } finally {
    await stop(liaison);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
  const quick = values.quick ?? false;
  const only = values.only?.split(',') ?? ['send', 'fanout', 'sync'];
  if (only.includes('send')) console.table(await runSendBench({ quick }));
  if (only.includes('fanout')) console.table(await runFanoutBench({ quick }));
  if (only.includes('sync')) console.table(await runSyncBench({ quick }));
}
