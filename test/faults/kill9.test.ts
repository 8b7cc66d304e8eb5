/**
 * kill -9 under load: 50 HTTP clients send continuously while the server process is SIGKILLed at
 * random moments (≥ 10 times) and restarted. Clients retry un-acknowledged sends with the same
 * message id (and the same envelope). Afterwards: every acknowledged message stored exactly once,
 * per-channel seq 1..N without gaps, integrity_check ok after every kill, and a member's sync from
 * cursor 0 returns every acknowledged message exactly once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEnvelope,
  freePort,
  http,
  integrityCheck,
  prng,
  removeDir,
  seedFromEnv,
  seedNetwork,
  seqProblems,
  ServerProcess,
  sleep,
  syncAll,
  tempDir,
  withDb,
  type SeededNetwork,
} from './support.ts';

const CLIENTS = 50;
const CHANNELS = 5;
const KILLS = 10;
const PER_CLIENT = 150; // pre-built envelopes per client: an upper bound on each client's sends
const DEADLINE_MS = 120_000;

interface Outgoing {
  messageId: string;
  channelId: string;
  body: { envelope: Record<string, unknown> };
}

interface Ack {
  channelId: string;
  seq: number;
  duplicate: boolean;
}

describe('kill -9 while 50 clients send', () => {
  const seed = seedFromEnv('KILL9_SEED');
  const rand = prng(seed);
  let dir = '';
  let server: ServerProcess;
  let net: SeededNetwork;
  let reader: { accessToken: string };
  const outgoing: Outgoing[][] = [];

  beforeAll(async () => {
    console.log(`[kill9] seed=${seed} (set KILL9_SEED to replay)`);
    dir = tempDir('kill9');
    // Officers 0..49 send (10 per channel); officer 50 reads every channel.
    const groups = Array.from({ length: CHANNELS }, (_, c) => [...Array.from({ length: CLIENTS / CHANNELS }, (_, k) => c * (CLIENTS / CHANNELS) + k), CLIENTS]);
    const seeded = await seedNetwork(path.join(dir, 'data'), CLIENTS + 1, groups);
    await seeded.app.close();
    net = seeded;
    reader = net.officers[CLIENTS]!;
    for (let i = 0; i < CLIENTS; i++) {
      const ch = net.channels[Math.floor(i / (CLIENTS / CHANNELS))]!;
      const me = net.officers[i]!;
      outgoing.push(
        Array.from({ length: PER_CLIENT }, (_, n) => {
          const messageId = `k9-${i}-${n}`;
          return { messageId, channelId: ch.id, body: { envelope: buildEnvelope(ch, me, messageId) } };
        }),
      );
    }
    server = new ServerProcess({ dataDir: path.join(dir, 'data'), port: await freePort(), logFile: path.join(dir, 'server.log') });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    removeDir(dir);
  });

  it('loses nothing acknowledged, duplicates nothing, keeps seq gap-free and the database intact', async () => {
    const acked = new Map<string, Ack>();
    const attempted = new Set<string>();
    const unexpected: string[] = [];
    let retries = 0;
    let duplicateAcks = 0;
    let stopping = false;
    const deadline = Date.now() + DEADLINE_MS;

    const client = async (i: number): Promise<void> => {
      const token = net.officers[i]!.accessToken;
      for (const m of outgoing[i]!) {
        if (stopping) return;
        attempted.add(m.messageId);
        let tries = 0;
        // Retry the SAME id and envelope until acknowledged (the server may die at any moment).
        for (;;) {
          if (Date.now() > deadline) throw new Error(`client ${i}: deadline while retrying ${m.messageId}`);
          if (tries++ > 0) retries++;
          try {
            const res = await http(`${server.url}/api/v1/channels/${m.channelId}/messages`, { token, body: m.body, timeoutMs: 10_000 });
            if (res.status === 201 || res.status === 200) {
              const b = res.body as { seq: number; duplicate: boolean; messageId: string };
              if (b.messageId !== m.messageId) unexpected.push(`ack for ${b.messageId} while sending ${m.messageId}`);
              if (b.duplicate) duplicateAcks++;
              const before = acked.get(m.messageId);
              if (before && before.seq !== b.seq) unexpected.push(`${m.messageId} acknowledged as seq ${before.seq} and ${b.seq}`);
              acked.set(m.messageId, { channelId: m.channelId, seq: b.seq, duplicate: b.duplicate });
              break;
            }
            if (res.status !== 503) unexpected.push(`${m.messageId}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          } catch {
            /* connection refused / reset: the server is down */
          }
          await sleep(Math.min(400, 25 * 2 ** Math.min(tries, 4)) + Math.floor(rand() * 50));
        }
      }
    };

    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    const integrity: string[] = [];
    let kills = 0;
    const restartMs: number[] = [];
    const tStart = performance.now();
    for (let k = 0; k < KILLS; k++) {
      // Let traffic flow for a random while (at least until a few new acks arrived).
      const ackedBefore = acked.size;
      await sleep(200 + Math.floor(rand() * 1_300));
      for (let w = 0; w < 100 && acked.size < ackedBefore + 5; w++) await sleep(50);
      expect(server.alive, 'server died by itself').toBe(true);
      await server.stop('SIGKILL');
      kills++;
      integrity.push(integrityCheck(server.opts.dataDir));
      await sleep(Math.floor(rand() * 300));
      const t0 = performance.now();
      await server.start();
      restartMs.push(Math.round(performance.now() - t0));
    }
    console.log(`[kill9] kill phase ${Math.round(performance.now() - tStart)} ms; restarts took ${restartMs.join(', ')} ms`);
    await sleep(1_000);
    stopping = true;
    await Promise.all(clients);

    // The member who reads every channel, from cursor 0, against the last server.
    const { items } = await syncAll(server.url, reader.accessToken, 0);
    await server.stop('SIGTERM');

    const synced = new Map<string, number>();
    for (const it of items) {
      if (it.kind !== 'message') continue;
      const id = (it.data as { messageId: string }).messageId;
      synced.set(id, (synced.get(id) ?? 0) + 1);
    }
    const stored = withDb(server.opts.dataDir, (db) => ({
      rows: db.prepare('SELECT id, channel_id AS channelId, seq FROM messages').all() as { id: string; channelId: string; seq: number }[],
      feedDupes: (db.prepare("SELECT COUNT(*) AS n FROM (SELECT message_pk FROM feed WHERE kind = 'message' GROUP BY message_pk HAVING COUNT(*) > 1)").get() as { n: number }).n,
      seq: seqProblems(db),
      integrity: integrityCheck(server.opts.dataDir),
    }));
    const storedCount = new Map<string, number>();
    const storedRow = new Map<string, { channelId: string; seq: number }>();
    for (const r of stored.rows) {
      storedCount.set(r.id, (storedCount.get(r.id) ?? 0) + 1);
      storedRow.set(r.id, r);
    }
    let lost = 0;
    let seqMismatch = 0;
    let syncMissing = 0;
    let syncDup = 0;
    for (const [id, a] of acked) {
      const row = storedRow.get(id);
      if (!row) lost++;
      else if (row.seq !== a.seq || row.channelId !== a.channelId) seqMismatch++;
      const n = synced.get(id) ?? 0;
      if (n === 0) syncMissing++;
      if (n > 1) syncDup++;
    }
    const duplicated = [...storedCount.values()].filter((n) => n > 1).length + stored.feedDupes;
    const phantom = [...storedCount.keys()].filter((id) => !attempted.has(id)).length;
    const syncExtra = [...synced.keys()].filter((id) => !acked.has(id)).length;

    console.log(
      `[kill9] kills=${kills} acknowledged=${acked.size} stored=${stored.rows.length} lost=${lost} duplicated=${duplicated} ` +
        `seqMismatch=${seqMismatch} phantom=${phantom} retries=${retries} duplicateAcks=${duplicateAcks} ` +
        `sync: missing=${syncMissing} duplicated=${syncDup} extra=${syncExtra} seqProblems=${stored.seq.problems.length} ` +
        `integrity=[${[...new Set(integrity)].join(',')}] final=${stored.integrity}`,
    );
    expect(unexpected.slice(0, 10)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(integrity.every((r) => r === 'ok'), `integrity_check after kills: ${integrity.join(' | ')}`).toBe(true);
    expect(stored.integrity).toBe('ok');
    expect(acked.size, 'every attempted message is eventually acknowledged').toBe(attempted.size);
    expect(acked.size).toBeGreaterThan(CLIENTS * 3);
    expect(lost, 'acknowledged messages missing from the database').toBe(0);
    expect(duplicated, 'messages stored more than once').toBe(0);
    expect(seqMismatch, 'stored seq differs from the acknowledged seq').toBe(0);
    expect(phantom).toBe(0);
    expect(stored.seq.problems.slice(0, 10)).toEqual([]);
    expect(syncMissing, 'acknowledged messages missing from sync').toBe(0);
    expect(syncDup, 'messages returned twice by sync').toBe(0);
    expect(syncExtra).toBe(0);
  });
});
