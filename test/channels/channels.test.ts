import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { FeedItem } from '../../shared/schemas/channels.ts';
import {
  applyEvent,
  cosignMembershipEvent,
  createKeyEnvelope,
  keyEnvelopeCodec,
  keyEnvelopeFields,
  labelledSign,
  type KeyEnvelope,
} from '../../shared/crypto/index.ts';
import type { RoutedFeedItem } from '../../server/feed/feed.ts';
import { expectError, makeApp } from '../world/app.ts';
import { keyedAgency, keyedNetwork } from '../world/actors.ts';
import { activeAgreement, addEvent, call, chainContext, createEvent, envelopeFor, openChannel, propose, removeEvent, setRoleEvent, terms, wire } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

function resign(env: KeyEnvelope, sk: Uint8Array): Record<string, unknown> {
  const { signature: _old, ...unsigned } = env;
  return keyEnvelopeCodec.toWire({ ...unsigned, signature: labelledSign('liaison/v1/key-envelope', keyEnvelopeFields(unsigned), sk) });
}

describe('channels: creation policy', () => {
  it('creates a single-agency channel and serves it to members only', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId } = await openChannel(t, a.officer, ctx, { members: [a.admin] });
    const got = (await call(t, a.admin, 'GET', `/channels/${channelId}`)).json() as { channel: Record<string, unknown> };
    expect(got.channel).toMatchObject({ id: channelId, kind: 'case', agreementId: null, headSeq: 1, readOnly: null });
    expect((got.channel.members as { officerId: string; role: string }[]).map((m) => [m.officerId, m.role])).toEqual([
      [a.officer.id, 'owner'],
      [a.admin.id, 'member'],
    ]);
    const list = (await call(t, a.officer, 'GET', '/channels')).json() as { channels: { id: string }[] };
    expect(list.channels.map((c) => c.id)).toEqual([channelId]);
    const events = (await call(t, a.admin, 'GET', `/channels/${channelId}/events`)).json() as { events: unknown[] };
    expect(events.events).toHaveLength(2);
    const envs = (await call(t, a.admin, 'GET', `/channels/${channelId}/key-envelopes`)).json() as { keyEnvelopes: unknown[] };
    expect(envs.keyEnvelopes).toHaveLength(1);
    expect((await call(t, b.officer, 'GET', '/channels')).json()).toEqual({ channels: [] });
    expectError(await call(t, a.officer, 'POST', '/channels', { events: [wire(createEvent(t, a.officer, { channelId }))], encryptedMeta: 'x' }), 409, 'channel_exists');
  });

  it('refuses cross-agency members without an effective agreement covering every agency', async () => {
    const t = await makeApp();
    const { a, b, platform } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const attempt = async (agreementId: string) => {
      const create = createEvent(t, a.officer, { agreementId });
      const s0 = applyEvent(null, create, ctx);
      const add = cosignMembershipEvent(addEvent(t, s0, a.officer, b.officer), b.officer.keys, b.officer.cert!);
      return call(t, a.officer, 'POST', '/channels', { events: [wire(create), wire(add)], encryptedMeta: 'x' });
    };
    expectError(await attempt(''), 400, 'channel_agreement_required');
    const proposed = await propose(t, a.admin, terms(t, [a.agencyId, b.agencyId]));
    expectError(await attempt(proposed.id), 409, 'agreement_not_active');
    const c = await keyedAgency(t, platform, { name: 'Guardia', country: 'IT', kind: 'police', prefix: 'it' });
    const ac = await activeAgreement(t, [a.admin, c.admin]);
    expectError(await attempt(ac.id), 409, 'agreement_required');
    const ab = await activeAgreement(t, [a.admin, b.admin]);
    expect((await attempt(ab.id)).statusCode).toBe(201);
  });

  it('refuses a third member in a direct channel, a foreign certificate and events by someone else', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId, state } = await openChannel(t, a.officer, ctx, { kind: 'direct', members: [a.admin] });
    const third = addEvent(t, state, a.officer, b.admin);
    const res = await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(third) });
    expectError(res, 400, 'chain_direct_full');
    // The create event must carry the caller's own certificate and be signed by the caller.
    expectError(await call(t, a.admin, 'POST', '/channels', { events: [wire(createEvent(t, a.officer))], encryptedMeta: 'x' }), 403, 'actor_mismatch');
  });
});

