import { describe, expect, it } from 'vitest';
import { bearer, login, makeApp, provision } from '../world/app.ts';

describe('provisioning flow', () => {
  it('init → admin enrols → agency + admin → agency admin enrols → officer enrols and signs in → /me', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const tokens = await login(t, net.officer);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(tokens) });
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body.officer).toMatchObject({ username: 'ana.silva', role: 'officer', status: 'active', agencyId: net.agency.id });
    expect(body.agency).toMatchObject({ name: 'Policia Judiciaria', country: 'PT', kind: 'police' });
    expect(body.sessionId).toBe(tokens.sessionId);
  });
});
