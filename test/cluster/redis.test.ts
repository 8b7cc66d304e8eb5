/**
 * Three nodes on one PostgreSQL schema sharing Redis (issue 16, docs/CLUSTER.md "Redis"): presence and
 * typing cross nodes through socket.io's Redis adapter, presence is counted across nodes (and a killed
 * node's officers go offline), the HTTP rate limit is one budget over all nodes. Node C reaches Redis
 * through a TCP proxy the test cuts: messages still flow, presence and typing stay on C, C's own limit
 * still holds, nothing crashes, and C shares again once the proxy is back. (Redis itself is shared
 * with other runs and is never stopped; every key of this run is under its own REDIS_PREFIX.)
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALTIME_PATH, type PresenceNotice, type TypingNotice } from '../../shared/realtime.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { dropSchema } from '../../server/store/pg/client.ts';
import { buildEnvelope, freePort, http, removeDir, seedNetwork, ServerProcess, sleep, tempDir, type SeededNetwork } from '../faults/support.ts';
import { Balancer, copySqliteToPostgres } from './support.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6379);
const LIMIT = 30;
// Officers 0..5 share channel 0.
const MOVER = 0; // connects on A and B
const WATCHER = 1; // a co-member watching from C
const TYPIST = 2;
const CRASHED = 3; // connected only to B, which is killed
const LOCAL = 4; // connects to C during the outage

let clients = 0;
/** Each socket comes from its own address (X-Forwarded-For), so the handshakes stay clear of the rate-limit tests' budget. */
function connect(base: string, token: string): Socket {
  const ip = `198.51.100.${++clients % 250}`;
  return io(base, { path: REALTIME_PATH, transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': ip } });
}

async function connected(socket: Socket): Promise<Socket> {
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // Presence is announced once the rooms are joined, just after 'connect'.
  await sleep(150);
  return socket;
}

/** GET /sync as a client at `ip` (the nodes trust X-Forwarded-For): 200, or 429 once the limit is hit. */
async function getAs(base: string, token: string, ip: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/sync?cursor=0&limit=1`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip }, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  return res.status;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('three nodes sharing Redis', () => {
  const schema = `cluster_redis_${crypto.randomBytes(5).toString('hex')}`;
  const prefix = `liaison-test-${crypto.randomBytes(5).toString('hex')}:`;
  let dir = '';
  let net: SeededNetwork;
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  const proxy = new Balancer(() => [REDIS_PORT]);
  let proxyPort = 0;
  const sockets: Socket[] = [];
  const open = async (node: ServerProcess, officer: number): Promise<Socket> => {
    const s = connect(node.url, net.officers[officer]!.accessToken);
    sockets.push(s);
    return connected(s);
  };
  const presenceOf = (watcher: Socket, officer: number): PresenceNotice[] => {
    const seen: PresenceNotice[] = [];
    watcher.on('presence', (p: PresenceNotice) => {
      if (p.officerId === net.officers[officer]!.id) seen.push(p);
    });
    return seen;
  };
  const send = async (node: ServerProcess, officer: number, messageId: string): Promise<number> => {
    const ch = net.channels[0]!;
    const sender = net.officers[officer]!;
    const res = await http(`${node.url}/api/v1/channels/${ch.id}/messages`, { token: sender.accessToken, body: { envelope: buildEnvelope(ch, sender, messageId) } });
    return res.status;
  };
  const received = (socket: Socket, messageId: string): Promise<FeedItem> =>
    new Promise((resolve) => {
      socket.on('feed', (item: FeedItem) => {
        if (item.kind === 'message' && (item.data as { messageId: string }).messageId === messageId) resolve(item);
      });
    });

  beforeAll(async () => {
    dir = tempDir('cluster-redis');
    const dataDir = path.join(dir, 'data');
    const seeded = await seedNetwork(dataDir, 6, [[0, 1, 2, 3, 4, 5]]);
    await seeded.app.close();
    net = seeded;
    await copySqliteToPostgres(dataDir, URL_PG, schema);
    await proxy.listen();
    proxyPort = proxy.port;
    const node = async (name: string, redisPort: number): Promise<ServerProcess> =>
      new ServerProcess({
        dataDir,
        port: await freePort(),
        logFile: path.join(dir, `node-${name}.log`),
        env: {
          STORE: 'postgres',
          DATABASE_URL: URL_PG,
          DATABASE_SCHEMA: schema,
          SECRETS_DIR: path.join(dataDir, 'secrets'),
          NODE_ID: `node-${name}`,
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          REDIS_PREFIX: prefix,
          RATE_LIMIT_PER_MINUTE: String(LIMIT),
          TRUST_PROXY: 'true',
        },
      });
    [a, b, c] = await Promise.all([node('a', REDIS_PORT), node('b', REDIS_PORT), node('c', proxyPort)]);
    await Promise.all([a, b, c].map((n) => n.start(180_000)));
    // Three starts at once on a loaded 2-core machine can be slow.
  }, 300_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a, b, c].map((n) => n?.stop('SIGKILL')));
    await proxy.close().catch(() => {});
    await dropSchema(URL_PG, schema).catch(() => {});
    removeDir(dir);
  });

  it('an officer on A and B is online once and offline once for a co-member on C', async () => {
    const watcher = await open(c, WATCHER);
    const seen = presenceOf(watcher, MOVER);
    const onA = await open(a, MOVER);
    await until('online', () => seen.length === 1, 5_000);
    const onB = await open(b, MOVER);
    onB.disconnect();
    await sleep(500);
    expect(seen).toEqual([{ officerId: net.officers[MOVER]!.id, online: true }]);
    onA.disconnect();
    await until('offline', () => seen.length === 2, 5_000);
    await sleep(300);
    expect(seen.map((p) => p.online)).toEqual([true, false]);
  });

  it('typing on A reaches a co-member on C but not the typist\'s own socket on B', async () => {
    const watcher = await open(c, WATCHER);
    const typist = await open(a, TYPIST);
    const ownOther = await open(b, TYPIST);
    const mine: TypingNotice[] = [];
    ownOther.on('typing', (t: TypingNotice) => mine.push(t));
    const got = new Promise<TypingNotice>((resolve) => watcher.on('typing', resolve));
    typist.emit('typing', { channelId: net.channels[0]!.id, typing: true });
    expect(await got).toEqual({ channelId: net.channels[0]!.id, officerId: net.officers[TYPIST]!.id, typing: true });
    await sleep(300);
    expect(mine).toEqual([]);
  });

  it('the HTTP rate limit is one budget over A and B', async () => {
    const token = net.officers[5]!.accessToken;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push(await getAs(i % 2 === 0 ? a.url : b.url, token, '203.0.113.10'));
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });

  it('an officer connected only to a node killed with SIGKILL goes offline for the co-members', async () => {
    const watcher = await open(a, WATCHER);
    const seen = presenceOf(watcher, CRASHED);
    await open(b, CRASHED);
    await until('online', () => seen.length === 1, 5_000);
    const killedAt = Date.now();
    await b.stop('SIGKILL');
    // A dead node stops counting after 15 s; a live node's next heartbeat (every 5 s) announces it.
    await until('offline after the kill', () => seen.length === 2, 30_000);
    console.log(`[cluster-redis] offline announced ${Date.now() - killedAt} ms after the kill`);
    expect(seen.map((p) => p.online)).toEqual([true, false]);
  });

  it('with Redis cut off from C: messages flow, presence stays on C, C still limits, and C shares again once Redis is back', async () => {
    const watcherOnA = await open(a, WATCHER);
    const watcherOnC = await open(c, WATCHER);
    const seenOnA = presenceOf(watcherOnA, LOCAL);
    const seenOnC = presenceOf(watcherOnC, LOCAL);
    await proxy.close();
    await sleep(300);

    // No message lost, either way across the cut.
    const fromA = received(watcherOnC, 'outage-a-to-c');
    expect(await send(a, MOVER, 'outage-a-to-c')).toBe(201);
    await fromA;
    const fromC = received(watcherOnA, 'outage-c-to-a');
    expect(await send(c, MOVER, 'outage-c-to-a')).toBe(201);
    await fromC;

    // Presence degrades to C's own sockets.
    const local = await open(c, LOCAL);
    await until('presence on C', () => seenOnC.length === 1, 5_000);
    await sleep(300);
    expect(seenOnA).toEqual([]);

    // C keeps enforcing the limit on its own counts (never open).
    const token = net.officers[5]!.accessToken;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push(await getAs(c.url, token, '203.0.113.20'));
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
    expect(c.alive).toBe(true);
    expect((await http(`${c.url}/health/ready`)).status).toBe(200);

    // Redis back: C's presence reaches A again, and C counts against the shared budget.
    local.disconnect();
    await until('offline on C', () => seenOnC.length === 2, 5_000);
    await proxy.listen(proxyPort);
    const end = Date.now() + 15_000;
    let shared = false;
    while (!shared && Date.now() < end) {
      const again = await open(c, LOCAL);
      await sleep(500);
      shared = seenOnA.some((p) => p.online);
      again.disconnect();
      await sleep(200);
    }
    expect(shared).toBe(true);
    const ip = '203.0.113.30';
    for (let i = 0; i < LIMIT; i++) expect(await getAs(a.url, token, ip)).toBe(200);
    expect(await getAs(c.url, token, ip)).toBe(429);
  });
});