describe('channels: membership events', () => {
  it('rejects unsigned, wrongly signed, stale and forked events; a retry is idempotent', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId, state } = await openChannel(t, a.officer, ctx);
    const post = (e: unknown, who = a.officer) => call(t, who, 'POST', `/channels/${channelId}/events`, { event: e });

    const add = addEvent(t, state, a.officer, a.admin);
    expectError(await post({ ...wire(add), signature: 'A'.repeat(86) }), 400, 'chain_bad_signature');
    const forgedByAdmin = addEvent(t, state, { ...a.officer, keys: a.admin.keys }, a.admin);
    expectError(await post(wire(forgedByAdmin)), 400, 'chain_bad_signature');
    const noSig: Record<string, unknown> = { ...wire(add) };
    delete noSig.signature;
    expectError(await post(noSig), 400, 'wire_invalid');

    const ok = await post(wire(add));
    expect(ok.json()).toMatchObject({ duplicate: false, channel: { headSeq: 1 } });
    expect((await post(wire(add))).json()).toMatchObject({ duplicate: true });
    // Built on the old head (seq 1 again, different content): a fork attempt.
    const fork = removeEvent(t, state, a.officer, a.officer);
    expectError(await post(wire(fork)), 409, 'stale_event');
    // Skipping ahead does not link either.
    const s1 = applyEvent(state, add, ctx);
    const s2 = applyEvent(s1, { ...removeEvent(t, s1, a.officer, a.admin) }, ctx);
    expectError(await post(wire(removeEvent(t, s2, a.officer, a.officer))), 409, 'stale_event');
    expectError(await post(wire(removeEvent(t, s1, a.admin, a.admin)), a.officer), 403, 'actor_mismatch');
  });

  it('checks key envelopes: author, signature, no ghost and nobody missing, once per epoch', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId, state: s0 } = await openChannel(t, a.officer, ctx);
    const add = addEvent(t, s0, a.officer, a.admin);
    await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add) });
    const s1 = applyEvent(s0, add, ctx);
    const post = (env: unknown, who = a.officer) => call(t, who, 'POST', `/channels/${channelId}/key-envelopes`, { keyEnvelope: env });
    const { envelope } = createKeyEnvelope({ state: s1, sender: a.officer.keys, deviceId: a.officer.deviceId });

    // (Recipients kept in officerId order, PROTOCOL.md §6, so the set check is what refuses.)
    const byId = (rs: typeof envelope.recipients) => [...rs].sort((x, y) => (x.officerId < y.officerId ? -1 : 1));
    const ghost = { ...envelope, recipients: byId([...envelope.recipients, { ...envelope.recipients[0]!, officerId: b.officer.id, dhPublicKey: b.officer.keys.dhPublicKey }]) };
    expectError(await post(resign(ghost, a.officer.keys.signSecretKey)), 400, 'epoch_recipient_mismatch');
    const reversed = { ...envelope, recipients: [...envelope.recipients].reverse() };
    expectError(await post(resign(reversed, a.officer.keys.signSecretKey)), 400, 'epoch_recipient_order');
    const missing = { ...envelope, recipients: envelope.recipients.filter((r) => r.officerId !== a.admin.id) };
    expectError(await post(resign(missing, a.officer.keys.signSecretKey)), 400, 'epoch_recipient_mismatch');
    const swappedKey = { ...envelope, recipients: envelope.recipients.map((r) => (r.officerId === a.admin.id ? { ...r, dhPublicKey: b.officer.keys.dhPublicKey } : r)) };
    expectError(await post(resign(swappedKey, a.officer.keys.signSecretKey)), 400, 'epoch_recipient_mismatch');
    expectError(await post(resign(envelope, a.admin.keys.signSecretKey)), 400, 'epoch_bad_signature');
    const byAdmin = { ...envelope, senderOfficerId: a.admin.id, senderDeviceId: a.admin.deviceId };
    expectError(await post(resign(byAdmin, a.admin.keys.signSecretKey), a.admin), 403, 'epoch_not_distributor');

    expect((await post(keyEnvelopeCodec.toWire(envelope))).json()).toEqual({ stored: true });
    expect((await post(keyEnvelopeCodec.toWire(envelope))).json()).toEqual({ stored: false });
    expectError(await post(envelopeFor(s1, a.officer)), 409, 'key_envelope_exists');
  });

  it('an epoch whose author left is keyed by the first remaining owner only (PROTOCOL.md §6 distributor rule)', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const ag = await activeAgreement(t, [a.admin, b.admin]);
    const { channelId, state: s0 } = await openChannel(t, a.officer, ctx, { agreementId: ag.id, members: [a.admin] });
    const append = async (state: typeof s0, event: ReturnType<typeof addEvent>, keyed = true) => {
      const next = applyEvent(state, event, ctx);
      const res = await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(event), ...(keyed ? { keyEnvelope: envelopeFor(next, a.officer) } : {}) });
      expect(res.statusCode).toBe(200);
      return next;
    };
    const s1 = await append(s0, cosignMembershipEvent(addEvent(t, s0, a.officer, b.officer), b.officer.keys, b.officer.cert!));
    const s2 = await append(s1, setRoleEvent(t, s1, a.officer, a.admin, 'owner'));
    // The author (a.officer) leaves: a.admin is the remaining owner, b.officer a plain member.
    const leave = removeEvent(t, s2, a.officer, a.officer);
    const s3 = applyEvent(s2, leave, ctx);
    const post = (env: unknown, who: typeof a.admin) => call(t, who, 'POST', `/channels/${channelId}/key-envelopes`, { keyEnvelope: env });
    const byOwnerPhone = createKeyEnvelope({ state: s3, sender: a.admin.keys, deviceId: 'admin-phone' }).envelope;
    // The leaver cannot key the epoch it leaves, not even bundled with its own removal (nothing is applied).
    const byLeaver = resign({ ...byOwnerPhone, senderOfficerId: a.officer.id, senderDeviceId: a.officer.deviceId }, a.officer.keys.signSecretKey);
    expectError(await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(leave), keyEnvelope: byLeaver }), 403, 'epoch_not_distributor');
    expect((await call(t, a.officer, 'GET', `/channels/${channelId}`)).json()).toMatchObject({ channel: { headSeq: 3 } });
    await append(s2, leave, false);
    // After the removal the leaver no longer reaches the channel at all.
    expectError(await post(byLeaver, a.officer), 404, 'not_found');
    // A member who is not the distributor is refused, even with a well-formed envelope of their own.
    const byMember = resign({ ...byOwnerPhone, senderOfficerId: b.officer.id, senderDeviceId: b.officer.deviceId }, b.officer.keys.signSecretKey);
    expectError(await post(byMember, b.officer), 403, 'epoch_not_distributor');
    // Nor may anyone post the distributor's envelope for it.
    expectError(await post(keyEnvelopeCodec.toWire(byOwnerPhone), b.officer), 403, 'epoch_not_distributor');
    // The remaining owner keys it from any of its devices; the first envelope stays.
    expect((await post(keyEnvelopeCodec.toWire(byOwnerPhone), a.admin)).json()).toEqual({ stored: true });
    expectError(await post(envelopeFor(s3, a.admin), a.admin), 409, 'key_envelope_exists');
    const envs = (await call(t, b.officer, 'GET', `/channels/${channelId}/key-envelopes`)).json() as { keyEnvelopes: { epoch: number; senderOfficerId: string; recipients: { officerId: string }[] }[] };
    const last = envs.keyEnvelopes.find((e) => e.epoch === s3.current.epoch)!;
    expect(last.senderOfficerId).toBe(a.admin.id);
    expect(last.recipients.map((r) => r.officerId).sort()).toEqual([a.admin.id, b.officer.id].sort());
  });

  it('removal closes the span: the removed officer gets 404 and no later feed items', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId, state } = await openChannel(t, a.officer, ctx, { members: [a.admin] });
    const changes: unknown[] = [];
    t.app.ctx.events.on('channel.members_changed', (c) => changes.push(c));
    const rm = removeEvent(t, state, a.officer, a.admin);
    const res = await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(rm), keyEnvelope: envelopeFor(applyEvent(state, rm, ctx), a.officer) });
    expect(res.statusCode).toBe(200);
    expect(changes).toEqual([{ channelId, added: [], removed: [a.admin.id] }]);
    expectError(await call(t, a.admin, 'GET', `/channels/${channelId}`), 404, 'not_found');
    const spans = rawDb(t.app).prepare('SELECT officer_id, until_epoch, until_pos FROM channel_members WHERE channel_id = ? ORDER BY from_pos').all(channelId) as { officer_id: string; until_epoch: number | null; until_pos: number | null }[];
    const removedSpan = spans.find((s) => s.officer_id === a.admin.id)!;
    expect(removedSpan.until_epoch).toBe(2);
    const keyEnvPos = (rawDb(t.app).prepare("SELECT max(pos) AS pos FROM feed WHERE channel_id = ? AND kind = 'key_envelope'").get(channelId) as { pos: number }).pos;
    // The new epoch's key envelope lies outside the removed officer's span.
    expect(keyEnvPos).toBeGreaterThanOrEqual(removedSpan.until_pos!);
    expect((await t.app.ctx.channels.currentMembers(channelId)).map((m) => m.officerId)).toEqual([a.officer.id]);
  });

  it('IDOR: an officer outside the channel gets 404 on every channel route', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const { channelId, state } = await openChannel(t, a.officer, ctx);
    const outsider = b.officer;
    const add = wire(addEvent(t, state, a.officer, a.admin));
    const probes = [
      call(t, outsider, 'GET', `/channels/${channelId}`),
      call(t, outsider, 'GET', `/channels/${channelId}/events`),
      call(t, outsider, 'POST', `/channels/${channelId}/events`, { event: add }),
      call(t, outsider, 'GET', `/channels/${channelId}/key-envelopes`),
      call(t, outsider, 'POST', `/channels/${channelId}/key-envelopes`, { keyEnvelope: envelopeFor(state, a.officer) }),
      call(t, outsider, 'PATCH', `/channels/${channelId}`, { encryptedMeta: 'x' }),
      call(t, b.admin, 'PATCH', `/channels/${channelId}`, { legalHold: true }),
      call(t, outsider, 'GET', `/channels/00000000-0000-0000-0000-000000000000`),
    ];
    for (const res of await Promise.all(probes)) expectError(res, 404, 'not_found');
  });

  it('PATCH: owners edit meta and retention; admins of a member agency set a legal hold', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const { channelId } = await openChannel(t, a.officer, chainContext(a.admin, b.admin), { members: [a.admin] });
    expect((await call(t, a.officer, 'PATCH', `/channels/${channelId}`, { encryptedMeta: 'bmV3', retentionDays: 30 })).json()).toMatchObject({ channel: { encryptedMeta: 'bmV3', retentionDays: 30 } });
    expectError(await call(t, a.admin, 'PATCH', `/channels/${channelId}`, { retentionDays: 1 }), 403, 'forbidden');
    expectError(await call(t, a.officer, 'PATCH', `/channels/${channelId}`, { legalHold: true }), 403, 'forbidden');
    expect((await call(t, a.admin, 'PATCH', `/channels/${channelId}`, { legalHold: true })).json()).toMatchObject({ channel: { legalHold: true } });
  });
});

