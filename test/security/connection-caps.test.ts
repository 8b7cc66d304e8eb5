/**
 * Finding 5b: one address cannot hold an unbounded number of connections: TCP connections over the
 * per-IP cap are closed at accept, socket.io handshakes over it (or over the rate limit) are refused,
 * unauthenticated socket.io sessions are dropped after the connect timeout, and socket.io's own
 * HTTP responses carry the same security headers as every other response.
 */
import { describe, expect, it } from 'vitest';
import { Manager } from 'socket.io-client';
import { defaultConfig } from '../../server/config.ts';
import { makeApp } from '../world/app.ts';
import { limits, listen, parseResponse, rawClient, within, type RawClient } from './support.ts';

const CAP = 5;
const SAFETY_MS = 8_000;

async function get(c: RawClient, path: string): Promise<void> {
  c.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
}

/** A polling handshake over fetch (one keep-alive connection): opens an engine.io session. */
async function handshake(port: number): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
}

describe('per-IP connection caps', () => {
  it('TCP connections over the per-IP cap are closed at accept; the first ones are served', async () => {
    const t = await makeApp({ config: { limits: limits({ maxConnectionsPerIp: CAP }) } });
    const port = await listen(t);
    const clients: RawClient[] = [];
    for (let i = 0; i < CAP + 3; i++) clients.push(await rawClient(port));
    const refused = clients.slice(CAP);
    expect(await within(Promise.all(refused.map((c) => c.closed)), SAFETY_MS), 'connections over the cap stayed open').toBe(true);
    for (const c of clients.slice(0, CAP)) await get(c, '/health/live');
    await within(
      (async () => {
        while (!clients.slice(0, CAP).every((c) => c.received().includes('\r\n\r\n'))) await new Promise((r) => setTimeout(r, 10));
      })(),
      SAFETY_MS,
    );
    expect(clients.slice(0, CAP).map((c) => parseResponse(c.received()).status)).toEqual(Array(CAP).fill(200));
    expect(refused.map((c) => c.received())).toEqual(Array(3).fill(''));
    // A closed connection frees its slot.
    clients[0]!.socket.destroy();
    await clients[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    const again = await rawClient(port);
    await get(again, '/health/live');
    await within(
      (async () => {
        while (!again.received().includes('\r\n\r\n') && !again.isClosed()) await new Promise((r) => setTimeout(r, 10));
      })(),
      SAFETY_MS,
    );
    expect(parseResponse(again.received()).status).toBe(200);
    for (const c of clients) c.socket.destroy();
    again.socket.destroy();
  });

  it('socket.io handshakes over the per-IP session cap are refused (sessions outlive their TCP connection)', async () => {
    const t = await makeApp({ config: { limits: limits({ maxConnectionsPerIp: CAP, socketConnectTimeoutMs: 30_000 }) } });
    const port = await listen(t);
    const statuses: number[] = [];
    for (let i = 0; i < CAP + 3; i++) {
      const res = await handshake(port);
      statuses.push(res.status);
      const text = await res.text();
      if (res.status === 403) expect(text).toContain('too_many_connections');
    }
    expect(statuses).toEqual([...Array(CAP).fill(200), ...Array(3).fill(403)]);
  });

  it('socket.io handshakes count against the per-IP rate limit', async () => {
    const t = await makeApp({ config: { rateLimit: { max: 3, windowMs: 60_000 }, limits: limits({ socketConnectTimeoutMs: 30_000 }) } });
    const port = await listen(t);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await handshake(port);
      statuses.push(res.status);
      if (res.status === 403) expect(await res.text()).toContain('rate_limited');
      else await res.text();
    }
    expect(statuses).toEqual([200, 200, 200, 403, 403]);
  });

  it('an unauthenticated socket.io session is dropped after the connect timeout and frees its slot', async () => {
    // The cap counts TCP connections and sessions alike; 2 leaves fetch a connection to spare.
    const t = await makeApp({ config: { limits: limits({ maxConnectionsPerIp: 2, socketConnectTimeoutMs: 300 }) } });
    const port = await listen(t);
    const sids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const open = await handshake(port);
      expect(open.status).toBe(200);
      sids.push((JSON.parse((await open.text()).slice(1)) as { sid: string }).sid);
    }
    const over = await handshake(port);
    expect(over.status).toBe(403);
    await over.text();
    // The long-poll returns when the server closes the never-authenticated session (a close packet, "1");
    // by then the other one is gone too (closed, or already unknown).
    const poll = (sid: string) => fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { signal: AbortSignal.timeout(SAFETY_MS) });
    // A poll payload may carry a noop ("6") before the close when the server flushes a replaced poll;
    // packets are separated by the record separator.
    const lastPacket = (payload: string) => payload.split('\x1e').at(-1);
    expect(lastPacket(await (await poll(sids[0]!)).text())).toBe('1');
    const second = await poll(sids[1]!);
    const text = await second.text();
    if (second.status === 400) expect(JSON.parse(text)).toEqual({ code: 1, message: 'Session ID unknown' });
    else expect(lastPacket(text)).toBe('1');
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const res = await handshake(port);
      status = res.status;
      await res.text();
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });

  it('60 unauthenticated WebSocket sessions held open from one address: only the cap is accepted', async () => {
    const t = await makeApp({ config: { rateLimit: { max: 100_000, windowMs: 60_000 }, limits: limits({ maxConnectionsPerIp: 20, socketConnectTimeoutMs: 30_000 }) } });
    const port = await listen(t);
    // Engine.io connections that never send socket.io's CONNECT (so never authenticate), as the finding did.
    const managers = Array.from({ length: 60 }, () => new Manager(`http://127.0.0.1:${port}`, { path: '/socket.io', transports: ['websocket'], reconnection: false, autoConnect: false }));
    try {
      const outcomes = await Promise.all(
        managers.map(
          (m) =>
            new Promise<string>((resolve) => {
              const timer = setTimeout(() => resolve('pending'), SAFETY_MS);
              m.open((err) => (clearTimeout(timer), resolve(err ? 'refused' : 'open')));
            }),
        ),
      );
      expect(outcomes.filter((o) => o === 'open')).toHaveLength(20);
      expect(outcomes.filter((o) => o === 'refused')).toHaveLength(40);
    } finally {
      for (const m of managers) m.engine?.close();
    }
  });

  it('socket.io HTTP responses (handshake and refusal) carry the same security headers as the API', async () => {
    const t = await makeApp({ config: { limits: limits({ maxConnectionsPerIp: 2, socketConnectTimeoutMs: 30_000 }) } });
    const port = await listen(t);
    const api = await fetch(`http://127.0.0.1:${port}/health/live`);
    const names = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'strict-transport-security', 'referrer-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'x-permitted-cross-domain-policies'];
    const expected = Object.fromEntries(names.map((n) => [n, api.headers.get(n)]));
    expect(expected['content-security-policy']).toContain("connect-src 'self'");
    await api.text();
    const ok = await handshake(port);
    await (await handshake(port)).text();
    const refused = await handshake(port);
    expect(refused.status).toBe(403);
    for (const res of [ok, refused]) {
      await res.text();
      expect(Object.fromEntries(names.map((n) => [n, res.headers.get(n)]))).toEqual(expected);
    }
  });

  it('control: the default cap is finite and configurable from the environment', () => {
    expect(defaultConfig().limits.maxConnectionsPerIp).toBeGreaterThan(0);
  });
});
