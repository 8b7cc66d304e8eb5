import { constantTimeEqual, decodeFields, encodeFields, toHex, u64be, u8, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { BackupError, CryptoError } from './errors.ts';
import { identityKeysConsistent } from './identity.ts';
import type { IdentityKeys } from './identity.ts';
import { AEAD_NONCE_BYTES, DH_PUBLIC_KEY_BYTES, SIGN_PUBLIC_KEY_BYTES, rngOrDefault } from './primitives.ts';
import { getSodium } from './sodium.ts';
import { bytes, id, int, lit, oneOf, wireCodec } from './wire.ts';

export const BACKUP_KDF_ALG = 'argon2id13';
export const BACKUP_SALT_BYTES = 16;
/** libsodium's MODERATE: 3 passes over 256 MiB. The opener refuses anything weaker. */
export const BACKUP_MIN_OPSLIMIT = 3;
export const BACKUP_MIN_MEMLIMIT_BYTES = 256 * 1024 * 1024;
/** Upper bounds stop a hostile blob from making the opener burn minutes or gigabytes. */
export const BACKUP_MAX_OPSLIMIT = 10;
export const BACKUP_MAX_MEMLIMIT_BYTES = 1024 * 1024 * 1024;
export const RECOVERY_CODE_BYTES = 16;
export const BACKUP_SECRET_KINDS = ['passphrase', 'recovery-code'] as const;
export type BackupSecretKind = (typeof BACKUP_SECRET_KINDS)[number];
export const MIN_PASSPHRASE_CHARS = 12;

const AD_LABEL = 'liaison/v1/key-backup';
const PLAINTEXT_LABEL = 'liaison/v1/key-backup-keys';

export interface BackupBlob {
  v: 1;
  officerId: string;
  agencyId: string;
  signPublicKey: Uint8Array;
  dhPublicKey: Uint8Array;
  secretKind: BackupSecretKind;
  kdf: typeof BACKUP_KDF_ALG;
  opslimit: number;
  memlimit: number;
  salt: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** Everything that identifies the blob is AEAD associated data: swapping or downgrading breaks the tag. */
function backupAd(b: Omit<BackupBlob, 'nonce' | 'ciphertext'>): Uint8Array {
  return encodeFields(AD_LABEL, [
    u8(b.v),
    utf8(b.officerId),
    utf8(b.agencyId),
    b.signPublicKey,
    b.dhPublicKey,
    utf8(b.secretKind),
    utf8(b.kdf),
    u64be(b.opslimit),
    u64be(b.memlimit),
    b.salt,
  ]);
}

/** 128-bit code shown as 8 groups of 4 hex digits. */
export function generateRecoveryCode(rng?: Rng): string {
  const hex = toHex(rngOrDefault(rng)(RECOVERY_CODE_BYTES));
  return hex.match(/.{4}/g)!.join('-');
}

/** Case, spaces and dashes do not matter when typing the code back. */
export function normaliseRecoveryCode(code: string): string {
  const hex = code.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new BackupError('backup/bad-recovery-code', 'normaliseRecoveryCode: need 32 hex digits');
  return hex;
}

function secretBytes(kind: BackupSecretKind, secret: string): Uint8Array {
  if (kind === 'recovery-code') return utf8(normaliseRecoveryCode(secret));
  return utf8(secret.normalize('NFKC'));
}

function deriveKey(secret: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number): Uint8Array {
  const sodium = getSodium();
  return sodium.crypto_pwhash(32, secret, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
}

export function sealBackup(
  keys: IdentityKeys,
  secret: { kind: BackupSecretKind; value: string },
  opts: { opslimit?: number; memlimit?: number; rng?: Rng } = {},
): BackupBlob {
  const fn = 'sealBackup';
  if (secret.kind === 'passphrase' && secret.value.normalize('NFKC').length < MIN_PASSPHRASE_CHARS) {
    throw new BackupError('backup/weak-passphrase', `${fn}: passphrase shorter than ${MIN_PASSPHRASE_CHARS} characters`);
  }
  const opslimit = opts.opslimit ?? BACKUP_MIN_OPSLIMIT;
  const memlimit = opts.memlimit ?? BACKUP_MIN_MEMLIMIT_BYTES;
  checkCost(fn, opslimit, memlimit);
  const rng = rngOrDefault(opts.rng);
  const meta: Omit<BackupBlob, 'nonce' | 'ciphertext'> = {
    v: 1,
    officerId: keys.officerId,
    agencyId: keys.agencyId,
    signPublicKey: keys.signPublicKey,
    dhPublicKey: keys.dhPublicKey,
    secretKind: secret.kind,
    kdf: BACKUP_KDF_ALG,
    opslimit,
    memlimit,
    salt: rng(BACKUP_SALT_BYTES),
  };
  const sodium = getSodium();
  const key = deriveKey(secretBytes(secret.kind, secret.value), meta.salt, opslimit, memlimit);
  const nonce = rng(AEAD_NONCE_BYTES);
  const plaintext = encodeFields(PLAINTEXT_LABEL, [keys.signSecretKey, keys.dhSecretKey]);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, backupAd(meta), null, nonce, key);
  sodium.memzero(key);
  sodium.memzero(plaintext);
  return { ...meta, nonce, ciphertext };
}

function checkCost(fn: string, opslimit: number, memlimit: number): void {
  if (opslimit < BACKUP_MIN_OPSLIMIT || memlimit < BACKUP_MIN_MEMLIMIT_BYTES) {
    throw new BackupError('backup/kdf-too-weak', `${fn}: Argon2id cost below MODERATE`);
  }
  if (opslimit > BACKUP_MAX_OPSLIMIT || memlimit > BACKUP_MAX_MEMLIMIT_BYTES) {
    throw new BackupError('backup/kdf-too-costly', `${fn}: Argon2id cost above the accepted maximum`);
  }
}

/**
 * Opens a blob for `expectedOfficerId`. Checks cost before running Argon2id, then the AEAD
 * (which binds officer, keys and KDF parameters), then that the secrets match the public keys.
 * The caller then runs checkKeysAgainstLog on the result.
 */
export function openBackup(blob: BackupBlob, secret: string, expectedOfficerId: string): IdentityKeys {
  const fn = 'openBackup';
  if (blob.v !== 1 || blob.kdf !== BACKUP_KDF_ALG) throw new BackupError('backup/unsupported', `${fn}: unknown version or KDF`);
  if (blob.officerId !== expectedOfficerId) throw new BackupError('backup/wrong-officer', `${fn}: blob belongs to another officer`);
  checkCost(fn, blob.opslimit, blob.memlimit);
  if (blob.salt.length !== BACKUP_SALT_BYTES || blob.nonce.length !== AEAD_NONCE_BYTES) throw new BackupError('backup/malformed', `${fn}: bad salt or nonce length`);
  const sodium = getSodium();
  let secretInput: Uint8Array;
  try {
    secretInput = secretBytes(blob.secretKind, secret);
  } catch (cause) {
    throw new BackupError('backup/wrong-secret', `${fn}: passphrase or recovery code is wrong`, { cause });
  }
  const key = deriveKey(secretInput, blob.salt, blob.opslimit, blob.memlimit);
  let plaintext: Uint8Array;
  try {
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, blob.ciphertext, backupAd(blob), blob.nonce, key);
  } catch (cause) {
    throw new BackupError('backup/wrong-secret', `${fn}: passphrase or recovery code is wrong, or the blob was altered`, { cause });
  } finally {
    sodium.memzero(key);
  }
  let fields: Uint8Array[];
  try {
    fields = decodeFields(PLAINTEXT_LABEL, plaintext, 2);
  } catch (cause) {
    if (cause instanceof CryptoError) throw new BackupError('backup/malformed', `${fn}: inner frame invalid`, { cause });
    throw cause;
  }
  const keys: IdentityKeys = {
    officerId: blob.officerId,
    agencyId: blob.agencyId,
    signPublicKey: blob.signPublicKey,
    dhPublicKey: blob.dhPublicKey,
    signSecretKey: fields[0]!.slice(),
    dhSecretKey: fields[1]!.slice(),
  };
  sodium.memzero(plaintext);
  if (!identityKeysConsistent(keys)) throw new BackupError('backup/key-mismatch', `${fn}: secret keys do not match the public keys`);
  return keys;
}

/** Cheap pre-check a client can run before the expensive open (e.g. UI warning). */
export function backupMatchesIdentity(blob: BackupBlob, identity: { officerId: string; signPublicKey: Uint8Array; dhPublicKey: Uint8Array }): boolean {
  return blob.officerId === identity.officerId && constantTimeEqual(blob.signPublicKey, identity.signPublicKey) && constantTimeEqual(blob.dhPublicKey, identity.dhPublicKey);
}

export const backupBlobCodec = wireCodec<BackupBlob>('backupBlob', {
  v: lit(1),
  officerId: id,
  agencyId: id,
  signPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  dhPublicKey: bytes(DH_PUBLIC_KEY_BYTES),
  secretKind: oneOf(BACKUP_SECRET_KINDS),
  kdf: lit(BACKUP_KDF_ALG),
  opslimit: int,
  memlimit: int,
  salt: bytes(BACKUP_SALT_BYTES),
  nonce: bytes(AEAD_NONCE_BYTES),
  ciphertext: bytes(64 + 32 + 4 * 3 + 26 + 16),
});
