/**
 * Three Liaison nodes on one PostgreSQL schema behind a round-robin balancer (issue 16,
 * docs/CLUSTER.md "What the cluster test proves"):
 * - kill -9 a random node ≥ 10 times while 50 realtime clients send through the balancer and
 *   reconnect; every acknowledged send stored once and delivered to every member once, per-channel
 *   seq gap-free, every socket's live stream strictly increasing in feed position;
 * - a send on node A reaches a member connected to node C; a desk notice from a claim on node A
 *   reaches the desk member's sockets on B and C; a session revoked on A loses its sockets
 *   on A, B and C within 1 s; five wrong passwords spread over three nodes count as five.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALTIME_PATH } from '../../shared/realtime.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { dropSchema, withDefaultUser } from '../../server/store/pg/client.ts';
import { buildEnvelope, freePort, http, prng, removeDir, seedFromEnv, seedNetwork, ServerProcess, sleep, tempDir, type SeededNetwork } from '../faults/support.ts';
import { Balancer, copySqliteToPostgres } from './support.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const NODES = 3;
const CLIENTS = 50;
const CHANNELS = 5;
const KILLS = 10;
const PER_CLIENT = 200;
const DEADLINE_MS = 200_000;
const READER = CLIENTS; // member of every channel, connected to node C in the cross-node test
const VICTIM = CLIENTS + 1; // the revoked session
const THROTTLED = CLIENTS + 2; // the wrong passwords

interface Ack {
  ok: boolean;
  data?: { seq: number; messageId: string; duplicate: boolean };
  error?: { code: string; message: string };
  status?: number;
}

/** One member's receive side, as the SDK does it: live items and sync pages deduplicated by the cursor. */
class Receiver {
  cursor = 0;
  readonly delivered = new Map<string, number>();
  /** Live items that did not increase the position within one socket connection. */
  outOfOrder = 0;
  liveItems = 0;
  private lastLive = 0;

  constructor(readonly index: number, readonly token: string) {}

  trace: string[] = [];
  connected(): void {
    this.trace.push(`${Date.now()} connect cursor=${this.cursor}`);
    this.lastLive = 0;
  }

  private syncing = false;
  /** A sync failed and none has succeeded since (the SDK's FeedPipeline `stale`). */
  private stale = false;
  private buffer: FeedItem[] = [];
  /** Syncs that failed (a node died under the request), for the report. */
  failedSyncs = 0;

  live(item: FeedItem): void {
    this.liveItems++;
    if (item.pos <= this.lastLive) this.outOfOrder++;
    this.lastLive = item.pos;
    // Like the SDK's FeedPipeline: live items wait while a sync runs (they may be ahead of its pages),
    // and after a failed sync until one succeeds (accepting them would move the cursor past positions
    // that sync never fetched).
    this.trace.push(`${Date.now()} live ${item.pos}${this.syncing || this.stale ? ' buffered' : ''}`);
    if (this.syncing || this.stale) this.buffer.push(item);
    else this.accept([item]);
  }

  accept(items: FeedItem[]): void {
    for (const it of items) {
      if (it.pos <= this.cursor) continue;
      this.cursor = it.pos;
      if (it.kind === 'message') {
        const id = (it.data as { messageId: string }).messageId;
        this.delivered.set(id, (this.delivered.get(id) ?? 0) + 1);
      }
    }
  }

  private running: Promise<void> | null = null;
  private again = false;

