import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { addMember, makeChannel, makeWorld, postMessage, removeMember, sendBody, type Person } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

async function sync(t: TestApp, who: Person, cursor = 0, limit?: number) {
  const q = `cursor=${cursor}${limit ? `&limit=${limit}` : ''}`;
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/sync?${q}`, headers: bearer(who.tokens) });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: FeedItem[]; cursor: number; hasMore: boolean };
}

const seqs = (items: FeedItem[]) => items.filter((i) => i.kind === 'message').map((i) => (i.data as { seq: number }).seq);

describe('sync', () => {
  it('returns exactly the missed items, in order, paged', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const before = await sync(t, w.bob);
    // Bob's span starts at his own add event.
    expect(before.items.map((i) => i.kind)).toEqual(['membership']);
    for (let i = 0; i < 5; i++) await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    const p1 = await sync(t, w.bob, before.cursor, 2);
    const p2 = await sync(t, w.bob, p1.cursor, 2);
    const p3 = await sync(t, w.bob, p2.cursor, 2);
    expect([p1.hasMore, p2.hasMore, p3.hasMore]).toEqual([true, true, false]);
    expect([...seqs(p1.items), ...seqs(p2.items), ...seqs(p3.items)]).toEqual([1, 2, 3, 4, 5]);
    const all = [...p1.items, ...p2.items, ...p3.items].map((i) => i.pos);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    const empty = await sync(t, w.bob, p3.cursor);
    expect(empty).toEqual({ items: [], cursor: p3.cursor, hasMore: false });
    expect((p1.items[0]!.data as { envelope: unknown }).envelope).toBeTypeOf('object');
  });

  it('honours membership spans and personal items (IDOR matrix)', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const m1 = await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'before-carol' }));
    expect(m1.statusCode).toBe(201);
    // Carol, no member yet: everything about the channel looks missing.
    const asCarol = [
      await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.carol.tokens) }),
      await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(w.carol.tokens), payload: { kind: 'read', messageIds: ['before-carol'] } }),
      await t.app.inject({ method: 'GET', url: `/api/v1/messages/before-carol/receipts`, headers: bearer(w.carol.tokens) }),
    ];
    for (const r of asCarol) expectError(r, 404, 'not_found');
    expect((await sync(t, w.carol)).items).toEqual([]);
    addMember(t, w, ch, w.alice, w.carol);
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'after-carol' }));
    removeMember(t, w, ch, w.alice, w.bob);
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'after-bob' }));
    const carolIds = (await sync(t, w.carol)).items.filter((i) => i.kind === 'message').map((i) => (i.data as { messageId: string }).messageId);
    expect(carolIds).toEqual(['after-carol', 'after-bob']);
    const bobItems = (await sync(t, w.bob)).items;
    expect(bobItems.filter((i) => i.kind === 'message').map((i) => (i.data as { messageId: string }).messageId)).toEqual(['before-carol', 'after-carol']);
    // Bob's removal event is the end of his span: he sees neither it nor anything after.
    expect(bobItems.filter((i) => i.kind === 'membership')).toHaveLength(2);
    // History over HTTP: carol cannot page back before her span; bob is no longer a member.
    const hist = await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages?afterSeq=0`, headers: bearer(w.carol.tokens) });
    expect(hist.json().messages.map((m: { messageId: string }) => m.messageId)).toEqual(['after-carol', 'after-bob']);
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.bob.tokens) }), 404, 'not_found');
    // Carol cannot receipt a message from before her span.
    expectError(
      await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(w.carol.tokens), payload: { kind: 'read', messageIds: ['before-carol'] } }),
      404,
      'not_found',
    );
  });

  it('pages identically at every page size through several spans in one channel and personal items', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const other = makeChannel(t, w, w.alice, [w.bob, w.carol]);
    const post = async (c: typeof ch, who: Person, id: string) => expect((await postMessage(t, c, who, sendBody(c, who, { messageId: id }))).statusCode).toBe(201);
    await post(ch, w.bob, 'bob-1');
    await post(ch, w.alice, 'span1-a');
    await post(other, w.carol, 'other-1');
    // A receipt on bob's message is a personal item addressed to him.
    const receipt = await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(w.alice.tokens), payload: { kind: 'read', messageIds: ['bob-1'] } });
    expect(receipt.statusCode).toBe(200);
    removeMember(t, w, ch, w.alice, w.bob);
    await post(ch, w.alice, 'gap-1');
    await post(other, w.alice, 'other-2');
    addMember(t, w, ch, w.alice, w.bob);
    await post(ch, w.alice, 'span2-a');
    await post(other, w.bob, 'other-3');
    removeMember(t, w, ch, w.alice, w.bob);
    await post(ch, w.alice, 'gap-2');
    addMember(t, w, ch, w.alice, w.bob);
    await post(ch, w.alice, 'span3-a');
    await post(other, w.carol, 'other-4');
    const spans = rawDb(t.app).prepare('SELECT count(*) FROM channel_members WHERE channel_id = ? AND officer_id = ?').pluck().get(ch.id, w.bob.id);
    expect(spans).toBe(3);
    // Reference: every visible position after the cursor, collected, sorted (the definition of sync).
    const visible = rawDb(t.app)
      .prepare(
        `SELECT f.pos FROM feed f WHERE f.recipient_id = ? OR (f.recipient_id IS NULL AND EXISTS (
           SELECT 1 FROM channel_members cm WHERE cm.officer_id = ? AND cm.channel_id = f.channel_id
             AND f.pos >= cm.from_pos AND (cm.until_pos IS NULL OR f.pos < cm.until_pos)))
         ORDER BY f.pos`,
      )
      .pluck()
      .all(w.bob.id, w.bob.id) as number[];
    const all = await sync(t, w.bob, 0, 5000);
    expect(all.hasMore).toBe(false);
    // The route's JSON (written by the reader) is exactly the service's page.
    const actor = { officerId: w.bob.id, agencyId: w.bob.agencyId, role: 'officer' as const, sessionId: 's', ip: null };
    expect(all).toEqual(await t.app.ctx.messages.sync(actor, 0, 5000));
    expect((await sync(t, w.bob, visible[3]!, 2))).toEqual(await t.app.ctx.messages.sync(actor, visible[3]!, 2));
    expect(all.items.map((i) => i.pos)).toEqual(visible);
    const ids = all.items.filter((i) => i.kind === 'message').map((i) => (i.data as { messageId: string }).messageId);
    expect(ids).toEqual(['bob-1', 'span1-a', 'other-1', 'other-2', 'span2-a', 'other-3', 'span3-a', 'other-4']);
    expect(all.items.filter((i) => i.kind === 'receipt')).toHaveLength(1);
    for (const size of [1, 2, 3, 5, 7]) {
      const seen: number[] = [];
      let cursor = 0;
      for (let n = 0; ; n++) {
        const page = await sync(t, w.bob, cursor, size);
        expect(page.items.length).toBeLessThanOrEqual(size);
        seen.push(...page.items.map((i) => i.pos));
        cursor = page.cursor;
        if (!page.hasMore) break;
        expect(page.items).toHaveLength(size);
        expect(n).toBeLessThan(100);
      }
      expect(seen).toEqual(visible);
    }
    // A cursor in the middle of a gap or a span resumes exactly there.
    for (const from of [visible[2]!, visible[5]! + 1, visible[visible.length - 2]!]) {
      expect((await sync(t, w.bob, from, 5000)).items.map((i) => i.pos)).toEqual(visible.filter((p) => p > from));
    }
  });

  it('rejects bad cursors and limits', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    for (const q of ['cursor=-1', 'cursor=abc', 'limit=0', 'limit=999999', 'other=1']) {
      expectError(await t.app.inject({ method: 'GET', url: `/api/v1/sync?${q}`, headers: bearer(w.bob.tokens) }), 400, 'validation_failed');
    }
  });

  it('serves 10,000 messages across 50 channels in full pages (its speed is a benchmark: npm run bench, sync_10k_ms)', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const channels = Array.from({ length: 50 }, () => makeChannel(t, w, w.alice, [w.bob]));
    const db = rawDb(t.app);
    const env = JSON.stringify({ header: {}, ciphertext: 'AAAA', signature: 'AAAA' });
    // Multi-row INSERTs (one round trip per 500 rows on PostgreSQL), then the feed in message order.
    db.transaction(() => {
      for (let from = 0; from < 10_000; from += 500) {
        const rows = Array.from({ length: 500 }, (_, k) => from + k);
        db.prepare(
          `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, created_at, expires_at)
           VALUES ${rows.map(() => "(?, ?, ?, ?, 'd', 1, 'TLP:AMBER', ?, 3, 0, 9000000000000000)").join(', ')}`,
        ).run(...rows.flatMap((i) => [`bulk-${i}`, channels[i % 50]!.id, Math.floor(i / 50) + 1, w.alice.id, env]));
      }
      db.prepare("INSERT INTO feed (channel_id, kind, message_pk, created_at) SELECT channel_id, 'message', pk, 0 FROM messages WHERE id LIKE 'bulk-%' ORDER BY pk").run();
    })();
    // Noise the reader must skip cheaply: another officer's channels.
    const page = await t.app.ctx.messages.sync({ officerId: w.bob.id, agencyId: w.bob.agencyId, role: 'officer', sessionId: 's', ip: null }, 0, 5000);
    const page2 = await t.app.ctx.messages.sync({ officerId: w.bob.id, agencyId: w.bob.agencyId, role: 'officer', sessionId: 's', ip: null }, page.cursor, 5000);
    const page3 = await t.app.ctx.messages.sync({ officerId: w.bob.id, agencyId: w.bob.agencyId, role: 'officer', sessionId: 's', ip: null }, page2.cursor, 5000);
    expect([page.items.length, page2.items.length, page3.items.length]).toEqual([5000, 5000, 50]);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/sync?limit=5000', headers: bearer(w.bob.tokens) });
    expect(res.json().items).toHaveLength(5000);
  });
});

