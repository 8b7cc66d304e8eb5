import { describe, expect, it } from 'vitest';
import { applyEvent, cosignMembershipEvent } from '../../shared/crypto/index.ts';
import type { RoutedFeedItem } from '../../server/feed/feed.ts';
import { expectError, makeApp } from '../world/app.ts';
import { keyedAgency, keyedNetwork, relogin } from '../world/actors.ts';
import { DAY_MS, activeAgreement, addEvent, call, chainContext, openChannel, removeEvent, wire } from '../world/protocol.ts';

describe('read-only channels and extended access', () => {
  it('suspend / reactivate / terminate and expiry turn agreement channels read-only at once', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const ag = await activeAgreement(t, [a.admin, b.admin], { validUntil: t.clock.now() + 30 * DAY_MS });
    const { channelId, state } = await openChannel(t, a.officer, ctx, { agreementId: ag.id });
    const feed: RoutedFeedItem[] = [];
    t.app.ctx.events.on('feed.appended', (i) => feed.push(i));
    const readOnly = async () => ((await call(t, a.officer, 'GET', `/channels/${channelId}`)).json() as { channel: { readOnly: string | null } }).channel.readOnly;

    expect(await readOnly()).toBeNull();
    await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, {});
    expect(await readOnly()).toBe('agreement_suspended');
    expect(await t.app.ctx.channels.readOnlyReason(channelId)).toBe('agreement_suspended');
    expect(feed.filter((i) => i.kind === 'channel' && i.channelId === channelId)).toHaveLength(1);
    // No new members while read-only (the invitation is not even created).
    expectError(await call(t, a.officer, 'POST', `/channels/${channelId}/events`, { event: wire(addEvent(t, state, a.officer, b.officer)) }), 409, 'channel_read_only');
    // History stays readable.
    expect((await call(t, a.officer, 'GET', `/channels/${channelId}/events`)).statusCode).toBe(200);
    await call(t, b.admin, 'POST', `/agreements/${ag.id}/reactivate`, {});
    expect(await readOnly()).toBeNull();

    t.clock.advance(31 * DAY_MS);
    await relogin(t, a.officer, a.admin);
    expect(await readOnly()).toBe('agreement_expired');
    await call(t, a.admin, 'POST', `/agreements/${ag.id}/terminate`, {});
    expect(await readOnly()).toBe('agreement_terminated');
  });

  it('extended access: a sponsored institution joins an NCB channel; revocation closes its spans and asks for a rekey', async () => {
    const t = await makeApp();
    const { a, platform } = await keyedNetwork(t);
    const ncb = await keyedAgency(t, platform, { name: 'NCB Madrid', country: 'ES', kind: 'ncb', prefix: 'ncb' });
    const fiu = await keyedAgency(t, platform, { name: 'SEPBLAC', country: 'ES', kind: 'fiu', prefix: 'fiu', sponsorAgencyId: ncb.agencyId });
    const ctx = chainContext(a.admin, ncb.admin, fiu.admin);
    const ag = await activeAgreement(t, [a.admin, ncb.admin], { scope: ['money-laundering'] });
    const { channelId, state } = await openChannel(t, ncb.officer, ctx, { agreementId: ag.id });
    const add = addEvent(t, state, ncb.officer, fiu.officer);

    // Without a grant the institution is not covered.
    expectError(await call(t, ncb.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add) }), 409, 'agreement_required');
    // Only the sponsoring NCB's admin grants; scope must come from the vocabulary.
    expectError(await call(t, a.admin, 'POST', '/extended-access', { agencyId: fiu.agencyId, scope: ['money-laundering'], expiresAt: t.clock.now() + DAY_MS }), 403, 'forbidden');
    const granted = await call(t, ncb.admin, 'POST', '/extended-access', { agencyId: fiu.agencyId, scope: ['money-laundering'], expiresAt: t.clock.now() + 10 * DAY_MS });
    expect(granted.statusCode).toBe(201);
    const grant = (granted.json() as { grant: { id: string; active: boolean } }).grant;
    expect(grant.active).toBe(true);

    const inv = ((await call(t, ncb.officer, 'POST', `/channels/${channelId}/events`, { event: wire(add) })).json() as { invitation: { id: string } }).invitation;
    const cosigned = cosignMembershipEvent(add, fiu.officer.keys, fiu.officer.cert!);
    expect((await call(t, fiu.officer, 'POST', `/invitations/${inv.id}/accept`, { event: wire(cosigned) })).statusCode).toBe(200);
    expect((await call(t, fiu.officer, 'GET', `/channels/${channelId}`)).statusCode).toBe(200);

    const feed: RoutedFeedItem[] = [];
    const changes: unknown[] = [];
    t.app.ctx.events.on('feed.appended', (i) => feed.push(i));
    t.app.ctx.events.on('channel.members_changed', (c) => changes.push(c));
    expectError(await call(t, fiu.admin, 'POST', `/extended-access/${grant.id}/revoke`), 403, 'forbidden');
    expect((await call(t, ncb.admin, 'POST', `/extended-access/${grant.id}/revoke`)).json()).toMatchObject({ grant: { active: false } });

    expect(changes).toEqual([{ channelId, added: [], removed: [fiu.officer.id] }]);
    // The revocation's audit event names the channels it closed spans in.
    const audit = (await call(t, ncb.admin, 'GET', '/audit?action=extended_access.revoked')).json() as { events: { targetId: string; details: unknown }[] };
    expect(audit.events.find((e) => e.targetId === grant.id)?.details).toEqual({ institution: fiu.agencyId, channels: [channelId] });
    const item = feed.find((i) => i.kind === 'channel')!;
    expect(item.data).toMatchObject({ rekeyRequired: true, removedOfficerIds: [fiu.officer.id], readOnly: 'rekey_required' });
    expectError(await call(t, fiu.officer, 'GET', `/channels/${channelId}`), 404, 'not_found');
    expect(await t.app.ctx.channels.readOnlyReason(channelId)).toBe('rekey_required');

    // The owner's SDK signs the removal: the channel is writable again.
    const s1 = applyEvent(state, cosigned, ctx);
    expect((await call(t, ncb.officer, 'POST', `/channels/${channelId}/events`, { event: wire(removeEvent(t, s1, ncb.officer, fiu.officer)) })).statusCode).toBe(200);
    expect(await t.app.ctx.channels.readOnlyReason(channelId)).toBeNull();
  });
});
