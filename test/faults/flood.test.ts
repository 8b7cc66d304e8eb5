/**
 * Flooding: one socket emits 1,000 events/s (from its own process) while 10 well-behaved clients
 * send 10/s each. Behaviour only: the flooder is throttled (error acks) or disconnected, the normal
 * clients' sends all succeed, and the server stays up. How much the flood costs the others in
 * latency (loaded vs unloaded p99) is a timing figure: `npm run bench -- --only flood`.
 */
import { describe, expect, it } from 'vitest';
import { FLOOD_RATE, runFloodScenario } from './flood-scenario.ts';

const WINDOW_MS = 2_000;
const PAIRS = 2; // U L U L

describe('flooding socket vs normal clients', () => {
  it('throttles the flooder, serves the normal clients, and keeps running', async () => {
    const r = await runFloodScenario({ windowMs: WINDOW_MS, pairs: PAIRS });
    console.log(`[flood] samples/window ${r.samplesPerWindow.join(',')}; normal errors ${r.errors.length}; flooder ${JSON.stringify(r.flooder)}`);
    expect(r.errors.slice(0, 5), 'normal clients got errors').toEqual([]);
    // Every window saw the normal clients' acks (none starved), loaded ones included.
    for (const n of r.samplesPerWindow) expect(n).toBeGreaterThan(0);
    expect(r.flooder.emitted).toBeGreaterThan(FLOOD_RATE * ((PAIRS * WINDOW_MS) / 1000) * 0.5);
    expect(r.flooder.rateLimited + r.flooder.disconnects, 'the flooder was neither throttled nor disconnected').toBeGreaterThan(0);
    // Whatever got past the bucket is bounded by the per-socket budget (20/s, burst 40 per connection).
    expect(r.flooder.acksOk).toBeLessThan(r.flooder.emitted * 0.2);
    expect(r.serverAlive).toBe(true);
  });
});
