/**
 * Finding 13: with `connect-src 'self' ws: wss:` injected script could open a WebSocket to any host
 * and ship decrypted plaintext out. connect-src is now 'self' plus the configured public origin.
 */
import { describe, expect, it } from 'vitest';
import { makeApp } from '../world/app.ts';

function directive(csp: string | undefined, name: string): string[] {
  const found = (csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).find(([n]) => n === name);
  return found ? found.slice(1) : [];
}

describe('CSP connect-src', () => {
  it('does not let the web app open WebSockets (or fetch) to any other host', async () => {
    const t = await makeApp();
    for (const url of ['/', '/health/live', '/api/v1/nope']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      const connect = directive(res.headers['content-security-policy'] as string | undefined, 'connect-src');
      expect(connect, url).toEqual(["'self'", 'http://liaison.test', 'ws://liaison.test']);
      for (const wildcard of ['ws:', 'wss:', 'http:', 'https:', '*']) expect(connect).not.toContain(wildcard);
    }
  });

  it('an https public URL allows only its own wss: origin', async () => {
    const t = await makeApp({ config: { publicUrl: 'https://liaison.example.org' } });
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(directive(res.headers['content-security-policy'] as string, 'connect-src')).toEqual(["'self'", 'https://liaison.example.org', 'wss://liaison.example.org']);
  });
});
