import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import { bearer, expectError, login, makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';
import { rawDb } from '../world/db.ts';

const LOGIN = '/api/v1/auth/login';
const defaults = defaultConfig().login;

function attempt(t: TestApp, who: Pick<Enrolled, 'username' | 'password' | 'totpSecret'>, overrides: Record<string, string> = {}, ip?: string) {
  return t.app.inject({
    method: 'POST',
    url: LOGIN,
    ...(ip ? { remoteAddress: ip } : {}),
    payload: { username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()), ...overrides },
  });
}

const wrong = { password: 'an attacker guessing passwords' };

describe('sign-in throttling instead of lockout (NIST SP 800-63B §5.2.2)', () => {
  it('an attacker who knows a username cannot lock the officer out: after the back-off, password + TOTP always works', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    // The attacker, from another address, keeps guessing as fast as the server lets them.
    for (let i = 0; i < 5; i++) expectError(await attempt(t, net.officer, wrong, '203.0.113.66'), 401, 'invalid_credentials');
    for (let round = 0; round < 8; round++) {
      const res = await attempt(t, net.officer, wrong, '203.0.113.66');
      if (res.statusCode === 429) t.clock.advance(Number(res.headers['retry-after']) * 1000);
      else expectError(res, 401, 'invalid_credentials');
    }
    // The officer waits out the current delay (at most the cap, never indefinitely) and signs in.
    const blocked = await attempt(t, net.officer, {}, '198.51.100.20');
    expectError(blocked, 429, 'login_throttled');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter * 1000).toBeLessThanOrEqual(defaults.backoffMaxMs);
    t.clock.advance(retryAfter * 1000);
    const ok = await attempt(t, net.officer, {}, '198.51.100.20');
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('failed sign-ins report triesRemaining; then 429 login_throttled with Retry-After, and the delay doubles up to the cap', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await attempt(t, net.officer, wrong);
      expectError(res, 401, 'invalid_credentials');
      remaining.push(res.json().error.triesRemaining as number);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    // Even the right password and code are not evaluated during the back-off.
    const throttled = await attempt(t, net.officer);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error).toMatchObject({ code: 'login_throttled', retryAfterSeconds: 30 });
    expect(throttled.headers['retry-after']).toBe('30');

    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      t.clock.advance(delays.at(-1) ?? 30_000);
      expectError(await attempt(t, net.officer, wrong), 401, 'invalid_credentials');
      const res = await attempt(t, net.officer);
      expectError(res, 429, 'login_throttled');
      delays.push(Number(res.headers['retry-after']) * 1000);
    }
    expect(delays).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
    t.clock.advance(900_000);
    expect((await attempt(t, net.officer)).statusCode).toBe(200);
  });

  it('unknown usernames throttle exactly like known ones (same status, body and Retry-After)', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    const ghost = { ...net.officer, username: 'ghost.officer' };
    for (let i = 0; i < 6; i++) {
      const known = await attempt(t, net.officer, wrong, '203.0.113.1');
      const unknown = await attempt(t, ghost, wrong, '203.0.113.2');
      expect(unknown.statusCode).toBe(known.statusCode);
      expect(unknown.body).toBe(known.body);
      expect(unknown.headers['retry-after']).toBe(known.headers['retry-after']);
    }
  });

  it('spraying many usernames from one source is throttled per source; the officer at another address is not', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    for (let i = 0; i < defaults.sourceMaxFailures; i++) {
      expectError(await attempt(t, { ...net.officer, username: `spray.${i}` }, wrong, '203.0.113.9'), 401, 'invalid_credentials');
    }
    expectError(await attempt(t, { ...net.officer, username: 'spray.next' }, wrong, '203.0.113.9'), 429, 'login_throttled');
    expectError(await attempt(t, net.officer, {}, '203.0.113.9'), 429, 'login_throttled');
    expect((await attempt(t, net.officer, {}, '198.51.100.20')).statusCode).toBe(200);
  });

  it('administrators see the back-off as locked and can clear it at once; the failures are audited', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    for (let i = 0; i < 5; i++) await attempt(t, net.officer, wrong, '203.0.113.66');
    const admin = await login(t, net.agencyAdmin);
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/officers/${net.officer.id}`, headers: bearer(admin) });
    expect(view.json().officer.locked).toBe(true);
    const unlock = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${net.officer.id}/unlock`, headers: bearer(admin) });
    expect(unlock.json().officer.locked).toBe(false);
    expect((await attempt(t, net.officer, {}, '198.51.100.20')).statusCode).toBe(200);
    const actions = (rawDb(t.app).prepare("SELECT action FROM audit_events WHERE action IN ('auth.throttled', 'officer.unlocked')").pluck().all() as string[]);
    expect(actions).toEqual(['auth.throttled', 'officer.unlocked']);
  });
});