describe('receipts', () => {
  it('delivered / read / acknowledged reach the sender; ack only for ackRequired; idempotent', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob, w.carol]);
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'need-ack', ackRequired: true }));
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'no-ack' }));
    const post = (who: Person, kind: string, messageIds: string[]) =>
      t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(who.tokens), payload: { kind, messageIds } });
    const aliceCursor = (await sync(t, w.alice)).cursor;
    expect((await post(w.bob, 'delivered', ['need-ack', 'no-ack'])).json()).toEqual({ stored: 2 });
    expect((await post(w.bob, 'delivered', ['need-ack', 'no-ack'])).json()).toEqual({ stored: 0 });
    expect((await post(w.bob, 'read', ['need-ack'])).json()).toEqual({ stored: 1 });
    expect((await post(w.bob, 'acknowledged', ['need-ack'])).json()).toEqual({ stored: 1 });
    expectError(await post(w.bob, 'acknowledged', ['no-ack']), 400, 'ack_not_required');
    expectError(await post(w.alice, 'read', ['no-ack']), 400, 'own_message');
    expectError(await post(w.bob, 'read', ['missing-message']), 404, 'not_found');
    const other = makeChannel(t, w, w.alice, [w.bob]);
    await postMessage(t, other, w.alice, sendBody(other, w.alice, { messageId: 'elsewhere' }));
    expectError(await post(w.bob, 'read', ['elsewhere']), 404, 'not_found');
    // The sender gets each new receipt as a personal feed item; others do not.
    const items = (await sync(t, w.alice, aliceCursor)).items.filter((i) => i.kind === 'receipt');
    expect(items.map((i) => i.data)).toEqual([
      expect.objectContaining({ messageId: 'need-ack', officerId: w.bob.id, kind: 'delivered' }),
      expect.objectContaining({ messageId: 'no-ack', officerId: w.bob.id, kind: 'delivered' }),
      expect.objectContaining({ messageId: 'need-ack', officerId: w.bob.id, kind: 'read' }),
      expect.objectContaining({ messageId: 'need-ack', officerId: w.bob.id, kind: 'acknowledged' }),
    ]);
    expect((await sync(t, w.carol)).items.filter((i) => i.kind === 'receipt')).toEqual([]);
    const status = await t.app.inject({ method: 'GET', url: '/api/v1/messages/need-ack/receipts', headers: bearer(w.alice.tokens) });
    expect(status.statusCode).toBe(200);
    const recipients = status.json().recipients as { officerId: string; delivered: number | null; read: number | null; acknowledged: number | null }[];
    expect(recipients.find((r) => r.officerId === w.bob.id)).toMatchObject({ delivered: expect.any(Number), read: expect.any(Number), acknowledged: expect.any(Number) });
    expect(recipients.find((r) => r.officerId === w.carol.id)).toMatchObject({ delivered: null, read: null, acknowledged: null });
    expect(recipients.some((r) => r.officerId === w.alice.id)).toBe(false);
  });
});

