import { describe, expect, it } from 'vitest';
import { messageEnvelopeCodec, toB64 } from '../../shared/crypto/index.ts';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { envelope, makeChannel, makeWorld, postMessage, sendBody, type TestChannel, type World } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

async function setup(minimum?: 'TLP:AMBER'): Promise<{ t: TestApp; w: World; ch: TestChannel }> {
  const t = await makeApp();
  const w = await makeWorld(t);
  const ch = makeChannel(t, w, w.alice, [w.bob], minimum ? { minimum } : {});
  return { t, w, ch };
}

function count(t: TestApp, sql: string, ...args: unknown[]): number {
  return rawDb(t.app).prepare(sql).pluck().get(...args) as number;
}

describe('send over HTTP', () => {
  it('stores a message with gap-free seqs and answers 201', async () => {
    const { t, w, ch } = await setup();
    const r1 = await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    const r2 = await postMessage(t, ch, w.bob, sendBody(ch, w.bob));
    expect(r1.statusCode).toBe(201);
    expect(r2.statusCode).toBe(201);
    expect([r1.json().seq, r2.json().seq]).toEqual([1, 2]);
    expect(r1.json().duplicate).toBe(false);
    const hist = await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.bob.tokens) });
    expect(hist.statusCode).toBe(200);
    expect(hist.json().messages.map((m: { seq: number; senderId: string }) => [m.seq, m.senderId])).toEqual([
      [1, w.alice.id],
      [2, w.bob.id],
    ]);
  });

  it('is idempotent: the same id and envelope returns the stored seq (200), stored once', async () => {
    const { t, w, ch } = await setup();
    const body = sendBody(ch, w.alice, { messageId: 'msg-idem-1' });
    const first = await postMessage(t, ch, w.alice, body);
    const again = await postMessage(t, ch, w.alice, body);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ seq: first.json().seq, messageId: 'msg-idem-1', duplicate: true });
    expect(count(t, 'SELECT COUNT(*) FROM messages WHERE id = ?', 'msg-idem-1')).toBe(1);
    expect(count(t, "SELECT COUNT(*) FROM feed WHERE kind = 'message'")).toBe(1);
    // Same id, different content → conflict, nothing new stored.
    const other = await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'msg-idem-1' }));
    expectError(other, 409, 'message_id_conflict');
    expect(count(t, 'SELECT COUNT(*) FROM messages')).toBe(1);
  });

  it('rejects bad envelopes and stores nothing', async () => {
    const { t, w, ch } = await setup('TLP:AMBER');
    const other = makeChannel(t, w, w.alice, [w.bob]);
    const good = envelope(ch, w.alice);
    const header = good['header'] as Record<string, unknown>;
    const cases: [unknown, number, string][] = [
      [{ envelope: { ...good, header: { ...header, epoch: 0 } } }, 409, 'stale_epoch'],
      [{ envelope: { ...good, header: { ...header, stateHash: toB64(new Uint8Array(32)) } } }, 409, 'stale_epoch'],
      [{ envelope: envelope(other, w.alice) }, 400, 'envelope_channel_mismatch'],
      [{ envelope: envelope(ch, w.bob) }, 400, 'envelope_sender_mismatch'],
      [{ envelope: { ...good, signature: toB64(new Uint8Array(64).fill(1)) } }, 400, 'bad_signature'],
      [{ envelope: { ...good, header: { ...header, handling: 'TLP:RED' } } }, 400, 'bad_signature'],
      [{ envelope: { ...good, header: { ...header, handling: 'TLP:GREEN' } } }, 400, 'handling_not_allowed'],
      [{ envelope: { ...good, ciphertext: 'A'.repeat(Math.ceil((256 * 1024 + 10) * 4 / 3)) } }, 413, 'payload_too_large'],
      [{ envelope: { ...good, extra: 1 } }, 400, 'invalid_envelope'],
      [{ envelope: { header } }, 400, 'invalid_envelope'],
      [{ envelope: good, attachmentIds: ['a'.repeat(64)] }, 400, 'unknown_attachment'],
      [{ envelope: good, surprise: true }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await postMessage(t, ch, w.alice, payload);
      expectError(res, status, code);
    }
    expect(count(t, 'SELECT COUNT(*) FROM messages')).toBe(0);
    expect(count(t, "SELECT COUNT(*) FROM feed WHERE kind = 'message'")).toBe(0);
  });

  it('a forged signature by another key fails even with the right header', async () => {
    const { t, w, ch } = await setup();
    const env = messageEnvelopeCodec.fromWire(envelope(ch, w.alice));
    // Re-signed with bob's key but claiming alice: the registered key decides.
    const forged = { ...env, signature: env.signature.map((b, i) => (i === 0 ? b ^ 0xff : b)) };
    const res = await postMessage(t, ch, w.alice, { envelope: messageEnvelopeCodec.toWire(forged) });
    expectError(res, 400, 'bad_signature');
  });

  it('non-members and unknown channels get the same 404', async () => {
    const { t, w, ch } = await setup();
    const asCarol = await postMessage(t, ch, w.carol, sendBody(ch, w.alice));
    const missing = await postMessage(t, { id: 'no-such-channel' }, w.carol, sendBody(ch, w.alice));
    expectError(asCarol, 404, 'not_found');
    expectError(missing, 404, 'not_found');
    expect(asCarol.json()).toEqual(missing.json());
  });

  it('refuses sends on a read-only channel but keeps history readable', async () => {
    const { t, w, ch } = await setup();
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    rawDb(t.app).prepare("UPDATE agreements SET status = 'terminated' WHERE id = ?").run(w.agreementId);
    const res = await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    expectError(res, 409, 'channel_read_only');
    const hist = await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.bob.tokens) });
    expect(hist.json().messages).toHaveLength(1);
  });

  it('group commit: 200 concurrent sends are all acknowledged with distinct gap-free seqs', async () => {
    const { t, w, ch } = await setup();
    const bodies = Array.from({ length: 200 }, (_, i) => sendBody(ch, i % 2 ? w.bob : w.alice));
    const results = await Promise.all(bodies.map((b, i) => t.app.ctx.messages.sendMessage(
      { officerId: (i % 2 ? w.bob : w.alice).id, agencyId: (i % 2 ? w.bob : w.alice).agencyId, role: 'officer', sessionId: 's', ip: null }, ch.id, b)));
    const seqs = results.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(count(t, 'SELECT COUNT(*) FROM messages WHERE channel_id = ?', ch.id)).toBe(200);
    expect(count(t, 'SELECT last_message_seq FROM channels WHERE id = ?', ch.id)).toBe(200);
  });

  it('group commit: one failing send in a batch does not fail the others', async () => {
    const { t, w, ch } = await setup();
    const actor = { officerId: w.alice.id, agencyId: w.alice.agencyId, role: 'officer' as const, sessionId: 's', ip: null };
    const dup = sendBody(ch, w.alice, { messageId: 'same-id' });
    const clash = sendBody(ch, w.alice, { messageId: 'same-id' });
    const ok = sendBody(ch, w.alice);
    const settled = await Promise.allSettled([
      t.app.ctx.messages.sendMessage(actor, ch.id, dup),
      t.app.ctx.messages.sendMessage(actor, ch.id, clash),
      t.app.ctx.messages.sendMessage(actor, ch.id, ok),
    ]);
    // The two sends of one id race (on PostgreSQL their reads are asynchronous): exactly one wins.
    expect(settled[2]!.status).toBe('fulfilled');
    expect(settled.slice(0, 2).map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((settled.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('message_id_conflict');
    expect(count(t, 'SELECT COUNT(*) FROM messages')).toBe(2);
    expect(rawDb(t.app).prepare('SELECT seq FROM messages ORDER BY seq').pluck().all()).toEqual([1, 2]);
  });
});
