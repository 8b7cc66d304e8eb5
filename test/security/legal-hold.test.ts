import { describe, expect, it } from 'vitest';
import { applyEvent, cosignMembershipEvent } from '../../shared/crypto/index.ts';
import type { Channel } from '../../shared/schemas/channels.ts';
import type { Actor as ServerActor } from '../../server/auth/actor.ts';
import { expectError, makeApp, type TestApp } from '../world/app.ts';
import { keyedNetwork, type KeyedNetwork } from '../world/actors.ts';
import { activeAgreement, addEvent, call, chainContext, createEvent, envelopeFor, wire } from '../world/protocol.ts';
import { makeChannel, makeWorld, postMessage, sendBody } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

const DAY = 24 * 3600 * 1000;

/** A channel under an agreement with an officer of each agency, so both agencies' administrators may hold it. */
async function sharedChannel(t: TestApp, net: KeyedNetwork): Promise<string> {
  const { a, b } = net;
  const ctx = chainContext(a.admin, b.admin);
  const ag = await activeAgreement(t, [a.admin, b.admin]);
  const create = createEvent(t, a.officer, { agreementId: ag.id });
  let state = applyEvent(null, create, ctx);
  const add = cosignMembershipEvent(addEvent(t, state, a.officer, b.officer), b.officer.keys, b.officer.cert!);
  state = applyEvent(state, add, ctx);
  const res = await call(t, a.officer, 'POST', '/channels', { events: [wire(create), wire(add)], encryptedMeta: 'b3BhcXVl', keyEnvelope: envelopeFor(state, a.officer) });
  expect(res.statusCode).toBe(201);
  return state.channelId;
}

const holdOf = async (t: TestApp, who: KeyedNetwork['a']['officer'], channelId: string) =>
  ((await call(t, who, 'GET', `/channels/${channelId}`)).json() as { channel: Channel }).channel;

describe('legal hold per agency', () => {
  it("another member agency's administrator cannot lift an agency's legal hold", async () => {
    const t = await makeApp();
    const net = await keyedNetwork(t);
    const { a, b } = net;
    const channelId = await sharedChannel(t, net);
    const placed = await call(t, a.admin, 'PATCH', `/channels/${channelId}`, { legalHold: true });
    expect(placed.statusCode).toBe(200);
    expect(placed.json()).toMatchObject({ channel: { legalHold: true, legalHoldAgencies: [a.agencyId] } });

    // The attack: agency B's administrator lifts the hold agency A placed.
    const lift = await call(t, b.admin, 'PATCH', `/channels/${channelId}`, { legalHold: false });
    expectError(lift, 403, 'legal_hold_not_yours');
    expect((lift.json() as { error: { message: string } }).error.message).toMatch(/another agency/);
    expect(await holdOf(t, a.officer, channelId)).toMatchObject({ legalHold: true, legalHoldAgencies: [a.agencyId] });

    // B may add its own hold; each agency then lifts only its own, and the channel stays held until the last goes.
    expect((await call(t, b.admin, 'PATCH', `/channels/${channelId}`, { legalHold: true })).json()).toMatchObject({
      channel: { legalHold: true, legalHoldAgencies: [a.agencyId, b.agencyId].sort() },
    });
    expect((await call(t, a.admin, 'PATCH', `/channels/${channelId}`, { legalHold: false })).json()).toMatchObject({
      channel: { legalHold: true, legalHoldAgencies: [b.agencyId] },
    });
    // Now that only B holds it, A cannot lift it either.
    expectError(await call(t, a.admin, 'PATCH', `/channels/${channelId}`, { legalHold: false }), 403, 'legal_hold_not_yours');
    expect((await call(t, b.admin, 'PATCH', `/channels/${channelId}`, { legalHold: false })).json()).toMatchObject({
      channel: { legalHold: false, legalHoldAgencies: [] },
    });

    const audit = rawDb(t.app)
      .prepare("SELECT action, agency_id AS agencyId FROM audit_events WHERE action LIKE 'channel.legal_hold_%' ORDER BY seq")
      .all() as { action: string; agencyId: string }[];
    expect(audit).toEqual([
      { action: 'channel.legal_hold_placed', agencyId: a.agencyId },
      { action: 'channel.legal_hold_placed', agencyId: b.agencyId },
      { action: 'channel.legal_hold_lifted', agencyId: a.agencyId },
      { action: 'channel.legal_hold_lifted', agencyId: b.agencyId },
    ]);
  });

  it('retention deletes nothing while any agency hold stands, even after another agency lifts its own', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob], { retentionDays: 1 });
    const admin = (agencyId: string): ServerActor => ({ officerId: `admin-${agencyId}`, agencyId, role: 'agency_admin', sessionId: 's', ip: null });
    await t.app.ctx.channels.update(admin(w.agencyA), ch.id, { legalHold: true });
    await t.app.ctx.channels.update(admin(w.agencyB), ch.id, { legalHold: true });
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'evidence' }))).statusCode).toBe(201);
    await t.app.ctx.channels.update(admin(w.agencyA), ch.id, { legalHold: false });
    t.clock.advance(2 * DAY);
    expect((await t.app.ctx.messages.sweepExpired(t.clock.now())).messages).toBe(0);
    await t.app.ctx.channels.update(admin(w.agencyB), ch.id, { legalHold: false });
    expect((await t.app.ctx.messages.sweepExpired(t.clock.now())).messages).toBe(1);
  });
});
