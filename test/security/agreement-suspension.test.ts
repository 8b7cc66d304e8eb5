import { describe, expect, it } from 'vitest';
import { expectError, makeApp, type TestApp } from '../world/app.ts';
import { keyedAgency, keyedNetwork, type Actor } from '../world/actors.ts';
import { activeAgreement, call, chainContext, openChannel, trySend } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

interface AgreementView {
  status: string;
  suspendedBy: { agencyId: string; officerId: string; suspendedAt: number; reason: string | null }[];
}

async function agreement(t: TestApp, who: Actor, id: string): Promise<AgreementView> {
  return ((await call(t, who, 'GET', `/agreements/${id}`)).json() as { agreement: AgreementView }).agreement;
}

describe('security: agreement suspension belongs to the suspending party', () => {
  it('the other party cannot re-activate an agreement suspended by its partner, and the channel stays read-only', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ag = await activeAgreement(t, [a.admin, b.admin]);
    const { channelId, state } = await openChannel(t, a.officer, chainContext(a.admin, b.admin), { agreementId: ag.id });
    expect((await trySend(t, a.officer, channelId, state)).statusCode).toBe(201);

    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, { reason: 'internal review' })).statusCode).toBe(200);
    // The attack: agency A lifts B's suspension to keep talking.
    const attack = await call(t, a.admin, 'POST', `/agreements/${ag.id}/reactivate`, {});
    expectError(attack, 403, 'suspended_by_other_party');
    expect((attack.json() as { error: { message: string } }).error.message).toContain('Aduanas');

    const view = await agreement(t, a.admin, ag.id);
    expect(view.status).toBe('suspended');
    expect(view.suspendedBy).toEqual([{ agencyId: b.agencyId, officerId: b.admin.id, suspendedAt: expect.any(Number), reason: 'internal review' }]);
    expectError(await trySend(t, a.officer, channelId, state), 409, 'channel_read_only');

    // The suspender lifts its own suspension: active and writable again.
    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/reactivate`, {})).statusCode).toBe(200);
    expect(await agreement(t, a.admin, ag.id)).toMatchObject({ status: 'active', suspendedBy: [] });
    expect((await trySend(t, a.officer, channelId, state)).statusCode).toBe(201);
  });

  it('with several suspenders, lifting one suspension does not re-activate; each change is audited; terminate stays final', async () => {
    const t = await makeApp();
    const { a, b, platform } = await keyedNetwork(t);
    const c = await keyedAgency(t, platform, { name: 'Guardia', country: 'IT', kind: 'police', prefix: 'it' });
    const ag = await activeAgreement(t, [a.admin, b.admin, c.admin]);

    expect((await call(t, a.admin, 'POST', `/agreements/${ag.id}/suspend`, {})).statusCode).toBe(200);
    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, {})).statusCode).toBe(200);
    expectError(await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, {}), 409, 'already_suspended');
    // C never suspended: it cannot lift anything.
    expectError(await call(t, c.admin, 'POST', `/agreements/${ag.id}/reactivate`, {}), 403, 'suspended_by_other_party');
    // A lifts its own: B's suspension still holds.
    const lifted = await call(t, a.admin, 'POST', `/agreements/${ag.id}/reactivate`, {});
    expect(lifted.json()).toMatchObject({ agreement: { status: 'suspended', suspendedBy: [{ agencyId: b.agencyId }] } });
    expectError(await call(t, a.admin, 'POST', `/agreements/${ag.id}/reactivate`, {}), 403, 'suspended_by_other_party');
    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/reactivate`, {})).json()).toMatchObject({ agreement: { status: 'active', suspendedBy: [] } });

    expect((await call(t, c.admin, 'POST', `/agreements/${ag.id}/suspend`, {})).statusCode).toBe(200);
    expect((await call(t, a.admin, 'POST', `/agreements/${ag.id}/terminate`, {})).statusCode).toBe(200);
    expectError(await call(t, c.admin, 'POST', `/agreements/${ag.id}/reactivate`, {}), 409, 'invalid_transition');
    expect((await agreement(t, c.admin, ag.id)).status).toBe('terminated');

    const audit = rawDb(t.app)
      .prepare("SELECT action, agency_id AS agencyId, details FROM audit_events WHERE target_id = ? AND action NOT IN ('agreement.proposed', 'agreement.signed') ORDER BY seq")
      .all(ag.id) as { action: string; agencyId: string; details: string }[];
    expect(audit.map((r) => [r.action, r.agencyId])).toEqual([
      ['agreement.suspended', a.agencyId],
      ['agreement.suspended', b.agencyId],
      // Refused lifts are audited too (finding 8: refused access attempts).
      ['access.denied', c.agencyId],
      ['agreement.suspension_lifted', a.agencyId],
      ['access.denied', a.agencyId],
      ['agreement.reactivated', b.agencyId],
      ['agreement.suspended', c.agencyId],
      ['agreement.terminated', a.agencyId],
    ]);
    expect(JSON.parse(audit[3]!.details)).toMatchObject({ suspendedBy: [b.agencyId] });
  });
});
