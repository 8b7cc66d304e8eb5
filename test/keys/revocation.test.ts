/**
 * Issue 12, "deprovisioning removes cryptographically" (PROTOCOL.md §4.3 **Revocation**, §5.2 rule 7):
 * suspending an officer makes their agency root sign a `cert-revoke`; every channel owner's SDK removes
 * the officer on its next sync and keys a new epoch the officer cannot read; the server refuses the
 * revoked key; a cert-revoke not signed by the agency root is refused by the server and ignored by clients.
 */
import { describe, expect, it } from 'vitest';
import type { LiaisonClient, ReceivedMessage, SecurityNotice } from '../../client/sdk/index.ts';
import { LiaisonApiError } from '../../client/sdk/index.ts';
import type { ChainStore } from '../../client/sdk/chains.ts';
import type { SdkContext } from '../../client/sdk/context.ts';
import type { EpochSecrets } from '../../client/sdk/secrets.ts';
import { api } from '../../shared/api/index.ts';
import {
  certificateCodec,
  createMembershipEvent,
  createRevocationEvent,
  keyEnvelopeCodec,
  keyEventCodec,
  membershipEventCodec,
  type IdentityKeys,
} from '../../shared/crypto/index.ts';
import type { StoredMessage } from '../../shared/schemas/channels.ts';
import { startHost } from '../e2e/host.ts';
import { E2E_PASSPHRASE, activeAgreement, totpCode, createAgency, createOfficer, signIn, twoAgencyNetwork, type Creds, type Host, type TwoAgencyNetwork } from '../world/network.ts';
import { outsiderOpenError } from '../world/outsider.ts';

interface Internals {
  ctx: SdkContext;
  chains: ChainStore;
  secrets: EpochSecrets;
}
const internals = (c: LiaisonClient): Internals => c as unknown as Internals;
const keysOf = (c: LiaisonClient): IdentityKeys => internals(c).ctx.keys!;

function texts(msgs: ReceivedMessage[]): string[] {
  return msgs.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
}

/** `owner` invites `invitees` (possibly of other agencies) one by one; returns once all are members. */
async function withMembers(owner: LiaisonClient, channelId: string, invitees: LiaisonClient[]): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await owner.sync();
    const members = new Set((await owner.members(channelId)).map((m) => m.officerId));
    const missing = invitees.filter((c) => !members.has(c.officerId!));
    if (missing.length === 0) break;
    for (const c of missing) {
      const inv = (await c.invitations()).find((i) => i.channelId === channelId && i.status === 'pending');
      if (inv) await c.acceptInvitation(inv.id);
    }
  }
  // Every member holds the current epoch's secret.
  await owner.sync();
  for (const c of invitees) await c.sync();
  expect((await owner.members(channelId)).map((m) => m.officerId).sort()).toEqual([owner, ...invitees].map((c) => c.officerId!).sort());
}

/** The stored ciphertext of `messageId` (read with a member's token) cannot be opened with `who`'s secrets. */
async function cannotOpen(host: Host, member: LiaisonClient, who: LiaisonClient, channelId: string, messageId: string): Promise<void> {
  const page = (await member.call(api.messages.history, { params: { id: channelId }, query: { afterSeq: 0, limit: 500 } })) as { messages: StoredMessage[] };
  const stored = page.messages.find((m) => m.messageId === messageId)!;
  // The member's verified chain (the outsider's own stops before the removal) with the outsider's secrets.
  const state = (await internals(member).chains.state(channelId))!;
  expect(state.epochs.get(stored.epoch)!.members.has(who.officerId!)).toBe(false);
  expect(await internals(who).secrets.load(channelId, stored.epoch)).toBeUndefined();
  expect(await outsiderOpenError(who, state, stored, host.clock.now())).toBe('envelope/no-epoch-key');
}

async function expectApiError(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LiaisonApiError);
  expect(err).toMatchObject({ status, code });
}

interface Scenario {
  host: Host & { t: { app: Host['app'] } };
  net: TwoAgencyNetwork;
  carol: LiaisonClient;
  carolCreds: Creds;
  /** alice owns it; carol and bob (agency B, under the agreement) are members; bob is a second owner. */
  shared: string;
  /** bob (agency B) owns it; alice and carol are invited under the agreement. */
  bobs: string;
  /** alice owns it; carol is the other member (same agency). */
  team: string;
  security: SecurityNotice[];
}

