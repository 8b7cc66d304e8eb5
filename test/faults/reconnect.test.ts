/**
 * Reconnect storm: 200 socket.io clients (40 officers × 5 devices, each officer in 2 of 4 channels)
 * disconnect at random while messages flow, and the server is restarted (SIGKILL) in the middle.
 * Each client keeps one cursor for realtime `feed` events and `GET /api/v1/sync` (run after every
 * (re)connect, live events buffered meanwhile, deduplicated by position). Afterwards every client's
 * history must be complete, ordered and gap-free: per channel exactly seq 1..N in order.
 */
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { buildEnvelope, freePort, http, prng, removeDir, seedFromEnv, seedNetwork, ServerProcess, sleep, syncAll, tempDir, type SeededNetwork } from './support.ts';

const OFFICERS = 40;
const DEVICES = 5;
const CHANNELS = 4;
const PER_CHANNEL = 120;
const SEND_INTERVAL_MS = 25; // per channel sender
const CONVERGE_MS = 30_000;

interface Client {
  socket: Socket;
  token: string;
  cursor: number;
  lastSeq: Map<string, number>;
  violations: string[];
  syncing: boolean;
  buffer: FeedItem[];
  connects: number;
  recovered: number;
  syncs: number;
}

describe('200 reconnecting socket.io clients and a server restart', () => {
  const seed = seedFromEnv('RECONNECT_SEED');
  const rand = prng(seed);
  let dir = '';
  let server: ServerProcess;
  let net: SeededNetwork;
  const clients: Client[] = [];

  beforeAll(async () => {
    console.log(`[reconnect] seed=${seed}`);
    dir = tempDir('reconnect');
    // Officer i is in channels i%4 and (i+1)%4; the first member of each channel sends.
    const groups = Array.from({ length: CHANNELS }, (_, c) => Array.from({ length: OFFICERS }, (_, i) => i).filter((i) => i % CHANNELS === c || (i + 1) % CHANNELS === c));
    const seeded = await seedNetwork(path.join(dir, 'data'), OFFICERS, groups);
    await seeded.app.close();
    net = seeded;
    server = new ServerProcess({ dataDir: path.join(dir, 'data'), port: await freePort(), logFile: path.join(dir, 'server.log') });
    await server.start();
  });

  afterAll(async () => {
    for (const c of clients) c.socket.close();
    await server?.stop('SIGKILL');
    removeDir(dir);
  });

  function apply(c: Client, item: FeedItem): void {
    if (item.pos <= c.cursor) return; // already seen (recovery replay, or sync and live overlap)
    c.cursor = item.pos;
    if (item.kind !== 'message') return;
    const seq = (item.data as { seq: number }).seq;
    const last = c.lastSeq.get(item.channelId) ?? 0;
    if (seq !== last + 1) c.violations.push(`${item.channelId}: seq ${seq} after ${last}`);
    c.lastSeq.set(item.channelId, Math.max(last, seq));
  }

  async function catchUp(c: Client): Promise<void> {
    c.syncing = true;
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          const { items } = await syncAll(server.url, c.token, c.cursor);
          c.syncs++;
          for (const it of items) apply(c, it);
          break;
        } catch {
          await sleep(200); // server restarting
        }
      }
    } finally {
      c.syncing = false;
      const buffered = c.buffer.sort((a, b) => a.pos - b.pos);
      c.buffer = [];
      for (const it of buffered) apply(c, it);
    }
  }

  it('every client ends with a complete, ordered, gap-free history', async () => {
    for (let i = 0; i < OFFICERS * DEVICES; i++) {
      const officer = net.officers[i % OFFICERS]!;
      const socket = ioClient(server.url, {
        path: '/socket.io',
        transports: ['websocket'],
        auth: { token: officer.accessToken },
        reconnection: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 1_000,
        forceNew: true,
      });
      const c: Client = { socket, token: officer.accessToken, cursor: 0, lastSeq: new Map(), violations: [], syncing: false, buffer: [], connects: 0, recovered: 0, syncs: 0 };
      socket.on('feed', (item: FeedItem) => (c.syncing ? c.buffer.push(item) : apply(c, item)));
      socket.on('connect', () => {
        c.connects++;
        if (socket.recovered) c.recovered++;
        void catchUp(c);
      });
      clients.push(c);
    }
    const t0 = Date.now();
    while (clients.some((c) => c.connects === 0) && Date.now() - t0 < 30_000) await sleep(50);
    expect(clients.filter((c) => c.connects === 0).length, 'clients that never connected').toBe(0);

    // Senders: one per channel over HTTP, retrying the same id and envelope until acknowledged.
    const acked = new Map<string, number>();
    let sendFailures = 0;
    const sender = async (c: number): Promise<void> => {
      const ch = net.channels[c]!;
      const me = ch.members[0]!;
      for (let n = 0; n < PER_CHANNEL; n++) {
        const body = { envelope: buildEnvelope(ch, me, `rc-${c}-${n}`) };
        for (let tries = 0; ; tries++) {
          if (tries > 300) throw new Error(`sender ${c}: message ${n} never acknowledged`);
          try {
            const res = await http(`${server.url}/api/v1/channels/${ch.id}/messages`, { token: me.accessToken, body });
            if (res.status === 201 || res.status === 200) {
              acked.set(ch.id, (res.body as { seq: number }).seq);
              break;
            }
            sendFailures++;
          } catch {
            sendFailures++;
          }
          await sleep(100);
        }
        await sleep(SEND_INTERVAL_MS);
      }
    };
    let disconnects = 0;
    let sending = true;
    const chaos = async (): Promise<void> => {
      while (sending) {
        await sleep(20);
        const c = clients[Math.floor(rand() * clients.length)]!;
        if (!c.socket.connected) continue;
        disconnects++;
        if (rand() < 0.5) {
          // Transport drop: socket.io reconnects by itself and may recover missed packets.
          c.socket.io.engine.close();
        } else {
          c.socket.disconnect();
          setTimeout(() => c.socket.connect(), 50 + Math.floor(rand() * 1_500));
        }
      }
    };
    const senders = Array.from({ length: CHANNELS }, (_, c) => sender(c));
    const chaosDone = chaos();
    // Restart the server when about half the messages are out.
    while ([...acked.values()].reduce((a, b) => a + b, 0) < (CHANNELS * PER_CHANNEL) / 2) await sleep(50);
    await server.stop('SIGKILL');
    await server.start();
    await Promise.all(senders);
    sending = false;
    await chaosDone;

    const expected = new Map(net.channels.map((ch) => [ch.id, acked.get(ch.id) ?? 0]));
    const members = new Map(net.channels.map((ch) => [ch.id, new Set(ch.members.map((m) => m.accessToken))]));
    const complete = (c: Client) => [...expected].every(([ch, n]) => !members.get(ch)!.has(c.token) || c.lastSeq.get(ch) === n);
    const tWait = Date.now();
    while (Date.now() - tWait < CONVERGE_MS && !clients.every((c) => c.socket.connected && !c.syncing && complete(c))) await sleep(100);

    const incomplete = clients.filter((c) => !complete(c));
    const violations = clients.flatMap((c) => c.violations);
    const foreign = clients.filter((c) => [...c.lastSeq.keys()].some((ch) => !members.get(ch)!.has(c.token))).length;
    console.log(
      `[reconnect] clients=${clients.length} messages=${[...expected.values()].join('+')} disconnects=${disconnects} ` +
        `connects=${clients.reduce((a, c) => a + c.connects, 0)} recovered=${clients.reduce((a, c) => a + c.recovered, 0)} ` +
        `syncs=${clients.reduce((a, c) => a + c.syncs, 0)} sendRetries=${sendFailures} complete=${clients.length - incomplete.length}/${clients.length} ` +
        `orderViolations=${violations.length} foreignChannel=${foreign}`,
    );
    expect([...expected.values()]).toEqual(Array(CHANNELS).fill(PER_CHANNEL));
    expect(violations.slice(0, 10), 'out-of-order or missing seq in a client history').toEqual([]);
    expect(
      incomplete.slice(0, 5).map((c) => Object.fromEntries(c.lastSeq)),
      `${incomplete.length} clients with incomplete history`,
    ).toEqual([]);
    expect(foreign).toBe(0);
    // The server still answers after the storm.
    expect((await http(`${server.url}/health/live`)).status).toBe(200);
  });
});
