import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../../shared/schemas/auth.ts';
import type { Argon2Params } from '../config.ts';
import { ValidationError } from '../errors.ts';

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

/** A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Argon2id on libuv's thread pool (native, async): the event loop never waits on a hash.
 * Concurrent hashes are capped below the core count so a sign-in burst cannot starve the
 * main thread of CPU (bursts queue instead of stalling every other request).
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;
  private readonly gate = new Semaphore(Math.max(1, availableParallelism() - 1));
  constructor(private readonly params: Argon2Params) {}

  hash(password: string): Promise<string> {
    return this.gate.run(() => hash(password, { algorithm: ARGON2ID, ...this.params }));
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await this.gate.run(() => verify(stored, password));
    } catch {
      return false;
    }
  }

  /** Computes the dummy hash up front, so the first unknown-username sign-in is not slower than later ones. */
  async warmUp(): Promise<void> {
    this.dummy ??= this.hash('liaison-dummy-password-for-timing');
    await this.dummy;
  }

  /** Spends the same work as a real check, so unknown usernames are not faster to reject. */
  async verifyDummy(password: string): Promise<void> {
    this.dummy ??= this.hash('liaison-dummy-password-for-timing');
    await this.verify(await this.dummy, password);
  }
}
