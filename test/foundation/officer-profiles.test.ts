import { describe, expect, it } from 'vitest';
import { bearer, enrol, expectError, makeApp, provision } from '../world/app.ts';

describe('GET /officers/profiles: names and agencies for display', () => {
  it('any signed-in officer gets name and agency of known ids (another agency too), nothing else; unknown ids are left out; bad input is refused', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const es = await t.app.inject({
      method: 'POST',
      url: '/api/v1/agencies',
      headers: bearer(net.admin.tokens),
      payload: { name: 'Guardia Civil', country: 'ES', kind: 'police', admin: { username: 'es-admin', displayName: 'Luis Ortega' } },
    });
    expect(es.statusCode).toBe(201);
    const created = es.json() as { agency: { id: string }; admin: { id: string }; enrolment: { token: string } };
    await enrol(t, created.enrolment.token);

    const ids = [created.admin.id, net.officer.id, 'no-such-officer'];
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/officers/profiles?ids=${ids.join(',')}`, headers: bearer(net.officer.tokens) });
    expect(res.statusCode, res.body).toBe(200);
    const { profiles } = res.json() as { profiles: Record<string, unknown>[] };
    expect(profiles).toEqual([
      { officerId: created.admin.id, displayName: 'Luis Ortega', agencyId: created.agency.id, agencyName: 'Guardia Civil', agencyCountry: 'ES' },
      { officerId: net.officer.id, displayName: 'Ana Silva', agencyId: net.agency.id, agencyName: 'Policia Judiciaria', agencyCountry: 'PT' },
    ]);
    // Display only: no username, role, status or sessions.
    for (const p of profiles) expect(Object.keys(p).sort()).toEqual(['agencyCountry', 'agencyId', 'agencyName', 'displayName', 'officerId']);

    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/officers/profiles?ids=${net.officer.id}` }), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/officers/profiles?ids=a,,b', headers: bearer(net.officer.tokens) }), 400, 'validation_failed');
    const tooMany = Array.from({ length: 101 }, (_, i) => `id${i}`).join(',');
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/officers/profiles?ids=${tooMany}`, headers: bearer(net.officer.tokens) }), 400, 'validation_failed');
  });
});
