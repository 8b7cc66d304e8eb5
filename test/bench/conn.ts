/**
 * conn_kb (issue 7): server memory per authenticated idle socket.io connection at 10,000 sockets,
 * against bare socket.io (test/bench/ceiling-server.ts `socketio`) holding the same number of
 * sockets, measured the same way in the same run.
 *
 * Liaison side: 100 officers (20 with --quick; real enrolment, keys, certificates; messaging-seed.ts)
 * in channels of 10, each officer with 100 (500) sessions opened through AuthService.createSession (signed access
 * tokens, as a sign-in makes them), so every socket is a distinct session: it authenticates, joins
 * its officer room and its channel room, gets its rate-limit bucket, expiry tracking and presence.
 * Both servers are bench-only entry files started with --expose-gc; the memory probe
 * (memory-probe.ts, over the IPC channel) runs full GCs and reports process.memoryUsage().
 * Method, identical for both: connect and close 200 sockets (warm-up: JIT, lazily built state),
 * probe (baseline), open N websocket-only sockets from this process (500 handshakes in flight),
 * idle 2 s, probe again; per-socket = growth / N. `conn_kb` is RSS growth (everything the process
 * holds: JS heap, buffers, native ws/libuv state), heap growth (heapUsed + external) is reported
 * beside it. The client needs N file descriptors; run() raises nothing itself and fails clearly
 * when `ulimit -n` is too low.
 * Run alone: npx tsx test/bench/conn.ts [--quick]
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import { seedChannel, seedOfficers } from './messaging-seed.ts';
import { HOST, median, sleep, startCeiling, startLiaison, stop, tempDir, type Proc } from './messaging.ts';

const OFFICERS = 100;
const CHANNEL_SIZE = 10;
const IN_FLIGHT = 500;
const WARMUP = 200;

export interface ConnBenchResult {
  sockets: number;
  conn_kb: number;
  conn_heap_kb: number;
  ceiling_socketio_conn_kb: number;
  ceiling_socketio_conn_heap_kb: number;
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

function probe(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory probe timed out')), 30_000);
    const onMessage = (msg: { memory?: Memory; error?: string }) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (msg.memory) resolve(msg.memory);
      else reject(new Error(msg.error ?? 'memory probe failed'));
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

async function openSockets(port: number, tokens: string[]): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  let failure: Error | undefined;
  const worker = async () => {
    while (next < tokens.length && !failure) {
      const token = tokens[next++]!;
      const s = ioClient(`http://${HOST}:${port}`, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      await new Promise<void>((resolve) => {
        s.once('connect', () => resolve());
        s.once('connect_error', (e) => {
          failure ??= new Error(`socket ${sockets.length} did not connect: ${e.message}`);
          resolve();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (failure) {
    for (const s of sockets) s.close();
    throw failure;
  }
  return sockets;
}

async function closeSockets(sockets: Socket[]): Promise<void> {
  for (const s of sockets) s.close();
  await sleep(500);
}

interface PerSocket {
  rssKb: number;
  heapKb: number;
}

async function measure(proc: Proc, tokens: string[]): Promise<PerSocket> {
  await closeSockets(await openSockets(proc.port, tokens.slice(0, WARMUP)));
  const before = await probe(proc.child);
  const sockets = await openSockets(proc.port, tokens);
  try {
    await sleep(2000);
    const after = await probe(proc.child);
    const n = tokens.length;
    return { rssKb: (after.rss - before.rss) / 1024 / n, heapKb: (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / n };
  } finally {
    await closeSockets(sockets);
  }
}

function fdLimit(): number {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s+/)[3]);
  } catch {
    return NaN;
  }
}

export async function runConnBench({ quick }: { quick: boolean }): Promise<ConnBenchResult> {
  const n = 10_000;
  const reps = quick ? 1 : 3;
  const limit = fdLimit();
  if (limit < n + 500) throw new Error(`conn bench: ${n} sockets need ulimit -n ≥ ${n + 500} (now ${limit}); raise it in the shell that runs the bench`);
  const dataDir = tempDir('liaison-bench-conn-');
  const ceilDir = tempDir('liaison-bench-ceil-');
  let liaison: Proc | undefined;
  let ceiling: Proc | undefined;
  try {
    const officers = quick ? 20 : OFFICERS;
    const t0 = performance.now();
    const seeder = await seedOfficers(dataDir, officers);
    for (let c = 0; c < officers / CHANNEL_SIZE; c++) seedChannel(seeder, `bench-conn-${c}`, seeder.officers.slice(c * CHANNEL_SIZE, (c + 1) * CHANNEL_SIZE));
    const { ctx } = seeder.app;
    const perOfficer = Math.ceil(n / officers);
    const tokens: string[] = [];
    await ctx.store.write(async (tx) => {
      for (let k = 0; k < perOfficer; k++) {
        for (const o of seeder.officers) {
          const row = (await tx.accounts.officer(o.id))!;
          tokens.push((await ctx.auth.createSession(row, `bench device ${k}`, { ip: HOST, userAgent: 'liaison-bench' }, tx)).accessToken);
        }
      }
    });
    await seeder.close();
    process.stderr.write(`  conn: seeded ${officers} officers, ${tokens.length} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    [liaison, ceiling] = await Promise.all([startLiaison(dataDir, ['--expose-gc']), startCeiling('socketio', ceilDir, ['--expose-gc'])]);
    const ours: PerSocket[] = [];
    const bare: PerSocket[] = [];
    for (let r = 0; r < reps; r++) {
      ours.push(await measure(liaison, tokens.slice(0, n)));
      bare.push(await measure(ceiling, tokens.slice(0, n)));
    }
    const f = (xs: PerSocket[]) => xs.map((x) => `${x.rssKb.toFixed(1)}/${x.heapKb.toFixed(1)}`).join(', ');
    process.stderr.write(`  conn kB/socket rss/heap: liaison ${f(ours)}; bare socket.io ${f(bare)} (fd limit ${limit})\n`);
    return {
      sockets: n,
      conn_kb: median(ours.map((x) => x.rssKb)),
      conn_heap_kb: median(ours.map((x) => x.heapKb)),
      ceiling_socketio_conn_kb: median(bare.map((x) => x.rssKb)),
      ceiling_socketio_conn_heap_kb: median(bare.map((x) => x.heapKb)),
    };
  } finally {
    await Promise.all([stop(liaison), stop(ceiling)]);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ceilDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  console.table(await runConnBench({ quick: values.quick ?? false }));
}
