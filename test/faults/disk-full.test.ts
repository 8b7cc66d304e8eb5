/**
 * Disk full: the data directory is a small tmpfs (we are root in CI; the suite skips with a clear
 * message where mounting is not permitted). After some acknowledged sends, a filler file takes every
 * free byte. Sends must then fail with a clear 507 (or 503) and never be acknowledged; after the
 * filler is removed, new sends succeed, seq continues without a gap and nothing acknowledged is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope, canMountTmpfs, freePort, http, integrityCheck, removeDir, seedNetwork, seqProblems, ServerProcess, syncAll, tempDir, unmount, withDb, type SeededNetwork } from './support.ts';

const TMPFS_MIB = 24;

function fill(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512]) {
      const buf = Buffer.alloc(size, 0xa5);
      for (;;) {
        try {
          written += fs.writeSync(fd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

function socketSend(url: string, token: string, payload: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  return new Promise((resolve, reject) => {
    const s: Socket = ioClient(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('socket send: no ack in 20 s'));
    }, 20_000);
    s.on('connect', () =>
      s.emit('send', payload, (res: { ok: boolean; error?: { code: string } }) => {
        clearTimeout(timer);
        s.close();
        resolve(res);
      }),
    );
    s.on('connect_error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('disk full (tmpfs data directory)', () => {
  let dir = '';
  let dataDir = '';
  let mounted = false;
  let skipReason = '';
  let server: ServerProcess;
  let net: SeededNetwork;
  const socketCodes: string[] = [];

  beforeAll(async () => {
    dir = tempDir('diskfull');
    dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    const m = canMountTmpfs(dataDir, TMPFS_MIB);
    if (!m.ok) {
      skipReason = `cannot mount a tmpfs here (${m.reason}); run as root with CAP_SYS_ADMIN to exercise disk-full`;
      console.warn(`[disk-full] SKIPPED: ${skipReason}`);
      return;
    }
    mounted = true;
    const seeded = await seedNetwork(dataDir, 3, [[0, 1, 2]]);
    await seeded.app.close();
    net = seeded;
    server = new ServerProcess({ dataDir, port: await freePort(), logFile: path.join(dir, 'server.log') });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (mounted) unmount(dataDir);
    removeDir(dir);
  });

  it('refuses sends with 507/503 while full, never acknowledges them, and resumes after space is freed', async (ctx) => {
    if (!mounted) return ctx.skip(skipReason);
    const ch = net.channels[0]!;
    const me = ch.members[0]!;
    const reader = ch.members[2]!;
    const acked = new Map<string, number>();
    const send = async (id: string) => {
      const res = await http(`${server.url}/api/v1/channels/${ch.id}/messages`, { token: me.accessToken, body: { envelope: buildEnvelope(ch, me, id, 'x'.repeat(2000)) } });
      if (res.status === 201 || res.status === 200) acked.set(id, (res.body as { seq: number }).seq);
      return res;
    };
    for (let i = 0; i < 20; i++) expect((await send(`df-before-${i}`)).status).toBe(201);

    const filler = path.join(dataDir, 'filler.bin');
    const filled = fill(filler);
    const statuses: number[] = [];
    const refused: string[] = [];
    const codes = new Set<string>();
    let retryAfter = 0;
    for (let i = 0; i < 40; i++) {
      const id = `df-full-${i}`;
      const res = await send(id);
      statuses.push(res.status);
      if (res.status >= 300) {
        refused.push(id);
        codes.add(`${res.status} ${(res.body as { error?: { code: string } }).error?.code}`);
        if (res.headers.get('retry-after')) retryAfter++;
      }
    }
    const sock = await socketSend(server.url, me.accessToken, { channelId: ch.id, envelope: buildEnvelope(ch, me, 'df-full-socket', 'x'.repeat(2000)) });
    socketCodes.push(sock.ok ? 'ok' : sock.error?.code ?? '?');
    const live = await http(`${server.url}/health/live`);

    fs.rmSync(filler);
    const after: number[] = [];
    for (let i = 0; i < 10; i++) after.push((await send(`df-after-${i}`)).status);

    const { items } = await syncAll(server.url, reader.accessToken, 0);
    const synced = new Map<string, number>();
    for (const it of items) if (it.kind === 'message') synced.set((it.data as { messageId: string }).messageId, (synced.get((it.data as { messageId: string }).messageId) ?? 0) + 1);
    const alive = server.alive;
    await server.stop('SIGTERM');
    const db = withDb(dataDir, (d) => ({ seq: seqProblems(d), ids: new Set((d.prepare('SELECT id FROM messages').all() as { id: string }[]).map((r) => r.id)) }));
    const lost = [...acked.keys()].filter((id) => !db.ids.has(id) || synced.get(id) !== 1).length;
    const refusedStored = refused.filter((id) => db.ids.has(id) || synced.has(id)).length;

    console.log(
      `[disk-full] filler=${(filled / 1024 / 1024).toFixed(1)} MiB; while full: ${statuses.filter((s) => s < 300).length} acknowledged, ` +
        `${refused.length} refused [${[...codes].join(', ')}] (retry-after on ${retryAfter}); socket ack=${socketCodes.join(',')}; ` +
        `after freeing: ${after.join(',')}; lost=${lost} refusedButStored=${refusedStored} seqProblems=${db.seq.problems.length}`,
    );
    expect(alive, 'server process survived').toBe(true);
    expect(live.status).toBe(200);
    expect(refused.length, 'the filesystem filled up but no send was refused').toBeGreaterThan(0);
    expect(statuses.filter((s) => s >= 300 && s !== 507 && s !== 503), 'refusals other than 507/503').toEqual([]);
    expect(statuses.filter((s) => s === 507).length, 'at least one clear 507 insufficient_storage').toBeGreaterThan(0);
    expect(sock.ok, 'a socket send while the disk is full must not be acknowledged').toBe(false);
    expect(after, 'sends after freeing space').toEqual(Array(10).fill(201));
    expect(lost, 'acknowledged messages lost').toBe(0);
    expect(refusedStored, 'refused messages that were stored anyway').toBe(0);
    expect(db.seq.problems).toEqual([]);
    expect(integrityCheck(dataDir)).toBe('ok');
  });

  // Socket acks use the same error mapping as HTTP: a full disk is insufficient_storage, not internal.
  it('a socket send during disk full is acked with insufficient_storage', (ctx) => {
    if (!mounted) return ctx.skip(skipReason);
    expect(socketCodes).toEqual(['insufficient_storage']);
  });
});