/** Agencies A (root adminA, alice, carol) and B (root adminB, bob); carol is a member of three channels. */
async function scenario(prefix: string): Promise<Scenario> {
  const host = await startHost();
  const net = await twoAgencyNetwork(host, { prefix });
  const carolCreds = await createOfficer(host, net.a.admin, { username: `${prefix}carol`, displayName: 'Carol', password: net.a.alice.password });
  const carol = await signIn(host, carolCreds);
  await carol.createIdentity(E2E_PASSPHRASE);
  expect(await net.adminA.certifyPending()).toEqual([carol.officerId]);
  const { alice, bob } = net;

  const shared = (await alice.createChannel({ kind: 'case', agreementId: net.agreement.id, title: 'Operation Kestrel', members: [carol.officerId!, bob.officerId!] })).id;
  await withMembers(alice, shared, [carol, bob]);
  await alice.setMemberRole(shared, bob.officerId!, 'owner');
  const bobs = (await bob.createChannel({ kind: 'case', agreementId: net.agreement.id, title: 'Operación Halcón', members: [alice.officerId!, carol.officerId!] })).id;
  await withMembers(bob, bobs, [alice, carol]);
  const team = (await alice.createChannel({ kind: 'team', title: 'Desk', members: [carol.officerId!] })).id;
  await withMembers(alice, team, [carol]);

  for (const [ch, sender] of [
    [shared, carol],
    [bobs, carol],
    [team, carol],
  ] as const) {
    await sender.send(ch, { kind: 'text', text: `carol before (${ch === team ? 'team' : ch === bobs ? 'bobs' : 'shared'})` });
  }
  // The suspension comes a minute later (a message at the revocation's own millisecond counts as after it).
  host.clock.advance(60_000);
  const security: SecurityNotice[] = [];
  for (const c of [alice, bob]) c.on('security', (e) => security.push(e));
  return { host, net, carol, carolCreds, shared, bobs, team, security };
}

