/**
 * `npm run bench [-- --quick] [-- --only name,name]`: runs every benchmark, prints a table and writes
 * test/bench/results.json as { "store": "sqlite", "<name>": { "value": n, "unit": "…" } }.
 * `npm run bench -- --store postgres` runs the PostgreSQL benches instead (send, fanout, nodes:
 * test/bench/postgres.ts; DATABASE_URL, default postgres://127.0.0.1:5432/test) and writes
 * test/bench/results-postgres.json in the same format with "store": "postgres".
 * Each figure is measured in the same run as the ceiling it is compared with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FanoutBenchResult } from './messaging.ts';

export interface Figure {
  value: number;
  unit: string;
}
type Results = Record<string, Figure>;

interface Bench {
  name: string;
  run(quick: boolean): Promise<Results>;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function fanoutFigures(r: FanoutBenchResult): Results {
  return {
    fanout_deliveries_per_s: { value: round(r.fanout_deliveries_per_s, 0), unit: 'deliveries/s' },
    ceiling_socketio_fanout_per_s: { value: round(r.ceiling_socketio_fanout_per_s, 0), unit: 'deliveries/s' },
    fanout_ratio: { value: round(r.fanout_deliveries_per_s / r.ceiling_socketio_fanout_per_s, 3), unit: 'ratio (≥ 0.5)' },
    fanout_p99_ms: { value: round(r.fanout_p99_ms), unit: `ms at ${round(r.fanout_p99_rate_per_s, 0)} sends/s (≤ 50)` },
    fanout_p50_ms: { value: round(r.fanout_p50_ms), unit: 'ms' },
  };
}

const benches: Bench[] = [
  {
    name: 'crypto',
    async run(quick) {
      const { runCryptoOpenBench } = await import('./crypto-open.ts');
      const r = await runCryptoOpenBench({ quick });
      return {
        sdk_open_per_s: { value: round(r.sdk_open_per_s, 0), unit: 'envelopes/s' },
        ceiling_ed25519_verify_per_s: { value: round(r.ceiling_ed25519_verify_per_s, 0), unit: 'verifies/s' },
        sdk_open_ratio: { value: round(r.sdk_open_per_s / r.ceiling_ed25519_verify_per_s, 3), unit: 'ratio (≥ 0.7)' },
      };
    },
  },
  {
    name: 'login',
    async run(quick) {
      const { runLoginBurst } = await import('./login-burst.ts');
      const r = await runLoginBurst({ seconds: quick ? 4 : 10, rate: 50 });
      return {
        login_burst_loop_p99_ms: { value: round(r.login_burst_loop_p99_ms), unit: 'ms (≤ 20)' },
        login_burst_loop_max_ms: { value: round(r.login_burst_loop_max_ms), unit: 'ms' },
        login_p50_ms: { value: round(r.login_p50_ms), unit: 'ms' },
        login_p99_ms: { value: round(r.login_p99_ms), unit: 'ms' },
        login_failed: { value: r.logins_failed, unit: 'count (must be 0)' },
      };
    },
  },
  {
    name: 'paging',
    async run(quick) {
      const { runPagingBench } = await import('./paging.ts');
      const r = await runPagingBench({ quick });
      return {
        page_latency_ms: { value: round(r.page_latency_p99_ms), unit: `ms p99, commit → push request received, ${r.desks} desks paged at once (≤ 100)` },
        page_latency_p50_ms: { value: round(r.page_latency_p50_ms), unit: 'ms' },
        page_latency_max_ms: { value: round(r.page_latency_max_ms), unit: 'ms' },
        pages_failed: { value: r.pushes_failed, unit: 'count (must be 0)' },
      };
    },
  },
  {
    name: 'directory',
    async run(quick) {
      const { runDirectorySearchBench } = await import('./directory-search.ts');
      const r = await runDirectorySearchBench({ quick });
      return {
        directory_search_p50_ms: { value: round(r.directory_search_p50_ms), unit: 'ms server-side, 50,000 entries' },
        directory_search_p99_ms: { value: round(r.directory_search_p99_ms), unit: 'ms server-side (≤ 10)' },
      };
    },
  },
  {
    name: 'send',
    async run(quick) {
      const { runSendBench } = await import('./messaging.ts');
      const r = await runSendBench({ quick });
      return {
        send_durable_per_s: { value: round(r.send_durable_per_s, 0), unit: 'sends/s' },
        ceiling_insert_normal_per_s: { value: round(r.ceiling_insert_normal_per_s, 0), unit: 'inserts/s' },
        send_durable_ratio: { value: round(r.send_durable_per_s / r.ceiling_insert_normal_per_s, 3), unit: 'ratio (≥ 0.6)' },
        send_cpu_us: { value: round(r.send_cpu_us, 0), unit: 'µs server CPU per send (10 members online)' },
        send_nofanout_cpu_us: { value: round(r.send_nofanout_cpu_us, 0), unit: 'µs server CPU per send (no member online)' },
        send_nofanout_ratio: { value: round(r.send_nofanout_per_s / r.ceiling_insert_normal_per_s, 3), unit: 'ratio, no fan-out' },
        ceiling_cpu_us: { value: round(r.ceiling_cpu_us, 0), unit: 'µs server CPU per ceiling insert' },
      };
    },
  },
  {
    name: 'fanout',
    async run(quick) {
      const { runFanoutBench } = await import('./messaging.ts');
      return fanoutFigures(await runFanoutBench({ quick }));
    },
  },
  {
    name: 'sync',
    async run(quick) {
      const { runSyncBench } = await import('./messaging.ts');
      const r = await runSyncBench({ quick });
      return {
        sync_10k_ms: { value: round(r.sync_10k_ms), unit: `ms server time (Server-Timing), ${r.sync_10k_pages} pages of ${r.sync_page_size} (≤ 250)` },
        sync_10k_wall_ms: { value: round(r.sync_10k_wall_ms), unit: 'ms client-observed, to the last byte of every page' },
      };
    },
  },
  {
    name: 'conn',
    async run(quick) {
      const { runConnBench } = await import('./conn.ts');
      const r = await runConnBench({ quick });
      const n = r.sockets.toLocaleString('en');
      return {
        conn_kb: { value: round(r.conn_kb), unit: `kB RSS per idle authenticated socket at ${n}` },
        ceiling_socketio_conn_kb: { value: round(r.ceiling_socketio_conn_kb), unit: `kB RSS per idle bare socket.io socket at ${n}` },
        conn_ratio: { value: round(r.conn_kb / r.ceiling_socketio_conn_kb, 3), unit: 'ratio (≤ 2)' },
        conn_heap_kb: { value: round(r.conn_heap_kb), unit: 'kB heap+external per socket' },
        ceiling_socketio_conn_heap_kb: { value: round(r.ceiling_socketio_conn_heap_kb), unit: 'kB heap+external per socket' },
        conn_heap_ratio: { value: round(r.conn_heap_kb / r.ceiling_socketio_conn_heap_kb, 3), unit: 'ratio' },
      };
    },
  },
  {
    name: 'flood',
    async run(quick) {
      const { runFloodBench } = await import('./flood.ts');
      const r = await runFloodBench({ quick });
      return {
        flood_unloaded_p99_ms: { value: round(r.unloaded_p99_ms), unit: 'ms send→ack, no flood' },
        flood_loaded_p99_ms: { value: round(r.loaded_p99_ms), unit: `ms send→ack, 1,000 events/s flood (≤ ${round(r.bound_ms)})` },
        flood_p99_ratio: { value: round(r.ratio, 3), unit: 'loaded / unloaded (≤ 1.2, or within the unloaded spread)' },
      };
    },
  },
  {
    name: 'growth',
    async run(quick) {
      const { runGrowthBench } = await import('./growth.ts');
      const r = await runGrowthBench({ quick });
      const big = r.large_rows.toLocaleString('en');
      return {
        send_p99_small_ms: { value: round(r.send_p99_small_ms), unit: `ms, ${r.small_rows.toLocaleString('en')} stored messages` },
        send_p99_large_ms: { value: round(r.send_p99_large_ms), unit: `ms, ${big} stored messages` },
        growth_send_p99: { value: round(r.send_p99_large_ms / r.send_p99_small_ms, 3), unit: `ratio ${big} / 10,000 (≤ 1.25)` },
        send_p50_small_ms: { value: round(r.send_p50_small_ms), unit: 'ms' },
        send_p50_large_ms: { value: round(r.send_p50_large_ms), unit: 'ms' },
        growth_seed_s: { value: round(r.seed_seconds, 1), unit: `s to seed ${big} rows (${round(r.db_mb, 0)} MiB)` },
      };
    },
  },
  {
    name: 'web_bundle',
    async run() {
      const { webBundleFigures } = await import('./web-bundle.ts');
      return webBundleFigures();
    },
  },
];

/** `--store postgres`: the same send and fan-out benches on a PostgreSQL-backed server, and 1 → 3 nodes. */
const postgresBenches: Bench[] = [
  {
    name: 'send',
    async run(quick) {
      const { runSendBench } = await import('./messaging.ts');
      const { postgresStore } = await import('./postgres.ts');
      const r = await runSendBench({ quick, store: postgresStore({ quick }) });
      return {
        send_durable_per_s: { value: round(r.send_durable_per_s, 0), unit: 'sends/s (PostgreSQL, synchronous_commit on)' },
        ceiling_pg_insert_per_s: { value: round(r.ceiling_insert_normal_per_s, 0), unit: 'inserts/s (plain autocommit INSERT through pg, pool of 10)' },
        send_durable_ratio: { value: round(r.send_durable_per_s / r.ceiling_insert_normal_per_s, 3), unit: 'ratio (≥ 0.6)' },
        send_p50_ms: { value: round(r.send_p50_ms), unit: 'ms request → 201, 64 in flight' },
        send_p99_ms: { value: round(r.send_p99_ms), unit: 'ms' },
        ceiling_pg_p50_ms: { value: round(r.ceiling_p50_ms), unit: 'ms' },
        ceiling_pg_p99_ms: { value: round(r.ceiling_p99_ms), unit: 'ms' },
        send_cpu_us: { value: round(r.send_cpu_us, 0), unit: 'µs server CPU per send (10 members online)' },
        send_nofanout_ratio: { value: round(r.send_nofanout_per_s / r.ceiling_insert_normal_per_s, 3), unit: 'ratio, no fan-out' },
        ceiling_cpu_us: { value: round(r.ceiling_cpu_us, 0), unit: 'µs server CPU per ceiling insert' },
        send_pg_queries: { value: round(r.send_pg_queries, 1), unit: 'PostgreSQL round trips per send (the ceiling: 1)' },
      };
    },
  },
  {
    name: 'fanout',
    async run(quick) {
      const { runFanoutBench } = await import('./messaging.ts');
      const { postgresStore } = await import('./postgres.ts');
      return fanoutFigures(await runFanoutBench({ quick, store: postgresStore({ quick }) }));
    },
  },
  {
    name: 'nodes',
    async run(quick) {
      const { runNodesBench } = await import('./postgres.ts');
      const points = await runNodesBench({ quick });
      const out: Results = {};
      for (const p of points) {
        out[`nodes_${p.nodes}_sends_per_s`] = { value: round(p.sends_per_s, 0), unit: `sends/s through the balancer, ${p.nodes} node(s)` };
        out[`nodes_${p.nodes}_p99_ms`] = { value: round(p.p99_ms), unit: `ms p99 (p50 ${round(p.p50_ms)})` };
        out[`nodes_${p.nodes}_cpu_us`] = { value: round(p.cpu_us, 0), unit: 'µs CPU of all nodes per send' };
      }
      const first = points[0]!;
      const last = points[points.length - 1]!;
      out[`nodes_${last.nodes}_vs_1`] = {
        value: round(last.sends_per_s / first.sends_per_s, 3),
        unit: '2 cores: shows coordination cost (one global write lock, NOTIFY + feed read-back on every node), not scaling',
      };
      return out;
    },
  },
];

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, store: { type: 'string' } } });
const store = values.store ?? 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres (got ${store})`);
const only = values.only?.split(',');
const results: Results = {};
const started = performance.now();
for (const bench of store === 'postgres' ? postgresBenches : benches) {
  if (only && !only.includes(bench.name)) continue;
  process.stderr.write(`bench: ${bench.name}…\n`);
  const t0 = performance.now();
  Object.assign(results, await bench.run(values.quick ?? false));
  process.stderr.write(`bench: ${bench.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stderr.write(`bench: total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
console.log(`store: ${store}`);
console.table(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { value: v.value, unit: v.unit }])));
const out = path.resolve(store === 'postgres' ? 'test/bench/results-postgres.json' : 'test/bench/results.json');
fs.writeFileSync(out, JSON.stringify({ store, ...results }, null, 2) + '\n');
console.log(`wrote ${out}`);
