import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, expectError, login, makeApp, provision, totpCode, type TestApp } from '../world/app.ts';

const MIN = 60_000;
// Many refreshes in one test: lift the per-IP credential throttle (tested in lockout.test.ts).
const LOOSE = { login: { ...defaultConfig().login, ipMaxPerWindow: 10_000 } };

const me = (t: TestApp, tokens: Pick<TokenPair, 'accessToken'>) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(tokens) });
const refresh = (t: TestApp, refreshToken: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

describe('refresh-token rotation', () => {
  it('rotates, and a reused token kills the whole family and its access token', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const first = await login(t, net.officer);

    const r1 = await refresh(t, first.refreshToken);
    expect(r1.statusCode).toBe(200);
    const second = r1.json() as TokenPair;
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(t, second)).statusCode).toBe(200);

    // The attacker (or the victim) presents the old token again.
    expectError(await refresh(t, first.refreshToken), 401, 'refresh_token_reused');
    // The newest token of the family is dead…
    const newest = await refresh(t, second.refreshToken);
    expect(newest.statusCode).toBe(401);
    expect(newest.json().error.code).toBe('session_expired');
    // …and so is the session's access token.
    expectError(await me(t, second), 401, 'session_expired');
    // Other sessions of the same officer are unaffected.
    const other = await login(t, net.officer);
    expect((await me(t, other)).statusCode).toBe(200);
  });

  it('rejects an unknown refresh token', async () => {
    const t = await makeApp();
    expectError(await refresh(t, 'A'.repeat(43)), 401, 'invalid_refresh_token');
  });
});

describe('session timeouts', () => {
  it('idle timeout: activity keeps the session alive, 30 idle minutes end it (access and refresh)', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const tokens = await login(t, net.officer);
    t.clock.advance(29 * MIN);
    expect((await me(t, tokens)).statusCode).toBe(200);
    t.clock.advance(29 * MIN);
    expect((await me(t, tokens)).statusCode).toBe(200);
    t.clock.advance(30 * MIN);
    expectError(await me(t, tokens), 401, 'session_expired');
    expectError(await refresh(t, tokens.refreshToken), 401, 'session_expired');
  });

  it('absolute timeout: refreshing every 20 minutes still ends at 12 hours', async () => {
    const t = await makeApp({ config: LOOSE });
    const net = await provision(t);
    let tokens = await login(t, net.officer);
    const start = t.clock.now() - 30_000; // login() moved the clock on by one TOTP step
    let refreshes = 0;
    while (t.clock.now() + 20 * MIN < start + 12 * 60 * MIN) {
      t.clock.advance(20 * MIN);
      const res = await refresh(t, tokens.refreshToken);
      expect(res.statusCode, `refresh #${refreshes + 1}`).toBe(200);
      tokens = res.json() as TokenPair;
      refreshes++;
    }
    expect(refreshes).toBeGreaterThan(30);
    expect((await me(t, tokens)).statusCode).toBe(200);
    t.clock.advance(20 * MIN);
    expect(t.clock.now()).toBeGreaterThanOrEqual(start + 12 * 60 * MIN);
    expectError(await refresh(t, tokens.refreshToken), 401, 'session_expired');
    expectError(await me(t, tokens), 401, 'session_expired');
  });
});

