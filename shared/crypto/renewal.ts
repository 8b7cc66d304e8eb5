import { constantTimeEqual, u64be, u8, utf8 } from './encoding.ts';
import { VerificationError } from './errors.ts';
import { CLOCK_SKEW_MS } from './epoch.ts';
import { certificateHash, type IdentityKeys, type OfficerCertificate } from './identity.ts';
import { HASH_BYTES, SIGNATURE_BYTES, labelledSign, labelledVerify } from './primitives.ts';
import { bytes, id, int, lit, wireCodec } from './wire.ts';

/**
 * Certificate renewal (PROTOCOL.md §4.2, protocol v2): the officer asks its agency root for a new
 * certificate for the same keys by signing the hash of its current certificate with its identity key.
 */
export interface CertRenewalRequest {
  v: 1;
  officerId: string;
  /** certificateHash of the certificate being renewed (the officer's current one). */
  certificateHash: Uint8Array;
  time: number;
  signature: Uint8Array;
}

export const RENEWAL_REQUEST_LABEL = 'liaison/v2/cert-renewal-request';
/** A verifier accepts a request dated at most this far from its own clock (either side). */
export const RENEWAL_REQUEST_TOLERANCE_MS = CLOCK_SKEW_MS;

export function renewalRequestFields(r: Omit<CertRenewalRequest, 'signature'>): Uint8Array[] {
  return [u8(r.v), utf8(r.officerId), r.certificateHash, u64be(r.time)];
}

/** The instant renewal is due: issuedAt + ⌊(expiresAt − issuedAt) · 4 / 5⌋ (80 % of the lifetime). */
export function renewalDueAt(cert: Pick<OfficerCertificate, 'issuedAt' | 'expiresAt'>): number {
  return cert.issuedAt + Math.floor(((cert.expiresAt - cert.issuedAt) * 4) / 5);
}

/** True from 80 % of the certificate's lifetime on (expired certificates included). */
export function renewalDue(cert: Pick<OfficerCertificate, 'issuedAt' | 'expiresAt'>, now: number): boolean {
  return now >= renewalDueAt(cert);
}

/** Signed by the certificate's subject with its identity key. */
export function createRenewalRequest(keys: IdentityKeys, cert: OfficerCertificate, time: number): CertRenewalRequest {
  if (cert.officerId !== keys.officerId || !constantTimeEqual(cert.signPublicKey, keys.signPublicKey)) {
    throw new VerificationError('cert/renewal-wrong-subject', 'createRenewalRequest: the certificate is not for these keys');
  }
  const unsigned: Omit<CertRenewalRequest, 'signature'> = { v: 1, officerId: keys.officerId, certificateHash: certificateHash(cert), time };
  return { ...unsigned, signature: labelledSign(RENEWAL_REQUEST_LABEL, renewalRequestFields(unsigned), keys.signSecretKey) };
}

/**
 * Verifier checks, in order: the request names the certificate's officer (`cert/renewal-wrong-subject`);
 * it names this certificate (`cert/renewal-wrong-certificate`); the signature verifies under the
 * certificate's signing key (`cert/renewal-bad-signature`); its time is within
 * RENEWAL_REQUEST_TOLERANCE_MS of `now` (`cert/renewal-time-skew`).
 */
export function verifyRenewalRequest(req: CertRenewalRequest, current: OfficerCertificate, now: number): void {
  if (req.officerId !== current.officerId) {
    throw new VerificationError('cert/renewal-wrong-subject', 'verifyRenewalRequest: the request names another officer');
  }
  if (!constantTimeEqual(req.certificateHash, certificateHash(current))) {
    throw new VerificationError('cert/renewal-wrong-certificate', 'verifyRenewalRequest: the request names another certificate than the current one');
  }
  if (!labelledVerify(RENEWAL_REQUEST_LABEL, renewalRequestFields(req), req.signature, current.signPublicKey)) {
    throw new VerificationError('cert/renewal-bad-signature', 'verifyRenewalRequest: signature does not verify under the certified key');
  }
  if (Math.abs(req.time - now) > RENEWAL_REQUEST_TOLERANCE_MS) {
    throw new VerificationError('cert/renewal-time-skew', 'verifyRenewalRequest: the request time is too far from the verifier clock');
  }
}

export const renewalRequestCodec = wireCodec<CertRenewalRequest>('certRenewalRequest', {
  v: lit(1),
  officerId: id,
  certificateHash: bytes(HASH_BYTES),
  time: int,
  signature: bytes(SIGNATURE_BYTES),
});
