import { describe, expect, it } from 'vitest';
import { cosignMembershipEvent } from '../../shared/crypto/index.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { certificationBody, keyedNetwork, relogin } from '../world/actors.ts';
import { activeAgreement, addEvent, agreementSignature, call, chainContext, openChannel, propose, terms, wire } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

async function platformCall(t: TestApp, platform: TokenPair, method: 'POST' | 'PUT', url: string, payload?: object) {
  const res = await t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(platform), ...(payload ? { payload } : {}) });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
}

async function memberCount(t: TestApp, who: Parameters<typeof call>[1], channelId: string): Promise<number> {
  return ((await call(t, who, 'GET', `/channels/${channelId}`)).json() as { channel: { members: unknown[] } }).channel.members.length;
}

describe('security: agency-root authority ends with the administrator role', () => {
  it('a demoted agency root cannot certify keys any more (nor sign agreements for its agency)', async () => {
    const t = await makeApp();
    const { a, b, platform } = await keyedNetwork(t);
    // Before: the root re-certifies its officer.
    expect((await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, a.officer).body)).statusCode).toBe(200);

    const certified = () => (rawDb(t.app).prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'keys.certified'").get() as { n: number }).n;
    const before = certified();

    await platformCall(t, platform, 'PUT', `/officers/${a.admin.id}/role`, { role: 'officer' });
    // The attack: the demoted root's client still holds the root keys and certifies.
    const attack = await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, a.officer).body);
    expectError(attack, 403, 'agency_root_revoked');
    expect(certified()).toBe(before);

    // Other root/administrator powers are refused too.
    const ag = await propose(t, b.admin, terms(t, [a.agencyId, b.agencyId]));
    expectError(await call(t, a.admin, 'POST', `/agreements/${ag.id}/signatures`, { signature: agreementSignature(ag, a.admin) }), 403, 'forbidden');
    expectError(await call(t, a.admin, 'GET', '/keys/pending'), 403, 'forbidden');
  });

  it('a suspended agency root cannot certify, even after reactivation as a plain officer', async () => {
    const t = await makeApp();
    const { a, platform } = await keyedNetwork(t);
    await platformCall(t, platform, 'POST', `/officers/${a.admin.id}/suspend`);
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, a.officer).body), 401, 'session_expired');
    await platformCall(t, platform, 'PUT', `/officers/${a.admin.id}/role`, { role: 'officer' });
    await platformCall(t, platform, 'POST', `/officers/${a.admin.id}/reactivate`);
    await relogin(t, a.admin);
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, a.officer).body), 403, 'agency_root_revoked');
  });

  it("a demoted or suspended administrator's co-signature no longer adds an officer of their agency", async () => {
    const t = await makeApp();
    const { a, b, platform } = await keyedNetwork(t);
    const ag = await activeAgreement(t, [a.admin, b.admin]);
    const { channelId, state } = await openChannel(t, a.officer, chainContext(a.admin, b.admin), { agreementId: ag.id });
    const add = addEvent(t, state, a.officer, b.officer);
    // b.admin still holds an unexpired `agency_admin` certificate, which the chain rules accept.
    const byAdmin = { event: wire(cosignMembershipEvent(add, b.admin.keys, b.admin.cert!)) };

    await platformCall(t, platform, 'PUT', `/officers/${b.admin.id}/role`, { role: 'officer' });
    expectError(await call(t, a.officer, 'POST', `/channels/${channelId}/events`, byAdmin), 403, 'cosigner_not_admin');
    expect(await memberCount(t, a.officer, channelId)).toBe(1);

    await platformCall(t, platform, 'PUT', `/officers/${b.admin.id}/role`, { role: 'agency_admin' });
    await platformCall(t, platform, 'POST', `/officers/${b.admin.id}/suspend`);
    expectError(await call(t, a.officer, 'POST', `/channels/${channelId}/events`, byAdmin), 403, 'cosigner_not_admin');
    expect(await memberCount(t, a.officer, channelId)).toBe(1);

    // The invited officer's own co-signature still works.
    const bySelf = { event: wire(cosignMembershipEvent(add, b.officer.keys, b.officer.cert!)) };
    expect((await call(t, a.officer, 'POST', `/channels/${channelId}/events`, bySelf)).statusCode).toBe(200);
    expect(await memberCount(t, a.officer, channelId)).toBe(2);
  });
});
