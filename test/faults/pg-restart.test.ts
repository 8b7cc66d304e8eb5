/**
 * PostgreSQL crashes and restarts under load (issue 16, docs/CLUSTER.md "PostgreSQL restart"). A
 * PRIVATE PostgreSQL 15 instance (initdb into a temp dir, its own port; the machine's shared server is
 * never touched), one Liaison node on it, clients sending over HTTP and socket.io. The instance is
 * stopped with `pg_ctl stop -m immediate` (a crash), the clients keep sending, then it starts again:
 * - every send issued during the outage is refused (HTTP 503 `unavailable`, socket ack likewise) and
 *   none is acknowledged; /health/ready is 503 while the store is down;
 * - every acknowledged message is stored exactly once after recovery;
 * - sends succeed again within a bounded time without restarting the node;
 * - the LISTEN connection is back: a message sent after recovery reaches another member's socket
 *   live, and a session revoked after recovery loses its socket.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALTIME_PATH } from '../../shared/realtime.ts';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { copySqliteToPostgres } from '../../server/store/pg/migrate-store.ts';
import { buildEnvelope, freePort, http, removeDir, seedNetwork, ServerProcess, sleep, tail, type SeededNetwork } from './support.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const SENDERS = 6;
const SCHEMA = 'liaison';
const OUTAGE_MS = 4_000;
const RESUME_BOUND_MS = 20_000;

/** A throwaway PostgreSQL instance in a temp dir, run as `postgres` when we are root (postgres refuses root). */
class PrivatePostgres {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-pgr-'));
  readonly data = path.join(this.dir, 'data');
  port = 0;

