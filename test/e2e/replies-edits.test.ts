import { describe, expect, it } from 'vitest';
import type { LiaisonClient, ReceivedMessage } from '../../client/sdk/index.ts';
import { openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { securityLog, startHost } from './host.ts';

/** A client's sealed store, for playing a malicious client that rewrites its own copy of a message. */
interface Sealed {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
}
const sealedOf = (c: LiaisonClient): Sealed => (c as unknown as { ctx: { sealed: Sealed } }).ctx.sealed;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'sent';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

/**
 * PROTOCOL.md §9.3 through the SDK: a reply's quote is checked against the original, a mention flags the
 * mentioned officer, an edit or redaction applies only from the original's sender and never lowers its code, and
 * a redaction drops the content from the recipient's store.
 */
describe('replies, mentions, edits and redactions (§9.3)', () => {
  it('checks quotes, flags mentions, applies the sender\'s corrections and refuses forged ones', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'fw-' });
    const ch = await openCaseChannel(net, { title: 'Operation Kestrel' });
    const { alice, bob } = net;
    const aliceId = alice.officerId!;
    const bobId = bob.officerId!;
    const bobSecurity = securityLog(bob);
    const aliceSecurity = securityLog(alice);
    const at = (c: LiaisonClient, id: string) => waitFor(async () => {
      await c.sync();
      return c.message(ch.id, id);
    }, `message ${id}`);

    // Shorter than 160 code units: the excerpt is the whole text (§9.3 R1).
    const original = 'The container MSCU 123456-7 leaves Antwerp on Tuesday at 06:00; the driver is the same as in March.';
    const m1 = (await alice.send(ch.id, { kind: 'text', text: original }, { handling: 'TLP:RED' })).messageId;
    await at(bob, m1);

    // Reply with a verified quote and a mention of Alice.
    const ref = await bob.replyRef(ch.id, m1);
    expect(ref).toEqual({ messageId: m1, senderId: aliceId, excerpt: original });
    const reply = (await bob.send(ch.id, { kind: 'text', text: '@Alice which terminal?', replyTo: ref!, mentions: [aliceId] })).messageId;
    const gotReply = await at(alice, reply);
    expect(gotReply.reply).toBe('verified');
    expect(gotReply.mentionsMe).toBe(true);
    // A quote that differs from the original, and one of a message Alice does not hold.
    const forgedQuote = (await bob.send(ch.id, { kind: 'text', text: 'Quote', replyTo: { messageId: m1, senderId: aliceId, excerpt: 'leaves Rotterdam' } })).messageId;
    const unknown = (await bob.send(ch.id, { kind: 'text', text: 'Quote', replyTo: { messageId: 'not-held', excerpt: 'x' }, mentions: [bobId] })).messageId;
    expect((await at(alice, forgedQuote)).reply).toBe('mismatch');
    const gotUnknown = await at(alice, unknown);
    expect(gotUnknown.reply).toBe('unavailable');
    expect(gotUnknown.mentionsMe).toBeUndefined();

    // Alice edits her message: Bob sees the new text, the history, and the correction notice.
    const corrected: ReceivedMessage[] = [];
    bob.on('corrected', (e) => corrected.push(e.target));
    await bob.connect();
    const e1 = (await alice.edit(ch.id, m1, 'The container MSCU 123456-7 leaves Antwerp on Wednesday at 06:00.', { reason: 'Wrong day' })).messageId;
    const notice = await at(bob, e1);
    expect(notice.payload.kind).toBe('edit');
    expect(notice.correction).toEqual({ status: 'applied' });
    expect(notice.handling).toBe('TLP:RED');
    const edited = (await bob.message(ch.id, m1))!;
    expect(edited.edits?.map((e) => [e.text, e.reason])).toEqual([['The container MSCU 123456-7 leaves Antwerp on Wednesday at 06:00.', 'Wrong day']]);
    expect(edited.payload).toMatchObject({ kind: 'text', text: original });
    await waitFor(() => corrected.some((t) => t.messageId === m1 && t.edits?.length === 1), 'the corrected event');

    // An edit may not lower the code: the SDK refuses before sealing.
    expect(await codeOf(alice.edit(ch.id, m1, 'Lower', { handling: 'TLP:AMBER' }))).toBe('correction/handling-lowered');
    // Bob may not edit Alice's message: his SDK refuses...
    expect(await codeOf(bob.edit(ch.id, m1, 'Forged'))).toBe('correction/not-sender');
    // ...so a malicious Bob rewrites his own copy to claim it, and his SDK seals the edit.
    const key = `msg:${ch.id}:${m1}`;
    const honest = await sealedOf(bob).get<Record<string, unknown>>(key);
    await sealedOf(bob).set(key, { ...honest, senderId: bobId });
    const forged = (await bob.edit(ch.id, m1, 'The container leaves from Rotterdam.')).messageId;
    await sealedOf(bob).set(key, honest);
    const gotForged = await at(alice, forged);
    expect(gotForged.correction).toEqual({ status: 'rejected', code: 'correction/not-sender' });
    expect(aliceSecurity).toContainEqual(expect.objectContaining({ kind: 'message_rejected', code: 'correction/not-sender' }));
    expect((await alice.message(ch.id, m1))!.edits?.map((e) => e.messageId)).toEqual([e1]);

    // A malicious Alice claims her RED message was GREEN and edits it at GREEN: Bob refuses.
    const aliceKey = `msg:${ch.id}:${m1}`;
    const mine = await sealedOf(alice).get<Record<string, unknown>>(aliceKey);
    await sealedOf(alice).set(aliceKey, { ...mine, handling: 'TLP:GREEN' });
    const lowered = (await alice.edit(ch.id, m1, 'Now green', { handling: 'TLP:GREEN' })).messageId;
    await sealedOf(alice).set(aliceKey, mine);
    expect((await at(bob, lowered)).correction).toEqual({ status: 'rejected', code: 'correction/handling-lowered' });
    expect(bobSecurity).toContainEqual(expect.objectContaining({ kind: 'message_rejected', code: 'correction/handling-lowered' }));
    expect((await bob.message(ch.id, m1))!.edits).toHaveLength(1);

    // Alice withdraws it: Bob's store keeps the reason, not the content (neither the original nor the edit).
    const aliceRejectionsBefore = aliceSecurity.filter((e) => e.kind === 'message_rejected').length;
    const r1 = (await alice.redact(ch.id, m1, 'Sent to the wrong channel')).messageId;
    expect((await at(bob, r1)).correction).toEqual({ status: 'applied' });
    // Alice's own redaction, applied when sent, comes back to her through the feed: the same correction, no refusal.
    expect((await at(alice, r1)).correction).toEqual({ status: 'applied' });
    await alice.history(ch.id);
    expect(aliceSecurity.filter((e) => e.kind === 'message_rejected').slice(aliceRejectionsBefore)).toEqual([]);
    const withdrawn = (await bob.message(ch.id, m1))!;
    expect(withdrawn.withdrawn).toMatchObject({ messageId: r1, by: aliceId, reason: 'Sent to the wrong channel' });
    expect(withdrawn.payload).toEqual({ kind: 'redaction', target: m1, reason: 'Sent to the wrong channel' });
    const stored = JSON.stringify(await sealedOf(bob).get(key));
    expect(stored).not.toContain('Antwerp');
    expect(stored).not.toContain(Buffer.from('Antwerp').toString('base64url').slice(0, 6));
    // The history lists it withdrawn; a later edit of a withdrawn message is refused.
    const listed = (await bob.history(ch.id)).find((m) => m.messageId === m1)!;
    expect(listed.withdrawn?.reason).toBe('Sent to the wrong channel');
    expect(await codeOf(alice.edit(ch.id, m1, 'Again'))).toBe('correction/target-withdrawn');
    // A reply quoting the withdrawn message now says so.
    expect(await bob.replyRef(ch.id, m1)).toBeNull();
    bob.disconnect();
  });
});