describe('deprovisioning: cert-revoke, automatic removal and rekey (issue 12)', () => {
  it('a suspended officer is removed from all three channels after one sync of each owner; the new epochs exclude them', { timeout: 180_000 }, async () => {
    const s = await scenario('rv1-');
    const { net, carol, host } = s;
    const { alice, bob, adminA } = net;
    const carolId = carol.officerId!;

    // The root's SDK suspends and signs the cert-revoke at once.
    expect(await adminA.suspendOfficer(carolId)).toEqual({ revoked: true });
    const keys = (await alice.call(api.keys.officerKeys, { params: { id: carolId } })).keys;
    expect(keys.certificate).toBeNull();
    const log = await alice.call(api.keys.keyLog, { query: { from: 0, limit: 1000 } });
    expect(log.entries.map((e) => (e as { event: { kind: string; officerId: string } }).event).filter((e) => e.officerId === carolId).map((e) => e.kind)).toEqual([
      'enrol',
      'device-add',
      'cert-issue',
      'cert-revoke',
    ]);
    // Nothing left to revoke.
    expect(await adminA.revokePending()).toEqual([]);
    // Carol's session died with the suspension.
    await expectApiError(carol.send(s.team, { kind: 'text', text: 'still here?' }), 401, 'session_expired');

    // ONE sync of each owner, the two owners of the shared channel racing each other.
    await Promise.all([alice.sync(), bob.sync()]);
    for (const [ch, owner] of [
      [s.shared, alice],
      [s.shared, bob],
      [s.bobs, bob],
      [s.team, alice],
    ] as const) {
      expect((await owner.members(ch)).map((m) => m.officerId), ch).not.toContain(carolId);
    }
    // Exactly one remove of carol per channel, even where two owners raced.
    for (const [ch, reader] of [
      [s.shared, alice],
      [s.bobs, bob],
      [s.team, alice],
    ] as const) {
      const state = await internals(reader).chains.pull(ch);
      const removes = [...state.epochs.values()].filter((v) => v.epoch > 0 && !v.members.has(carolId) && state.epochs.get(v.epoch - 1)?.members.has(carolId));
      expect(removes, ch).toHaveLength(1);
      expect(state.current.members.has(carolId)).toBe(false);
    }

    // The remaining members read new messages in the new epochs.
    await alice.sync();
    await bob.sync();
    const afterShared = await bob.send(s.shared, { kind: 'text', text: 'bob after carol left' });
    const afterBobs = await alice.send(s.bobs, { kind: 'text', text: 'alice after carol left' });
    const afterTeam = await alice.send(s.team, { kind: 'text', text: 'alice alone in the team' });
    await alice.sync();
    await bob.sync();
    expect(texts(await alice.history(s.shared))).toEqual(['carol before (shared)', 'bob after carol left']);
    expect(texts(await bob.history(s.bobs))).toEqual(['carol before (bobs)', 'alice after carol left']);
    expect(texts(await alice.history(s.team))).toEqual(['carol before (team)', 'alice alone in the team']);
    // Titles were re-sealed for the new epochs.
    expect((await bob.channel(s.shared)).title).toBe('Operation Kestrel');

    // Carol's client, kept with the old keys and secrets, cannot open the new epochs' messages.
    await cannotOpen(host, bob, carol, s.shared, afterShared.messageId);
    await cannotOpen(host, alice, carol, s.bobs, afterBobs.messageId);
    await cannotOpen(host, alice, carol, s.team, afterTeam.messageId);
    // Nor is she a recipient of the new epochs' key envelopes.
    const envs = (await alice.call(api.channels.keyEnvelopes, { params: { id: s.team } })).keyEnvelopes.map((w) => keyEnvelopeCodec.fromWire(w));
    const last = envs.reduce((a, b) => (a.epoch > b.epoch ? a : b));
    expect(last.recipients.map((r) => r.officerId)).toEqual([alice.officerId]);
    expect(s.security.filter((e) => e.kind !== 'key_changed')).toEqual([]);
  });

  it('the server refuses the revoked key: sends, key envelopes and chain events get 403 certificate_revoked', { timeout: 180_000 }, async () => {
    const s = await scenario('rv2-');
    const { net, carol, carolCreds, host } = s;
    const { adminA, alice } = net;
    const carolId = carol.officerId!;
    // Suspended through the API (no SDK): the root's next pass alongside certifyPending signs the revocation.
    await adminA.call(api.accounts.suspendOfficer, { params: { id: carolId } });
    const pending = await adminA.call(api.keys.pendingRevocations);
    expect(pending.officers.map((o) => [o.officerId, o.reason])).toEqual([[carolId, 'officer_suspended']]);
    // Only the agency root lists or signs revocations.
    await expectApiError(alice.call(api.keys.pendingRevocations), 403, 'not_agency_root');
    expect(await adminA.revokePending()).toEqual([carolId]);

    // Reactivated before any owner synced (still a member of every channel), she signs in again with her old keys.
    await adminA.call(api.accounts.reactivateOfficer, { params: { id: carolId } });
    await carol.login({ username: carolCreds.username, password: carolCreds.password, totp: totpCode(carolCreds.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    const again = carol;
    expect(again.unlocked).toBe(true);
    await again.sync();
    await expectApiError(again.send(s.team, { kind: 'text', text: 'revoked but trying' }), 403, 'certificate_revoked');
    // A direct envelope POST with her key: the same.
    const envs = (await alice.call(api.channels.keyEnvelopes, { params: { id: s.team } })).keyEnvelopes;
    await expectApiError(again.call(api.channels.postKeyEnvelope, { params: { id: s.team }, body: { keyEnvelope: envs[envs.length - 1]! } }), 403, 'certificate_revoked');
    // A chain event (leaving, or removing the owner) signed by her: refused as well.
    await expectApiError(again.removeMember(s.team, carolId), 403, 'certificate_revoked');
    // Nothing she sent was stored.
    const page = (await alice.call(api.messages.history, { params: { id: s.team }, query: { afterSeq: 0, limit: 500 } })) as { messages: StoredMessage[] };
    expect(page.messages.map((m) => m.senderId)).toEqual([carolId]);

    // The owners' next sync removes her anyway (her certificate is revoked, not just her account).
    await alice.sync();
    await net.bob.sync();
    expect((await alice.members(s.team)).map((m) => m.officerId)).toEqual([alice.officerId]);
    expect((await alice.members(s.shared)).map((m) => m.officerId)).not.toContain(carolId);
    expect((await net.bob.members(s.bobs)).map((m) => m.officerId)).not.toContain(carolId);
  });

  it('a non-owner refuses a message the revoked key sends after the revocation, even through a colluding server', { timeout: 180_000 }, async () => {
    const s = await scenario('rv5-');
    const { net, carol, carolCreds, host } = s;
    const { adminA, alice } = net;
    const carolId = carol.officerId!;
    expect(await adminA.suspendOfficer(carolId)).toEqual({ revoked: true });
    await adminA.call(api.accounts.reactivateOfficer, { params: { id: carolId } });
    await carol.login({ username: carolCreds.username, password: carolCreds.password, totp: totpCode(carolCreds.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    // The server colludes with the revoked officer: it no longer refuses her key.
    host.app.ctx.keys.certificateRefusal = async () => null;
    // In bob's channel alice is a plain member; bob (the owner) has not synced since the revocation.
    const sent = await carol.send(s.bobs, { kind: 'text', text: 'carol after her revocation' });
    const notices: SecurityNotice[] = [];
    alice.on('security', (e) => notices.push(e));
    await alice.sync();
    expect(texts(await alice.history(s.bobs))).toEqual(['carol before (bobs)']);
    expect(notices.filter((e) => e.kind === 'message_rejected').map((e) => e.code)).toContain('envelope/sender-revoked');
    expect(notices.find((e) => e.code === 'envelope/sender-revoked')?.message).toContain(sent.messageId);
    // Alice is not an owner there: she removes nobody in bob's channel.
    expect((await internals(alice).chains.pull(s.bobs)).current.members.has(carolId)).toBe(true);

    // The colluding server also accepts a chain event signed by the revoked key (any member may rekey):
    // alice refuses it (PROTOCOL.md §5.2 rule 7) and marks the channel untrusted.
    const carolState = await internals(carol).chains.pull(s.bobs);
    const rekey = createMembershipEvent(carolState, { kind: 'rekey', time: host.clock.now(), actorOfficerId: carolId, actorDeviceId: 'carol-device' }, keysOf(carol));
    await carol.call(api.channels.appendEvent, { params: { id: s.bobs }, body: { event: membershipEventCodec.toWire(rekey) } });
    await expect(internals(alice).chains.pull(s.bobs)).rejects.toMatchObject({ code: 'chain/actor-revoked' });
    expect(notices.filter((e) => e.kind === 'chain_invalid').map((e) => e.code)).toContain('chain/actor-revoked');
  });

  it('a cert-revoke not signed by the agency root is refused by the server and ignored by clients', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rv3-' });
    const { alice, bob, adminA, adminB } = net;
    const bobCert = certificateCodec.fromWire((await alice.call(api.keys.officerKeys, { params: { id: bob.officerId! } })).keys.certificate!);
    const aliceCert = certificateCodec.fromWire((await alice.call(api.keys.officerKeys, { params: { id: alice.officerId! } })).keys.certificate!);
    const now = host.clock.now();

    // Server side: another agency's root, a plain officer, or the root posting an event signed by another key.
    await expectApiError(adminB.call(api.keys.revoke, { body: { keyEvent: keyEventCodec.toWire(createRevocationEvent(aliceCert, now, keysOf(adminB))) } }), 404, 'not_found');
    await expectApiError(alice.call(api.keys.revoke, { body: { keyEvent: keyEventCodec.toWire(createRevocationEvent(aliceCert, now, keysOf(alice))) } }), 403, 'not_agency_root');
    await expectApiError(adminA.call(api.keys.revoke, { body: { keyEvent: keyEventCodec.toWire(createRevocationEvent(aliceCert, now, keysOf(alice))) } }), 400, 'event_mismatch');
    expect((await alice.call(api.keys.officerKeys, { params: { id: alice.officerId! } })).keys.certificate).not.toBeNull();

    // Client side: a malicious server logs a cert-revoke of bob's certificate signed by alice (not B's root).
    const channel = await alice.createChannel({ kind: 'case', agreementId: net.agreement.id, title: 'Operation Plover', members: [bob.officerId!] });
    await withMembers(alice, channel.id, [bob]);
    const forged = createRevocationEvent(bobCert, now, keysOf(alice));
    await host.app.ctx.store.write((tx) => host.app.ctx.keys.log.append(tx, forged));
    const security: SecurityNotice[] = [];
    alice.on('security', (e) => security.push(e));
    await alice.sync();
    expect((await alice.members(channel.id)).map((m) => m.officerId).sort()).toEqual([alice.officerId, bob.officerId].sort());
    // Bob's messages are still accepted.
    await bob.send(channel.id, { kind: 'text', text: 'bob is still certified' });
    await alice.sync();
    expect(texts(await alice.history(channel.id))).toEqual(['bob is still certified']);
    expect(security.filter((e) => e.kind === 'message_rejected')).toEqual([]);
    void adminB;
  });

  it('extended-access revocation or expiry has the same effect: the owner removes the institution officer on one sync and rekeys', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rv4-' });
    const { alice, adminA, adminB } = net;
    // An NCB in agency B's country sponsors an FIU; the NCB is a party to an agreement with A.
    const ncb = await createAgency(host, net.platform, {
      name: 'NCB Madrid',
      country: 'ES',
      kind: 'ncb',
      admin: { username: 'rv4-ncb-admin', displayName: 'NCB Admin', password: net.a.alice.password },
    });
    const fiu = await createAgency(host, net.platform, {
      name: 'SEPBLAC',
      country: 'ES',
      kind: 'fiu',
      sponsorAgencyId: ncb.agencyId,
      admin: { username: 'rv4-fiu-admin', displayName: 'FIU Admin', password: net.a.alice.password },
    });
    const fiuOfficerCreds = await createOfficer(host, fiu.admin, { username: 'rv4-fiona', displayName: 'Fiona', password: net.a.alice.password });
    const ncbAdmin = await signIn(host, ncb.admin);
    const fiuAdmin = await signIn(host, fiu.admin);
    const fiona = await signIn(host, fiuOfficerCreds);
    await ncbAdmin.createIdentity(E2E_PASSPHRASE);
    await fiuAdmin.createIdentity(E2E_PASSPHRASE);
    await fiona.createIdentity(E2E_PASSPHRASE);
    await fiuAdmin.certifyPending();
    const ag = await activeAgreement(host, adminA, ncbAdmin, [net.a.agencyId, ncb.agencyId], ['money-laundering']);
    const grant = (await ncbAdmin.call(api.extendedAccess.grant, { body: { agencyId: fiu.agencyId, scope: ['money-laundering'], expiresAt: host.clock.now() + 10 * 24 * 3600 * 1000 } })).grant;

    const channel = (await alice.createChannel({ kind: 'case', agreementId: ag.id, title: 'Operation Egret', members: [fiona.officerId!] })).id;
    await withMembers(alice, channel, [fiona]);
    await fiona.send(channel, { kind: 'text', text: 'fiona before' });

    await ncbAdmin.call(api.extendedAccess.revoke, { params: { id: grant.id } });
    // ONE sync of the owner: removed and a new epoch keyed.
    await alice.sync();
    expect((await alice.members(channel)).map((m) => m.officerId)).toEqual([alice.officerId]);
    const state = await internals(alice).chains.pull(channel);
    expect(state.current.members.has(fiona.officerId!)).toBe(false);
    const sent = await alice.send(channel, { kind: 'text', text: 'alice after the grant ended' });
    await alice.sync();
    expect(texts(await alice.history(channel))).toEqual(['fiona before', 'alice after the grant ended']);
    await cannotOpen(host, alice, fiona, channel, sent.messageId);

    // Expiry: a new grant for one day; nothing happens server-side when it ends (the channel turns
    // read-only, coverage_lost) — the owner's next sync removes the uncovered member and rekeys.
    await ncbAdmin.call(api.extendedAccess.grant, { body: { agencyId: fiu.agencyId, scope: ['money-laundering'], expiresAt: host.clock.now() + 24 * 3600 * 1000 } });
    const second = (await alice.createChannel({ kind: 'case', agreementId: ag.id, title: 'Operation Ibis', members: [fiona.officerId!] })).id;
    await withMembers(alice, second, [fiona]);
    host.clock.advance(2 * 24 * 3600 * 1000);
    await alice.login({ username: net.a.alice.username, password: net.a.alice.password, totp: totpCode(net.a.alice.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    expect((await alice.channel(second)).readOnly).toBe('coverage_lost');
    await alice.sync();
    expect((await alice.members(second)).map((m) => m.officerId)).toEqual([alice.officerId]);
    expect((await alice.channel(second)).readOnly).toBeNull();
    const afterExpiry = await alice.send(second, { kind: 'text', text: 'alice after the grant expired' });
    await cannotOpen(host, alice, fiona, second, afterExpiry.messageId);
    void adminB;
  });
});
