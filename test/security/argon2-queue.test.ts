/**
 * Finding 5c: a burst of sign-ins must not queue unboundedly behind Argon2 (the administrator's own
 * sign-in waited seconds). Beyond the configured queue the server sheds with 503 busy + Retry-After,
 * counts nothing against the account, and serves sign-ins again as soon as the burst is over.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import { expectError, login, makeApp, provision, totpCode } from '../world/app.ts';
import { limits } from './support.ts';

const BURST = 24;
const QUEUE = 2;

describe('bounded Argon2 queue', () => {
  it(`a burst of ${BURST} concurrent sign-ins is shed with 503 busy + Retry-After beyond the queue; nothing is locked`, async () => {
    const t = await makeApp({
      config: {
        // Heavier than the test default, so the first hash is still running when the whole burst arrives.
        argon2: { memoryCost: 65_536, timeCost: 3, parallelism: 1 },
        login: { ...defaultConfig().login, ipMaxPerWindow: 1_000 },
        limits: limits({ argon2Concurrency: 1, argon2MaxQueue: QUEUE }),
      },
    });
    const net = await provision(t);
    const burst = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          // Half aim at a real account with a wrong password, half at unknown usernames (the dummy hash).
          payload: { username: i % 2 ? net.officer.username : `ghost-${i}`, password: 'not the password at all', totp: '000000' },
        }),
      ),
    );
    const busy = burst.filter((r) => r.statusCode === 503);
    const denied = burst.filter((r) => r.statusCode === 401);
    expect(busy.length + denied.length).toBe(BURST);
    // At most one running plus QUEUE waiting were hashed; the rest were refused without hashing.
    expect(denied.length).toBeLessThanOrEqual(1 + QUEUE);
    expect(busy.length).toBeGreaterThanOrEqual(BURST - 1 - QUEUE);
    for (const r of busy) {
      expectError(r, 503, 'busy');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Shed attempts are not failed sign-ins: the officer (at most 3 real failures, under the lockout's 5) still signs in.
    const ok = await login(t, net.officer);
    expect(ok.accessToken).toBeTruthy();
  });

  it('after a shed burst the administrator signs in normally', async () => {
    const t = await makeApp({
      config: {
        argon2: { memoryCost: 65_536, timeCost: 3, parallelism: 1 },
        login: { ...defaultConfig().login, ipMaxPerWindow: 1_000 },
        limits: limits({ argon2Concurrency: 1, argon2MaxQueue: 0 }),
      },
    });
    const net = await provision(t);
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `10.0.0.${i + 1}`, payload: { username: `ghost-${i}`, password: 'not the password at all', totp: '000000' } }),
      ),
    );
    // One hashes at a time and none waits, so the burst is shed but for the attempts that found the
    // slot free: on SQLite all six reach the queue together (five shed); on PostgreSQL each first waits
    // for its database reads, so an attempt can arrive after an earlier hash finished (four seen in CI).
    const shed = burst.filter((r) => r.statusCode === 503).length;
    expect(shed).toBeGreaterThanOrEqual(1);
    expect(shed + burst.filter((r) => r.statusCode === 401).length).toBe(6);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: net.admin.username, password: net.admin.password, totp: totpCode(net.admin.totpSecret, t.clock.now()) },
    });
    expect(res.statusCode).toBe(200);
  });
});
