/**
 * Finding 4: the per-IP limiter must count a request before its token is looked at, on every route
 * (authenticated, public and unknown), or forged tokens probe the API without ever being throttled.
 */
import { describe, expect, it } from 'vitest';
import { expectError, forgeJwt, makeApp } from '../world/app.ts';

const MAX = 10;
const FORGED = forgeJwt({ alg: 'EdDSA', typ: 'JWT' }, { sub: 'x', sid: 'y', iss: 'liaison', aud: 'liaison-api', exp: 9e9 }, () => Buffer.alloc(64));

describe('per-IP rate limit runs before authentication', () => {
  it('requests with forged bearer tokens are counted and get 429 once the budget is spent', async () => {
    const t = await makeApp({ config: { rateLimit: { max: MAX, windowMs: 60_000 } } });
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 5; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: { authorization: `Bearer ${FORGED}` } });
      statuses.push(res.statusCode);
      if (i === MAX + 4) {
        expectError(res, 429, 'rate_limited');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.slice(0, MAX)).toEqual(Array(MAX).fill(401));
    expect(statuses.slice(MAX)).toEqual(Array(5).fill(429));
  });

  it('requests with no or malformed Authorization headers are counted too', async () => {
    const t = await makeApp({ config: { rateLimit: { max: MAX, windowMs: 60_000 } } });
    const headers = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer !!' }];
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 3; i++) {
      statuses.push((await t.app.inject({ method: 'POST', url: '/api/v1/agencies', headers: headers[i % 3], payload: {} })).statusCode);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it('unknown URLs (404) spend the same budget', async () => {
    const t = await makeApp({ config: { rateLimit: { max: MAX, windowMs: 60_000 } } });
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 3; i++) statuses.push((await t.app.inject({ method: 'POST', url: `/api/v1/nope-${i}`, payload: {} })).statusCode);
    expect(statuses.slice(0, MAX)).toEqual(Array(MAX).fill(404));
    expectError(await t.app.inject({ method: 'DELETE', url: '/nope' }), 429, 'rate_limited');
  });

  it('one address spending its budget does not throttle another', async () => {
    const t = await makeApp({ config: { rateLimit: { max: MAX, windowMs: 60_000 } } });
    for (let i = 0; i < MAX + 2; i++) await t.app.inject({ method: 'GET', url: '/api/v1/agencies', remoteAddress: '10.0.0.1' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/agencies', remoteAddress: '10.0.0.1' })).statusCode).toBe(429);
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/agencies', remoteAddress: '10.0.0.2' }), 401, 'unauthorized');
  });
});
