import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RequestTimeoutError } from '../errors.ts';

/** `::ffff:1.2.3.4` and `1.2.3.4` are one client. */
export function normaliseIp(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address.toLowerCase();
}

/**
 * The client address as Fastify's `req.ip` computes it with `trustProxy: true` (the left-most
 * X-Forwarded-For entry), for raw requests Fastify never sees (socket.io's).
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim() !== '') return normaliseIp(forwarded.split(',')[0]!.trim());
  return normaliseIp(req.socket.remoteAddress);
}

/** Open things per client address, with a cap; `take` reserves one, the returned function gives it back once. */
export class PerIpCounter {
  private readonly open = new Map<string, number>();
  constructor(readonly max: number) {}

  take(ip: string): (() => void) | null {
    const n = this.open.get(ip) ?? 0;
    if (this.max > 0 && n >= this.max) return null;
    this.open.set(ip, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    };
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}

/**
 * Caps concurrent TCP connections per peer address: one over the cap is destroyed at accept, before
 * a byte is parsed. Behind a trusted reverse proxy every connection comes from the proxy, so the
 * cap is the proxy's job there (README, "Behind a reverse proxy") and this is not installed.
 */
export function capConnectionsPerIp(server: Server, max: number): PerIpCounter {
  const counter = new PerIpCounter(max);
  server.on('connection', (socket: Socket) => {
    const release = counter.take(normaliseIp(socket.remoteAddress));
    if (!release) {
      socket.destroy();
      return;
    }
    socket.once('close', release);
  });
  return counter;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Slow-body guard: after `graceMs`, a request body must have averaged at least `minBytesPerSecond`
 * since its headers, or it is cut with 408 request_timeout (and the connection closed). Node's own
 * requestTimeout covers the whole request and must stay generous for big uploads on slow links;
 * this catches the one-byte-every-few-seconds client long before that.
 */
export function enforceBodyRate(app: FastifyInstance, minBytesPerSecond: number, graceMs: number): void {
  // A reply sent before the body has arrived (auth failure, 404, limits, slow body) closes the
  // connection: otherwise Node keeps reading (and discarding) the rest of the body for the client.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.raw.complete === false) reply.header('connection', 'close');
    return payload;
  });
  if (minBytesPerSecond <= 0) return;
  const tickMs = Math.max(10, Math.min(1_000, graceMs));
  app.addHook('preParsing', async (req, _reply, payload: Readable) => {
    // A body that has already arrived in full cannot be slow: no wrapper, no timer (the common case).
    if (!hasBody(req.raw) || req.raw.complete) return payload;
    const started = performance.now();
    let received = 0;
    const counted = new PassThrough();
    // Whoever reads the body gets the error; a body nobody reads (reply already sent) must not crash.
    counted.on('error', () => {});
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      if (elapsed >= graceMs && received < (minBytesPerSecond * elapsed) / 1000) {
        clearInterval(timer);
        counted.destroy(new RequestTimeoutError(`Request body arrived too slowly (under ${minBytesPerSecond} bytes/s)`));
      }
    }, tickMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    counted.once('end', stop).once('close', stop);
    payload.once('close', stop);
    payload.on('data', (chunk: Buffer) => (received += chunk.length));
    payload.pipe(counted);
    payload.once('error', (err) => counted.destroy(err));
    return counted;
  });
}
