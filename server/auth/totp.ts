import { Secret, TOTP } from 'otpauth';
import { fromB64, randomBytes, toB64, utf8 } from '../../shared/crypto/encoding.ts';
import { getSodium } from '../../shared/crypto/sodium.ts';

export const TOTP_PERIOD_S = 30;
const TOTP_DIGITS = 6;
const SEED_BYTES = 20;
const SEAL_LABEL = 'liaison/totp-seed/v1:';

export function newTotpSecret(): string {
  return new Secret({ size: SEED_BYTES }).base32;
}

export function totpFor(secretBase32: string, label: string, issuer: string): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * Returns the 30-second step the code belongs to (±1 step of clock drift), or null.
 * The caller accepts a step only if it is newer than the last accepted one, so a code works once.
 */
export function matchTotpStep(secretBase32: string, code: string, now: number): number | null {
  const totp = totpFor(secretBase32, 'x', 'x');
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / TOTP_PERIOD_S) + delta;
}

/** TOTP seeds are sealed at rest with the server data key, bound to the officer id. */
export function sealTotpSecret(dataKey: Uint8Array, officerId: string, secretBase32: string): string {
  const sodium = getSodium();
  const nonce = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    utf8(secretBase32),
    utf8(SEAL_LABEL + officerId),
    null,
    nonce,
    dataKey,
  );
  return `${toB64(nonce)}.${toB64(ct)}`;
}

export function openTotpSecret(dataKey: Uint8Array, officerId: string, sealed: string): string {
  const sodium = getSodium();
  const [n, c] = sealed.split('.');
  if (!n || !c) throw new Error('openTotpSecret: malformed sealed seed');
  const pt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromB64(c), utf8(SEAL_LABEL + officerId), fromB64(n), dataKey);
  return new TextDecoder().decode(pt);
}
