import { encodeFields, fromHex, toHex, u64be, u8, utf8 } from '../../shared/crypto/encoding.ts';
import { getSodium } from '../../shared/crypto/sodium.ts';
import { checkpointBytes } from '../../shared/crypto/audit-head.ts';

export { AUDIT_CHECKPOINT_LABEL, checkpointBytes, verifyCheckpointSignature } from '../../shared/crypto/audit-head.ts';

/** Pure functions for the audit hash chain; the byte format is in docs/AUDIT.md. */
export const AUDIT_EVENT_LABEL = 'liaison/audit-event/v1';
export const AUDIT_EVENT_SIGNATURE_LABEL = 'liaison/audit-event-signature/v1';
export const HASH_BYTES = 32;
export const GENESIS_HASH = '0'.repeat(HASH_BYTES * 2);

export interface ChainedFields {
  seq: number;
  at: number;
  actorId: string | null;
  agencyId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  /** The exact stored JSON text: the hash covers these bytes, so no canonical JSON is needed. */
  details: string;
  prevHash: string;
}

/** 0x00 for null, 0x01 || UTF-8 otherwise, so null and "" hash differently. */
function optional(s: string | null): Uint8Array {
  if (s === null) return u8(0);
  const body = utf8(s);
  const out = new Uint8Array(body.length + 1);
  out[0] = 1;
  out.set(body, 1);
  return out;
}

export function auditEventBytes(e: ChainedFields): Uint8Array {
  return encodeFields(AUDIT_EVENT_LABEL, [
    fromHex(e.prevHash),
    u64be(e.seq),
    u64be(e.at),
    optional(e.actorId),
    optional(e.agencyId),
    utf8(e.action),
    optional(e.targetType),
    optional(e.targetId),
    utf8(e.outcome),
    optional(e.ip),
    utf8(e.details),
  ]);
}

export function hashAuditEvent(e: ChainedFields): string {
  return toHex(getSodium().crypto_generichash(HASH_BYTES, auditEventBytes(e), null));
}

/** Every event is signed over its chained hash, so an attacker who can write the database but lacks the key cannot rewrite the chain. */
export function eventSignatureBytes(seq: number, hash: string): Uint8Array {
  return encodeFields(AUDIT_EVENT_SIGNATURE_LABEL, [u64be(seq), fromHex(hash)]);
}

export function signEvent(key: SigningKey, seq: number, hash: string): string {
  return toHex(getSodium().crypto_sign_detached(eventSignatureBytes(seq, hash), key.privateKey));
}

export function verifyEventSignature(publicKey: Uint8Array, seq: number, hash: string, signatureHex: string): boolean {
  try {
    return getSodium().crypto_sign_verify_detached(fromHex(signatureHex), eventSignatureBytes(seq, hash), publicKey);
  } catch {
    return false;
  }
}

export interface SigningKey {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  const kp = getSodium().crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}

export function signCheckpoint(key: SigningKey, seq: number, hash: string, at: number): string {
  return toHex(getSodium().crypto_sign_detached(checkpointBytes(seq, hash, at), key.privateKey));
}
