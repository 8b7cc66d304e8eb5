/** The web app's outbox queue (client/web/src/state/outbox.ts): order, network failures, final failures, retry. */
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxEntry } from '../../client/web/src/state/outbox.ts';

class Offline extends Error {}

function harness() {
  let online = false;
  const delivered: string[] = [];
  const attempts: string[] = [];
  const refuse = new Set<string>();
  const outbox = new Outbox<string>(
    async (e: OutboxEntry<string>) => {
      attempts.push(e.messageId);
      if (!online) throw new Offline('offline');
      if (refuse.has(e.messageId)) throw new Error('refused');
      delivered.push(e.item);
    },
    (err) => err instanceof Offline,
    () => 1,
  );
  return { outbox, delivered, attempts, refuse, setOnline: (v: boolean) => (online = v) };
}

describe('outbox', () => {
  it('keeps sends queued while offline and delivers them in order, once each, when the connection returns', async () => {
    const h = harness();
    h.outbox.enqueue('c1', 'm1', 'first');
    h.outbox.enqueue('c1', 'm2', 'second');
    h.outbox.enqueue('c2', 'm3', 'third');
    await h.outbox.flush();
    // Offline: the first attempt fails on the network and the flush stops; everything stays queued, in order.
    expect(h.attempts).toEqual(['m1']);
    expect(h.outbox.entries.get().map((e) => [e.messageId, e.status])).toEqual([
      ['m1', 'queued'],
      ['m2', 'queued'],
      ['m3', 'queued'],
    ]);
    h.setOnline(true);
    await Promise.all([h.outbox.flush(), h.outbox.flush()]);
    expect(h.delivered).toEqual(['first', 'second', 'third']);
    expect(h.outbox.entries.get()).toEqual([]);
    // Each retry carried the same client id (the SDK's idempotency key).
    expect(h.attempts).toEqual(['m1', 'm1', 'm2', 'm3']);
  });

  it('marks a refused send failed, goes on with the rest, and sends it again on retry', async () => {
    const h = harness();
    h.setOnline(true);
    h.refuse.add('m1');
    h.outbox.enqueue('c1', 'm1', 'refused');
    h.outbox.enqueue('c1', 'm2', 'fine');
    const statuses: string[] = [];
    h.outbox.entries.subscribe((list) => statuses.push(list.map((e) => `${e.messageId}:${e.status}`).join(',')));
    await h.outbox.flush();
    expect(h.delivered).toEqual(['fine']);
    expect(h.outbox.get('m1')?.status).toBe('failed');
    expect(statuses).toContain('m1:sending,m2:queued');
    h.refuse.delete('m1');
    await h.outbox.retry('m1');
    expect(h.delivered).toEqual(['fine', 'refused']);
    expect(h.outbox.get('m1')).toBeUndefined();
  });
});
