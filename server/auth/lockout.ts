import type { AppConfig } from '../config.ts';
import type { AccountsRepository } from '../accounts/repository.ts';

/**
 * Failed sign-ins per normalised username (known or not): `maxFailures` within `failureWindowMs` lock it
 * until an administrator unlocks it, or until the optional cool-down passes.
 */
export class Lockout {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly cfg: AppConfig['login'],
  ) {}

  isLocked(username: string, now: number): boolean {
    const row = this.repo.loginFailure(username);
    if (!row || row.lockedAt === null) return false;
    if (this.cfg.lockoutCooldownMs > 0 && now >= row.lockedAt + this.cfg.lockoutCooldownMs) return false;
    return true;
  }

  /** Records one failure; returns true if this failure locked the account. */
  recordFailure(username: string, now: number): boolean {
    const row = this.repo.loginFailure(username);
    const cooledDown =
      row?.lockedAt != null && this.cfg.lockoutCooldownMs > 0 && now >= row.lockedAt + this.cfg.lockoutCooldownMs;
    const fresh = !row || cooledDown || now - row.windowStart > this.cfg.failureWindowMs;
    const count = fresh ? 1 : row.count + 1;
    const windowStart = fresh ? now : row.windowStart;
    const locks = count >= this.cfg.maxFailures;
    this.repo.upsertLoginFailure({ username, count, windowStart, lockedAt: locks ? now : null });
    return locks && (fresh || row?.lockedAt == null);
  }

  clear(username: string): void {
    this.repo.clearLoginFailures(username);
  }
}
