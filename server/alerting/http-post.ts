import http from 'node:http';
import https from 'node:https';

/** Largest answer body read from a push service or webhook (only the status matters). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface PostResult {
  status: number;
}

/** Why a POST did not get an answer: bounded time, or the network. Messages never carry the URL. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly reason: 'timeout' | 'network',
    options?: { cause?: unknown },
  ) {
    super(`post: ${reason}`, options);
  }
}

/**
 * POSTs `body` and resolves with the status; the whole exchange (connect, send, answer) must finish
 * within `timeoutMs`. No redirects are followed and no proxy is used: the target is exactly the URL.
 */
export function postBytes(url: URL, headers: Record<string, string | number>, body: Buffer, timeoutMs: number): Promise<PostResult> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = lib.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': body.length }, agent: false }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      res.on('close', () => finish(() => resolve({ status: res.statusCode ?? 0 })));
      res.on('error', () => finish(() => resolve({ status: res.statusCode ?? 0 })));
    });
    const timer = setTimeout(() => {
      finish(() => reject(new DeliveryError('timeout')));
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish(() => reject(new DeliveryError('network', { cause: err }))));
    req.end(body);
  });
}

/** A short, secret-free reason for a failed POST (for results, audit and logs). */
export function failureReason(err: unknown): string {
  return err instanceof DeliveryError ? err.reason : 'error';
}