describe('session management', () => {
  it('lists own sessions, revokes one, logs out, signs out everywhere', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const a = await login(t, net.officer);
    const b = await login(t, net.officer);
    const c = await login(t, net.officer);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: bearer(a) });
    expect(list.statusCode).toBe(200);
    const sessions = list.json().sessions as { id: string; current: boolean }[];
    const ids = sessions.map((s) => s.id);
    // Enrolment session + three sign-ins.
    expect(ids).toEqual(expect.arrayContaining([net.officer.tokens.sessionId, a.sessionId, b.sessionId, c.sessionId]));
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([a.sessionId]);

    // Revoke one (b) from session a.
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/sessions/${b.sessionId}`, headers: bearer(a) });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ revoked: 1 });
    expectError(await me(t, b), 401, 'session_expired');
    expect((await me(t, a)).statusCode).toBe(200);

    // Another officer's session id cannot be revoked through my own list: 404.
    const foreign = await t.app.inject({ method: 'DELETE', url: `/api/v1/sessions/${net.admin.tokens.sessionId}`, headers: bearer(a) });
    expectError(foreign, 404, 'not_found');
    expect((await me(t, net.admin.tokens)).statusCode).toBe(200);

    // Logout ends only the current session.
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(c) });
    expect(out.statusCode).toBe(200);
    expectError(await me(t, c), 401, 'session_expired');
    expectError(await refresh(t, c.refreshToken), 401, 'session_expired');
    expect((await me(t, a)).statusCode).toBe(200);

    // Sign out everywhere.
    const all = await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions', headers: bearer(a) });
    expect(all.statusCode).toBe(200);
    expect(all.json().revoked).toBe(2); // a + the enrolment session
    expectError(await me(t, a), 401, 'session_expired');
    expectError(await me(t, net.officer.tokens), 401, 'session_expired');
    expectError(await refresh(t, a.refreshToken), 401, 'session_expired');
  });

  it('an administrator lists and revokes an officer\'s sessions', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const s1 = await login(t, net.officer);
    const url = `/api/v1/officers/${net.officer.id}/sessions`;
    const list = await t.app.inject({ method: 'GET', url, headers: bearer(net.agencyAdmin.tokens) });
    expect(list.statusCode).toBe(200);
    const listed = (list.json().sessions as { id: string; current: boolean }[]).map((s) => s.id);
    expect(listed).toEqual(expect.arrayContaining([s1.sessionId, net.officer.tokens.sessionId]));
    expect((list.json().sessions as { current: boolean }[]).some((s) => s.current)).toBe(false);
    // The officer cannot list an administrator's sessions.
    const reverse = await t.app.inject({ method: 'GET', url: `/api/v1/officers/${net.agencyAdmin.tokens.officer.id}/sessions`, headers: bearer(s1) });
    expectError(reverse, 404, 'not_found');

    const del = await t.app.inject({ method: 'DELETE', url, headers: bearer(net.agencyAdmin.tokens) });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ revoked: 2 });
    expectError(await me(t, s1), 401, 'session_expired');
    expectError(await refresh(t, s1.refreshToken), 401, 'session_expired');
    expect((await me(t, net.agencyAdmin.tokens)).statusCode).toBe(200);
    const empty = await t.app.inject({ method: 'GET', url, headers: bearer(net.agencyAdmin.tokens) });
    expect(empty.json().sessions).toEqual([]);
  });

  it('suspension revokes every session at once; reactivation allows signing in again', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const s1 = await login(t, net.officer);
    const s2 = await login(t, net.officer);
    const admin = bearer(net.agencyAdmin.tokens);
    const sus = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${net.officer.id}/suspend`, headers: admin });
    expect(sus.statusCode).toBe(200);
    for (const s of [s1, s2, net.officer.tokens]) expectError(await me(t, s), 401, 'session_expired');

    // Correct credentials but suspended: 403, not a session.
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: net.officer.username, password: net.officer.password, totp: totpCode(net.officer.totpSecret, t.clock.now()) },
    });
    expectError(denied, 403, 'account_suspended');
    t.clock.advance(30_000);

    const re = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${net.officer.id}/reactivate`, headers: admin });
    expect(re.statusCode).toBe(200);
    expect(re.json().officer.status).toBe('active');
    // Old sessions stay dead; a new sign-in works.
    expectError(await me(t, s1), 401, 'session_expired');
    const fresh = await login(t, net.officer);
    expect((await me(t, fresh)).statusCode).toBe(200);
  });

  it('suspending an agency ends its officers\' sessions and blocks refresh', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const s = await login(t, net.officer);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/agencies/${net.agency.id}`,
      headers: bearer(net.admin.tokens),
      payload: { status: 'suspended' },
    });
    expect(res.statusCode).toBe(200);
    expectError(await me(t, s), 401, 'session_expired');
    expectError(await me(t, net.agencyAdmin.tokens), 401, 'session_expired');
    expect((await refresh(t, s.refreshToken)).statusCode).toBe(401);
  });
});