  /**
   * Catches up through `base` (any node) from the cursor. As the SDK's FeedPipeline: asked for while
   * one runs (the socket reconnected during a long catch-up), that one goes round once more.
   */
  sync(base: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.syncRounds(base).finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async syncRounds(base: string): Promise<void> {
    this.syncing = true;
    let complete = false;
    try {
      do {
        this.again = false;
        for (let page = 0; page < 1_000; page++) {
          const res = await http(`${base}/api/v1/sync?cursor=${this.cursor}&limit=1000`, { token: this.token });
          if (res.status !== 200) throw new Error(`sync ${res.status}`);
          const p = res.body as { items: FeedItem[]; hasMore: boolean };
          this.trace.push(`${Date.now()} sync page from ${this.cursor}: ${p.items.length} items ${p.items[0]?.pos}..${p.items[p.items.length - 1]?.pos}`);
          this.accept(p.items);
          if (!p.hasMore) break;
        }
      } while (this.again);
      complete = true;
    } finally {
      this.syncing = false;
      this.stale = !complete;
      if (!complete) this.failedSyncs++;
      const buffered = this.buffer.sort((a, b) => a.pos - b.pos);
      this.buffer = [];
      // As the SDK: after a failed sync the buffer is dropped (the next sync fetches it), never applied past unsynced positions.
      if (complete) this.accept(buffered);
    }
  }

  /** Syncs until one succeeds (a node may die during it), as the SDK's next push or connect would. */
  async syncUntilDone(base: string, alive: () => boolean): Promise<void> {
    for (let i = 0; i < 50 && alive(); i++) {
      try {
        await this.sync(base);
        return;
      } catch {
        await sleep(200);
      }
    }
  }
}

function connect(base: string, token: string, opts: { reconnection?: boolean } = {}): Socket {
  return io(base, { path: REALTIME_PATH, transports: ['websocket'], auth: { token }, reconnectionDelay: 100, reconnectionDelayMax: 1_000, reconnection: opts.reconnection ?? true, forceNew: true });
}

describe('three nodes on one PostgreSQL', () => {
  const seed = seedFromEnv('CLUSTER_SEED');
  const rand = prng(seed);
  const schema = `cluster_${crypto.randomBytes(6).toString('hex')}`;
  let dir = '';
  let dataDir = '';
  let net: SeededNetwork;
  const nodes: ServerProcess[] = [];
  let balancer: Balancer;

  beforeAll(async () => {
    console.log(`[cluster] seed=${seed} (set CLUSTER_SEED to replay) schema=${schema}`);
    dir = tempDir('cluster');
    dataDir = path.join(dir, 'data');
    // Officers 0..49 send (10 per channel); READER is in every channel; VICTIM and THROTTLED in channel 0.
    const groups = Array.from({ length: CHANNELS }, (_, c) => [...Array.from({ length: CLIENTS / CHANNELS }, (_, k) => c * (CLIENTS / CHANNELS) + k), READER, ...(c === 0 ? [VICTIM, THROTTLED] : [])]);
    const seeded = await seedNetwork(dataDir, CLIENTS + 3, groups);
    await seeded.app.close();
    net = seeded;
    await copySqliteToPostgres(dataDir, URL_PG, schema);
    for (let i = 0; i < NODES; i++) {
      nodes.push(
        new ServerProcess({
          dataDir,
          port: await freePort(),
          logFile: path.join(dir, `node-${i}.log`),
          env: {
            STORE: 'postgres',
            DATABASE_URL: URL_PG,
            DATABASE_SCHEMA: schema,
            SECRETS_DIR: path.join(dataDir, 'secrets'),
            NODE_ID: `node-${i}`,
            LOGIN_FREE_ATTEMPTS: '5',
          },
        }),
      );
    }
    await Promise.all(nodes.map((n) => n.start(150_000)));
    balancer = new Balancer(() => nodes.filter((n) => n.alive).map((n) => n.opts.port));
    await balancer.listen();
  });

  afterAll(async () => {
    await balancer?.close();
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await dropSchema(URL_PG, schema).catch(() => {});
    removeDir(dir);
  });

  it('a desk notice from a change on node A reaches a desk member connected to node C', async () => {
    const [a, b, c] = nodes;
    // Officers 0 and 2 are both in agency A: a desk with the two of them, and an open request at it.
    const claimer = net.officers[0]!;
    const duty = net.officers[2]!;
    const deskId = crypto.randomUUID();
    const requestId = crypto.randomUUID();
    const db = new pg.Client({ connectionString: withDefaultUser(URL_PG), options: `-c search_path=${schema}` });
    await db.connect();
    try {
      const agencyId = (await db.query<{ a: string }>('SELECT agency_id AS a FROM officers WHERE id = $1', [claimer.id])).rows[0]!.a;
      const now = Date.now();
      await db.query(
        `INSERT INTO desks (id, agency_id, name, specialisations, languages, phone, time_zone, supervisors, members, rota, ack_minutes, created_at, updated_at, created_by)
         VALUES ($1, $2, 'Cluster desk', '[]', '[]', '+33100000000', 'UTC', '[]', $3, $4, 5, $5, $5, $6)`,
        [deskId, agencyId, JSON.stringify([claimer.id, duty.id]), JSON.stringify({ timeZone: 'UTC', weekly: [], overrides: [] }), now, claimer.id],
      );
      for (const o of [claimer, duty]) await db.query(`INSERT INTO desk_officers (desk_id, officer_id, role) VALUES ($1, $2, 'member')`, [deskId, o.id]);
      await db.query(
        `INSERT INTO desk_requests (id, desk_id, requester_id, request_id, version, request, received_at, page_id, state) VALUES ($1, $2, $3, $4, 1, '{}', $5, NULL, 'open')`,
        [requestId, deskId, net.officers[1]!.id, crypto.randomUUID(), now],
      );
    } finally {
      await db.end();
    }
    // The duty officer's sockets on nodes B and C (none on A, where the change happens).
    const sockets = [connect(b!.url, duty.accessToken), connect(c!.url, duty.accessToken)];
    try {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      })));
      const got = sockets.map((s) => new Promise<{ deskId: string; kind: string; requestId: string; officerId?: string }>((resolve) => s.on('desk', resolve)));
      const res = await http(`${a!.url}/api/v1/desks/${deskId}/requests/${requestId}/claim`, { method: 'POST', token: claimer.accessToken });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const notices = await Promise.race([Promise.all(got), sleep(5_000).then(() => null)]);
      expect(notices, 'desk notice not received on nodes B and C within 5 s').not.toBeNull();
      for (const n of notices!) expect(n).toMatchObject({ deskId, kind: 'claimed', requestId, officerId: claimer.id });
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });

  it('a send through node A reaches a member connected to node C', async () => {
    const [a, , c] = nodes;
    const reader = net.officers[READER]!;
    const sender = net.officers[0]!;
    const socket = connect(c!.url, reader.accessToken);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const got = new Promise<FeedItem>((resolve) => {
        socket.on('feed', (item: FeedItem) => {
          if (item.kind === 'message' && (item.data as { messageId: string }).messageId === 'cross-node-1') resolve(item);
        });
      });
      const ch = net.channels[0]!;
      const res = await http(`${a!.url}/api/v1/channels/${ch.id}/messages`, { token: sender.accessToken, body: { envelope: buildEnvelope(ch, sender, 'cross-node-1') } });
      expect(res.status).toBe(201);
      const item = await got;
      expect((item.data as { seq: number }).seq).toBe(res.body.seq);
    } finally {
      socket.disconnect();
    }
  });

  it("a session revoked on node A loses its sockets on every node within 1 s", async () => {
    const victim = net.officers[VICTIM]!;
    const sockets = nodes.map((n) => connect(n.url, victim.accessToken, { reconnection: false }));
    try {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      })));
      const res = await http(`${nodes[0]!.url}/api/v1/auth/logout`, { method: 'POST', token: victim.accessToken, body: {} });
      expect(res.status).toBeLessThan(300);
      const end = Date.now() + 1_000;
      while (Date.now() < end && sockets.some((s) => s.connected)) await sleep(20);
      expect(sockets.map((s) => s.connected)).toEqual([false, false, false]);
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });

  it('five wrong passwords spread over three nodes count as five', async () => {
    const username = `officer${THROTTLED}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await http(`${nodes[i % NODES]!.url}/api/v1/auth/login`, { body: { username, password: 'not the password at all', totp: '000000' } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('kill -9 of a random node ten times under 50 sending clients loses and duplicates nothing', async () => {
    const acked = new Map<string, { channelId: string; seq: number }>();
    const attempted = new Set<string>();
    const unexpected: string[] = [];
    let stopping = false;
    let retries = 0;
    const deadline = Date.now() + DEADLINE_MS;
    const receivers: Receiver[] = [];
    const sockets: Socket[] = [];
    const reasons = new Map<string, number>();
    const memberOf = (i: number): number => Math.floor(i / (CLIENTS / CHANNELS));

    // Every sender and the reader connect through the balancer and re-sync from their cursor on each connect.
    for (const i of [...Array.from({ length: CLIENTS }, (_, k) => k), READER]) {
      const r = new Receiver(i, net.officers[i]!.accessToken);
      receivers[i] = r;
      const s = connect(balancer.url, r.token);
      s.on('connect', () => {
        r.connected();
        void r.syncUntilDone(balancer.url, () => s.connected);
      });
      s.on('feed', (item: FeedItem) => r.live(item));
      // socket.io-client does not retry by itself after a refused handshake (a node still starting
      // answers `unavailable`) or a server-side disconnect: reconnect, as the SDK does.
      s.on('connect_error', (err: Error) => {
        reasons.set(`connect_error ${err.message}`, (reasons.get(`connect_error ${err.message}`) ?? 0) + 1);
        if (!s.active) setTimeout(() => s.connect(), 200);
      });
      s.on('disconnect', (reason) => {
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        if (reason === 'io server disconnect' && !stopping) setTimeout(() => s.connect(), 200);
      });
      sockets[i] = s;
    }

    const client = async (i: number): Promise<void> => {
      const me = net.officers[i]!;
      const ch = net.channels[memberOf(i)]!;
      const s = sockets[i]!;
      for (let n = 0; n < PER_CLIENT && !stopping; n++) {
        const messageId = `cl-${i}-${n}`;
        const envelope = buildEnvelope(ch, me, messageId);
        attempted.add(messageId);
        for (let tries = 0; ; tries++) {
          if (Date.now() > deadline) throw new Error(`client ${i}: deadline while retrying ${messageId}`);
          if (tries > 0) retries++;
          if (s.connected) {
            // The same id and envelope until acknowledged: the node may die before or after the commit.
            const ack = await s.timeout(5_000).emitWithAck('send', { channelId: ch.id, envelope }).catch(() => null) as Ack | null;
            if (ack?.ok && ack.data) {
              const before = acked.get(messageId);
              if (before && before.seq !== ack.data.seq) unexpected.push(`${messageId} acknowledged as seq ${before.seq} and ${ack.data.seq}`);
              acked.set(messageId, { channelId: ch.id, seq: ack.data.seq });
              break;
            }
            if (ack && !ack.ok && ack.status !== 503 && ack.status !== 429) unexpected.push(`${messageId}: ${ack.status} ${ack.error?.code}`);
          }
          await sleep(50 + Math.floor(rand() * 100));
        }
      }
    };
    const running = Array.from({ length: CLIENTS }, (_, i) => client(i));

    let kills = 0;
    for (let k = 0; k < KILLS; k++) {
      const before = acked.size;
      await sleep(300 + Math.floor(rand() * 1_200));
      for (let w = 0; w < 100 && acked.size < before + 20; w++) await sleep(50);
      const victim = nodes[Math.floor(rand() * NODES)]!;
      expect(victim.alive, 'a node died by itself').toBe(true);
      await victim.stop('SIGKILL');
      kills++;
      await sleep(200 + Math.floor(rand() * 500));
      await victim.start(60_000);
    }
    await sleep(1_000);
    stopping = true;
    await Promise.all(running);
    // Let the fan-out drain, then every member catches up (as its next connect would).
    await sleep(2_500);
    for (const s of sockets) s.disconnect();
    for (const r of receivers.filter(Boolean)) await r.sync(nodes[0]!.url);

    const db = new pg.Client({ connectionString: withDefaultUser(URL_PG), options: `-c search_path=${schema}` });
    await db.connect();
    const rows = (await db.query<{ id: string; channelId: string; seq: string }>('SELECT id, channel_id AS "channelId", seq FROM messages')).rows;
    const seqRows = (await db.query<{ c: string; seq: string }>('SELECT channel_id AS c, seq FROM messages ORDER BY channel_id, seq')).rows;
    await db.end();
    const storedCount = new Map<string, number>();
    const storedRow = new Map<string, { channelId: string; seq: number }>();
    for (const r of rows) {
      storedCount.set(r.id, (storedCount.get(r.id) ?? 0) + 1);
      storedRow.set(r.id, { channelId: r.channelId, seq: Number(r.seq) });
    }
    const seqGaps: string[] = [];
    const lastSeq = new Map<string, number>();
    for (const r of seqRows) {
      const expected = (lastSeq.get(r.c) ?? 0) + 1;
      if (Number(r.seq) !== expected) seqGaps.push(`${r.c}: ${r.seq} where ${expected} was expected`);
      lastSeq.set(r.c, Number(r.seq));
    }
    let lost = 0;
    let seqMismatch = 0;
    let notDelivered = 0;
    let deliveredTwice = 0;
    const missing: string[] = [];
    for (const [id, a] of acked) {
      const row = storedRow.get(id);
      if (!row) lost++;
      else if (row.seq !== a.seq || row.channelId !== a.channelId) seqMismatch++;
      const channel = net.channels.findIndex((c) => c.id === a.channelId);
      const members = [...Array.from({ length: CLIENTS / CHANNELS }, (_, k) => channel * (CLIENTS / CHANNELS) + k), READER];
      for (const m of members) {
        const n = receivers[m]!.delivered.get(id) ?? 0;
        if (n === 0) {
          notDelivered++;
          missing.push(`${id} (channel ${channel}, seq ${a.seq}) to member ${m}`);
        }
        if (n > 1) deliveredTwice++;
      }
    }
    const duplicated = [...storedCount.values()].filter((n) => n > 1).length;
    const unacknowledgedStored = [...storedCount.keys()].filter((id) => id.startsWith('cl-') && !acked.has(id)).length;
    const outOfOrder = receivers.filter(Boolean).reduce((n, r) => n + r.outOfOrder, 0);
    const liveItems = receivers.filter(Boolean).reduce((n, r) => n + r.liveItems, 0);
    const table = [
      ['kills', kills],
      ['sent (attempted)', attempted.size],
      ['acknowledged', acked.size],
      ['stored (cl-*)', [...storedCount.keys()].filter((id) => id.startsWith('cl-')).length],
      ['lost (acknowledged, not stored)', lost],
      ['duplicated (stored twice)', duplicated],
      ['stored but never acknowledged (in flight at the end)', unacknowledgedStored],
      ['member deliveries missing', notDelivered],
      ['member deliveries duplicated', deliveredTwice],
      ['live items received', liveItems],
      ['live items out of position order', outOfOrder],
      ['seq gaps', seqGaps.length],
      ['send retries', retries],
      ['syncs failed (a node died under them; retried)', receivers.filter(Boolean).reduce((n, r) => n + r.failedSyncs, 0)],
    ];
    console.log(`[cluster] disconnects: ${JSON.stringify(Object.fromEntries(reasons))}`);
    console.log(`[cluster] seed=${seed}\n${table.map(([k, v]) => `  ${String(k).padEnd(56)} ${v}`).join('\n')}`);
    expect(unexpected.slice(0, 10)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(acked.size).toBeGreaterThan(CLIENTS * 3);
    expect(lost, 'acknowledged messages missing from the database').toBe(0);
    expect(duplicated, 'messages stored more than once').toBe(0);
    expect(seqMismatch).toBe(0);
    expect(seqGaps.slice(0, 10)).toEqual([]);
    if (missing.length > 0) {
      const dbc = new pg.Client({ connectionString: withDefaultUser(URL_PG), options: `-c search_path=${schema}` });
      await dbc.connect();
      const firstId = missing[0]!.split(' ')[0]!;
      const pos = Number((await dbc.query<{ pos: string }>('SELECT f.pos FROM feed f JOIN messages m ON m.pk = f.message_pk WHERE m.id = $1', [firstId])).rows[0]?.pos);
      await dbc.end();
      const r = receivers[READER]!;
      const at = r.trace.findIndex((l) => / (live|sync page)/.test(l) && Number((l.match(/(\d+)(?: buffered)?$|\.\.(\d+)$/) ?? [])[1] ?? (l.match(/\.\.(\d+)$/) ?? [])[1]) >= pos);
      console.log(`[cluster] missing ${firstId} at pos ${pos}; reader trace around it:\n${r.trace.slice(Math.max(0, at - 30), at + 10).join('\n')}`);
    }
    expect(notDelivered, `acknowledged messages some member never received: ${missing.slice(0, 5).join('; ')}`).toBe(0);
    expect(deliveredTwice, 'messages a member received twice').toBe(0);
    expect(outOfOrder, 'live items not strictly increasing in feed position on one socket').toBe(0);
    expect(liveItems).toBeGreaterThan(0);
  });
});
