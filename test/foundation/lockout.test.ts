import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import { bearer, expectError, login, makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';

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

describe('sign-in back-off (no indefinite lock)', () => {
  it('five failures start a back-off: the sixth attempt with the right password and code gets 429; after the delay it works; an admin can clear it', async () => {
    const t = await makeApp();
    const net = await provision(t);
    for (let i = 0; i < 5; i++) {
      expectError(await attempt(t, net.officer, { password: `wrong password number ${i}` }), 401, 'invalid_credentials');
    }
    const sixth = await attempt(t, net.officer);
    expectError(sixth, 429, 'login_throttled');
    expect(sixth.headers['retry-after']).toBe(String(defaults.backoffBaseMs / 1000));
    // The throttled officer cannot clear it themself (not an administrator).
    const self = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${net.officer.id}/unlock`, headers: bearer(net.officer.tokens) });
    expectError(self, 404, 'not_found');
    // After the delay, the right password and code work (no indefinite lock by default).
    t.clock.advance(defaults.backoffBaseMs);
    expect((await attempt(t, net.officer)).statusCode).toBe(200);
    t.clock.advance(30_000);

    // Back-off again; the administrator sees it and clears it without waiting.
    for (let i = 0; i < 5; i++) await attempt(t, net.officer, { password: `wrong password number ${i}` });
    const admin = await login(t, net.agencyAdmin);
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/officers/${net.officer.id}`, headers: bearer(admin) });
    expect(view.json().officer.locked).toBe(true);
    const unlock = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${net.officer.id}/unlock`, headers: bearer(admin) });
    expect(unlock.statusCode).toBe(200);
    expect(unlock.json().officer.locked).toBe(false);
    const tokens = await login(t, net.officer);
    expect(tokens.officer.id).toBe(net.officer.id);
  });

  it('case and whitespace variants of the username count towards the same counter', async () => {
    const t = await makeApp();
    const net = await provision(t);
    for (const u of ['ANA.SILVA', ' ana.silva', 'Ana.Silva ', 'ana.SILVA', '\tana.silva']) {
      expectError(await attempt(t, { ...net.officer, username: u }, { password: 'not the right one' }), 401, 'invalid_credentials');
    }
    expectError(await attempt(t, net.officer), 429, 'login_throttled');
  });

  it('failures spread beyond the window are forgotten', async () => {
    const t = await makeApp();
    const net = await provision(t);
    for (let i = 0; i < 4; i++) expectError(await attempt(t, net.officer, { password: 'not the right one' }), 401, 'invalid_credentials');
    t.clock.advance(defaults.failureWindowMs + 60_000);
    for (let i = 0; i < 4; i++) expectError(await attempt(t, net.officer, { password: 'not the right one' }), 401, 'invalid_credentials');
    expect((await attempt(t, net.officer)).statusCode).toBe(200);
  });

  it('a TOTP code works once: replaying it for a second sign-in is rejected', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const code = totpCode(net.officer.totpSecret, t.clock.now());
    expect((await attempt(t, net.officer, { totp: code })).statusCode).toBe(200);
    expectError(await attempt(t, net.officer, { totp: code }), 401, 'invalid_credentials');
    // Still rejected 20 s later (same 30 s step, within the drift window).
    t.clock.advance(20_000);
    expectError(await attempt(t, net.officer, { totp: code }), 401, 'invalid_credentials');
    // An older code (previous step) is rejected too once a newer one was accepted.
    const older = totpCode(net.officer.totpSecret, t.clock.now() - 30_000);
    expectError(await attempt(t, net.officer, { totp: older }), 401, 'invalid_credentials');
    // The code used to complete enrolment cannot be replayed either.
    expect((await attempt(t, net.officer, { totp: '000000' === code ? '111111' : '000000' })).statusCode).toBe(401);
  });

  it('a wrong TOTP code with the right password is rejected with the generic body', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const good = totpCode(net.officer.totpSecret, t.clock.now());
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    expectError(await attempt(t, net.officer, { totp: wrong }), 401, 'invalid_credentials');
  });
});

describe('username enumeration', () => {
  it('unknown and known usernames are indistinguishable in status and body', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const known = await attempt(t, net.officer, { password: 'definitely wrong password' });
    const unknown = await attempt(t, { ...net.officer, username: 'no.such.officer' }, { password: 'definitely wrong password' });
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'not.enrolled', displayName: 'Not Enrolled' },
    });
    expect(invited.statusCode).toBe(201);
    const notEnrolled = await attempt(t, { ...net.officer, username: 'not.enrolled' }, { password: 'definitely wrong password' });
    expect(known.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(notEnrolled.statusCode).toBe(known.statusCode);
    expect(notEnrolled.body).toBe(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);

    // Throttled unknown usernames look like throttled known ones, too.
    for (let i = 0; i < 5; i++) {
      await attempt(t, net.officer, { password: 'definitely wrong password' });
      await attempt(t, { ...net.officer, username: 'ghost.user' }, { password: 'definitely wrong password' });
    }
    const lockedKnown = await attempt(t, net.officer);
    const lockedUnknown = await attempt(t, { ...net.officer, username: 'ghost.user' });
    expectError(lockedKnown, 429, 'login_throttled');
    expect(lockedUnknown.statusCode).toBe(429);
    expect(lockedUnknown.body).toBe(lockedKnown.body);
    expect(lockedUnknown.headers['retry-after']).toBe(lockedKnown.headers['retry-after']);
  });

  it('sign-in time does not reveal whether a username exists (median of interleaved attempts)', async () => {
    // Production Argon2 parameters, so the hash dominates as it does in service; no lockout during the run.
    const t = await makeApp({
      config: {
        argon2: defaultConfig().argon2,
        login: { ...defaults, maxFailures: 10_000, sourceMaxFailures: 10_000, ipMaxPerWindow: 10_000 },
      },
    });
    const net = await provision(t);
    const time = async (username: string): Promise<number> => {
      const start = performance.now();
      const res = await attempt(t, { ...net.officer, username }, { password: 'definitely wrong password' });
      const ms = performance.now() - start;
      expect(res.statusCode).toBe(401);
      return ms;
    };
    // Warm up both paths (the dummy hash is computed on first use).
    await time(net.officer.username);
    await time('nobody.here');
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    for (let i = 0; i < 11; i++) {
      knownMs.push(await time(net.officer.username));
      unknownMs.push(await time(`nobody.${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const k = median(knownMs);
    const u = median(unknownMs);
    console.info(`sign-in timing medians: known=${k.toFixed(1)} ms, unknown=${u.toFixed(1)} ms, ratio=${(u / k).toFixed(2)}`);
    expect(u / k).toBeGreaterThan(0.5);
    expect(u / k).toBeLessThan(2);
  });
});