describe('forwarding', () => {
  it('enforces the TLP rules on the source handling code', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const cross = makeChannel(t, w, w.alice, [w.bob]);
    const internal = makeChannel(t, w, w.alice, [w.carol]);
    const crossTarget = makeChannel(t, w, w.alice, [w.bob]);
    for (const h of ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER'] as const) {
      expect((await postMessage(t, cross, w.bob, sendBody(cross, w.bob, { messageId: `src-${h.slice(4).replace('+', '-')}`, handling: h }))).statusCode).toBe(201);
    }
    const fwd = (to: typeof internal, src: string, handling: 'TLP:RED' | 'TLP:AMBER+STRICT' | 'TLP:AMBER' | 'TLP:GREEN') =>
      postMessage(t, to, w.alice, { ...sendBody(to, w.alice, { handling }), forwardedFrom: { messageId: src } });
    expectError(await fwd(internal, 'src-RED', 'TLP:RED'), 403, 'forwarding_forbidden');
    expectError(await fwd(crossTarget, 'src-AMBER-STRICT', 'TLP:AMBER+STRICT'), 403, 'forwarding_forbidden');
    expect((await fwd(internal, 'src-AMBER-STRICT', 'TLP:AMBER+STRICT')).statusCode).toBe(201);
    // TLP 2.0: AMBER stays within the recipient's agency and its clients; the agreement partner B is neither.
    expectError(await fwd(crossTarget, 'src-AMBER', 'TLP:AMBER'), 403, 'forwarding_forbidden');
    expect((await fwd(internal, 'src-AMBER', 'TLP:AMBER')).statusCode).toBe(201);
    expectError(await fwd(internal, 'src-AMBER', 'TLP:GREEN'), 403, 'forwarding_forbidden');
    // Carol never saw the source: it does not exist for her.
    const asCarol = await postMessage(t, internal, w.carol, { ...sendBody(internal, w.carol), forwardedFrom: { messageId: 'src-AMBER' } });
    expectError(asCarol, 404, 'not_found');
    const stored = rawDb(t.app).prepare('SELECT forwarded_from FROM messages WHERE forwarded_from IS NOT NULL ORDER BY pk').pluck().all();
    expect(stored).toEqual(['src-AMBER-STRICT', 'src-AMBER']);
  });
});
