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
  labelledSign,
  verifyChain,
} from '../../shared/crypto/index.ts';
import type { HandlingCode, HandlingPolicy, MembershipEvent } from '../../shared/crypto/index.ts';
import { T0, YEAR_MS, addEvent, codeOf, createEvent, makeWorld, removeEvent, setRoleEvent, threeMemberChannel } from './fixtures.ts';
import type { Officer, World } from './fixtures.ts';

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
    expect(codeOf(() => applyEvent(s1, addEvent(s1, w.alice, w.carol, T0 + 2), w.ctx))).toBe('chain/direct-full');
    expect(codeOf(() => applyEvent(s1, addEvent(s1, w.alice, w.dave, T0 + 2, w.dave), w.ctx))).toBe('chain/direct-full');
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

/** A create by `creator` carrying `cert` (normally the creator's own) with an arbitrary policy, signed by the creator. */
function createWith(w: World, creator: Officer, over: Partial<MembershipEvent> = {}): MembershipEvent {
  return createMembershipEvent(
    null,
    {
      channelId: 'c9',
      kind: 'create',
      time: T0,
      actorOfficerId: creator.keys.officerId,
      actorDeviceId: creator.deviceId,
      channelKind: 'case',
      agreementId: 'mou-1',
      policy: policyFromMinimum('TLP:CLEAR'),
      member: creator.cert,
      ...over,
    } as Parameters<typeof createMembershipEvent>[1],
    creator.keys,
  );
}

/** Re-signs an arbitrary (possibly ill-formed) event by `actor`: what a malicious member could produce. */
function resigned(e: Omit<MembershipEvent, 'signature'>, actor: Officer): MembershipEvent {
  const fields = (() => {
    try {
      return membershipEventFields(e);
    } catch {
      return [new Uint8Array(0)];
    }
  })();
  return { ...e, signature: labelledSign('liaison/v1/membership-event', fields, actor.keys.signSecretKey) };
}

