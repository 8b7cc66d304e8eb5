import { describe, expect, it } from 'vitest';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, makeApp, totpCode } from '../world/app.ts';
import { LogCapture } from '../world/log-capture.ts';

describe('logging', () => {
  it('never writes passwords, TOTP codes or secrets, refresh/access tokens or enrolment tokens', async () => {
    const log = new LogCapture();
    const t = await makeApp({ logStream: log, config: { logLevel: 'info' } });
    const secrets: string[] = [];
    const password = 'Zebra-Quartz-Lantern-8841';
    secrets.push(password);

    const init = await t.app.ctx.accounts.initPlatform({ username: 'admin', displayName: 'Admin', country: 'FR' });
    const token = init.enrolment.token;
    secrets.push(token);
    const lookup = await t.app.inject({ method: 'POST', url: '/api/v1/enrolment/lookup', payload: { token } });
    expect(lookup.statusCode).toBe(200);
    // A weak-password attempt (error path) and the real one.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/enrolment/begin', payload: { token, password: 'short-pass' } })).statusCode).toBe(400);
    const begin = await t.app.inject({ method: 'POST', url: '/api/v1/enrolment/begin', payload: { token, password } });
    expect(begin.statusCode).toBe(200);
    const { totpSecret, otpauthUri } = begin.json() as { totpSecret: string; otpauthUri: string };
    secrets.push(totpSecret, otpauthUri);
    const enrolCode = totpCode(totpSecret, t.clock.now());
    const complete = await t.app.inject({ method: 'POST', url: '/api/v1/enrolment/complete', payload: { token, totp: enrolCode } });
    expect(complete.statusCode).toBe(200);
    const enrolled = complete.json() as TokenPair;
    secrets.push(enrolled.accessToken, enrolled.refreshToken);
    t.clock.advance(30_000);

    // Failed sign-in (wrong password, with a real current code), then a good one.
    const failCode = totpCode(totpSecret, t.clock.now());
    const fail = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: `${password}-wrong`, totp: failCode },
    });
    expect(fail.statusCode).toBe(401);
    secrets.push(`${password}-wrong`);
    const okCode = totpCode(totpSecret, t.clock.now());
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password, totp: okCode } });
    expect(ok.statusCode).toBe(200);
    const pair = ok.json() as TokenPair;
    secrets.push(pair.accessToken, pair.refreshToken);

    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const r = refreshed.json() as TokenPair;
    secrets.push(r.accessToken, r.refreshToken);
    // Reuse (error path), an authenticated call and one with a bad bearer.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } })).statusCode).toBe(401);
    await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(enrolled) });
    await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${r.accessToken}x` } });
    // A token in a query string must not be logged either.
    await t.app.inject({ method: 'GET', url: `/api/v1/nowhere?token=${token}` });

    await t.app.close();
    const text = log.text;
    // The capture really holds request logs (so an empty log cannot pass this test).
    expect(text).toContain('"url":"/api/v1/auth/login"');
    expect(text).toContain('request rejected');
    for (const s of secrets) expect(text, `log contains a secret (${s.slice(0, 6)}…)`).not.toContain(s);
    // TOTP codes are only 6 digits: check they never appear as a JSON value.
    for (const code of [enrolCode, failCode, okCode]) expect(text).not.toContain(`"${code}"`);
    // The secret's base32 body must not appear URL-encoded either.
    expect(text).not.toContain(encodeURIComponent(totpSecret));
  });
});
