import { compareBytes, constantTimeEqual, u32be, u64be, u8, utf8 } from './encoding.ts';
import { VerificationError } from './errors.ts';
import type { IdentityKeys } from './identity.ts';
import { HASH_BYTES, SIGN_PUBLIC_KEY_BYTES, SIGNATURE_BYTES, ZERO_HASH, labelledHash, labelledSign, labelledVerify } from './primitives.ts';
import { arr, bytes, id, int, lit, obj, wireCodec, type FieldSpec } from './wire.ts';

/**
 * Agency root sets (PROTOCOL.md §4.4, v2): an agency's root is a set of administrator signing keys with a
 * threshold k. Any member of the set in force certifies officers; changing the set needs k signatures of the
 * set in force. Version 0 is implicit: the v1 root key alone, threshold 1.
 */
export const ROOT_SET_LABEL = 'liaison/v2/root-set';
export const ROOT_SET_ID_LABEL = 'liaison/v2/root-set-id';
export const MAX_ROOT_SET_MEMBERS = 16;

export interface RootSetMember {
  officerId: string;
  signPublicKey: Uint8Array;
}

export interface RootSetSignature {
  signPublicKey: Uint8Array;
  signature: Uint8Array;
}

export interface RootSet {
  v: 2;
  agencyId: string;
  version: number;
  threshold: number;
  /** Sorted by signPublicKey (byte order), no key or officer twice. */
  members: RootSetMember[];
  /** Id of the set this one replaces (version 0: 32 zero bytes). */
  prevId: Uint8Array;
  time: number;
  /** Signatures by members of the previous set (empty for version 0). */
  signatures: RootSetSignature[];
}

export type UnsignedRootSet = Omit<RootSet, 'signatures'>;

function fail(code: string, message: string): never {
  throw new VerificationError(code, message);
}

export function rootSetFields(s: UnsignedRootSet): Uint8Array[] {
  return [
    u8(s.v),
    utf8(s.agencyId),
    u64be(s.version),
    u32be(s.threshold),
    u32be(s.members.length),
    ...s.members.flatMap((m) => [utf8(m.officerId), m.signPublicKey]),
    s.prevId,
    u64be(s.time),
  ];
}

/** The set's id: a hash of its content without signatures, so collecting signatures does not change it. */
export function rootSetId(s: UnsignedRootSet): Uint8Array {
  return labelledHash(ROOT_SET_ID_LABEL, rootSetFields(s));
}

/** The implicit version 0: the v1 agency root key (the first administrator's identity key), threshold 1. */
export function genesisRootSet(agencyId: string, root: RootSetMember): RootSet {
  return { v: 2, agencyId, version: 0, threshold: 1, members: [root], prevId: ZERO_HASH, time: 0, signatures: [] };
}

/** Builds the successor of `prev`, members sorted; sign it with `signRootSet` by k members of `prev`. */
export function proposeRootSet(prev: RootSet, next: { members: RootSetMember[]; threshold: number; time: number }): UnsignedRootSet {
  const members = [...next.members].sort((a, b) => compareBytes(a.signPublicKey, b.signPublicKey));
  const unsigned: UnsignedRootSet = {
    v: 2,
    agencyId: prev.agencyId,
    version: prev.version + 1,
    threshold: next.threshold,
    members,
    prevId: rootSetId(prev),
    time: next.time,
  };
  checkShape(unsigned);
  return unsigned;
}

export function signRootSet(s: UnsignedRootSet, signer: IdentityKeys): RootSetSignature {
  return { signPublicKey: signer.signPublicKey, signature: labelledSign(ROOT_SET_LABEL, rootSetFields(s), signer.signSecretKey) };
}

/** Adds (or replaces) one signature, keeping signatures sorted by key. */
export function withSignature(s: RootSet | UnsignedRootSet, sig: RootSetSignature): RootSet {
  const others = ('signatures' in s ? s.signatures : []).filter((x) => !constantTimeEqual(x.signPublicKey, sig.signPublicKey));
  return { ...s, signatures: [...others, sig].sort((a, b) => compareBytes(a.signPublicKey, b.signPublicKey)) } as RootSet;
}

function checkShape(s: UnsignedRootSet): void {
  if (s.v !== 2) fail('root/malformed', 'root set: unknown version');
  const n = s.members.length;
  if (n < 1 || n > MAX_ROOT_SET_MEMBERS) fail('root/malformed', `root set: 1 to ${MAX_ROOT_SET_MEMBERS} members`);
  if (!Number.isInteger(s.threshold) || s.threshold < 1 || s.threshold > n) fail('root/malformed', 'root set: threshold must be between 1 and the number of members');
  const officers = new Set<string>();
  for (let i = 0; i < n; i++) {
    const m = s.members[i]!;
    if (m.signPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) fail('root/malformed', 'root set: bad member key');
    if (i > 0 && compareBytes(s.members[i - 1]!.signPublicKey, m.signPublicKey) >= 0) fail('root/malformed', 'root set: members must be sorted by key, each key once');
    if (officers.has(m.officerId)) fail('root/malformed', 'root set: an officer appears twice');
    officers.add(m.officerId);
  }
}

