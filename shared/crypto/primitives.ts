import { encodeFields, randomBytes } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { VerificationError } from './errors.ts';
import { getSodium } from './sodium.ts';

export const HASH_BYTES = 32;
export const SIGN_PUBLIC_KEY_BYTES = 32;
export const SIGN_SECRET_KEY_BYTES = 64;
export const SIGN_SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const DH_PUBLIC_KEY_BYTES = 32;
export const DH_SECRET_KEY_BYTES = 32;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const SEALED_BOX_OVERHEAD_BYTES = 48;
export const ZERO_HASH = new Uint8Array(HASH_BYTES);

/** Labelled BLAKE2b-256 of the canonical field encoding. */
export function labelledHash(label: string, fields: Uint8Array[], key?: Uint8Array): Uint8Array {
  return getSodium().crypto_generichash(HASH_BYTES, encodeFields(label, fields), key ?? null);
}

/** Ed25519 over the labelled encoding, so a signature can never be replayed in another role. */
export function labelledSign(label: string, fields: Uint8Array[], signSecretKey: Uint8Array): Uint8Array {
  return getSodium().crypto_sign_detached(encodeFields(label, fields), signSecretKey);
}

/** Ed25519 detached verification; the server injects native libsodium, clients use this WASM build. */
export type VerifyDetached = (signature: Uint8Array, message: Uint8Array, signPublicKey: Uint8Array) => boolean;

export const wasmVerifyDetached: VerifyDetached = (signature, message, signPublicKey) =>
  getSodium().crypto_sign_verify_detached(signature, message, signPublicKey);

/** Length checks and the throw-means-false rule live here, so every primitive is held to the same order. */
export function labelledVerify(
  label: string,
  fields: Uint8Array[],
  signature: Uint8Array,
  signPublicKey: Uint8Array,
  verify: VerifyDetached = wasmVerifyDetached,
): boolean {
  if (signature.length !== SIGNATURE_BYTES || signPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) return false;
  try {
    return verify(signature, encodeFields(label, fields), signPublicKey);
  } catch {
    return false;
  }
}

export function requireSignature(ok: boolean, code: string, message: string): void {
  if (!ok) throw new VerificationError(code, message);
}

export function rngOrDefault(rng: Rng | undefined): Rng {
  return rng ?? randomBytes;
}

export function checkLength(fn: string, what: string, value: Uint8Array, expected: number): void {
  if (!(value instanceof Uint8Array) || value.length !== expected) {
    throw new VerificationError('input/length', `${fn}: ${what} must be ${expected} bytes`);
  }
}