describe('per-IP sign-in throttle', () => {
  it('the sixth sign-in request from one IP within the window gets 429; another IP is unaffected', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 5 } } });
    const net = await provision(t);
    for (let i = 0; i < 5; i++) {
      // Different (unknown) usernames: the throttle is per IP, not per account.
      const res = await attempt(t, { ...net.officer, username: `spray.${i}` }, {}, '203.0.113.7');
      expectError(res, 401, 'invalid_credentials');
    }
    const sixth = await attempt(t, net.officer, {}, '203.0.113.7');
    expectError(sixth, 429, 'rate_limited');
    const other = await attempt(t, net.officer, {}, '198.51.100.9');
    expect(other.statusCode).toBe(200);
  });
});

describe('back-off under concurrency', () => {
  it('concurrent guesses cannot exceed the free failures: once five have failed, the rest are refused with 429', async () => {
    const t = await makeApp({ config: { login: { ...defaults, ipMaxPerWindow: 10_000 } } });
    const net = await provision(t);
    const guesses = Array.from({ length: 12 }, (_, i) => attempt(t, net.officer, { password: `parallel guess number ${i}` }));
    const results = await Promise.all(guesses);
    const statuses = results.map((r) => r.statusCode);
    // Every guess that was actually evaluated is a 401; at most maxFailures (5) may be evaluated.
    expect(statuses.filter((s) => s === 401).length, `statuses: ${statuses.join(',')}`).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // And the right password is not evaluated during the back-off.
    expectError(await attempt(t, net.officer), 429, 'login_throttled');
  });

});
