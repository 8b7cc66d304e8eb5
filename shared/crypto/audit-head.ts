import { encodeFields, fromHex, u64be } from './encoding.ts';
import { getSodium } from './sodium.ts';

/** Signed audit-trail heads (docs/AUDIT.md): shared by the server, which signs them, and clients that remember them. */
export const AUDIT_CHECKPOINT_LABEL = 'liaison/audit-checkpoint/v1';

/** A signed head as it leaves the server: the appended heads file and GET /audit/head. Hex strings. */
export interface SignedAuditHead {
  seq: number;
  hash: string;
  at: number;
  signature: string;
  publicKey: string;
}

export function checkpointBytes(seq: number, hash: string, at: number): Uint8Array {
  return encodeFields(AUDIT_CHECKPOINT_LABEL, [u64be(seq), fromHex(hash), u64be(at)]);
}

export function verifyCheckpointSignature(publicKey: Uint8Array, seq: number, hash: string, at: number, signatureHex: string): boolean {
  try {
    return getSodium().crypto_sign_verify_detached(fromHex(signatureHex), checkpointBytes(seq, hash, at), publicKey);
  } catch {
    return false;
  }
}

/** True when `head` is signed by the key it names (callers still decide whether they trust that key). */
export function verifySignedAuditHead(head: SignedAuditHead): boolean {
  try {
    return verifyCheckpointSignature(fromHex(head.publicKey), head.seq, head.hash, head.at, head.signature);
  } catch {
    return false;
  }
}
