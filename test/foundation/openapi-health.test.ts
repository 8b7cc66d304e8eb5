import { describe, expect, it } from 'vitest';
import { bearer, expectError, makeApp, provision } from '../world/app.ts';

describe('health', () => {
  it('/health/live and /health/ready answer without authentication', async () => {
    const t = await makeApp();
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });
});

describe('OpenAPI', () => {
  it('/docs/json is an OpenAPI 3 document listing the API with bearer security and the error schema', async () => {
    const t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Liaison API');
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/me',
      '/api/v1/sessions',
      '/api/v1/agencies',
      '/api/v1/agencies/{id}/officers',
      '/api/v1/officers/{id}/suspend',
      '/api/v1/officers/{id}/unlock',
      '/api/v1/enrolment/begin',
      '/api/v1/audit',
      '/api/v1/audit/verify',
      '/health/ready',
    ]) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/auth/login']?.post?.security).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/auth/login']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '423', '429']));
  });
});

describe('HTTP surface', () => {
  it('sends security headers (helmet) with a CSP that allows WebAssembly', async () => {
    const t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval' ");
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sends no CORS headers for a cross-origin request by default (simple and preflight)', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example', ...bearer(net.officer.tokens) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/login',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('CORS, when configured, allows only the listed origin', async () => {
    const t = await makeApp({ config: { corsOrigins: ['https://liaison.example'] } });
    const good = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://liaison.example' } });
    expect(good.headers['access-control-allow-origin']).toBe('https://liaison.example');
    const bad = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://evil.example' } });
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an unknown route is 404 not_found, with or without /api prefix and credentials', async () => {
    const t = await makeApp();
    expectError(await t.app.inject({ method: 'GET', url: '/nope' }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'DELETE', url: '/api/v1/agencies' }), 404, 'not_found');
  });

  it('a 500 does not leak stack traces or internals', async () => {
    const t = await makeApp();
    const net = await provision(t);
    // Provoke an internal failure without touching server code: the database goes away under the app.
    t.app.ctx.store.close();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(net.officer.tokens) });
    expectError(res, 500, 'internal_error');
    expect(res.json().error.message).toBe('Internal server error');
    expect(res.body).not.toMatch(/at \w+ \(|\.ts:\d+|database connection|TypeError|node_modules/);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.code).toBe('not_ready');
  });
});
