/**
 * Locked database: an external process holds the write lock (BEGIN IMMEDIATE) beyond the server's
 * busy_timeout (5 s). Sends get a clean 503 with Retry-After and are not acknowledged; the server
 * neither crashes nor stores them; after the lock is released, sends (and retries of the refused
 * ids) succeed and seq stays gap-free.
 */
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope, freePort, http, integrityCheck, nodeScript, removeDir, seedNetwork, seqProblems, ServerProcess, tempDir, withDb, type SeededNetwork } from './support.ts';

/** Holds BEGIN IMMEDIATE until it reads "release" on stdin (or 60 s pass), then rolls back. */
const LOCK_HOLDER = `
import Database from 'better-sqlite3';
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
db.prepare("UPDATE channels SET last_message_seq = last_message_seq WHERE 0").run();
process.stdout.write('locked\\n');
const done = () => { db.exec('ROLLBACK'); db.close(); process.stdout.write('released\\n'); process.exit(0); };
process.stdin.on('data', (d) => { if (String(d).includes('release')) done(); });
setTimeout(done, 60000);
`;

describe('database write-locked by another process', () => {
  let dir = '';
  let server: ServerProcess;
  let net: SeededNetwork;
  const socketCodes: string[] = [];

  beforeAll(async () => {
    dir = tempDir('locked');
    const seeded = await seedNetwork(path.join(dir, 'data'), 3, [[0, 1, 2]]);
    await seeded.app.close();
    net = seeded;
    server = new ServerProcess({ dataDir: path.join(dir, 'data'), port: await freePort(), logFile: path.join(dir, 'server.log') });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    removeDir(dir);
  });

  it('answers 503 + Retry-After while locked, acknowledges nothing, recovers after release', async () => {
    const ch = net.channels[0]!;
    const me = ch.members[0]!;
    const bodies = new Map<string, { envelope: Record<string, unknown> }>();
    const send = (id: string) => {
      if (!bodies.has(id)) bodies.set(id, { envelope: buildEnvelope(ch, me, id) });
      return http(`${server.url}/api/v1/channels/${ch.id}/messages`, { token: me.accessToken, body: bodies.get(id), timeoutMs: 40_000 });
    };
    for (let i = 0; i < 5; i++) expect((await send(`lk-before-${i}`)).status).toBe(201);

    // A socket connected before the lock (its handshake needs the database too).
    const sock: Socket = ioClient(server.url, { path: '/socket.io', transports: ['websocket'], auth: { token: me.accessToken }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('connect_error', reject);
    });

    const holder = nodeScript(LOCK_HOLDER, [path.join(server.opts.dataDir, 'liaison.db')]);
    let released = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('lock holder did not lock in 10 s')), 10_000);
        holder.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('locked')) {
            clearTimeout(timer);
            resolve();
          }
        });
        holder.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      const t0 = performance.now();
      const socketAck = new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
        sock.timeout(40_000).emit('send', { channelId: ch.id, envelope: buildEnvelope(ch, me, 'lk-socket') }, (err: Error | null, res: { ok: boolean; error?: { code: string } }) =>
          resolve(err ? { ok: false, error: { code: `no ack: ${err.message}` } } : res),
        ),
      );
      const during = await Promise.all([send('lk-during-0'), send('lk-during-1'), send('lk-during-2')]);
      const elapsed = performance.now() - t0;
      const live = await http(`${server.url}/health/live`, { timeoutMs: 20_000 });
      const ack = await socketAck;
      socketCodes.push(ack.ok ? 'ok' : ack.error?.code ?? '?');
      const aliveDuring = server.alive;

      holder.stdin!.write('release\n');
      released = true;
      await new Promise((r) => holder.once('exit', r));

      const retried = await Promise.all([send('lk-during-0'), send('lk-during-1'), send('lk-during-2')]);
      const fresh = await send('lk-after-0');
      const alive = server.alive;
      await server.stop('SIGTERM');
      const db = withDb(server.opts.dataDir, (d) => ({
        seq: seqProblems(d),
        count: (d.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n,
        socketStored: d.prepare("SELECT 1 FROM messages WHERE id = 'lk-socket'").get() !== undefined,
      }));

      console.log(
        `[locked-db] while locked: ${during.map((r) => `${r.status} ${(r.body as { error?: { code: string } }).error?.code} retry-after=${r.headers.get('retry-after')}`).join('; ')} ` +
          `in ${Math.round(elapsed)} ms; socket ack=${socketCodes.join(',')}; health/live=${live.status}; ` +
          `after release: retries ${retried.map((r) => r.status).join(',')}, new ${fresh.status}; messages=${db.count} seqProblems=${db.seq.problems.length}`,
      );
      expect(aliveDuring && alive, 'server process survived').toBe(true);
      for (const r of during) {
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBeTruthy();
        expect((r.body as { error: { code: string } }).error.code).toBe('unavailable');
      }
      expect(elapsed, 'a 503 only after the 5 s busy timeout').toBeGreaterThanOrEqual(4_500);
      expect(live.status).toBe(200);
      expect(ack.ok, 'a socket send while locked must not be acknowledged').toBe(false);
      expect(db.socketStored).toBe(false);
      expect(retried.map((r) => r.status), 'retries of refused ids are stored fresh (not duplicates)').toEqual([201, 201, 201]);
      expect(fresh.status).toBe(201);
      expect(db.count).toBe(9);
      expect(db.seq.problems).toEqual([]);
      expect(integrityCheck(server.opts.dataDir)).toBe('ok');
    } finally {
      if (!released) holder.stdin!.write('release\n');
      sock.close();
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
  });

  // Socket acks use the same error mapping as HTTP: a busy database is unavailable (retry), not internal.
  it('a socket send while locked is acked with unavailable', () => {
    expect(socketCodes).toEqual(['unavailable']);
  });
});
