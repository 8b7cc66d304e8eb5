import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, enrol, expectError, makeApp, provision, type Enrolled, type Network, type TestApp } from '../world/app.ts';

/** A second agency (Spain) with its own enrolled administrator and officer, created by the platform admin. */
async function secondAgency(t: TestApp, net: Network): Promise<{ agencyId: string; admin: Enrolled; officer: Enrolled & { id: string } }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/agencies',
    headers: bearer(net.admin.tokens),
    payload: { name: 'Guardia Civil', country: 'ES', kind: 'police', admin: { username: 'es-admin', displayName: 'ES Admin' } },
  });
  expect(res.statusCode).toBe(201);
  const created = res.json() as { agency: { id: string }; enrolment: { token: string } };
  const admin = await enrol(t, created.enrolment.token);
  const off = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agencies/${created.agency.id}/officers`,
    headers: bearer(admin.tokens),
    payload: { username: 'jose.garcia', displayName: 'José García' },
  });
  expect(off.statusCode).toBe(201);
  const offBody = off.json() as { officer: { id: string }; enrolment: { token: string } };
  const officer = await enrol(t, offBody.enrolment.token);
  return { agencyId: created.agency.id, admin, officer: { ...officer, id: offBody.officer.id } };
}

type Req = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: Record<string, unknown> };

function officerRoutes(id: string): Req[] {
  return [
    { method: 'GET', url: `/api/v1/officers/${id}` },
    { method: 'POST', url: `/api/v1/officers/${id}/suspend` },
    { method: 'POST', url: `/api/v1/officers/${id}/reactivate` },
    { method: 'POST', url: `/api/v1/officers/${id}/unlock` },
    { method: 'PUT', url: `/api/v1/officers/${id}/role`, payload: { role: 'officer' } },
    { method: 'POST', url: `/api/v1/officers/${id}/enrolment` },
    { method: 'GET', url: `/api/v1/officers/${id}/sessions` },
    { method: 'DELETE', url: `/api/v1/officers/${id}/sessions` },
  ];
}

describe('agency isolation', () => {
  it("an agency admin acting on another agency's officer gets the same 404 as for a missing officer", async () => {
    const t = await makeApp();
    const net = await provision(t);
    const es = await secondAgency(t, net);
    const missing = crypto.randomUUID();
    for (const target of [net.officer.id, net.agencyAdmin.tokens.officer.id]) {
      for (const [i, r] of officerRoutes(target).entries()) {
        const cross = await t.app.inject({ ...r, headers: bearer(es.admin.tokens) });
        const absent = await t.app.inject({ ...officerRoutes(missing)[i]!, headers: bearer(es.admin.tokens) });
        expectError(cross, 404, 'not_found');
        expect({ route: `${r.method} ${r.url}`, status: cross.statusCode, body: cross.body }).toEqual({
          route: `${r.method} ${r.url}`,
          status: absent.statusCode,
          body: absent.body,
        });
      }
    }
    // Nothing happened to the Portuguese officer.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(net.officer.tokens) });
    expect(me.statusCode).toBe(200);
    expect(me.json().officer.status).toBe('active');

    // Listing or creating officers in another agency: same 404 as a missing agency.
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${net.agency.id}/officers`, headers: bearer(es.admin.tokens) });
    const listMissing = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${missing}/officers`, headers: bearer(es.admin.tokens) });
    expectError(list, 404, 'not_found');
    expect(list.body).toBe(listMissing.body);
    const create = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(es.admin.tokens),
      payload: { username: 'plant', displayName: 'Planted Officer' },
    });
    expectError(create, 404, 'not_found');
    // The platform admin can see both agencies' officers.
    const all = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${es.agencyId}/officers`, headers: bearer(net.admin.tokens) });
    expect(all.statusCode).toBe(200);
    expect((all.json().officers as { username: string }[]).map((o) => o.username).sort()).toEqual(['es-admin', 'jose.garcia']);
  });
});

describe('privilege escalation', () => {
  it('an agency admin cannot grant platform_admin (403) nor create a platform admin', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/officers/${net.officer.id}/role`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { role: 'platform_admin' },
    });
    expectError(res, 403, 'forbidden');
    const create = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'sneaky', displayName: 'Sneaky', role: 'platform_admin' },
    });
    expectError(create, 403, 'forbidden');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(net.officer.tokens) });
    expect(me.json().officer.role).toBe('officer');
    // The denied attempt is audited.
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=officer.role_changed', headers: bearer(net.admin.tokens) });
    expect(audit.json().events).toEqual([expect.objectContaining({ outcome: 'denied', details: { from: 'officer', to: 'platform_admin' } })]);
  });

  it('an agency admin may promote within their rank (control), but nobody can change their own role', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const promote = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/officers/${net.officer.id}/role`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { role: 'agency_admin' },
    });
    expect(promote.statusCode).toBe(200);
    expect(promote.json().officer.role).toBe('agency_admin');
    for (const who of [net.agencyAdmin, net.admin]) {
      const self = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/officers/${who.tokens.officer.id}/role`,
        headers: bearer(who.tokens),
        payload: { role: who === net.admin ? 'officer' : 'platform_admin' },
      });
      expectError(self, 409, 'cannot_modify_self');
    }
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(net.agencyAdmin.tokens) });
    expect(me.json().officer.role).toBe('agency_admin');
  });

  it('an agency admin cannot manage the platform admin or suspend their own agency', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const adminId = net.admin.tokens.officer.id;
    const sus = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${adminId}/suspend`, headers: bearer(net.agencyAdmin.tokens) });
    expectError(sus, 404, 'not_found');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/agencies/${net.agency.id}`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { status: 'suspended' },
    });
    expectError(patch, 403, 'forbidden');
  });

  it('an officer calling administrator routes gets 403/404 and changes nothing', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const h = bearer(net.officer.tokens as TokenPair);
    const calls: (Req & { expect: number })[] = [
      {
        method: 'POST',
        url: '/api/v1/agencies',
        payload: { name: 'Rogue Agency', country: 'FR', kind: 'police', admin: { username: 'rogue', displayName: 'Rogue' } },
        expect: 403,
      },
      { method: 'POST', url: `/api/v1/agencies/${net.agency.id}/officers`, payload: { username: 'friend', displayName: 'Friend' }, expect: 404 },
      { method: 'GET', url: `/api/v1/agencies/${net.agency.id}/officers`, expect: 404 },
      { method: 'PUT', url: `/api/v1/officers/${net.officer.id}/role`, payload: { role: 'agency_admin' }, expect: 404 },
      { method: 'POST', url: `/api/v1/officers/${net.agencyAdmin.tokens.officer.id}/suspend`, expect: 404 },
      { method: 'POST', url: `/api/v1/officers/${net.agencyAdmin.tokens.officer.id}/enrolment`, expect: 404 },
      { method: 'GET', url: '/api/v1/audit', expect: 403 },
      { method: 'GET', url: '/api/v1/audit/verify', expect: 403 },
    ];
    for (const c of calls) {
      const res = await t.app.inject({ method: c.method, url: c.url, headers: h, ...(c.payload ? { payload: c.payload } : {}) });
      expectError(res, c.expect, c.expect === 403 ? 'forbidden' : 'not_found');
    }
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: h });
    expect(me.json().officer.role).toBe('officer');
    const agencies = await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(net.admin.tokens) });
    expect((agencies.json().agencies as unknown[]).length).toBe(2);
  });

  it('an agency admin reading audit/verify gets 403', async () => {
    const t = await makeApp();
    const net = await provision(t);
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.agencyAdmin.tokens) }), 403, 'forbidden');
  });
});
