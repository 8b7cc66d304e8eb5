/**
 * The flooding scenario shared by the fault test (behaviour: flooder throttled, others served,
 * nothing crashes) and the bench (timing: loaded vs unloaded p99, test/bench/flood.ts).
 * One socket emits FLOOD_RATE events/s from its own process while NORMAL well-behaved clients send
 * 10/s each. The data directory is a tmpfs where we may mount one (fsync latency of a shared disk is
 * noise that has nothing to do with flooding); windows alternate unloaded and loaded (U L U L …).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { buildEnvelope, canMountTmpfs, freePort, quantile, removeDir, ROOT, seedNetwork, ServerProcess, sleep, tempDir, unmount } from './support.ts';

export const NORMAL = 10;
export const FLOOD_RATE = 1_000;
const INTERVAL_MS = 100; // each normal client sends 10/s (the per-socket budget is 20/s)

export interface FloodResult {
  /** p99 send→ack of the normal clients per window, unloaded and loaded. */
  unloaded: number[];
  loaded: number[];
  samplesPerWindow: number[];
  /** Normal clients' failed sends (timeouts or error acks). */
  errors: string[];
  flooder: { emitted: number; acksOk: number; rateLimited: number; disconnects: number } & Record<string, number>;
  serverAlive: boolean;
  tmpfs: boolean;
}

export async function runFloodScenario(opts: { windowMs: number; pairs: number }): Promise<FloodResult> {
  const { windowMs, pairs } = opts;
  const dir = tempDir('flood');
  fs.mkdirSync(path.join(dir, 'data'));
  const mounted = canMountTmpfs(path.join(dir, 'data'), 64).ok;
  if (!mounted) console.warn('[flood] no tmpfs (not permitted here): data on the disk, fsync noise included');
  const sockets: Socket[] = [];
  let server: ServerProcess | undefined;
  try {
    // Officers 0..9 are normal clients, officer 10 floods; all in one channel (two for the load spread).
    const net = await seedNetwork(path.join(dir, 'data'), NORMAL + 1, [
      [0, 1, 2, 3, 4, 10],
      [5, 6, 7, 8, 9, 10],
    ]);
    await net.app.close();
    server = new ServerProcess({ dataDir: path.join(dir, 'data'), port: await freePort(), logFile: path.join(dir, 'server.log') });
    await server.start();
    const url = server.url;

    const total = Math.ceil(((2 * pairs + 2) * windowMs + 2 * pairs * 500) / INTERVAL_MS) + 40;
    const clients = Array.from({ length: NORMAL }, (_, i) => {
      const ch = net.channels[i < 5 ? 0 : 1]!;
      const me = net.officers[i]!;
      const envelopes = Array.from({ length: total }, (_, n) => ({ channelId: ch.id, envelope: buildEnvelope(ch, me, `fl-${i}-${n}`) }));
      const socket = ioClient(url, { path: '/socket.io', transports: ['websocket'], auth: { token: me.accessToken }, reconnection: false, forceNew: true });
      sockets.push(socket);
      return { socket, envelopes, next: 0 };
    });
    await Promise.all(clients.map((c) => new Promise<void>((resolve, reject) => (c.socket.connected ? resolve() : (c.socket.once('connect', () => resolve()), c.socket.once('connect_error', reject))))));

    // The flooder's payload: a real, valid envelope (the first is stored, the rest are idempotent retries).
    const flooderCh = net.channels[0]!;
    const flooderMe = net.officers[NORMAL]!;
    const payloadFile = path.join(dir, 'flood-payload.json');
    fs.writeFileSync(payloadFile, JSON.stringify({ channelId: flooderCh.id, envelope: buildEnvelope(flooderCh, flooderMe, 'fl-flood') }));
    const flooder = spawn(process.execPath, ['--import', 'tsx', 'test/faults/flooder.ts', url, flooderMe.accessToken, payloadFile, String(FLOOD_RATE)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let flooderOut = '';
    flooder.stdout!.on('data', (d: Buffer) => (flooderOut += d.toString()));
    try {
      for (let i = 0; i < 200 && !flooderOut.includes('ready'); i++) await sleep(50);
      if (!flooderOut.includes('ready')) throw new Error('flooder did not start');

      const errors: string[] = [];
      let window: number[] = [];
      let running = true;
      const loop = async (c: (typeof clients)[number], offset: number) => {
        await sleep(offset);
        let due = performance.now();
        while (running && c.next < c.envelopes.length) {
          const payload = c.envelopes[c.next++]!;
          const t0 = performance.now();
          const samples = window;
          c.socket.timeout(10_000).emit('send', payload, (err: Error | null, res: { ok: boolean; error?: { code: string } }) => {
            if (err || !res.ok) errors.push(err ? err.message : res.error!.code);
            else samples.push(performance.now() - t0);
          });
          due += INTERVAL_MS;
          await sleep(Math.max(0, due - performance.now()));
        }
      };
      const loops = clients.map((c, i) => loop(c, (i * INTERVAL_MS) / NORMAL));
      await sleep(windowMs / 2); // warm-up (JIT, page cache), discarded
      const unloaded: number[] = [];
      const loaded: number[] = [];
      const counts: number[] = [];
      for (let p = 0; p < pairs * 2; p++) {
        const isLoaded = p % 2 === 1;
        flooder.stdin!.write(isLoaded ? 'start\n' : 'stop\n');
        await sleep(isLoaded ? 300 : 500); // let the previous phase drain
        window = [];
        await sleep(windowMs);
        const w = window;
        window = [];
        counts.push(w.length);
        (isLoaded ? loaded : unloaded).push(quantile(w, 0.99));
      }
      flooder.stdin!.write('stop\n');
      running = false;
      await Promise.all(loops);
      // Sends still in flight settle (ack or 10 s timeout) before the errors are read.
      await sleep(300);
      flooder.stdin!.write('exit\n');
      await new Promise((r) => flooder.once('exit', r));
      const fc = { emitted: 0, acksOk: 0, rateLimited: 0, disconnects: 0, ...(JSON.parse(flooderOut.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, number>) };
      return { unloaded, loaded, samplesPerWindow: counts, errors, flooder: fc, serverAlive: server.alive, tmpfs: mounted };
    } finally {
      if (flooder.exitCode === null) flooder.kill('SIGKILL');
    }
  } finally {
    for (const s of sockets) s.close();
    await server?.stop('SIGKILL');
    if (mounted) unmount(path.join(dir, 'data'));
    removeDir(dir);
  }
}
