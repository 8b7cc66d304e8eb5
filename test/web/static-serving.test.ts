import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../world/app.ts';
import { buildWebOnce } from '../browser/harness.ts';
import { WEB_DIST, webBuildState } from '../../server/web/build.ts';
import { filesBeforeSignIn } from '../bench/web-bundle.ts';

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

  it('sends Brotli or gzip copies made at build time to browsers that accept them, and the plain file otherwise', async () => {
    const { app } = await makeApp();
    const root = await app.inject({ method: 'GET', url: '/' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(root.body)![1]!;
    const plain = await app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(zlib.brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    const gz = await app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
    // The compressed copies are not files of their own (index.html, under 1 KB, has none).
    expect((await app.inject({ method: 'GET', url: `${script}.br`, headers: { accept: 'application/json' } })).statusCode).toBe(404);
  });

  it('serves the PWA: the manifest, its icons, and the service worker at the root under a CSP that allows it', async () => {
    const { app } = await makeApp();
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.body).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(root.headers['content-security-policy']).toMatch(/worker-src 'self'/);
    const manifest = await app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(manifest.statusCode).toBe(200);
    expect(manifest.headers['content-type']).toMatch(/^application\/manifest\+json/);
    const m = manifest.json() as { name: string; display: string; start_url: string; scope: string; theme_color: string; icons: { src: string; sizes: string; type: string }[] };
    expect(m).toMatchObject({ name: 'Liaison', display: 'standalone', start_url: '/#/channels', scope: '/' });
    expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/);
    for (const size of ['192x192', '512x512']) expect(m.icons.some((i) => i.sizes === size && i.type === 'image/png')).toBe(true);
    for (const icon of m.icons) {
      const res = await app.inject({ method: 'GET', url: icon.src });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain(icon.type);
      if (icon.type === 'image/png') {
        // A real PNG of the size the manifest states (IHDR width and height).
        const png = res.rawPayload;
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
      }
    }
    const sw = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    // Never cached for long: a fixed worker would outlive a security fix.
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect(sw.body).toContain('showNotification');
    expect(sw.body).toContain('notificationclick');
    // A classic script with no imports, and nothing that caches or intercepts requests.
    expect(sw.body).not.toMatch(/\bimport\b|caches\.|addEventListener\(["']fetch["']/);
  });

  it('sends the sign-in form in ≤ 150 KB of Brotli, without libsodium; every file of the build is cached as immutable', async () => {
    const { app } = await makeApp();
    // What index.html loads before the sign-in form (build manifest): entry chunk, its static imports, the CSS.
    const files = filesBeforeSignIn();
    let brotli = 0;
    for (const file of files) {
      const res = await app.inject({ method: 'GET', url: `/${file === 'index.html' ? '' : file}`, headers: { accept: 'text/html', 'accept-encoding': 'br' } });
      expect(res.statusCode, file).toBe(200);
      brotli += res.rawPayload.length;
      // libsodium's WebAssembly (sumo) and the SDK's crypto are loaded after the form renders.
      const text = res.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(res.rawPayload).toString() : res.body;
      expect(text, file).not.toMatch(/crypto_sign_detached|libsodium/);
    }
    expect(brotli).toBeLessThanOrEqual(150 * 1024);
    // …they come later, from chunks of their own, with the same long caching (their names carry their hash).
    const lazy = fs.readdirSync(path.join(WEB_DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f) && !files.includes(`assets/${f}`));
    expect(lazy.length).toBeGreaterThan(10);
    const sodium = lazy.find((f) => fs.readFileSync(path.join(WEB_DIST, 'assets', f), 'utf8').includes('crypto_sign_detached'));
    expect(sodium).toBeDefined();
    for (const f of [sodium!, ...lazy.slice(0, 5)]) {
      const res = await app.inject({ method: 'GET', url: `/assets/${f}`, headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
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
