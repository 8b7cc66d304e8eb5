/**
 * growth_send_p99 (issue 7): acknowledged send latency p99 (HTTP, authenticated, validated, committed
 * with synchronous=FULL) on a database holding 10 million stored messages, divided by the same on one
 * holding 10 thousand. Same run, same officers, channel, tokens and request bodies on both.
 *
 * Seeding: officers and the bench channel through messaging-seed.ts, then filler rows written directly
 * (each a `messages` row with a small filler envelope and random 22-character id, plus its `feed`
 * row, spread over 1,000 filler channels): one transaction, prepared statements, synchronous=OFF and
 * journal_mode=OFF only while seeding, the messages/feed secondary indexes dropped before and
 * re-created (by their own stored SQL) after the bulk insert, then WAL again. The small database is
 * copied before it grows, so both directories are identical but for the filler rows. --quick grows to
 * 1 million instead of 10 million (seeding time), which the unit reports.
 * Load: an open loop at RATE sends/s (latency of each HTTP response), 8 s per rep (4 with --quick) in
 * one-second slices alternating between the small and the large server, p99 per rep, median of 3 reps
 * (1 with --quick), after a warm-up of 2 s on each.
 * Run alone: npx tsx test/bench/growth.ts [--quick]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DB_FILE_NAME } from '../../server/store/sqlite/client.ts';
import { seedChannel, seedOfficers } from './messaging-seed.ts';
import { median, post, quantile, sendJobs, sleep, startLiaison, stop, tempDir, type Job, type Proc } from './messaging.ts';

const SMALL = 10_000;
const FILLER_CHANNELS = 1_000;
const RATE = 200;
const DAY_MS = 24 * 3600 * 1000;
const FILLER_ENVELOPE = JSON.stringify({ header: {}, ciphertext: 'AAAA', signature: 'AAAA' });

export interface GrowthBenchResult {
  small_rows: number;
  large_rows: number;
  send_p99_small_ms: number;
  send_p99_large_ms: number;
  send_p50_small_ms: number;
  send_p50_large_ms: number;
  seed_seconds: number;
  db_mb: number;
}

/** Appends `rows` filler messages (and feed rows) to the database in `dataDir`; returns seconds taken. */
function fill(dataDir: string, rows: number, fillerChannels: string[], senderId: string): number {
  const t0 = performance.now();
  const db = new Database(path.join(dataDir, DB_FILE_NAME));
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('messages', 'feed') AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  const seqOf = db.prepare('SELECT coalesce(max(seq), 0) FROM messages WHERE channel_id = ?').pluck();
  const seqs = fillerChannels.map((c) => seqOf.get(c) as number);
  const insertMsg = db.prepare(
    `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, created_at, expires_at)
     VALUES (?, ?, ?, ?, 'filler-device', 1, 'TLP:AMBER', ?, 3, 0, NULL, ?, ?)`,
  );
  const insertFeed = db.prepare("INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, 'message', ?, NULL, NULL, ?)");
  const setLast = db.prepare('UPDATE channels SET last_message_seq = ? WHERE id = ?');
  const base = Date.now() - 30 * DAY_MS;
  db.transaction(() => {
    for (const ix of indexes) db.exec(`DROP INDEX ${JSON.stringify(ix.name)}`);
    const BATCH = 65_536;
    for (let done = 0; done < rows; done += BATCH) {
      const ids = crypto.randomBytes(16 * BATCH);
      const n = Math.min(BATCH, rows - done);
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const c = k % fillerChannels.length;
        const at = base + Math.floor(k / 100);
        const pk = insertMsg.run(ids.toString('base64url', i * 16, i * 16 + 16), fillerChannels[c]!, ++seqs[c]!, senderId, FILLER_ENVELOPE, at, at + 365 * DAY_MS).lastInsertRowid;
        insertFeed.run(fillerChannels[c]!, pk, at);
      }
    }
    fillerChannels.forEach((c, i) => setLast.run(seqs[i]!, c));
    for (const ix of indexes) db.exec(ix.sql);
  })();
  db.pragma('journal_mode = WAL');
  db.close();
  return (performance.now() - t0) / 1000;
}

