import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  createKeyEnvelope,
  createMembershipEvent,
  encodeFields,
  epochDistributor,
  initSodium,
  keyEnvelopeCodec,
  keyEnvelopeFields,
  labelledSign,
  openKeyEnvelope,
  rekeyDue,
  sealTo,
  u64be,
  utf8,
} from '../../shared/crypto/index.ts';
import type { ChannelState, EpochView, KeyEnvelope, Member } from '../../shared/crypto/index.ts';
import { T0, codeOf, createEvent, distribute, makeWorld, receive, removeEvent, send, session, setRoleEvent, threeMemberChannel } from './fixtures.ts';

await initSodium();

/** Re-sign a modified key envelope with the distributor's key (a buggy or malicious distributor). */
function resign(e: Omit<KeyEnvelope, 'signature'>, sk: Uint8Array): KeyEnvelope {
  return { ...e, signature: labelledSign('liaison/v1/key-envelope', keyEnvelopeFields(e), sk) };
}

describe('epoch key distribution', () => {
  it('seals to exactly the verified members and round-trips through JSON', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const { envelope, epochSecret } = createKeyEnvelope({ state, sender: w.alice.keys, deviceId: w.alice.deviceId });
    const parsed = keyEnvelopeCodec.fromWire(JSON.parse(JSON.stringify(keyEnvelopeCodec.toWire(envelope))));
    expect(parsed.recipients.map((r) => r.officerId)).toEqual(['alice', 'bob', 'carol']);
    for (const o of [w.bob, w.carol]) expect(openKeyEnvelope({ state, envelope: parsed, me: o.keys })).toEqual(epochSecret);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: parsed, me: w.dave.keys }))).toBe('epoch/not-recipient');
  });

  it('rejects a ghost recipient and a missing member even when properly signed', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const { envelope } = createKeyEnvelope({ state, sender: w.alice.keys, deviceId: w.alice.deviceId });
    const ghost = { officerId: 'ghost', dhPublicKey: w.dave.keys.dhPublicKey, sealed: sealTo(w.dave.keys.dhPublicKey, new Uint8Array(32)) };
    const withGhost = resign({ ...envelope, recipients: [...envelope.recipients, ghost] }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: withGhost, me: w.bob.keys }))).toBe('epoch/recipient-mismatch');
    // a ghost "device" of bob: same officer id, another key (listed twice: out of the strict order)
    const ghostDevice = resign({ ...envelope, recipients: [...envelope.recipients, { ...ghost, officerId: 'bob' }] }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: ghostDevice, me: w.bob.keys }))).toBe('epoch/recipient-order');
    const [ra, rb, rc] = envelope.recipients;
    const twice = resign({ ...envelope, recipients: [ra!, rb!, { ...ghost, officerId: 'bob' }, rc!] }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: twice, me: w.bob.keys }))).toBe('epoch/recipient-order');
    const missing = resign({ ...envelope, recipients: envelope.recipients.filter((r) => r.officerId !== 'carol') }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: missing, me: w.bob.keys }))).toBe('epoch/recipient-mismatch');
    // the server adding a recipient breaks the signature
    expect(codeOf(() => openKeyEnvelope({ state, envelope: { ...envelope, recipients: [...envelope.recipients, ghost] }, me: w.bob.keys }))).toBe('epoch/bad-signature');
  });

  it('the recipients must be sorted by officerId (UTF-16 code units), each once: another order is refused even when signed (epoch/recipient-order)', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const { envelope } = createKeyEnvelope({ state, sender: w.alice.keys, deviceId: w.alice.deviceId });
    expect(envelope.recipients.map((r) => r.officerId)).toEqual(['alice', 'bob', 'carol']);
    for (const order of [[1, 0, 2], [0, 2, 1], [2, 1, 0]]) {
      const shuffled = resign({ ...envelope, recipients: order.map((i) => envelope.recipients[i]!) }, w.alice.keys.signSecretKey);
      expect(codeOf(() => openKeyEnvelope({ state, envelope: shuffled, me: w.bob.keys })), order.join()).toBe('epoch/recipient-order');
    }
  });

  it('only the author of the epoch event distributes, and sealed secrets are bound to their context', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(codeOf(() => createKeyEnvelope({ state, sender: w.bob.keys, deviceId: w.bob.deviceId }))).toBe('epoch/not-distributor');
    const { envelope } = createKeyEnvelope({ state, sender: w.alice.keys, deviceId: w.alice.deviceId });
    // bob's sealed copy moved into carol's slot (and re-signed): carol cannot open it
    const swapped = resign({ ...envelope, recipients: envelope.recipients.map((r) => (r.officerId === 'carol' ? { ...r, sealed: envelope.recipients[1]!.sealed } : r)) }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: swapped, me: w.carol.keys }))).toBe('epoch/open-failed');
    // a copy sealed to carol for another epoch
    const wrongCtx = encodeFields('liaison/v1/epoch-secret', [utf8('c1'), u64be(1), state.current.stateHash, utf8('carol'), new Uint8Array(32)]);
    const ctxSwap = resign({ ...envelope, recipients: envelope.recipients.map((r) => (r.officerId === 'carol' ? { ...r, sealed: sealTo(w.carol.keys.dhPublicKey, wrongCtx) } : r)) }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state, envelope: ctxSwap, me: w.carol.keys }))).toBe('epoch/context-mismatch');
  });

  it('a removed member gets no key for the next epoch and cannot decrypt it', () => {
    const w = makeWorld();
    const { state: s2 } = threeMemberChannel(w);
    const secrets2 = distribute(s2, w.alice, [w.alice, w.bob, w.carol]);
    const s3 = applyEvent(s2, removeEvent(s2, w.alice, w.bob, T0 + 100), w.ctx);
    const { envelope } = createKeyEnvelope({ state: s3, sender: w.alice.keys, deviceId: w.alice.deviceId });
    expect(envelope.recipients.map((r) => r.officerId)).toEqual(['alice', 'carol']);
    expect(codeOf(() => openKeyEnvelope({ state: s3, envelope, me: w.bob.keys }))).toBe('epoch/not-recipient');
    const alice = session(w.alice, 'c1');
    alice.secrets.set(3, openKeyEnvelope({ state: s3, envelope, me: w.alice.keys }));
    const bob = session(w.bob, 'c1');
    bob.secrets.set(2, secrets2.get('bob')!);
    const env = send(alice, s3, { kind: 'text', text: 'after removal' });
    expect(codeOf(() => receive(bob, s3, env))).toBe('envelope/no-epoch-key');
    // even trying the old epoch's secret for the new epoch fails
    bob.secrets.set(3, secrets2.get('bob')!);
    expect(codeOf(() => receive(bob, s3, env))).toBe('envelope/decrypt-failed');
    // and a message from bob in the new epoch is rejected as non-member
    const bobOld = session(w.bob, 'c1');
    bobOld.secrets.set(2, secrets2.get('bob')!);
    const stale = send(bobOld, s2, { kind: 'text', text: 'old epoch' });
    const carol = session(w.carol, 'c1');
    carol.secrets.set(2, secrets2.get('carol')!);
    expect(receive(carol, s3, stale)).toEqual({ kind: 'text', text: 'old epoch' });
    expect(codeOf(() => receive(carol, s3, { ...stale, header: { ...stale.header, epoch: 3, stateHash: s3.current.stateHash } }))).toBe('envelope/not-member');
  });

  it('signals rekey after 7 days or 1,000 messages and refuses to send past them', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(rekeyDue(state.current, T0 + 1000, 10)).toBe(false);
    expect(rekeyDue(state.current, T0 + 7 * 24 * 3600 * 1000 + 2, 10)).toBe(true);
    expect(rekeyDue(state.current, T0 + 1000, 1000)).toBe(true);
    const secrets = distribute(state, w.alice, [w.alice]);
    const alice = session(w.alice, 'c1');
    alice.secrets.set(2, secrets.get('alice')!);
    expect(codeOf(() => send(alice, state, { kind: 'text', text: 'x' }, { time: T0 + 8 * 24 * 3600 * 1000 }))).toBe('epoch/expired');
    alice.sending = { ...alice.sending!, counter: 1000 };
    expect(codeOf(() => send(alice, state, { kind: 'text', text: 'x' }))).toBe('epoch/exhausted');
    const rekey = createMembershipEvent(state, { kind: 'rekey', time: T0 + 1000, actorOfficerId: 'bob', actorDeviceId: w.bob.deviceId }, w.bob.keys);
    expect(applyEvent(state, rekey, w.ctx).current.epoch).toBe(3);
  });
});

