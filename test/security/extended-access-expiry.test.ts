import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { expectError, makeApp, type TestApp } from '../world/app.ts';
import { keyedAgency, keyedNetwork, relogin, type AgencyTeam } from '../world/actors.ts';
import { DAY_MS, call } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

interface Grant {
  id: string;
  expiresAt: number;
  active: boolean;
  revokedAt: number | null;
}

/** An NCB and the financial-intelligence unit it sponsors, both keyed. */
async function ncbWithInstitution(t: TestApp): Promise<{ ncb: AgencyTeam; fiu: AgencyTeam }> {
  const { platform } = await keyedNetwork(t);
  const ncb = await keyedAgency(t, platform, { name: 'NCB Madrid', country: 'ES', kind: 'ncb', prefix: 'ncb' });
  const fiu = await keyedAgency(t, platform, { name: 'SEPBLAC', country: 'ES', kind: 'fiu', prefix: 'fiu', sponsorAgencyId: ncb.agencyId });
  return { ncb, fiu };
}

const grantBody = (fiu: AgencyTeam, expiresAt: number, scope = ['money-laundering']) => ({ agencyId: fiu.agencyId, scope, expiresAt });

function storedGrants(t: TestApp): number {
  return (rawDb(t.app).prepare('SELECT count(*) AS n FROM extended_access_grants').get() as { n: number }).n;
}

describe('security: extended access is time-limited', () => {
  it('refuses a grant until the year 275760, beyond the maximum, or in the past, and stores nothing', async () => {
    const t = await makeApp();
    const { ncb, fiu } = await ncbWithInstitution(t);
    const now = t.clock.now();
    const cases: [string, number, number, string][] = [
      ['year 275760 (largest JavaScript date)', 8.64e15, 400, 'expiry_too_far'],
      ['one year and a day', now + 366 * DAY_MS, 400, 'expiry_too_far'],
      ['in the past', now - DAY_MS, 400, 'invalid_expiry'],
      ['now', now, 400, 'invalid_expiry'],
    ];
    for (const [label, expiresAt, status, code] of cases) {
      const res = await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, expiresAt));
      expectError(res, status, code);
      expect((res.json() as { error: { message: string } }).error.message, label).toMatch(/expiry|lasts at most/);
      expect(storedGrants(t), label).toBe(0);
    }
    // Exactly the maximum is accepted, and the list tells clients the limit.
    expect((await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, now + 365 * DAY_MS))).statusCode).toBe(201);
    expect((await call(t, ncb.admin, 'GET', '/extended-access')).json()).toMatchObject({ maxDays: 365 });
  });

  it('EXTENDED_ACCESS_MAX_DAYS sets the maximum and is validated', async () => {
    expect(loadConfig({}).extendedAccess.maxDays).toBe(365);
    expect(loadConfig({ EXTENDED_ACCESS_MAX_DAYS: '30' }).extendedAccess.maxDays).toBe(30);
    expect(() => loadConfig({ EXTENDED_ACCESS_MAX_DAYS: '0' })).toThrow(/EXTENDED_ACCESS_MAX_DAYS/);
    expect(() => loadConfig({ EXTENDED_ACCESS_MAX_DAYS: 'forever' })).toThrow(/EXTENDED_ACCESS_MAX_DAYS/);

    const t = await makeApp({ config: { extendedAccess: { maxDays: 30 } } });
    const { ncb, fiu } = await ncbWithInstitution(t);
    expectError(await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 31 * DAY_MS)), 400, 'expiry_too_far');
    expect((await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 30 * DAY_MS))).statusCode).toBe(201);
  });

  it('renewal is a new, audited grant: it replaces an active grant (never narrowing it) and follows an expired one', async () => {
    const t = await makeApp();
    const { ncb, fiu } = await ncbWithInstitution(t);
    const first = ((await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 300 * DAY_MS))).json() as { grant: Grant }).grant;

    // Renewing while active: the new grant starts its own (bounded) term and the old one ends now.
    t.clock.advance(200 * DAY_MS);
    await relogin(t, ncb.admin);
    expectError(await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 366 * DAY_MS)), 400, 'expiry_too_far');
    expectError(await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 300 * DAY_MS, ['precursors'])), 409, 'scope_narrowed');
    const renewed = await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 365 * DAY_MS, ['money-laundering', 'precursors']));
    expect(renewed.statusCode).toBe(201);
    const second = (renewed.json() as { grant: Grant }).grant;
    const listed = ((await call(t, ncb.admin, 'GET', '/extended-access')).json() as { grants: Grant[] }).grants;
    expect(listed.filter((g) => g.active).map((g) => g.id)).toEqual([second.id]);
    expect(listed.find((g) => g.id === first.id)).toMatchObject({ active: false, revokedAt: t.clock.now() });

    // Renewing after expiry.
    t.clock.advance(366 * DAY_MS);
    await relogin(t, ncb.admin);
    expect(((await call(t, ncb.admin, 'GET', '/extended-access')).json() as { grants: Grant[] }).grants.some((g) => g.active)).toBe(false);
    const third = await call(t, ncb.admin, 'POST', '/extended-access', grantBody(fiu, t.clock.now() + 90 * DAY_MS));
    expect(third.statusCode).toBe(201);

    const audit = rawDb(t.app)
      .prepare("SELECT action, details FROM audit_events WHERE target_type = 'extended_access' ORDER BY seq")
      .all() as { action: string; details: string }[];
    expect(audit.map((a) => a.action)).toEqual(['extended_access.granted', 'extended_access.renewed', 'extended_access.renewed']);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ previous: first.id, superseded: true });
    expect(JSON.parse(audit[2]!.details)).toMatchObject({ previous: second.id, superseded: false });
  });
});
