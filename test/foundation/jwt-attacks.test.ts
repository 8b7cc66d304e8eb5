import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, expectError, forgeJwt, jwtPrivateKeyPem, login, makeApp, provision, type TestApp } from '../world/app.ts';
import type { Network } from '../world/app.ts';

const ME = '/api/v1/me';

async function setup(): Promise<{ t: TestApp; net: Network; pem: string; publicPem: string; claims: { sub: string; sid: string } }> {
  const t = await makeApp();
  const net = await provision(t);
  const pem = jwtPrivateKeyPem(t.config.dataDir);
  const publicPem = crypto.createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
  return { t, net, pem, publicPem, claims: { sub: net.officer.id, sid: net.officer.tokens.sessionId } };
}

function validPayload(claims: { sub: string; sid: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { ...claims, iss: 'liaison', aud: 'liaison-api', iat: now, exp: now + 600, ...extra };
}

const eddsa = (pem: string) => (input: string) => crypto.sign(null, Buffer.from(input), pem);
const hs256 = (secret: string) => (input: string) => crypto.createHmac('sha256', secret).update(input).digest();

async function me(t: TestApp, token: string) {
  return t.app.inject({ method: 'GET', url: ME, headers: { authorization: `Bearer ${token}` } });
}

describe('access-token forgery', () => {
  it('a correctly EdDSA-signed forged token is accepted (control: the forging helper is right)', async () => {
    const { t, pem, claims } = await setup();
    const res = await me(t, forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, validPayload(claims), eddsa(pem)));
    expect(res.statusCode).toBe(200);
    expect(res.json().officer.id).toBe(claims.sub);
  });

  it('rejects alg "none" (with and without a trailing signature)', async () => {
    const { t, claims } = await setup();
    for (const alg of ['none', 'None', 'NONE']) {
      const token = forgeJwt({ alg, typ: 'JWT' }, validPayload(claims), () => '');
      expectError(await me(t, token), 401, 'invalid_token');
    }
  });

  it('rejects HS256 signed with the public key PEM as HMAC secret (algorithm confusion)', async () => {
    const { t, claims, publicPem } = await setup();
    const token = forgeJwt({ alg: 'HS256', typ: 'JWT' }, validPayload(claims), hs256(publicPem));
    expectError(await me(t, token), 401, 'invalid_token');
  });

  it('rejects HS256 signed with an empty secret', async () => {
    const { t, claims } = await setup();
    const token = forgeJwt({ alg: 'HS256', typ: 'JWT' }, validPayload(claims), hs256(''));
    expectError(await me(t, token), 401, 'invalid_token');
  });

  it('rejects an expired token even with a valid signature', async () => {
    const { t, claims, pem } = await setup();
    const now = Math.floor(Date.now() / 1000);
    const token = forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, validPayload(claims, { iat: now - 1200, exp: now - 600 }), eddsa(pem));
    expectError(await me(t, token), 401, 'invalid_token');
  });

  it('rejects a wrong audience or issuer, and tokens missing sid', async () => {
    const { t, claims, pem } = await setup();
    for (const extra of [{ aud: 'other-api' }, { iss: 'evil' }, { aud: ['other', 'x'] }]) {
      const token = forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, validPayload(claims, extra), eddsa(pem));
      expectError(await me(t, token), 401, 'invalid_token');
    }
    const { sid: _sid, ...noSid } = validPayload(claims);
    expectError(await me(t, forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, noSid, eddsa(pem))), 401, 'invalid_token');
    const { exp: _exp, ...noExp } = validPayload(claims);
    expectError(await me(t, forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, noExp, eddsa(pem))), 401, 'invalid_token');
    // A token signed by some other Ed25519 key.
    const other = crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expectError(await me(t, forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, validPayload(claims), eddsa(other))), 401, 'invalid_token');
  });

  it('rejects a tampered payload carrying the original signature', async () => {
    const { t, net } = await setup();
    const real = net.officer.tokens.accessToken;
    expect((await me(t, real)).statusCode).toBe(200);
    const [h, p, s] = real.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, sub: net.admin.tokens.officer.id })).toString('base64url');
    expectError(await me(t, `${h}.${forgedPayload}.${s}`), 401, 'invalid_token');
    // A flipped bit in the signature is rejected too.
    const sig = Buffer.from(s, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    expectError(await me(t, `${h}.${p}.${sig.toString('base64url')}`), 401, 'invalid_token');
  });

  it('rejects a validly signed token whose sid belongs to another officer', async () => {
    const { t, net, pem } = await setup();
    const token = forgeJwt(
      { alg: 'EdDSA', typ: 'JWT' },
      validPayload({ sub: net.admin.tokens.officer.id, sid: net.officer.tokens.sessionId }),
      eddsa(pem),
    );
    expectError(await me(t, token), 401, 'session_expired');
  });

  it('rejects missing or malformed Authorization headers', async () => {
    const { t, net } = await setup();
    expectError(await t.app.inject({ method: 'GET', url: ME }), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'GET', url: ME, headers: { authorization: net.officer.tokens.accessToken } }), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'GET', url: ME, headers: { authorization: 'Bearer a b' } }), 401, 'unauthorized');
    expectError(await me(t, 'not.a.jwt'), 401, 'invalid_token');
  });
});

describe('tokens of a suspended officer', () => {
  it('access and refresh tokens stop working as soon as the officer is suspended', async () => {
    const { t, net } = await setup();
    const tokens = await login(t, net.officer);
    expect((await me(t, tokens.accessToken)).statusCode).toBe(200);
    const suspend = await t.app.inject({
      method: 'POST',
      url: `/api/v1/officers/${net.officer.id}/suspend`,
      headers: bearer(net.agencyAdmin.tokens),
    });
    expect(suspend.statusCode).toBe(200);
    expect(suspend.json().officer.status).toBe('suspended');
    const after = await me(t, tokens.accessToken);
    expect(after.statusCode).toBe(401);
    expect(['session_expired', 'account_inactive']).toContain(after.json().error.code);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(refresh.statusCode).toBe(401);
    expect(['session_expired', 'account_inactive']).toContain(refresh.json().error.code);
  });
});
