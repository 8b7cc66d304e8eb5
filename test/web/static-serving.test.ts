import { beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../world/app.ts';
import { buildWebOnce } from '../browser/harness.ts';
import { webBuildState } from '../../server/web/build.ts';

describe('the web app served by the Liaison server', () => {
  beforeAll(async () => {
    await buildWebOnce();
  }, 120_000);

  it('is fresh after a build', () => {
    expect(webBuildState().state).toBe('fresh');
  });

  it('serves index.html at / and as the SPA fallback, assets with long caching, under the CSP', async () => {
    const { app } = await makeApp();
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toMatch(/text\/html/);
    expect(root.headers['cache-control']).toBe('no-cache');
    expect(root.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(root.body).toContain('<div id="app">');
    expect(root.body).not.toMatch(/<script>(?!<)/); // no inline scripts
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(root.body)![1]!;
    const asset = await app.inject({ method: 'GET', url: script });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const deep = await app.inject({ method: 'GET', url: '/some/page', headers: { accept: 'text/html' } });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<div id="app">');
  });

  it('leaves the API, docs and health alone', async () => {
    const { app } = await makeApp();
    const unknownApi = await app.inject({ method: 'GET', url: '/api/v1/nope', headers: { accept: 'text/html' } });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    const json = await app.inject({ method: 'GET', url: '/missing.json', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await app.inject({ method: 'POST', url: '/' })).statusCode).toBe(404);
  });
});
