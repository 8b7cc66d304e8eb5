/**
 * flood — the normal clients' send→ack p99 while one socket floods at 1,000 events/s, against the
 * unloaded p99 measured in alternating windows of the same run (U L U L …; medians of per-window
 * p99s). Target: loaded within 20% of unloaded, or within the unloaded windows' own spread
 * (2 × median absolute deviation) when the box is noisier than that. The fault suite
 * (test/faults/flood.test.ts) asserts the behaviour; the timing lives here.
 */
import { median } from '../faults/support.ts';
import { runFloodScenario } from '../faults/flood-scenario.ts';

export interface FloodBenchResult {
  unloaded_p99_ms: number;
  loaded_p99_ms: number;
  ratio: number;
  /** max(1.2 × unloaded, unloaded + 2 × MAD). */
  bound_ms: number;
}

export async function runFloodBench(opts: { quick?: boolean } = {}): Promise<FloodBenchResult> {
  const r = await runFloodScenario({ windowMs: 3_000, pairs: opts.quick ? 3 : 5 });
  if (r.errors.length > 0 || !r.serverAlive) throw new Error(`flood bench: normal clients got ${r.errors.length} errors; server alive ${r.serverAlive}`);
  const u = median(r.unloaded);
  const l = median(r.loaded);
  const mad = median(r.unloaded.map((x) => Math.abs(x - u)));
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join('/');
  console.log(`[flood] p99 unloaded ${fmt(r.unloaded)} ms, loaded ${fmt(r.loaded)} ms; data on ${r.tmpfs ? 'tmpfs' : 'disk'}; flooder ${JSON.stringify(r.flooder)}`);
  return { unloaded_p99_ms: u, loaded_p99_ms: l, ratio: l / u, bound_ms: Math.max(u * 1.2, u + 2 * mad) };
}