/** Open loop at `rate` requests/s; returns every request's latency (ms), sorted. */
async function openLoop(port: number, jobs: Job[], rate: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const lat: number[] = [];
  let failed = '';
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const job = jobs[i]!;
    const start = performance.now();
    inflight.push(
      post(agent, port, job.path, job.body, job.token).then((r) => {
        lat.push(performance.now() - start);
        if (r.status !== 201) failed ||= `${r.status} ${r.body.slice(0, 200)}`;
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  if (failed) throw new Error(`growth: send failed: ${failed}`);
  return lat.sort((a, b) => a - b);
}

function dirMb(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, f) => sum + (fs.statSync(path.join(dir, f)).isFile() ? fs.statSync(path.join(dir, f)).size : 0), 0) / 2 ** 20;
}

export async function runGrowthBench({ quick }: { quick: boolean }): Promise<GrowthBenchResult> {
  const large = quick ? 1_000_000 : 10_000_000;
  const reps = quick ? 1 : 3;
  const perRep = RATE * (quick ? 4 : 8);
  const smallDir = tempDir('liaison-bench-growth-s-');
  const largeDir = tempDir('liaison-bench-growth-l-');
  let small: Proc | undefined;
  let big: Proc | undefined;
  try {
    const seeder = await seedOfficers(smallDir, 10);
    const ch = seedChannel(seeder, 'bench-growth', seeder.officers);
    const filler = Array.from({ length: FILLER_CHANNELS }, (_, i) => `bench-filler-${i}`);
    const addChannel = seeder.app.ctx.sqliteStore.sqlite.prepare(
      `INSERT INTO channels (id, kind, agreement_id, created_by, created_at, encrypted_meta, policy, head_seq, head_hash, retention_days, legal_hold)
       VALUES (?, 'case', ?, ?, ?, 'meta', '{}', 0, '', 365, 0)`,
    );
    seeder.app.ctx.sqliteStore.sqlite.transaction(() => filler.forEach((id) => addChannel.run(id, seeder.agreementId, seeder.officers[0]!.id, Date.now())))();
    await seeder.close();
    fill(smallDir, SMALL, filler, seeder.officers[1]!.id);
    fs.cpSync(smallDir, largeDir, { recursive: true });
    const seedSeconds = fill(largeDir, large - SMALL, filler, seeder.officers[1]!.id);
    const dbMb = dirMb(largeDir);
    process.stderr.write(`  growth: ${large.toLocaleString('en')} rows seeded in ${seedSeconds.toFixed(1)} s, ${dbMb.toFixed(0)} MiB\n`);
    [small, big] = await Promise.all([startLiaison(smallDir), startLiaison(largeDir)]);
    // The same bodies on both servers (separate databases), fresh message ids per rep.
    const jobs = Array.from({ length: reps + 1 }, (_, r) => sendJobs(ch, ch.members, r === 0 ? 400 : perRep, `grow${r}`));
    await openLoop(small.port, jobs[0]!, RATE);
    await openLoop(big.port, jobs[0]!, RATE);
    // Alternate one-second slices between the two servers so background load hits both alike.
    const s: number[][] = [];
    const l: number[][] = [];
    for (let r = 1; r <= reps; r++) {
      const rs: number[] = [];
      const rl: number[] = [];
      for (let i = 0; i < perRep; i += RATE) {
        const slice = jobs[r]!.slice(i, i + RATE);
        rs.push(...(await openLoop(small.port, slice, RATE)));
        rl.push(...(await openLoop(big.port, slice, RATE)));
      }
      s.push(rs.sort((a, b) => a - b));
      l.push(rl.sort((a, b) => a - b));
    }
    const p = (xs: number[][], q: number) => median(xs.map((x) => quantile(x, q)));
    process.stderr.write(
      `  growth p99 small ${s.map((x) => quantile(x, 0.99).toFixed(2)).join(', ')}; large ${l.map((x) => quantile(x, 0.99).toFixed(2)).join(', ')} ms at ${RATE} sends/s\n`,
    );
    return {
      small_rows: SMALL,
      large_rows: large,
      send_p99_small_ms: p(s, 0.99),
      send_p99_large_ms: p(l, 0.99),
      send_p50_small_ms: p(s, 0.5),
      send_p50_large_ms: p(l, 0.5),
      seed_seconds: seedSeconds,
      db_mb: dbMb,
    };
  } finally {
    await Promise.all([stop(small), stop(big)]);
    fs.rmSync(smallDir, { recursive: true, force: true });
    fs.rmSync(largeDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  console.table(await runGrowthBench({ quick: values.quick ?? false }));
}
