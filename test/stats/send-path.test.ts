/** Statistics from requests made through the real send path (app.inject), not seeded rows: the figures follow the declared metadata. */
import { describe, expect, it } from 'vitest';
import type { NetworkStats } from '../../shared/schemas/stats.ts';
import { bearer, makeApp } from '../world/app.ts';
import { envelope, makeChannel, makeWorld, postMessage } from '../world/messaging.ts';

const MINUTE = 60_000;
const shown = (value: number) => ({ value, suppressed: false });

describe('statistics over the send path', () => {
  it('an urgent request answered in full after 5 minutes and a refused one are counted', { timeout: 120_000 }, async () => {
    const t = await makeApp({ config: { stats: { minCount: 1 } } });
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const send = async (who: typeof w.alice, request: Record<string, unknown>) => {
      const res = await postMessage(t, ch, who, { envelope: envelope(ch, who), request });
      expect(res.statusCode, res.body).toBe(201);
    };
    await send(w.alice, { ref: 'r-1', kind: 'request', template: 'eu-2023-977', urgency: 'urgent' });
    t.clock.advance(5 * MINUTE);
    await send(w.bob, { ref: 'r-1', kind: 'answer', state: 'full' });
    await send(w.alice, { ref: 'r-2', kind: 'request', template: 'liaison', urgency: 'non-urgent' });
    await send(w.bob, { ref: 'r-2', kind: 'refusal', ground: 'b' });

    const platform = await w.builder.platform();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats/network?year=2026', headers: bearer(platform.tokens) });
    expect(res.statusCode, res.body).toBe(200);
    const n = res.json() as NetworkStats;
    expect(n.requests.total).toEqual(shown(2));
    expect(n.requests.answeredByUrgency.urgent.full).toEqual(shown(1));
    expect(n.requests.answeredByCountry).toEqual({ PT: { full: shown(1), partial: shown(0) } });
    expect(n.requests.refusals.byGround.b).toEqual(shown(1));
    expect(n.countryPairs).toEqual([{ from: 'PT', to: 'ES', requests: shown(2) }]);
    expect(n.responseTimes.urgent).toMatchObject({ answered: shown(1), medianMs: shown(5 * MINUTE), withinDeadline: shown(1) });
    expect(n.agencies).toContainEqual({ agencyId: w.agencyB, sent: shown(0), received: shown(2) });
  });
});
