import type { IdentityKeys } from '../../shared/crypto/index.ts';
import type { Officer } from '../../shared/schemas/accounts.ts';
import type { LiaisonEvents } from './events.ts';
import type { TypedEmitter } from './events.ts';
import type { HttpClient } from './http.ts';
import type { SealedStore } from './sealed-store.ts';
import type { StateStore } from './store.ts';
import { LiaisonClientError } from './errors.ts';

/** What every SDK module shares: transport, storage, events, clock and the signed-in identity. */
export interface SdkContext {
  http: HttpClient;
  store: StateStore;
  sealed: SealedStore;
  events: TypedEmitter<LiaisonEvents>;
  now: () => number;
  /** Set after login (or restore). */
  officer: Officer | null;
  /** Stable id of this installation (named in membership events, key envelopes and sender chains). */
  deviceId: string;
  /** Unlocked identity keys; null while locked. */
  keys: IdentityKeys | null;
  /**
   * The sign-in password typed into this client (login or enrolment), in memory only and only until
   * keys exist (createIdentity, unlock, lock, logout): createIdentity checks the passphrase against it.
   */
  signInPassword: string | null;
}

export function requireOfficer(ctx: SdkContext, fn: string): Officer {
  if (!ctx.officer) throw new LiaisonClientError('auth/signed-out', `${fn}: sign in first`);
  return ctx.officer;
}

export function requireKeys(ctx: SdkContext, fn: string): IdentityKeys {
  if (!ctx.keys) throw new LiaisonClientError('keys/locked', `${fn}: keys are locked; unlock() or createIdentity() first`);
  return ctx.keys;
}

/** RFC 4122 v4 id from the platform CSPRNG (Node 20 and browsers). */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** Responses are wrapped (`{ agreement }`, `{ keys }`…); accept both shapes. */
export function unwrap<T>(body: unknown, key: string): T {
  if (body && typeof body === 'object' && key in body) return (body as Record<string, unknown>)[key] as T;
  return body as T;
}
