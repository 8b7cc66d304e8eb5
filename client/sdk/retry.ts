import { LiaisonApiError, NetworkError } from './errors.ts';

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Network failures and 5xx/429 are worth another try; 4xx answers are final. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return err instanceof LiaisonApiError && (err.status >= 500 || err.status === 429);
}

/**
 * Runs `fn` until it succeeds or fails with a final error. Callers pass a closure over the SAME
 * request (same message id, same envelope) so a retry after a lost answer is idempotent.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseDelayMs ?? 250;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      await sleep(base * 2 ** (attempt - 1));
    }
  }
}
