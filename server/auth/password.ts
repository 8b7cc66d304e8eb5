import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../../shared/schemas/auth.ts';
import type { Argon2Params } from '../config.ts';
import { BusyError, ValidationError } from '../errors.ts';

// Algorithm.Argon2id is an ambient const enum, which isolatedModules cannot inline.
const ARGON2ID = 2;

/** ~49k common and breached passwords shipped with zxcvbn-ts, plus long ones people pick to pass a 12-character rule. */
const COMMON: ReadonlySet<string> = new Set([
  ...(dictionary['passwords-common'] as string[]),
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'qwertyuiop123',
  'qwertyuiopasdfghjkl',
  '123456789012',
  '1234567890123',
  'abcdefghijkl',
  'iloveyou1234',
  'administrator',
  'administrator1',
  'liaisonliaison',
  'liaison123456',
  'changemechangeme',
]);

/**
 * Password policy: length only (≥ 12 characters, counted as code points), no composition rules,
 * and rejection of known common or breached passwords (NIST SP 800-63B §5.1.1.2).
 */
export function checkPasswordPolicy(password: string, username?: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_CHARS) {
    throw new ValidationError(`Password must be at least ${PASSWORD_MIN_CHARS} characters long`, 'weak_password');
  }
  if (length > PASSWORD_MAX_CHARS) {
    throw new ValidationError(`Password must be at most ${PASSWORD_MAX_CHARS} characters long`, 'weak_password');
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) {
    throw new ValidationError('This password appears in lists of common or breached passwords; choose another', 'weak_password');
  }
  if (username && lower.includes(username.toLowerCase())) {
    throw new ValidationError('Password must not contain your username', 'weak_password');
  }
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
