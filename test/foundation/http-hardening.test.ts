import { describe, expect, it } from 'vitest';
import { bearer, expectError, makeApp, provision } from '../world/app.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('request body hardening', () => {
  it('an oversized body gets 413 payload_too_large', async () => {
    const t = await makeApp();
    const big = JSON.stringify({ username: 'x', password: 'p'.repeat(1024 * 1024 + 10), totp: '123456' });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: JSON_HEADERS, payload: big });
    expectError(res, 413, 'payload_too_large');
    // Also on authenticated routes (the limit is global).
    const net = await provision(t);
    const res2 = await t.app.inject({ method: 'POST', url: '/api/v1/agencies', headers: { ...JSON_HEADERS, ...bearer(net.admin.tokens) }, payload: big });
    expectError(res2, 413, 'payload_too_large');
    // Unauthenticated, the same request is refused before the body is read.
    expectError(await t.app.inject({ method: 'POST', url: '/api/v1/agencies', headers: JSON_HEADERS, payload: big }), 401, 'unauthorized');
  });

  it('malformed JSON gets 400 invalid_json', async () => {
    const t = await makeApp();
    for (const payload of ['{"username":', '{username: "a"}', "{'a':1}", '']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: JSON_HEADERS, payload });
      expectError(res, 400, 'invalid_json');
    }
  });

  it('a __proto__ payload is rejected with 400 and pollutes nothing', async () => {
    const t = await makeApp();
    const payload = '{"username":"a","password":"bbbbbbbbbbbb","totp":"123456","__proto__":{"polluted":true,"role":"platform_admin"}}';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: JSON_HEADERS, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a constructor.prototype payload is rejected with 400', async () => {
    const t = await makeApp();
    const payload = '{"username":"a","password":"bbbbbbbbbbbb","totp":"123456","constructor":{"prototype":{"polluted":true}}}';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: JSON_HEADERS, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nested __proto__ inside an authenticated body is rejected too', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const payload = `{"name":"Evil","country":"FR","kind":"police","admin":{"username":"evil","displayName":"E","__proto__":{"role":"platform_admin"}}}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/agencies',
      headers: { ...JSON_HEADERS, ...bearer(net.admin.tokens) },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('unknown properties are errors, not silently dropped', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'extra.prop', displayName: 'Extra', status: 'active' },
    });
    expectError(res, 400, 'validation_failed');
  });

  it('a non-JSON content type gets 415', async () => {
    const t = await makeApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a&password=b&totp=123456',
    });
    expectError(res, 415, 'unsupported_media_type');
  });
});
