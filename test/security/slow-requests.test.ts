/**
 * Finding 5a: slow clients must not hold connections open. Slow headers (slowloris), slow bodies
 * (one byte every few seconds) and idle keep-alive sockets are all closed by the server; a body
 * that keeps arriving above the floor is served. Small configured limits keep this fast.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import { makeApp } from '../world/app.ts';
import { limits, listen, parseResponse, rawClient, sleep, within } from './support.ts';

const SAFETY_MS = 8_000; // only so a regression fails instead of hanging

async function slowApp(overrides: Parameters<typeof limits>[0]) {
  const t = await makeApp({
    config: {
      // The sign-in throttle (30/min) would answer some of the 40 with 429 first; this is about slowness.
      login: { ...defaultConfig().login, ipMaxPerWindow: 1_000 },
      limits: limits({ requestTimeoutMs: 60_000, headersTimeoutMs: 10_000, minBodyBytesPerSecond: 256, bodyGraceMs: 300, ...overrides }),
    },
  });
  return { t, port: await listen(t) };
}

describe('slow and idle connections', () => {
  it('a slow-body sign-in (one byte at a time) is cut with 408 request_timeout and the connection closed', async () => {
    const { port } = await slowApp({});
    const c = await rawClient(port);
    c.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    const drip = setInterval(() => c.isClosed() || c.socket.write(' '), 100);
    try {
      expect(await within(c.closed, SAFETY_MS), 'the server kept the slow connection open').toBe(true);
    } finally {
      clearInterval(drip);
    }
    const res = parseResponse(c.received());
    expect(res.status).toBe(408);
    expect(res.body).toMatchObject({ error: { code: 'request_timeout' } });
    expect(res.headers['connection']).toBe('close');
  });

  it('40 slow-body requests from one client are all closed', async () => {
    const { port } = await slowApp({});
    const clients = await Promise.all(Array.from({ length: 40 }, () => rawClient(port)));
    for (const c of clients) c.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"u');
    expect(await within(Promise.all(clients.map((c) => c.closed)), SAFETY_MS)).toBe(true);
    expect(clients.map((c) => parseResponse(c.received()).status)).toEqual(Array(40).fill(408));
  });

  it('a slow upload that is refused before its body (401, 404) does not keep the connection', async () => {
    const { port } = await slowApp({ minBodyBytesPerSecond: 0 });
    for (const [url, status] of [['/api/v1/channels/abc/attachments', 401], ['/api/v1/no-such-route', 404]] as const) {
      const c = await rawClient(port);
      c.socket.write(`POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\nx`);
      expect(await within(c.closed, SAFETY_MS), `${url}: the server kept reading the body`).toBe(true);
      const res = parseResponse(c.received());
      expect(res.status).toBe(status);
      expect(res.headers['connection']).toBe('close');
    }
  });

  it('slow headers (slowloris) are cut by the headers timeout', async () => {
    const { port } = await slowApp({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const c = await rawClient(port);
    c.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => c.isClosed() || c.socket.write('X-A: b\r\n'), 100);
    try {
      expect(await within(c.closed, SAFETY_MS), 'the server kept the slowloris connection open').toBe(true);
    } finally {
      clearInterval(drip);
    }
    expect(parseResponse(c.received()).status).toBe(408);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { port } = await slowApp({ keepAliveTimeoutMs: 300 });
    const c = await rawClient(port);
    c.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await within(c.closed, SAFETY_MS), 'the idle keep-alive socket stayed open').toBe(true);
    expect(parseResponse(c.received()).status).toBe(200);
  });

  it('a connection that never sends a byte is closed by the idle timeout', async () => {
    const { port } = await slowApp({ idleTimeoutMs: 300, headersTimeoutMs: 10_000 });
    const c = await rawClient(port);
    expect(await within(c.closed, SAFETY_MS), 'the silent socket stayed open').toBe(true);
  });

  it('control: a body that keeps arriving above the floor is served, not cut', async () => {
    const { port } = await slowApp({ minBodyBytesPerSecond: 100, bodyGraceMs: 100 });
    const body = JSON.stringify({ username: 'nobody.here', password: 'x'.repeat(150), totp: '123456' });
    const c = await rawClient(port);
    c.socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    // ~1,000 bytes/s, in pieces, for longer than the grace period.
    for (let i = 0; i < body.length; i += 25) {
      c.socket.write(body.slice(i, i + 25));
      await sleep(25);
    }
    expect(await within(c.closed, SAFETY_MS)).toBe(true);
    const res = parseResponse(c.received());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'invalid_credentials' } });
  });
});
