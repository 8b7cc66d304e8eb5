/**
 * The PostgreSQL side of the benches (`npm run bench -- --store postgres`, issue 16; docs/CLUSTER.md
 * "Performance"):
 *   - `postgresStore()`: the send and fan-out benches of messaging.ts on a PostgreSQL-backed server. The
 *     network is seeded through SQLite as always, then copied into a fresh schema (the cluster test's
 *     copySqliteToPostgres); the durable-insert ceiling is the same Fastify route inserting the same
 *     row through `pg` (ceiling-server.ts `pg-insert`), in its own fresh schema. Every schema is
 *     dropped at the end of its bench.
 *   - `runNodesBench`: the send bench's load (64 concurrent HTTP senders, 1 KiB envelopes, the channel's
 *     10 members connected) through a round-robin node:net balancer (test/cluster/support.ts) to 1, 2,
 *     then 3 Liaison nodes on one schema: throughput, p50/p99 and the nodes' summed CPU per send.
 * DATABASE_URL, default postgres://127.0.0.1:5432/test.
 * Run alone: npx tsx test/bench/postgres.ts [--quick]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchema } from '../../server/store/pg/client.ts';
import { Balancer, copySqliteToPostgres } from '../cluster/support.ts';
import { seedChannel, seedOfficers } from './messaging-seed.ts';
import {
  closedLoopRun,
  connectAll,
  quantile,
  sendJobs,
  serverCpu,
  sleep,
  startLiaison,
  stop,
  tempDir,
  type BenchStore,
  type Proc,
} from './messaging.ts';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://127.0.0.1:5432/test';
const SEND_CONCURRENCY = 64;

/** A PostgreSQL store for the messaging benches: a fresh schema per server and per ceiling, dropped by dispose(). */
export function postgresStore({ quick, url = DATABASE_URL }: { quick: boolean; url?: string }): BenchStore {
  const budgetMs = quick ? 4_000 : 8_000;
  const schemas: string[] = [];
  const fresh = (kind: string): string => {
    const schema = `bench_${kind}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  return {
    name: 'postgres',
    async attach(dataDir) {
      const schema = fresh('liaison');
      await copySqliteToPostgres(dataDir, url, schema);
      return { STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema };
    },
    ceiling: 'pg-insert',
    ceilingEnv: async () => ({ DATABASE_URL: url, DATABASE_SCHEMA: fresh('ceiling') }),
    async dispose() {
      for (const schema of schemas.splice(0)) await dropSchema(url, schema);
    },
    budgetMs,
  };
}

export interface NodesPoint {
  nodes: number;
  sends_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU (user + system) of all Liaison nodes together per acknowledged send; PostgreSQL's own CPU is not in it. */
  cpu_us: number;
}

/** 1 → 3 nodes on one PostgreSQL schema behind a balancer, the same send load at each count. */
export async function runNodesBench({ quick, maxNodes = 3 }: { quick: boolean; maxNodes?: number }): Promise<NodesPoint[]> {
  const count = quick ? 2000 : 4000;
  const dataDir = tempDir('liaison-bench-nodes-');
  const store = postgresStore({ quick });
  const budgetMs = store.budgetMs;
  const nodes: Proc[] = [];
  let balancer: Balancer | undefined;
  let sockets: Awaited<ReturnType<typeof connectAll>> = [];
  try {
    const seeder = await seedOfficers(dataDir, 10);
    // One channel per node count (a sender may send at most 1,000 messages in one epoch).
    const chans = Array.from({ length: maxNodes }, (_, k) => seedChannel(seeder, `bench-nodes-${k + 1}`, seeder.officers));
    await seeder.close();
    const env = { ...(await store.attach(dataDir)), SECRETS_DIR: path.join(dataDir, 'secrets') };
    const active: number[] = [];
    balancer = new Balancer(() => active);
    await balancer.listen();
    const points: NodesPoint[] = [];
    for (let k = 1; k <= maxNodes; k++) {
      // The balancer sees exactly k nodes; no idle node is running while k are measured.
      const node = await startLiaison(dataDir, [], { ...env, NODE_ID: `bench-node-${k}` });
      nodes.push(node);
      active.push(node.port);
      const ch = chans[k - 1]!;
      // Members connect through the balancer, so they spread over the k nodes (round robin per connection).
      sockets = await connectAll(balancer.port, ch.members.map((m) => m.accessToken));
      let delivered = 0;
      for (const s of sockets) s.on('feed', () => delivered++);
      const [warm, measured] = [sendJobs(ch, ch.members, 300, `warm${k}`), sendJobs(ch, ch.members, count, `nodes${k}`)];
      const w = await closedLoopRun(balancer.port, warm, SEND_CONCURRENCY, 201, { budgetMs });
      const latencies: number[] = [];
      const cpu0 = nodes.reduce((t, n) => t + serverCpu(n.port), 0);
      const { rate, done } = await closedLoopRun(balancer.port, measured, SEND_CONCURRENCY, 201, { latencies, budgetMs });
      const cpu = nodes.reduce((t, n) => t + serverCpu(n.port), 0) - cpu0;
      // Every send reaches the channel's 10 members, whichever node they are connected to.
      const expected = (w.done + done) * ch.members.length;
      for (let w = 0; w < 200 && delivered < expected; w++) await sleep(50);
      latencies.sort((a, b) => a - b);
      points.push({ nodes: k, sends_per_s: rate, p50_ms: quantile(latencies, 0.5), p99_ms: quantile(latencies, 0.99), cpu_us: (cpu * 1e6) / done });
      process.stderr.write(`  ${k} node(s): ${rate.toFixed(0)} sends/s, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, deliveries ${delivered} of ${expected}\n`);
      if (delivered < expected) throw new Error(`nodes bench: ${expected - delivered} of ${expected} deliveries missing with ${k} node(s)`);
      for (const s of sockets) s.close();
      sockets = [];
    }
    return points;
  } finally {
    for (const s of sockets) s.close();
    await balancer?.close();
    await Promise.all(nodes.map((n) => stop(n)));
    await store.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  console.table(await runNodesBench({ quick: values.quick ?? false }));
}
