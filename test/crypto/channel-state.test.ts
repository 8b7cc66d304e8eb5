import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ChannelStateError,
  applyEvent,
  assertNoFork,
  chainHead,
  createMembershipEvent,
  extendChain,
  initSodium,
  issueCertificate,
  membershipEventCodec,
  membershipEventFields,
  policyFromMinimum,
  verifyChain,
} from '../../shared/crypto/index.ts';
import type { MembershipEvent } from '../../shared/crypto/index.ts';
import { T0, YEAR_MS, addEvent, codeOf, createEvent, makeWorld, removeEvent, threeMemberChannel } from './fixtures.ts';

await initSodium();

describe('membership chain', () => {
  it('verifies a valid chain and survives a JSON round trip', () => {
    const w = makeWorld();
    const { events, state } = threeMemberChannel(w);
    const parsed = events.map((e) => membershipEventCodec.fromWire(JSON.parse(JSON.stringify(membershipEventCodec.toWire(e)))));
    const again = verifyChain(parsed, w.ctx, chainHead(state));
    expect([...again.current.members.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(again.current.epoch).toBe(2);
  });

  it('rejects an event the server injects (signed by a non-member or unsigned)', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const server = makeWorld('server');
    // dave (not a member) adds himself
    expect(codeOf(() => applyEvent(state, addEvent(state, w.dave, w.dave, T0 + 5), w.ctx))).toBe('chain/unauthorised');
    // an "alice" event signed by someone else's key
    const forged = addEvent(state, { ...w.alice, keys: { ...w.alice.keys, signSecretKey: server.alice.keys.signSecretKey } }, w.dave, T0 + 5, w.dave);
    expect(codeOf(() => applyEvent(state, forged, w.ctx))).toBe('chain/bad-signature');
    const unsigned = { ...addEvent(state, w.alice, w.carol, T0 + 5), signature: new Uint8Array(64) };
    expect(codeOf(() => applyEvent(state, unsigned, w.ctx))).toBe('chain/bad-signature');
  });

  it('rejects any flipped bit in a signed event (property)', () => {
    const w = makeWorld();
    const { events } = threeMemberChannel(w);
    const base = verifyChain(events.slice(0, 2), w.ctx);
    const target = events[2]!;
    fc.assert(
      fc.property(fc.constantFrom('signature', 'prevHash'), fc.nat(), (field, bit) => {
        const b = (target[field] as Uint8Array).slice();
        b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
        const err = (() => {
          try {
            applyEvent(base, { ...target, [field]: b }, w.ctx);
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(ChannelStateError);
        expect(['chain/bad-signature', 'chain/broken-link']).toContain((err as ChannelStateError).code);
      }),
      { numRuns: 100 },
    );
  });

  it('requires the other agency\'s co-signature for a cross-agency add', () => {
    const w = makeWorld();
    const s0 = applyEvent(null, createEvent('c1', w.alice), w.ctx);
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1), w.ctx))).toBe('chain/missing-cosignature');
    // co-signed by the wrong agency (carol is agency A)
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.carol), w.ctx))).toBe('chain/bad-cosignature');
    // co-signed by another ordinary officer of agency B (not bob, not an admin)
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.dave), w.ctx))).toBe('chain/bad-cosignature');
    // agency B's admin or bob himself may co-sign
    expect(applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.adminB), w.ctx).current.members.has('bob')).toBe(true);
    expect(applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.bob), w.ctx).current.members.has('bob')).toBe(true);
    // a co-signature on another event does not transfer
    const other = addEvent(s0, w.alice, w.bob, T0 + 2, w.bob);
    const e = { ...addEvent(s0, w.alice, w.bob, T0 + 1), cosignature: other.cosignature! };
    expect(codeOf(() => applyEvent(s0, e, w.ctx))).toBe('chain/bad-cosignature');
  });

  it('rejects a cross-agency add in a channel without agreement', () => {
    const w = makeWorld();
    const s0 = applyEvent(null, createEvent('c1', w.alice, 'TLP:CLEAR', ''), w.ctx);
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.bob), w.ctx))).toBe('chain/no-agreement');
  });

  it('contact request: a direct channel without agreement takes one officer of another agency, by their own co-signature', () => {
    const w = makeWorld();
    const direct = (id: string) =>
      createMembershipEvent(
        null,
        { channelId: id, kind: 'create', time: T0, actorOfficerId: w.alice.keys.officerId, actorDeviceId: w.alice.deviceId, channelKind: 'direct', agreementId: '', policy: policyFromMinimum('TLP:CLEAR'), member: w.alice.cert },
        w.alice.keys,
      );
    const s0 = applyEvent(null, direct('d1'), w.ctx);
    // the contacted officer's consent is required, and an admin of their agency cannot give it for them
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1), w.ctx))).toBe('chain/missing-cosignature');
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.adminB), w.ctx))).toBe('chain/bad-cosignature');
    const s1 = applyEvent(s0, addEvent(s0, w.alice, w.bob, T0 + 1, w.bob), w.ctx);
    expect([...s1.current.members.keys()].sort()).toEqual([w.alice.keys.officerId, w.bob.keys.officerId].sort());
    // never a third member, whoever adds and whoever co-signs
    expect(codeOf(() => applyEvent(s1, addEvent(s1, w.alice, w.carol, T0 + 2), w.ctx))).toBe('chain/unauthorised');
    expect(codeOf(() => applyEvent(s1, addEvent(s1, w.alice, w.dave, T0 + 2, w.dave), w.ctx))).toBe('chain/unauthorised');
  });

  it('enforces roles: members cannot add, remove others or change policy', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(codeOf(() => applyEvent(state, addEvent(state, w.carol, w.dave, T0 + 5, w.dave), w.ctx))).toBe('chain/unauthorised');
    expect(codeOf(() => applyEvent(state, removeEvent(state, w.carol, w.bob, T0 + 5), w.ctx))).toBe('chain/unauthorised');
    const pol = createMembershipEvent(state, { kind: 'set-policy', time: T0 + 5, actorOfficerId: 'carol', actorDeviceId: w.carol.deviceId, policy: policyFromMinimum('TLP:CLEAR') }, w.carol.keys);
    expect(codeOf(() => applyEvent(state, pol, w.ctx))).toBe('chain/unauthorised');
    // leaving is allowed
    expect(applyEvent(state, removeEvent(state, w.carol, w.carol, T0 + 5), w.ctx).current.members.has('carol')).toBe(false);
    // the last owner cannot be removed while others remain
    expect(codeOf(() => applyEvent(state, removeEvent(state, w.alice, w.alice, T0 + 5), w.ctx))).toBe('chain/last-owner');
  });

  it('rejects certificates not issued by the member\'s agency root', () => {
    const w = makeWorld();
    const s0 = applyEvent(null, createEvent('c1', w.alice), w.ctx);
    const rogueCert = issueCertificate(w.dave.keys, { role: 'officer', issuedAt: T0 - 1, expiresAt: T0 + YEAR_MS }, { ...w.adminA.keys, agencyId: 'agency-b' });
    const e = addEvent(s0, w.alice, { ...w.dave, cert: rogueCert }, T0 + 1, w.adminB);
    expect(codeOf(() => applyEvent(s0, e, w.ctx))).toBe('chain/bad-certificate');
  });

  it('detects a fork (two events at the same position) and a rewind', () => {
    const w = makeWorld();
    const { events, state } = threeMemberChannel(w);
    const s1 = verifyChain(events.slice(0, 2), w.ctx);
    const alt = addEvent(s1, w.alice, w.adminA, T0 + 2);
    expect(codeOf(() => assertNoFork(events[2]!, alt))).toBe('chain/fork');
    expect(codeOf(() => applyEvent(state, alt, w.ctx))).toBe('chain/fork');
    // server shows a forked chain to a client that remembers the real head
    const forked = [...events.slice(0, 2), alt];
    expect(codeOf(() => verifyChain(forked, w.ctx, chainHead(state)))).toBe('chain/fork');
    // server drops the last event (rewind)
    expect(codeOf(() => verifyChain(events.slice(0, 2), w.ctx, chainHead(state)))).toBe('chain/rewind');
    // duplicates are idempotent in extendChain
    expect(extendChain(state, events, w.ctx).current.epoch).toBe(2);
    // reordering / dropping a middle event breaks the link
    expect(codeOf(() => verifyChain([events[0]!, events[2]!], w.ctx))).toBe('chain/broken-link');
  });

  it('a re-signed event with a wrong kind/field mix is rejected at parse and at apply', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const e = removeEvent(state, w.alice, w.carol, T0 + 5);
    const bad = { ...e, policy: policyFromMinimum('TLP:CLEAR') } as MembershipEvent;
    expect(codeOf(() => membershipEventFields(bad))).toBe('chain/malformed');
    const wire = { ...membershipEventCodec.toWire(e), policy: { allowed: ['TLP:RED'], defaultCode: 'TLP:RED' } };
    expect(codeOf(() => membershipEventCodec.fromWire(wire))).toBe('wire/invalid');
  });
});
