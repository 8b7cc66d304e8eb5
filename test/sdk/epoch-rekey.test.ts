import { afterEach, describe, expect, it } from 'vitest';
import { EPOCH_MAX_MESSAGES } from '../../shared/crypto/index.ts';
import { call, DAY_MS, intakeWorld } from '../e2e/desk-intake-world.ts';

/**
 * PROTOCOL.md §5.3: a new epoch MUST start once the current one is 7 days old or a sender device spent its
 * 1,000 messages in it. encryptMessage refuses to send past either limit, so the SDK rekeys first; without it
 * a channel that stayed quiet for a week could no longer be written to.
 */
describe('epochs are renewed by the sender when due', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('a channel quiet for 8 days: the next send starts a rekey epoch first, and the other member reads it', async () => {
    const { t, c, ana, rui } = await intakeWorld();
    close = () => t.app.close();
    const channel = await c.ana.createChannel({ kind: 'case', title: 'Quiet case', members: [rui.id] });
    await c.ana.send(channel.id, { kind: 'text', text: 'day 0' });
    const before = (await c.ana.history(channel.id)).length;
    t.clock.advance(8 * DAY_MS);
    await c.ana.send(channel.id, { kind: 'text', text: 'day 8' });
    const res = await call(t, ana, 'GET', `/channels/${channel.id}/events`);
    const kinds = (res.json() as { events: { kind: string }[] }).events.map((e) => e.kind);
    expect(kinds.at(-1), res.body).toBe('rekey');
    const texts = (await c.rui.history(channel.id)).map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
    expect(texts).toEqual(['day 0', 'day 8']);
    expect((await c.ana.history(channel.id)).length).toBe(before + 1);
    // Sent again the same day: the new epoch is fresh, no second rekey.
    await c.ana.send(channel.id, { kind: 'text', text: 'day 8 again' });
    const again = await call(t, ana, 'GET', `/channels/${channel.id}/events`);
    expect((again.json() as { events: { kind: string }[] }).events.filter((e) => e.kind === 'rekey')).toHaveLength(1);
  });

  it(`a device that spent the epoch's ${EPOCH_MAX_MESSAGES} messages rekeys before the next one`, { timeout: 300_000 }, async () => {
    const { t, c, ana, rui } = await intakeWorld({ rateLimitPerMinute: 100_000 });
    close = () => t.app.close();
    const channel = await c.ana.createChannel({ kind: 'case', title: 'Busy case', members: [rui.id] });
    for (let i = 0; i < EPOCH_MAX_MESSAGES; i++) await c.ana.send(channel.id, { kind: 'text', text: `m${i}` });
    const sent = await c.ana.send(channel.id, { kind: 'text', text: 'one more' });
    const res = await call(t, ana, 'GET', `/channels/${channel.id}/events`);
    expect((res.json() as { events: { kind: string }[] }).events.map((e) => e.kind).at(-1)).toBe('rekey');
    // The whole history reads in pages of 500; the delivery receipts of a page go out as one batched request
    // (they were 500 parallel requests, which hit the per-address connection cap and reset the next page's read).
    const all = await c.rui.history(channel.id);
    expect(all).toHaveLength(EPOCH_MAX_MESSAGES + 1);
    expect(all.at(-1)).toMatchObject({ seq: sent.seq, payload: { kind: 'text', text: 'one more' } });
  });
});
