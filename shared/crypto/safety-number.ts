import { concatBytes, constantTimeEqual, encodeFields, u8, utf8 } from './encoding.ts';
import type { PublicIdentity } from './identity.ts';
import { getSodium } from './sodium.ts';

/** Iterated SHA-512 (as in Signal) makes brute-forcing a colliding key pair costlier. */
export const SAFETY_NUMBER_ITERATIONS = 5200;
export const SAFETY_NUMBER_DIGITS = 60;
const FINGERPRINT_LABEL = 'liaison/v1/safety-number';
const QR_LABEL = 'liaison/v1/safety-qr';
const FINGERPRINT_BYTES = 30;

/** 30-byte per-officer fingerprint over both identity public keys. */
export function identityFingerprint(who: Pick<PublicIdentity, 'officerId' | 'signPublicKey' | 'dhPublicKey'>): Uint8Array {
  const sodium = getSodium();
  const keys = concatBytes(who.signPublicKey, who.dhPublicKey);
  let h = encodeFields(FINGERPRINT_LABEL, [utf8(who.officerId), keys]);
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = sodium.crypto_hash_sha512(concatBytes(h, keys));
  return h.subarray(0, FINGERPRINT_BYTES);
}

/** 30 digits: six 5-byte big-endian chunks, each mod 100000. */
export function fingerprintDigits(fp: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 6; i++) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + fp[i * 5 + j]!;
    out += String(n % 100_000).padStart(5, '0');
  }
  return out;
}

export interface SafetyNumber {
  /** 60 digits; both officers see the same string. */
  digits: string;
  /** 12 groups of 5 digits for display. */
  groups: string[];
  /** Bytes to render as a QR code (base64url them if the QR library wants text). */
  qrPayload: Uint8Array;
}

/** Order-independent: the half with the smaller digit string comes first. */
export function safetyNumber(a: PublicIdentity, b: PublicIdentity): SafetyNumber {
  const fa = identityFingerprint(a);
  const fb = identityFingerprint(b);
  const da = fingerprintDigits(fa);
  const db = fingerprintDigits(fb);
  const [first, second] = da <= db ? [fa, fb] : [fb, fa];
  const digits = da <= db ? da + db : db + da;
  return {
    digits,
    groups: digits.match(/.{5}/g)!,
    qrPayload: encodeFields(QR_LABEL, [u8(1), first, second]),
  };
}

/** Compares a scanned QR payload with the locally computed one. */
export function verifySafetyQr(scanned: Uint8Array, mine: PublicIdentity, theirs: PublicIdentity): boolean {
  return constantTimeEqual(scanned, safetyNumber(mine, theirs).qrPayload);
}
