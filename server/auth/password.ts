import { hash, verify } from '@node-rs/argon2';
import { assessPassword } from '../../shared/passwords/strength.ts';
import type { PasswordOwner } from '../../shared/passwords/rules.ts';
import type { Argon2Params } from '../config.ts';
import { BusyError, ValidationError } from '../errors.ts';

// Algorithm.Argon2id is an ambient const enum, which isolatedModules cannot inline.
const ARGON2ID = 2;

/**
 * Password policy (shared/passwords/strength.ts, the same rule the web app's meter shows): 12–1024
 * characters, no composition rules, not a known common or breached password (NIST SP 800-63B
 * §5.1.1.2), and a zxcvbn score of at least 3 given the officer's username, name and agency.
 */
export function checkPasswordPolicy(password: string, owner: PasswordOwner): void {
  const { problem } = assessPassword(password, owner);
  if (problem) throw new ValidationError(problem, 'weak_password');
}

/**
 * A counting semaphore: at most `limit` tasks run at once and at most `maxQueue` wait, in FIFO order.
 * A full queue sheds (BusyError) instead of making every caller, the administrator's own sign-in
 * included, wait behind a burst.
 */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly limit: number,
    private readonly maxQueue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxQueue) throw new BusyError('Too many sign-ins in progress; retry shortly');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface HasherLimits {
  /** Hashes running at once (keep below the core count). */
  concurrency: number;
  /** Hashes allowed to wait for a slot; beyond that BusyError (503 busy). */
  maxQueue: number;
}

/**
 * Argon2id on libuv's thread pool (native, async): the event loop never waits on a hash.
 * Concurrent hashes are capped below the core count so a sign-in burst cannot starve the
 * main thread of CPU; the queue behind them is bounded and sheds with BusyError.
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;
  private readonly gate: Semaphore;
  constructor(
    private readonly params: Argon2Params,
    limits: HasherLimits,
  ) {
    this.gate = new Semaphore(limits.concurrency, limits.maxQueue);
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => hash(password, { algorithm: ARGON2ID, ...this.params }));
  }

  async verify(stored: string, password: string): Promise<boolean> {
    return this.gate.run(async () => {
      try {
        return await verify(stored, password);
      } catch {
        // A malformed stored hash is a failed check, never a crash; BusyError (from run) still propagates.
        return false;
      }
    });
  }

  /** Computes the dummy hash up front, so the first unknown-username sign-in is not slower than later ones. */
  async warmUp(): Promise<void> {
    await this.dummyHash();
  }

  /** Spends the same work as a real check, so unknown usernames are not faster to reject. */
  async verifyDummy(password: string): Promise<void> {
    await this.verify(await this.dummyHash(), password);
  }

  /** A shed (busy) first attempt must not leave a rejected promise cached for every later caller. */
  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash('liaison-dummy-password-for-timing').catch((err: unknown) => {
      this.dummy = undefined;
      throw err;
    });
    return this.dummy;
  }
}
