import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { FEED_KINDS, FeedItem } from '../../shared/schemas/channels.ts';
import type { RoutedFeedItem } from '../../server/feed/feed.ts';
import { bearer, makeApp } from '../world/app.ts';
import { createKeyEnvelope, keyEnvelopeCodec } from '../../shared/crypto/index.ts';
import { makeChannel, makeWorld, postMessage, sendBody } from '../world/messaging.ts';

const checkItem = Compile(FeedItem);

describe('feed items', () => {
  it('every item the server publishes and syncs matches the FeedItem schema of its kind', async () => {
    const t = await makeApp();
    const published: RoutedFeedItem[] = [];
    t.app.ctx.events.on('feed.appended', (i) => published.push(i));
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'm-1' }))).statusCode).toBe(201);
    const receipt = await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(w.bob.tokens), payload: { kind: 'read', messageIds: ['m-1'] } });
    expect(receipt.statusCode).toBe(200);
    const marker = await t.app.inject({ method: 'PUT', url: `/api/v1/channels/${ch.id}/read-marker`, headers: bearer(w.bob.tokens), payload: { seq: 1 } });
    expect(marker.statusCode).toBe(200);
    const keyEnvelope = await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/key-envelopes`, headers: bearer(w.alice.tokens), payload: { keyEnvelope: keyEnvelopeCodec.toWire(createKeyEnvelope({ state: ch.state, sender: w.alice.keys, deviceId: w.alice.deviceId }).envelope) } });
    expect(keyEnvelope.json()).toEqual({ stored: true });
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/channels/${ch.id}`, headers: bearer(w.alice.tokens), payload: { retentionDays: 30 } });
    expect(patched.statusCode).toBe(200);

    const synced: unknown[] = [];
    for (const who of [w.alice, w.bob]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/sync?cursor=0', headers: bearer(who.tokens) });
      synced.push(...(res.json() as { items: unknown[] }).items);
    }
    for (const { recipientId: _, ...item } of published) expect(checkItem.Check(item), JSON.stringify(item)).toBe(true);
    for (const item of synced) expect(checkItem.Check(item), JSON.stringify(item)).toBe(true);
    // Invitations are covered in test/channels/channels.test.ts (cross-agency invitations).
    const kinds = new Set([...published, ...(synced as FeedItem[])].map((i) => i.kind));
    expect([...kinds].sort()).toEqual(FEED_KINDS.filter((k) => k !== 'invitation').sort());
  });

  it('narrows data on kind', () => {
    const item = { pos: 1, kind: 'receipt', channelId: 'c', createdAt: 0, data: { channelId: 'c', messageId: 'm', officerId: 'o', kind: 'read', at: 0 } } as FeedItem;
    if (item.kind === 'receipt') expect(item.data.messageId).toBe('m');
    // @ts-expect-error a receipt's data has no envelope
    if (item.kind === 'receipt') expect(item.data.envelope).toBeUndefined();
  });
});
