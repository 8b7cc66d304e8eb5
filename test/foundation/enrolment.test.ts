import { describe, expect, it } from 'vitest';
import { bearer, enrol, expectError, login, makeApp, provision, totpCode, type TestApp } from '../world/app.ts';

const HOUR = 60 * 60_000;

/** A fresh invited officer in the standard network; returns its one-time enrolment token. */
async function invite(t: TestApp, username = 'new.officer'): Promise<{ token: string; officerId: string; adminTokens: { accessToken: string } }> {
  const net = await provision(t);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agencies/${net.agency.id}/officers`,
    headers: bearer(net.agencyAdmin.tokens),
    payload: { username, displayName: 'New Officer' },
  });
  expect(res.statusCode).toBe(201);
  const body = res.json() as { officer: { id: string }; enrolment: { token: string; link: string } };
  expect(body.enrolment.link).toBe(`http://liaison.test/#/enrol/${body.enrolment.token}`);
  return { token: body.enrolment.token, officerId: body.officer.id, adminTokens: net.agencyAdmin.tokens };
}

const post = (t: TestApp, step: 'lookup' | 'begin' | 'complete', payload: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/enrolment/${step}`, payload });

describe('enrolment links', () => {
  it('a link works once: a second complete is 400 invalid_enrolment_token', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    const begin = await post(t, 'begin', { token, password: 'a long and unusual passphrase' });
    expect(begin.statusCode).toBe(200);
    const secret = begin.json().totpSecret as string;
    const code = totpCode(secret, t.clock.now());
    const first = await post(t, 'complete', { token, totp: code });
    expect(first.statusCode).toBe(200);
    t.clock.advance(30_000);
    expectError(await post(t, 'complete', { token, totp: totpCode(secret, t.clock.now()) }), 400, 'invalid_enrolment_token');
    expectError(await post(t, 'begin', { token, password: 'another long passphrase here' }), 400, 'invalid_enrolment_token');
    expectError(await post(t, 'lookup', { token }), 400, 'invalid_enrolment_token');
  });

  it('a link expires after 72 hours', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    t.clock.advance(72 * HOUR - 1);
    const look = await post(t, 'lookup', { token });
    expect(look.statusCode).toBe(200);
    expect(look.json()).toMatchObject({ username: 'new.officer', agencyName: 'Policia Judiciaria' });
    t.clock.advance(2);
    expectError(await post(t, 'lookup', { token }), 400, 'invalid_enrolment_token');
    expectError(await post(t, 'begin', { token, password: 'a long and unusual passphrase' }), 400, 'invalid_enrolment_token');
  });

  it('a link begun before expiry cannot be completed after it', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    const begin = await post(t, 'begin', { token, password: 'a long and unusual passphrase' });
    expect(begin.statusCode).toBe(200);
    t.clock.advance(72 * HOUR + 1);
    const code = totpCode(begin.json().totpSecret as string, t.clock.now());
    expectError(await post(t, 'complete', { token, totp: code }), 400, 'invalid_enrolment_token');
  });

  it('complete without begin, and a wrong code, are rejected without consuming the link', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    expectError(await post(t, 'complete', { token, totp: '123456' }), 400, 'enrolment_incomplete');
    const begin = await post(t, 'begin', { token, password: 'a long and unusual passphrase' });
    const secret = begin.json().totpSecret as string;
    const good = totpCode(secret, t.clock.now());
    const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
    expectError(await post(t, 'complete', { token, totp: wrong }), 400, 'invalid_totp');
    expect((await post(t, 'complete', { token, totp: good })).statusCode).toBe(200);
  });

  it('a reissued link revokes the older one', async () => {
    const t = await makeApp();
    const { token, officerId, adminTokens } = await invite(t);
    const re = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${officerId}/enrolment`, headers: bearer(adminTokens) });
    expect(re.statusCode).toBe(201);
    expectError(await post(t, 'lookup', { token }), 400, 'invalid_enrolment_token');
    expect((await post(t, 'lookup', { token: re.json().enrolment.token as string })).statusCode).toBe(200);
  });

  it('links of a suspended officer or of an officer in a suspended agency do not work; agency reactivation restores them', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const mk = async (username: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/agencies/${net.agency.id}/officers`,
        headers: bearer(net.agencyAdmin.tokens),
        payload: { username, displayName: username },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { officer: { id: string }; enrolment: { token: string } };
    };
    const a = await mk('to.suspend');
    const sus = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${a.officer.id}/suspend`, headers: bearer(net.agencyAdmin.tokens) });
    expect(sus.statusCode).toBe(200);
    expectError(await post(t, 'begin', { token: a.enrolment.token, password: 'a long and unusual passphrase' }), 400, 'invalid_enrolment_token');

    const b = await mk('agency.suspended');
    const begin = await post(t, 'begin', { token: b.enrolment.token, password: 'a long and unusual passphrase' });
    expect(begin.statusCode).toBe(200);
    const patch = (status: string) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/agencies/${net.agency.id}`, headers: bearer(net.admin.tokens), payload: { status } });
    expect((await patch('suspended')).statusCode).toBe(200);
    const secret = begin.json().totpSecret as string;
    expectError(await post(t, 'complete', { token: b.enrolment.token, totp: totpCode(secret, t.clock.now()) }), 400, 'invalid_enrolment_token');
    expectError(await post(t, 'lookup', { token: b.enrolment.token }), 400, 'invalid_enrolment_token');
    expect((await patch('active')).statusCode).toBe(200);
    const done = await post(t, 'complete', { token: b.enrolment.token, totp: totpCode(secret, t.clock.now()) });
    expect(done.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(done.json()) })).statusCode).toBe(200);
  });

  it('a made-up token is rejected', async () => {
    const t = await makeApp();
    expectError(await post(t, 'lookup', { token: 'x'.repeat(43) }), 400, 'invalid_enrolment_token');
  });
});

describe('password policy', () => {
  it('rejects 11 characters and common passwords; accepts a 12+ character passphrase', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    expectError(await post(t, 'begin', { token, password: 'abcdefghij1' }), 400, 'weak_password');
    for (const common of ['password1234', 'Password1234', '123456789012', 'aaaaaaaaaaaaaaaa', 'new.officer-2026x']) {
      expectError(await post(t, 'begin', { token, password: common }), 400, 'weak_password');
    }
    // 12 code points of multi-byte text are enough (length counts characters, not bytes).
    expect((await post(t, 'begin', { token, password: 'ñandú-ñandú!' })).statusCode).toBe(200);
    expect((await post(t, 'begin', { token, password: 'tram lantern oxide' })).statusCode).toBe(200);
  });

  it('does not truncate: a 200-character password cannot be used by its first 72 or 128 characters', async () => {
    const t = await makeApp();
    const { token } = await invite(t);
    const long = Array.from({ length: 200 }, (_, i) => 'liaison-passphrase-'.charAt(i % 19) + (i % 7 === 0 ? String(i % 10) : '')).join('').slice(0, 200);
    expect(long).toHaveLength(200);
    const who = await enrol(t, token, long);
    for (const prefix of [long.slice(0, 72), long.slice(0, 128), long.slice(0, 199)]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: who.username, password: prefix, totp: totpCode(who.totpSecret, t.clock.now()) },
      });
      expectError(res, 401, 'invalid_credentials');
      t.clock.advance(30_000);
    }
    const ok = await login(t, who);
    expect(ok.officer.username).toBe('new.officer');
  });
});