/**
 * Checks that `next` validly replaces `prev` (PROTOCOL.md §4.4), in order: shape (`root/malformed`), agency
 * (`root/wrong-agency`), version = prev + 1 (`root/bad-version`), prevId (`root/broken-link`), time not before prev's
 * (`root/time`), every signature by a distinct member of `prev` and valid (`root/bad-signature`), at least
 * `prev.threshold` of them (`root/insufficient-signatures`). With `collecting`, a proposal that is still
 * gathering signatures passes every check but that last one.
 */
export function verifyRootSetTransition(prev: RootSet, next: RootSet, opts: { collecting?: boolean } = {}): void {
  checkShape(next);
  if (next.agencyId !== prev.agencyId) fail('root/wrong-agency', 'root set: another agency');
  if (next.version !== prev.version + 1) fail('root/bad-version', `root set: version ${next.version} does not follow ${prev.version}`);
  if (!constantTimeEqual(next.prevId, rootSetId(prev))) fail('root/broken-link', 'root set: prevId does not name the set in force');
  if (next.time < prev.time) fail('root/time', 'root set: time must not be before the previous set');
  const fields = rootSetFields(next);
  const seen = new Set<string>();
  for (const sig of next.signatures) {
    const member = prev.members.find((m) => constantTimeEqual(m.signPublicKey, sig.signPublicKey));
    const key = member?.officerId ?? '';
    if (!member || seen.has(key)) fail('root/bad-signature', 'root set: a signature is not by a distinct member of the set in force');
    if (!labelledVerify(ROOT_SET_LABEL, fields, sig.signature, sig.signPublicKey)) fail('root/bad-signature', 'root set: a signature does not verify');
    seen.add(key);
  }
  if (!opts.collecting && seen.size < prev.threshold) fail('root/insufficient-signatures', `root set: ${seen.size} of the ${prev.threshold} signatures needed`);
}

/**
 * A verified history of an agency's root sets, version 0 first. `verifyRootHistory` builds it from the
 * pinned version 0 and the statements the server presents.
 */
export interface RootHistory {
  agencyId: string;
  sets: readonly RootSet[];
}

export function verifyRootHistory(genesis: RootSet, statements: readonly RootSet[]): RootHistory {
  if (genesis.version !== 0) fail('root/bad-version', 'root history: must start at version 0');
  const sets: RootSet[] = [genesis];
  for (const s of statements) {
    verifyRootSetTransition(sets[sets.length - 1]!, s);
    sets.push(s);
  }
  return { agencyId: genesis.agencyId, sets };
}

export function currentRootSet(h: RootHistory): RootSet {
  return h.sets[h.sets.length - 1]!;
}

/** The set in force at `time`: the last one whose time is ≤ time (version 0 is in force from 0). */
export function rootSetAt(h: RootHistory, time: number): RootSet {
  let at = h.sets[0]!;
  for (const s of h.sets) if (s.time <= time) at = s;
  return at;
}

/** What verifies a certificate issuer: one v1 root key, or a verified root-set history. */
export type RootAuthority = Uint8Array | RootHistory;

/** True when `key` may issue certificates at `time` under this authority. */
export function isRootKeyAt(authority: RootAuthority, key: Uint8Array, time: number): boolean {
  if (authority instanceof Uint8Array) return authority.length === key.length && constantTimeEqual(authority, key);
  return rootSetAt(authority, time).members.some((m) => m.signPublicKey.length === key.length && constantTimeEqual(m.signPublicKey, key));
}

const memberSpec = obj({ officerId: id, signPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES) });
const sigSpec = { t: 'obj', spec: { signPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES), signature: bytes(SIGNATURE_BYTES) } } as const;
export const rootSetSpec = {
  v: lit(2),
  agencyId: id,
  version: int,
  threshold: { t: 'int', min: 1, max: MAX_ROOT_SET_MEMBERS } as FieldSpec,
  members: arr(memberSpec, MAX_ROOT_SET_MEMBERS),
  prevId: bytes(HASH_BYTES),
  time: int,
  signatures: arr(sigSpec, MAX_ROOT_SET_MEMBERS),
} as const;
export const rootSetCodec = wireCodec<RootSet>('rootSet', rootSetSpec);
export const rootSetSignatureCodec = wireCodec<RootSetSignature>('rootSetSignature', sigSpec.spec);