describe('chain predicates (PROTOCOL.md §5.2): each refusal has its own code', () => {
  it('policy valid: a non-empty list of known codes, sorted by rank, unique, default among them (chain/bad-policy)', () => {
    const w = makeWorld();
    const bad: HandlingPolicy[] = [
      { allowed: [], defaultCode: 'TLP:RED' },
      { allowed: ['TLP:RED', 'TLP:AMBER'], defaultCode: 'TLP:RED' },
      { allowed: ['TLP:AMBER', 'TLP:AMBER'], defaultCode: 'TLP:AMBER' },
      { allowed: ['TLP:AMBER', 'TLP:RED'], defaultCode: 'TLP:GREEN' },
      { allowed: ['TLP:AMBER', 'TLP:PURPLE' as HandlingCode], defaultCode: 'TLP:AMBER' },
    ];
    for (const policy of bad) expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { policy }), w.ctx)), JSON.stringify(policy)).toBe('chain/bad-policy');
    const s0 = applyEvent(null, createWith(w, w.alice), w.ctx);
    for (const policy of bad) {
      const e = createMembershipEvent(s0, { kind: 'set-policy', time: T0 + 1, actorOfficerId: 'alice', actorDeviceId: w.alice.deviceId, policy }, w.alice.keys);
      expect(codeOf(() => applyEvent(s0, e, w.ctx))).toBe('chain/bad-policy');
    }
  });

  it('time: an event dated before its predecessor is refused (chain/time-regression); the same millisecond is allowed', () => {
    const w = makeWorld();
    const s0 = applyEvent(null, createEvent('c1', w.alice), w.ctx);
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.carol, T0 - 1), w.ctx))).toBe('chain/time-regression');
    expect(applyEvent(s0, addEvent(s0, w.alice, w.carol, T0), w.ctx).current.members.has('carol')).toBe(true);
  });

  it('already a member (chain/already-member), even under the same keys', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(codeOf(() => applyEvent(state, addEvent(state, w.alice, w.carol, T0 + 5), w.ctx))).toBe('chain/already-member');
  });

  it('a direct channel with two members takes no third (chain/direct-full), checked after the owner rule', () => {
    const w = makeWorld();
    let s = applyEvent(null, createWith(w, w.alice, { channelKind: 'direct' }), w.ctx);
    s = applyEvent(s, addEvent(s, w.alice, w.carol, T0 + 1), w.ctx);
    expect(codeOf(() => applyEvent(s, addEvent(s, w.alice, w.adminA, T0 + 2), w.ctx))).toBe('chain/direct-full');
    // carol is a member, not an owner: the owner rule comes first
    expect(codeOf(() => applyEvent(s, addEvent(s, w.carol, w.adminA, T0 + 2), w.ctx))).toBe('chain/unauthorised');
  });

  it('last owner: cannot leave while others remain, cannot be demoted (also not by themselves) (chain/last-owner)', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    expect(codeOf(() => applyEvent(state, removeEvent(state, w.alice, w.alice, T0 + 5), w.ctx))).toBe('chain/last-owner');
    expect(codeOf(() => applyEvent(state, setRoleEvent(state, w.alice, w.alice, 'member', T0 + 5), w.ctx))).toBe('chain/last-owner');
    // with a second owner both are allowed
    const s2 = applyEvent(state, setRoleEvent(state, w.alice, w.carol, 'owner', T0 + 5), w.ctx);
    expect(applyEvent(s2, setRoleEvent(s2, w.alice, w.alice, 'member', T0 + 6), w.ctx).current.members.get('alice')!.role).toBe('member');
    expect(applyEvent(s2, removeEvent(s2, w.alice, w.alice, T0 + 6), w.ctx).current.members.has('alice')).toBe(false);
    // the last member, an owner, may leave: the channel is then empty
    const s0 = applyEvent(null, createEvent('c1', w.alice), w.ctx);
    expect(applyEvent(s0, removeEvent(s0, w.alice, w.alice, T0 + 1), w.ctx).current.members.size).toBe(0);
  });

  it('bad creator certificate: another officer\'s, expired or not yet valid at the create\'s time, or not by the agency root (chain/bad-creator-certificate)', () => {
    const w = makeWorld();
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { member: w.carol.cert }), w.ctx))).toBe('chain/bad-creator-certificate');
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { time: T0 + YEAR_MS }), w.ctx))).toBe('chain/bad-creator-certificate');
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { time: T0 - 2000 }), w.ctx))).toBe('chain/bad-creator-certificate');
    const selfSigned = issueCertificate(w.alice.keys, { role: 'officer', issuedAt: T0 - 1, expiresAt: T0 + YEAR_MS }, w.alice.keys);
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { member: selfSigned }), w.ctx))).toBe('chain/bad-creator-certificate');
    // an agency without a trusted root is its own code
    const none = { agencyRoot: () => undefined };
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice), none))).toBe('chain/unknown-agency');
  });

  it('unknown kind (chain/unknown-kind); a field outside the kind, a missing one, an unknown role or channel kind (chain/malformed)', () => {
    const w = makeWorld();
    const { state } = threeMemberChannel(w);
    const base = { v: 1 as const, channelId: 'c1', seq: 3, prevHash: state.current.stateHash, time: T0 + 5, actorOfficerId: 'alice', actorDeviceId: w.alice.deviceId };
    expect(codeOf(() => applyEvent(state, resigned({ ...base, kind: 'promote' as MembershipEvent['kind'] }, w.alice), w.ctx))).toBe('chain/unknown-kind');
    expect(codeOf(() => applyEvent(state, resigned({ ...base, kind: 'rekey', targetOfficerId: 'bob' }, w.alice), w.ctx))).toBe('chain/malformed');
    expect(codeOf(() => applyEvent(state, resigned({ ...base, kind: 'remove' }, w.alice), w.ctx))).toBe('chain/malformed');
    expect(codeOf(() => applyEvent(state, resigned({ ...base, kind: 'set-role', targetOfficerId: 'carol', role: 'admin' as MembershipEvent['role'] }, w.alice), w.ctx))).toBe('chain/malformed');
    expect(codeOf(() => applyEvent(null, createWith(w, w.alice, { channelKind: 'group' as MembershipEvent['channelKind'] }), w.ctx))).toBe('chain/malformed');
    expect(codeOf(() => applyEvent(state, resigned({ ...base, kind: 'rekey', v: 2 as 1 }, w.alice), w.ctx))).toBe('chain/malformed');
  });

  it('a co-signer whose certificate is not valid under its agency root is a bad co-signature (chain/bad-cosignature)', () => {
    const w = makeWorld();
    const s0 = applyEvent(null, createEvent('c1', w.alice), w.ctx);
    const bobSelf = issueCertificate(w.bob.keys, { role: 'officer', issuedAt: T0 - 1, expiresAt: T0 + YEAR_MS }, w.bob.keys);
    const e = addEvent(s0, w.alice, w.bob, T0 + 1, { ...w.bob, cert: bobSelf });
    expect(codeOf(() => applyEvent(s0, e, w.ctx))).toBe('chain/bad-cosignature');
  });

  it('certificate expiry: certificates are checked at the event\'s time, never the verifier\'s clock', () => {
    const w = makeWorld();
    const { events, state } = threeMemberChannel(w);
    // carol's certificate expires at T0 + YEAR_MS; she stays a member and the chain verifies the same way afterwards
    expect(verifyChain(events, w.ctx).current.members.has('carol')).toBe(true);
    // an event dated after the actor's certificate expired is still accepted (membership does not end with expiry) …
    const later = createMembershipEvent(state, { kind: 'rekey', time: T0 + 2 * YEAR_MS, actorOfficerId: 'carol', actorDeviceId: w.carol.deviceId }, w.carol.keys);
    expect(applyEvent(state, later, w.ctx).current.epoch).toBe(3);
    // … but a certificate embedded by an add must be valid at the add's time
    const s0 = applyEvent(null, createEvent('c2', w.alice), w.ctx);
    expect(codeOf(() => applyEvent(s0, addEvent(s0, w.alice, w.carol, T0 + YEAR_MS), w.ctx))).toBe('chain/bad-certificate');
  });
});