describe('channels: cross-agency invitations', () => {
  it('an add without co-signature becomes an invitation; accept applies it, decline and stale do not', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const ag = await activeAgreement(t, [a.admin, b.admin]);
    const { channelId, state } = await openChannel(t, a.officer, ctx, { agreementId: ag.id });
    const feed: RoutedFeedItem[] = [];
    t.app.ctx.events.on('feed.appended', (i) => feed.push(i));

    const add = addEvent(t, state, a.officer, b.officer);
    const invited = await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add) });
    expect(invited.statusCode).toBe(202);
    const inv = (invited.json() as { invitation: { id: string; status: string } }).invitation;
    expect(feed.filter((i) => i.kind === 'invitation').map((i) => i.recipientId)).toEqual([b.officer.id]);
    const mine = (await call(t, b.officer, 'GET', '/invitations')).json() as { invitations: { id: string }[] };
    expect(mine.invitations.map((i) => i.id)).toEqual([inv.id]);
    expectError(await call(t, b.officer, 'GET', `/channels/${channelId}`), 404, 'not_found');
    // Someone else cannot accept, and a co-signature by another key is refused.
    expectError(await call(t, a.admin, 'POST', `/invitations/${inv.id}/accept`, { event: wire(cosignMembershipEvent(add, a.admin.keys, a.admin.cert!)) }), 404, 'not_found');
    expectError(await call(t, b.officer, 'POST', `/invitations/${inv.id}/accept`, { event: wire(cosignMembershipEvent(add, b.admin.keys, b.admin.cert!)) }), 403, 'cosigner_mismatch');

    const cosigned = cosignMembershipEvent(add, b.officer.keys, b.officer.cert!);
    const accepted = await call(t, b.officer, 'POST', `/invitations/${inv.id}/accept`, { event: wire(cosigned) });
    expect(accepted.statusCode).toBe(200);
    expect(((await call(t, b.officer, 'GET', `/channels/${channelId}`)).json() as { channel: { members: unknown[] } }).channel.members).toHaveLength(2);
    expectError(await call(t, b.officer, 'POST', `/invitations/${inv.id}/accept`, { event: wire(cosigned) }), 409, 'invitation_closed');

    // Decline: the inviter learns it.
    const s1 = applyEvent(state, cosigned, ctx);
    const add2 = addEvent(t, s1, a.officer, b.admin);
    const inv2 = ((await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add2) })).json() as { invitation: { id: string } }).invitation;
    expect((await call(t, b.admin, 'POST', `/invitations/${inv2.id}/decline`)).json()).toMatchObject({ invitation: { status: 'declined' } });
    expect(feed.filter((i) => i.kind === 'invitation').at(-1)?.recipientId).toBe(a.officer.id);

    // Stale: the chain moves on before the invitee answers.
    const add3 = addEvent(t, s1, a.officer, b.admin);
    const inv3 = ((await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add3) })).json() as { invitation: { id: string } }).invitation;
    const sameAgency = addEvent(t, s1, a.officer, a.admin);
    expect((await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(sameAgency) })).statusCode).toBe(200);
    expectError(await call(t, b.admin, 'POST', `/invitations/${inv3.id}/accept`, { event: wire(cosignMembershipEvent(add3, b.admin.keys, b.admin.cert!)) }), 409, 'invitation_stale');
    const stored = await t.app.ctx.store.read((r) => r.channels.invitation(inv3.id));
    expect(stored?.status).toBe('stale');
    // Every item published here (invitations among them) has the wire shape of its kind.
    const checkItem = Compile(FeedItem);
    for (const { recipientId: _, ...item } of feed) expect(checkItem.Check(item), item.kind).toBe(true);
  });
});