describe('epoch distributor rule (PROTOCOL.md §6)', () => {
  /** alice (owner) created c1 with bob and carol; carol is made owner, then alice removes herself (epoch 4). */
  function afterSelfRemoval(w: ReturnType<typeof makeWorld>): { s3: ChannelState; s4: ChannelState } {
    const { state: s2 } = threeMemberChannel(w);
    const s3 = applyEvent(s2, setRoleEvent(s2, w.alice, w.carol, 'owner', T0 + 10), w.ctx);
    const s4 = applyEvent(s3, removeEvent(s3, w.alice, w.alice, T0 + 20), w.ctx);
    return { s3, s4 };
  }

  it('is the epoch author, from the event\'s device, while the author is a member', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(epochDistributor(state.current)).toEqual({ officerId: 'alice', deviceId: w.alice.deviceId });
    // alice on another device may not key it (the chain names the device)
    expect(codeOf(() => createKeyEnvelope({ state, sender: w.alice.keys, deviceId: 'alice-dev2' }))).toBe('epoch/not-distributor');
    // removal of the author of the current epoch by another owner: the remover authors the new epoch
    const { s3 } = afterSelfRemoval(w);
    const s4 = applyEvent(s3, removeEvent(s3, w.carol, w.alice, T0 + 20), w.ctx);
    expect(epochDistributor(s4.current)).toEqual({ officerId: 'carol', deviceId: w.carol.deviceId });
    const { envelope } = createKeyEnvelope({ state: s4, sender: w.carol.keys, deviceId: w.carol.deviceId });
    expect(envelope.recipients.map((r) => r.officerId)).toEqual(['bob', 'carol']);
    expect(codeOf(() => createKeyEnvelope({ state: s4, sender: w.alice.keys, deviceId: w.alice.deviceId }))).toBe('epoch/not-distributor');
  });

  it('after the author left: the owner with the smallest officer id, from any of its devices; never the leaver', () => {
    const w = makeWorld();
    const { s4 } = afterSelfRemoval(w);
    // bob < carol, but carol is the remaining owner
    expect(epochDistributor(s4.current)).toEqual({ officerId: 'carol', deviceId: null });
    expect(codeOf(() => createKeyEnvelope({ state: s4, sender: w.alice.keys, deviceId: w.alice.deviceId }))).toBe('epoch/not-distributor');
    expect(codeOf(() => createKeyEnvelope({ state: s4, sender: w.bob.keys, deviceId: w.bob.deviceId }))).toBe('epoch/not-distributor');
    const { envelope, epochSecret } = createKeyEnvelope({ state: s4, sender: w.carol.keys, deviceId: 'carol-phone' });
    expect(envelope.recipients.map((r) => r.officerId)).toEqual(['bob', 'carol']);
    for (const o of [w.bob, w.carol]) expect(openKeyEnvelope({ state: s4, envelope, me: o.keys })).toEqual(epochSecret);
    expect(codeOf(() => openKeyEnvelope({ state: s4, envelope, me: w.alice.keys }))).toBe('epoch/not-recipient');
    // the leaver signing an envelope for the epoch it left (even one sealed to the right members) is refused
    const byAlice = resign({ ...envelope, senderOfficerId: 'alice', senderDeviceId: w.alice.deviceId }, w.alice.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state: s4, envelope: byAlice, me: w.bob.keys }))).toBe('epoch/not-distributor');
    // a non-distributor member (bob) likewise
    const byBob = resign({ ...envelope, senderOfficerId: 'bob', senderDeviceId: w.bob.deviceId }, w.bob.keys.signSecretKey);
    expect(codeOf(() => openKeyEnvelope({ state: s4, envelope: byBob, me: w.carol.keys }))).toBe('epoch/not-distributor');
    // the author is still the distributor of the epochs it was a member of
    expect(epochDistributor(s4.epochs.get(3)!)).toEqual({ officerId: 'alice', deviceId: w.alice.deviceId });
  });

  it('is deterministic: smallest owner id among several owners, else the smallest member id; null when nobody is left', () => {
    const w = makeWorld();
    const { s4 } = afterSelfRemoval(w);
    const s5 = applyEvent(s4, setRoleEvent(s4, w.carol, w.bob, 'owner', T0 + 30), w.ctx);
    const s6 = applyEvent(s5, removeEvent(s5, w.carol, w.carol, T0 + 40), w.ctx);
    expect(epochDistributor(s6.current)).toEqual({ officerId: 'bob', deviceId: null });
    // a view with owners 'bob' and 'carol' whose author left: bob (order independent of insertion)
    const member = (o: typeof w.bob, role: Member['role']): [string, Member] => [o.keys.officerId, { cert: o.cert, role }];
    const view = (members: [string, Member][]): EpochView => ({ ...s4.current, members: new Map(members) });
    expect(epochDistributor(view([member(w.carol, 'owner'), member(w.bob, 'owner')]))?.officerId).toBe('bob');
    expect(epochDistributor(view([member(w.dave, 'member'), member(w.carol, 'member')]))).toEqual({ officerId: 'carol', deviceId: null });
    expect(epochDistributor(view([member(w.dave, 'member'), member(w.carol, 'owner')]))?.officerId).toBe('carol');
    // the last member leaving leaves an epoch nobody keys
    const s0 = applyEvent(null, createEvent('c2', w.alice), w.ctx);
    const gone = applyEvent(s0, removeEvent(s0, w.alice, w.alice, T0 + 1), w.ctx);
    expect(epochDistributor(gone.current)).toBeNull();
  });
});
