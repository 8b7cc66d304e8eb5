/** Raw-socket helpers for the attack tests: a listening app on 127.0.0.1:0 and byte-level clients. */
import net from 'node:net';
import { defaultConfig, type AppConfig } from '../../server/config.ts';
import type { TestApp } from '../world/app.ts';
import { listen as listenUrl, sleep } from '../world/messaging.ts';

export { sleep };

/** config.limits with some fields overridden (tests use milliseconds the environment cannot express). */
export function limits(overrides: Partial<AppConfig['limits']>): AppConfig['limits'] {
  return { ...defaultConfig().limits, ...overrides };
}

/** The app listening on 127.0.0.1 (World's listen), as a port for raw clients. */
export async function listen(t: TestApp): Promise<number> {
  return Number(new URL(await listenUrl(t)).port);
}

/** A raw TCP client that records what it received and when the server closed it. */
export interface RawClient {
  socket: net.Socket;
  received: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    let done = false;
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => {}); // a reset by the server is what some tests expect
    const closed = new Promise<void>((r) => socket.once('close', () => ((done = true), r())));
    socket.once('connect', () => resolve({ socket, received: () => data, closed, isClosed: () => done }));
    socket.once('error', reject);
  });
}

/** Resolves true when `p` settles within `ms` (a safety bound so a failing test ends; never a timing assertion). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Status line and JSON body of the first HTTP response in `raw`. */
export function parseResponse(raw: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const text = rest.join('\r\n\r\n');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
