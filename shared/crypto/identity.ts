import { u32be, u64be, u8, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { VerificationError } from './errors.ts';
import {
  DH_PUBLIC_KEY_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  labelledHash,
  labelledSign,
  labelledVerify,
  rngOrDefault,
} from './primitives.ts';
import { getSodium } from './sodium.ts';
import { isRootKeyAt, type RootAuthority } from './root-set.ts';
import { bytes, id, int, lit, oneOf, wireCodec } from './wire.ts';

export const PROTOCOL_VERSION = 1;
export const PREKEY_ROTATION_MS = 7 * 24 * 3600 * 1000;
/** A prekey stays acceptable for one rotation period after its successor appears. */
export const PREKEY_LIFETIME_MS = 2 * PREKEY_ROTATION_MS;
export const OFFICER_ROLES = ['officer', 'agency_admin'] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

export interface PublicIdentity {
  officerId: string;
  agencyId: string;
  signPublicKey: Uint8Array;
  dhPublicKey: Uint8Array;
}

/** Ed25519 for signatures and an independent X25519 key for sealing: never converted into each other. */
export interface IdentityKeys extends PublicIdentity {
  signSecretKey: Uint8Array;
  dhSecretKey: Uint8Array;
}

export function generateIdentity(who: { officerId: string; agencyId: string }, rng?: Rng): IdentityKeys {
  const sodium = getSodium();
  const random = rngOrDefault(rng);
  const sign = sodium.crypto_sign_seed_keypair(random(32));
  const dhSecretKey = random(32);
  return {
    officerId: who.officerId,
    agencyId: who.agencyId,
    signPublicKey: sign.publicKey,
    signSecretKey: sign.privateKey,
    dhPublicKey: sodium.crypto_scalarmult_base(dhSecretKey),
    dhSecretKey,
  };
}

export function publicIdentity(keys: PublicIdentity): PublicIdentity {
  return { officerId: keys.officerId, agencyId: keys.agencyId, signPublicKey: keys.signPublicKey, dhPublicKey: keys.dhPublicKey };
}

/** Recomputes both public keys from the secrets: catches corrupted or swapped restores. */
export function identityKeysConsistent(keys: IdentityKeys): boolean {
  const sodium = getSodium();
  if (keys.signSecretKey.length !== 64 || keys.dhSecretKey.length !== 32) return false;
  const signPk = sodium.crypto_sign_ed25519_sk_to_pk(keys.signSecretKey);
  const seedPk = sodium.crypto_sign_seed_keypair(sodium.crypto_sign_ed25519_sk_to_seed(keys.signSecretKey)).publicKey;
  const dhPk = sodium.crypto_scalarmult_base(keys.dhSecretKey);
  return sodium.memcmp(signPk, keys.signPublicKey) && sodium.memcmp(seedPk, keys.signPublicKey) && sodium.memcmp(dhPk, keys.dhPublicKey);
}

// ---- officer certificates ----

export interface OfficerCertificate {
  v: 1;
  officerId: string;
  agencyId: string;
  role: OfficerRole;
  signPublicKey: Uint8Array;
  dhPublicKey: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  issuerOfficerId: string;
  issuerSignPublicKey: Uint8Array;
  signature: Uint8Array;
}

export const CERT_LABEL = 'liaison/v1/officer-cert';
export const CERT_HASH_LABEL = 'liaison/v1/officer-cert-hash';

export function certificateFields(c: Omit<OfficerCertificate, 'signature'>): Uint8Array[] {
  return [
    u8(c.v),
    utf8(c.officerId),
    utf8(c.agencyId),
    utf8(c.role),
    c.signPublicKey,
    c.dhPublicKey,
    u64be(c.issuedAt),
    u64be(c.expiresAt),
    utf8(c.issuerOfficerId),
    c.issuerSignPublicKey,
  ];
}

/**
 * v1: the agency admin's identity key is the agency root and signs officer certificates
 * (the admin's own certificate is self-issued). Upgrade path: see PROTOCOL.md §4.4.
 */
export function issueCertificate(
  subject: PublicIdentity,
  opts: { role: OfficerRole; issuedAt: number; expiresAt: number },
  issuer: IdentityKeys,
): OfficerCertificate {
  if (issuer.agencyId !== subject.agencyId) {
    throw new VerificationError('cert/wrong-agency', 'issueCertificate: issuer belongs to another agency');
  }
  const unsigned: Omit<OfficerCertificate, 'signature'> = {
    v: 1,
    officerId: subject.officerId,
    agencyId: subject.agencyId,
    role: opts.role,
    signPublicKey: subject.signPublicKey,
    dhPublicKey: subject.dhPublicKey,
    issuedAt: opts.issuedAt,
    expiresAt: opts.expiresAt,
    issuerOfficerId: issuer.officerId,
    issuerSignPublicKey: issuer.signPublicKey,
  };
  return { ...unsigned, signature: labelledSign(CERT_LABEL, certificateFields(unsigned), issuer.signSecretKey) };
}

export function certificateHash(cert: OfficerCertificate): Uint8Array {
  return labelledHash(CERT_HASH_LABEL, [...certificateFields(cert), cert.signature]);
}

/**
 * Throws VerificationError unless cert is signed by a root key of its agency in force at `now` (one v1 root
 * key, or a member of the root set in force at `now`, PROTOCOL.md §4.4) and valid at `now`.
 */
export function verifyCertificate(cert: OfficerCertificate, authority: RootAuthority, now: number): void {
  if (!isRootKeyAt(authority, cert.issuerSignPublicKey, now)) {
    throw new VerificationError('cert/wrong-issuer', 'verifyCertificate: issuer is not a root key of the agency');
  }
  if (!labelledVerify(CERT_LABEL, certificateFields(cert), cert.signature, cert.issuerSignPublicKey)) {
    throw new VerificationError('cert/bad-signature', 'verifyCertificate: signature does not verify');
  }
  if (now < cert.issuedAt) throw new VerificationError('cert/not-yet-valid', 'verifyCertificate: not yet valid');
  if (now >= cert.expiresAt) throw new VerificationError('cert/expired', 'verifyCertificate: expired');
}

export function certificateIdentity(cert: OfficerCertificate): PublicIdentity {
  return { officerId: cert.officerId, agencyId: cert.agencyId, signPublicKey: cert.signPublicKey, dhPublicKey: cert.dhPublicKey };
}

export const certificateSpec = {
  v: lit(1),
  officerId: id,
  agencyId: id,
  role: oneOf(OFFICER_ROLES),
  signPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  dhPublicKey: bytes(DH_PUBLIC_KEY_BYTES),
  issuedAt: int,
  expiresAt: int,
  issuerOfficerId: id,
  issuerSignPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  signature: bytes(SIGNATURE_BYTES),
} as const;
export const certificateCodec = wireCodec<OfficerCertificate>('certificate', certificateSpec);

// ---- signed prekeys ----

export interface SignedPrekey {
  v: 1;
  officerId: string;
  prekeyId: number;
  publicKey: Uint8Array;
  createdAt: number;
  expiresAt: number;
  signature: Uint8Array;
}

export const PREKEY_LABEL = 'liaison/v1/signed-prekey';

function prekeyFields(p: Omit<SignedPrekey, 'signature'>): Uint8Array[] {
  return [u8(p.v), utf8(p.officerId), u32be(p.prekeyId), p.publicKey, u64be(p.createdAt), u64be(p.expiresAt)];
}

export function generateSignedPrekey(
  identity: IdentityKeys,
  opts: { prekeyId: number; createdAt: number },
  rng?: Rng,
): { prekey: SignedPrekey; secretKey: Uint8Array } {
  const secretKey = rngOrDefault(rng)(32);
  const unsigned: Omit<SignedPrekey, 'signature'> = {
    v: 1,
    officerId: identity.officerId,
    prekeyId: opts.prekeyId,
    publicKey: getSodium().crypto_scalarmult_base(secretKey),
    createdAt: opts.createdAt,
    expiresAt: opts.createdAt + PREKEY_LIFETIME_MS,
  };
  return { prekey: { ...unsigned, signature: labelledSign(PREKEY_LABEL, prekeyFields(unsigned), identity.signSecretKey) }, secretKey };
}

export function verifySignedPrekey(prekey: SignedPrekey, signPublicKey: Uint8Array, now: number): void {
  if (!labelledVerify(PREKEY_LABEL, prekeyFields(prekey), prekey.signature, signPublicKey)) {
    throw new VerificationError('prekey/bad-signature', 'verifySignedPrekey: signature does not verify');
  }
  if (now < prekey.createdAt || now >= prekey.expiresAt) {
    throw new VerificationError('prekey/expired', 'verifySignedPrekey: outside its validity window');
  }
}

export function prekeyHash(prekey: SignedPrekey): Uint8Array {
  return labelledHash('liaison/v1/signed-prekey-hash', [...prekeyFields(prekey), prekey.signature]);
}

/** True when a new prekey is due (weekly rotation). */
export function prekeyRotationDue(prekey: SignedPrekey, now: number): boolean {
  return now - prekey.createdAt >= PREKEY_ROTATION_MS;
}

export const signedPrekeyCodec = wireCodec<SignedPrekey>('signedPrekey', {
  v: lit(1),
  officerId: id,
  prekeyId: { t: 'int', min: 0, max: 0xffff_ffff },
  publicKey: bytes(DH_PUBLIC_KEY_BYTES),
  createdAt: int,
  expiresAt: int,
  signature: bytes(SIGNATURE_BYTES),
});