  private run(args: string[], timeoutMs = 60_000): void {
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'runuser' : args[0]!;
    const argv = asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1);
    const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs });
    if (res.status !== 0) throw new Error(`${args.join(' ')} failed (${res.status}): ${res.stderr}${res.stdout}\n${tail(path.join(this.dir, 'pg.log'))}`);
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres:postgres', this.dir]);
    this.port = await freePort();
    this.run([`${PG_BIN}/initdb`, '-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  }

  start(): void {
    this.run([`${PG_BIN}/pg_ctl`, '-D', this.data, '-l', path.join(this.dir, 'pg.log'), '-w', '-t', '60', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
  }

  /** A crash: no checkpoint, every backend killed, recovery from the WAL at the next start. */
  crash(): void {
    this.run([`${PG_BIN}/pg_ctl`, '-D', this.data, '-w', '-m', 'immediate', 'stop']);
  }

  destroy(): void {
    if (fs.existsSync(path.join(this.data, 'postmaster.pid'))) {
      try {
        this.crash();
      } catch {
        /* already down */
      }
    }
    removeDir(this.dir);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
}

interface Ack {
  ok: boolean;
  data?: { seq: number; messageId: string };
  error?: { code: string; message: string };
  status?: number;
}

interface Attempt {
  id: string;
  via: 'http' | 'socket';
  startedAt: number;
  ok: boolean;
  status: number;
  code: string | null;
}

function connect(base: string, token: string): Socket {
  return io(base, { path: REALTIME_PATH, transports: ['websocket'], auth: { token }, reconnectionDelay: 100, reconnectionDelayMax: 500, forceNew: true });
}

async function connected(s: Socket): Promise<void> {
  if (s.connected) return;
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
}

describe('PostgreSQL crash and restart under load', () => {
  const db = new PrivatePostgres();
  let dataDir = '';
  let node: ServerProcess;
  let net: SeededNetwork;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await db.init();
    db.start();
    dataDir = path.join(db.dir, 'liaison');
    // Officers 0..5 send (even ones over HTTP, odd ones over their socket), 6 reads, 7 is the revoked session.
    const seeded = await seedNetwork(dataDir, SENDERS + 2, [Array.from({ length: SENDERS + 2 }, (_, i) => i)]);
    await seeded.app.close();
    net = seeded;
    await copySqliteToPostgres(dataDir, db.url, SCHEMA);
    node = new ServerProcess({
      dataDir,
      port: await freePort(),
      logFile: path.join(db.dir, 'node.log'),
      env: { STORE: 'postgres', DATABASE_URL: db.url, DATABASE_SCHEMA: SCHEMA, SECRETS_DIR: path.join(dataDir, 'secrets'), NODE_ID: 'pgr-node' },
    });
    await node.start(60_000);
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (node && !node.alive) console.log(`[pg-restart] the node exited; its log:\n${tail(node.opts.logFile, 60)}`);
    await node?.stop('SIGKILL');
    db.destroy();
  });

  it('refuses every send while PostgreSQL is down, loses none it acknowledged, and resumes without a node restart', async () => {
    const ch = net.channels[0]!;
    const reader = net.officers[SENDERS]!;
    const victim = net.officers[SENDERS + 1]!;
    const senderSockets = new Map<number, Socket>();
    for (let i = 1; i < SENDERS; i += 2) senderSockets.set(i, connect(node.url, net.officers[i]!.accessToken));
    const readerSocket = connect(node.url, reader.accessToken);
    const victimSocket = connect(node.url, victim.accessToken);
    sockets.push(...senderSockets.values(), readerSocket, victimSocket);
    await Promise.all(sockets.map(connected));
    const live = new Map<string, number>();
    readerSocket.on('feed', (item: FeedItem) => {
      if (item.kind === 'message') live.set((item.data as { messageId: string }).messageId, Date.now());
    });

    const attempts: Attempt[] = [];
    let stopping = false;
    const sendOne = async (i: number): Promise<Attempt> => {
      const me = net.officers[i]!;
      const id = `pgr-${i}-${crypto.randomUUID()}`;
      const envelope = buildEnvelope(ch, me, id);
      const startedAt = Date.now();
      const s = senderSockets.get(i);
      if (!s) {
        const res = await http(`${node.url}/api/v1/channels/${ch.id}/messages`, { token: me.accessToken, body: { envelope }, timeoutMs: 15_000 }).catch(() => null);
        const code = (res?.body as { error?: { code?: string } } | undefined)?.error?.code ?? null;
        return { id, via: 'http', startedAt, ok: res?.status === 201 || res?.status === 200, status: res?.status ?? 0, code };
      }
      const ack = (await s.timeout(15_000).emitWithAck('send', { channelId: ch.id, envelope }).catch(() => null)) as Ack | null;
      return { id, via: 'socket', startedAt, ok: ack?.ok === true, status: ack?.status ?? (ack?.ok ? 201 : 0), code: ack?.error?.code ?? null };
    };
    const loops = Array.from({ length: SENDERS }, async (_, i) => {
      while (!stopping) {
        const a = await sendOne(i);
        attempts.push(a);
        // Each sender stays under its socket rate limit (20 events/s, burst 40), which is a different refusal:
        // 60 ms between sends (at most ~16/s on an idle machine, where an acknowledgement takes a millisecond),
        // and a refused send is retried after a pause, as the SDK's outbox does (the 503s come back at once).
        await sleep(a.ok ? 60 : 250);
      }
    });

    await sleep(3_000);
    db.crash();
    const downAt = Date.now();
    const ready: number[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      ready.push((await fetch(`${node.url}/health/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => null))?.status ?? 0);
      await sleep(250);
    }
    db.start();
    const upAt = Date.now();
    // Service resumes: the first send acknowledged after the restart, within a bound.
    let resumedAt = 0;
    while (Date.now() - upAt < RESUME_BOUND_MS && resumedAt === 0) {
      resumedAt = attempts.find((a) => a.startedAt >= upAt && a.ok)?.startedAt ?? 0;
      await sleep(100);
    }
    await sleep(2_000);
    stopping = true;
    await Promise.all(loops);

    // After recovery: a new message reaches the reader's socket live (the feed reader and its LISTEN
    // connection are back), and a revoked session loses its socket (the session listener is back).
    const after = await sendOne(0);
    expect(after.ok, JSON.stringify(after)).toBe(true);
    const deadline = Date.now() + 5_000;
    while (!live.has(after.id) && Date.now() < deadline) await sleep(50);
    const liveLatency = live.has(after.id) ? live.get(after.id)! - after.startedAt : null;
    const ended = new Promise<number>((resolve) => victimSocket.once('disconnect', () => resolve(Date.now())));
    const logoutAt = Date.now();
    const logout = await http(`${node.url}/api/v1/auth/logout`, { method: 'POST', token: victim.accessToken, body: {} });
    expect(logout.status).toBeLessThan(300);
    const revokedIn = await Promise.race([ended.then((t) => t - logoutAt), sleep(6_000).then(() => null)]);

    const client = new pg.Client({ connectionString: db.url, options: `-c search_path=${SCHEMA}` });
    await client.connect();
    const rows = (await client.query<{ id: string }>("SELECT id FROM messages WHERE id LIKE 'pgr-%'")).rows;
    await client.end();
    const stored = new Map<string, number>();
    for (const r of rows) stored.set(r.id, (stored.get(r.id) ?? 0) + 1);

    const acked = attempts.filter((a) => a.ok);
    const duringOutage = attempts.filter((a) => a.startedAt >= downAt && a.startedAt < upAt);
    const ackedDuringOutage = duringOutage.filter((a) => a.ok);
    const refusals = new Map<string, number>();
    for (const a of duringOutage) refusals.set(`${a.via} ${a.status} ${a.code}`, (refusals.get(`${a.via} ${a.status} ${a.code}`) ?? 0) + 1);
    const lost = acked.filter((a) => !stored.has(a.id)).length;
    const duplicated = [...stored.values()].filter((n) => n > 1).length;
    const table = [
      ['sends attempted', attempts.length],
      ['acknowledged', acked.length],
      ['sent during the outage', duringOutage.length],
      ['acknowledged during the outage', ackedDuringOutage.length],
      ['refusals during the outage', JSON.stringify(Object.fromEntries(refusals))],
      ['refusals in flight at the crash', attempts.filter((a) => !a.ok && a.startedAt < downAt).map((a) => `${a.via} ${a.status} ${a.code}`).join(', ') || 0],
      ['/health/ready during the outage', JSON.stringify([...new Set(ready)])],
      ['lost (acknowledged, not stored)', lost],
      ['duplicated (stored twice)', duplicated],
      ['stored, not acknowledged (in flight at the crash)', [...stored.keys()].filter((id) => !acked.some((a) => a.id === id) && id !== after.id).length],
      ['first acknowledged send after restart (ms)', resumedAt ? resumedAt - upAt : 'never'],
      ['live delivery after recovery (ms)', liveLatency ?? 'never'],
      ['revoked socket ended after recovery (ms)', revokedIn ?? 'never'],
      ['node restarts', node.starts - 1],
    ];
    console.log(`[pg-restart]\n${table.map(([k, v]) => `  ${String(k).padEnd(52)} ${v}`).join('\n')}`);

    expect(node.alive, `node died; see ${node.opts.logFile}:\n${tail(node.opts.logFile)}`).toBe(true);
    expect(node.starts).toBe(1);
    expect(duringOutage.length).toBeGreaterThan(SENDERS);
    expect(ackedDuringOutage.map((a) => a.id)).toEqual([]);
    for (const a of duringOutage) expect({ status: a.status, code: a.code }).toEqual({ status: 503, code: 'unavailable' });
    // Sends in flight at the crash fail the same way (a lost connection is 503, not 500).
    for (const a of attempts.filter((x) => !x.ok)) expect({ status: a.status, code: a.code }).toEqual({ status: 503, code: 'unavailable' });
    expect(ready.length).toBeGreaterThan(0);
    expect(ready.every((s) => s === 503)).toBe(true);
    expect(acked.length).toBeGreaterThan(SENDERS);
    expect(lost, 'acknowledged messages missing after recovery').toBe(0);
    expect(duplicated, 'messages stored more than once').toBe(0);
    expect(resumedAt, 'no send acknowledged within the bound after the restart').toBeGreaterThan(0);
    expect(liveLatency, 'a message sent after recovery was not delivered live').not.toBeNull();
    expect(revokedIn, 'a session revoked after recovery kept its socket').not.toBeNull();
  });
});
