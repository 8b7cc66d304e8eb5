import { describe, expect, it } from 'vitest';
import { generateIdentity, type IdentityKeys } from '../../shared/crypto/index.ts';
import { expectError, makeApp } from '../world/app.ts';
import { keyedAgency, keyedNetwork, relogin } from '../world/actors.ts';
import { DAY_MS, activeAgreement, agreementSignature, call, propose, terms } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

describe('agreements', () => {
  it('propose → every party signs → active; the server fixes id, version, order and text hash', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const parties = [b.agencyId, a.agencyId];
    const proposed = await propose(t, a.admin, terms(t, parties, { scope: ['precursors', 'drug-trafficking'] }));
    expect(proposed).toMatchObject({ version: 1, status: 'proposed', scope: ['drug-trafficking', 'precursors'] });
    expect(proposed.parties.map((p) => p.agencyId)).toEqual([...parties].sort());

    const first = await call(t, a.admin, 'POST', `/agreements/${proposed.id}/signatures`, { signature: agreementSignature(proposed, a.admin) });
    expect(first.json()).toMatchObject({ agreement: { status: 'proposed' } });
    expectError(await call(t, a.admin, 'POST', `/agreements/${proposed.id}/signatures`, { signature: agreementSignature(proposed, a.admin) }), 409, 'already_signed');
    const second = await call(t, b.admin, 'POST', `/agreements/${proposed.id}/signatures`, { signature: agreementSignature(proposed, b.admin) });
    expect(second.json()).toMatchObject({ agreement: { status: 'active' } });
    const listed = (await call(t, b.officer, 'GET', '/agreements')).json() as { agreements: { id: string }[] };
    expect(listed.agreements.map((x) => x.id)).toEqual([proposed.id]);
  });

  it('rejects a non-party, a wrong key, tampered terms, officers and unknown parties', async () => {
    const t = await makeApp();
    const { a, b, platform } = await keyedNetwork(t);
    const c = await keyedAgency(t, platform, { name: 'Guardia', country: 'IT', kind: 'police', prefix: 'it' });
    const ag = await propose(t, a.admin, terms(t, [a.agencyId, b.agencyId]));
    // Non-party: the agreement is invisible to them.
    expectError(await call(t, c.admin, 'POST', `/agreements/${ag.id}/signatures`, { signature: agreementSignature(ag, c.admin) }), 404, 'not_found');
    expectError(await call(t, c.admin, 'GET', `/agreements/${ag.id}`), 404, 'not_found');
    // A key that is not the signer's registered key.
    const stranger = { ...b.admin, keys: generateIdentity({ officerId: b.admin.id, agencyId: b.agencyId }) as IdentityKeys };
    expectError(await call(t, b.admin, 'POST', `/agreements/${ag.id}/signatures`, { signature: agreementSignature(ag, stranger) }), 400, 'bad_signature');
    // Signed over different terms (a later expiry than proposed).
    const tampered = { ...ag, validUntil: ag.validUntil + DAY_MS };
    expectError(await call(t, b.admin, 'POST', `/agreements/${ag.id}/signatures`, { signature: agreementSignature(tampered, b.admin) }), 400, 'bad_signature');
    expectError(await call(t, b.admin, 'POST', `/agreements/${ag.id}/signatures`, { signature: '***' }), 400, 'wire_invalid');
    // Officers do not sign for their agency.
    expectError(await call(t, b.officer, 'POST', `/agreements/${ag.id}/signatures`, { signature: agreementSignature(ag, b.officer) }), 403, 'forbidden');
    // Proposals must include the proposer's agency and real agencies.
    expectError(await call(t, a.admin, 'POST', '/agreements', terms(t, [b.agencyId, c.agencyId])), 400, 'not_a_party');
    expectError(await call(t, a.admin, 'POST', '/agreements', terms(t, [a.agencyId, 'no-such-agency'])), 400, 'unknown_agency');
    expectError(await call(t, a.admin, 'POST', '/agreements', { ...terms(t, [a.agencyId, b.agencyId]), scope: ['gossip'] }), 400, 'validation_failed');
    expect(((await call(t, b.admin, 'GET', `/agreements/${ag.id}`)).json() as { agreement: { status: string } }).agreement.status).toBe('proposed');
  });

  it('derives scheduled and expired from the clock; suspend, reactivate, terminate (final)', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const now = t.clock.now();
    const ag = await activeAgreement(t, [a.admin, b.admin], { validFrom: now + DAY_MS, validUntil: now + 10 * DAY_MS });
    expect(ag.status).toBe('scheduled');
    const status = async () => ((await call(t, a.admin, 'GET', `/agreements/${ag.id}`)).json() as { agreement: { status: string } }).agreement.status;
    t.clock.advance(2 * DAY_MS);
    await relogin(t, a.admin, b.admin, a.officer);
    expect(await status()).toBe('active');
    expectError(await call(t, a.officer, 'POST', `/agreements/${ag.id}/suspend`, {}), 403, 'forbidden');
    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, { reason: 'review' })).statusCode).toBe(200);
    expect(await status()).toBe('suspended');
    expectError(await call(t, b.admin, 'POST', `/agreements/${ag.id}/suspend`, {}), 409, 'already_suspended');
    // Only the suspending party lifts its suspension (test/security/agreement-suspension.test.ts).
    expect((await call(t, b.admin, 'POST', `/agreements/${ag.id}/reactivate`, {})).statusCode).toBe(200);
    expect(await status()).toBe('active');
    expect((await call(t, a.admin, 'POST', `/agreements/${ag.id}/terminate`, {})).statusCode).toBe(200);
    expectError(await call(t, a.admin, 'POST', `/agreements/${ag.id}/reactivate`, {}), 409, 'invalid_transition');
    expect(await status()).toBe('terminated');

    const other = await activeAgreement(t, [a.admin, b.admin], { validUntil: t.clock.now() + DAY_MS });
    t.clock.advance(DAY_MS);
    await relogin(t, a.admin);
    expect(((await call(t, a.admin, 'GET', `/agreements/${other.id}`)).json() as { agreement: { status: string } }).agreement.status).toBe('expired');
    const audit = rawDb(t.app).prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY seq").all(ag.id) as { action: string }[];
    // The officer's refused suspend is audited as access.denied.
    expect(audit.map((r) => r.action)).toEqual(['agreement.proposed', 'agreement.signed', 'agreement.signed', 'access.denied', 'agreement.suspended', 'agreement.reactivated', 'agreement.terminated']);
  });
});
