import { getSodium, toB64, utf8, type IdentityKeys } from '../../shared/crypto/index.ts';

/** crypto_kdf context (8 bytes) and subkey id of the case-reference blind-index key. */
const KDF_CONTEXT = 'LsnCase1';
const KDF_SUBKEY_ID = 1;
const INDEX_BYTES = 32;

/** Case references compare case- and spacing-insensitively: "pt 2026/0412" = "PT-2026/0412 ". */
export function normaliseCaseRef(ref: string): string {
  return ref.normalize('NFKC').trim().toUpperCase().replace(/[\s_-]+/g, '-');
}

/**
 * Keyed blind index of a case reference, so the server can find "my channel for case X" without
 * learning X. The key is derived (crypto_kdf) from the officer's identity seed under its own
 * context, so only this officer's devices compute matching indexes; other members search their
 * decrypted channel metadata locally.
 */
export function caseRefIndex(keys: IdentityKeys, ref: string): string {
  const sodium = getSodium();
  const seed = sodium.crypto_sign_ed25519_sk_to_seed(keys.signSecretKey);
  const key = sodium.crypto_kdf_derive_from_key(sodium.crypto_generichash_KEYBYTES, KDF_SUBKEY_ID, KDF_CONTEXT, seed);
  try {
    return toB64(sodium.crypto_generichash(INDEX_BYTES, utf8(normaliseCaseRef(ref)), key));
  } finally {
    sodium.memzero(seed);
    sodium.memzero(key);
  }
}
