import type { AppConfig } from '../config.ts';
import type { AccountsRepository } from './repository.ts';

/** What a refused or failed sign-in tells the caller. */
export interface ThrottleVerdict {
  /** Failures left (the smaller of account and source) before the next one starts a back-off. */
  triesRemaining: number;
  /** Milliseconds before the next attempt is evaluated; 0 = now. */
  retryAfterMs: number;
  /** Which counters this failure pushed into back-off (for the audit trail). */
  started: ('account' | 'source')[];
}

interface Counter {
  key: string;
  scope: 'account' | 'source';
  free: number;
}

/**
 * NIST SP 800-63B §5.2.2 throttling of failed sign-ins, per account (normalised username, known or
 * not, so it reveals nothing) and per source IP: `free` failures cost nothing, then each failure
 * doubles the wait before the next attempt is evaluated, up to `backoffMaxMs`. Never an indefinite
 * lock: after the wait, correct credentials always work. Counters are forgotten after
 * `failureWindowMs` without a failure; an administrator can clear an account's counter.
 */
export class LoginThrottle {
  constructor(private readonly cfg: AppConfig['login']) {}

  private counters(username: string, ip: string | null): Counter[] {
    // Prefixed keys: a username can never be mistaken for an IP counter (the login body accepts any string).
    const account: Counter = { key: `u:${username}`, scope: 'account', free: this.cfg.maxFailures };
    return ip ? [account, { key: `ip:${ip}`, scope: 'source', free: this.cfg.sourceMaxFailures }] : [account];
  }

  /** Back-off after `count` failures: 0 while free, then base · 2^(count − free), capped. */
  private delayAfter(count: number, free: number): number {
    if (count < free) return 0;
    return Math.min(this.cfg.backoffBaseMs * 2 ** Math.min(count - free, 40), this.cfg.backoffMaxMs);
  }

  /** The live failure count and the instant of the latest failure, or null when forgotten. */
  private async state(repo: AccountsRepository, key: string, now: number): Promise<{ count: number; last: number; since: number } | null> {
    const row = await repo.loginFailure(key);
    if (!row) return null;
    const last = row.lastFailureAt ?? row.windowStart;
    if (now - last > this.cfg.failureWindowMs) return null;
    return { count: row.count, last, since: row.windowStart };
  }

  private async waitFor(repo: AccountsRepository, c: Counter, now: number): Promise<number> {
    const s = await this.state(repo, c.key, now);
    return s ? Math.max(0, s.last + this.delayAfter(s.count, c.free) - now) : 0;
  }

  /** Milliseconds before an attempt for this username from this source is evaluated (0 = now). */
  async waitMs(repo: AccountsRepository, username: string, ip: string | null, now: number): Promise<number> {
    let wait = 0;
    for (const c of this.counters(username, ip)) wait = Math.max(wait, await this.waitFor(repo, c, now));
    return wait;
  }

  /** True while the account's failures are past the free ones (what administrators see as "locked"). */
  async isThrottled(repo: AccountsRepository, username: string, now: number): Promise<boolean> {
    const s = await this.state(repo, `u:${username}`, now);
    return s !== null && s.count >= this.cfg.maxFailures;
  }

  /** Records one failure on the account and source counters; call inside the sign-in transaction. */
  async recordFailure(repo: AccountsRepository, username: string, ip: string | null, now: number): Promise<ThrottleVerdict> {
    let triesRemaining = Infinity;
    let retryAfterMs = 0;
    const started: ThrottleVerdict['started'] = [];
    for (const c of this.counters(username, ip)) {
      const prev = await this.state(repo, c.key, now);
      const count = (prev?.count ?? 0) + 1;
      await repo.upsertLoginFailure({
        username: c.key,
        count,
        windowStart: prev?.since ?? now,
        lockedAt: count >= c.free ? now : null,
        lastFailureAt: now,
      });
      if (count === c.free) started.push(c.scope);
      triesRemaining = Math.min(triesRemaining, Math.max(0, c.free - count));
      retryAfterMs = Math.max(retryAfterMs, this.delayAfter(count, c.free));
    }
    return { triesRemaining, retryAfterMs, started };
  }

  /** A successful sign-in or an administrator clears the account's counter (the source's stays). */
  async clear(repo: AccountsRepository, username: string): Promise<void> {
    await repo.clearLoginFailures(`u:${username}`);
    // Rows written before keys were prefixed (indefinite locks of the old policy) are dropped too.
    await repo.clearLoginFailures(username);
  }
}
