import { constantTimeEqual, toB64, u64be, u8, utf8 } from './encoding.ts';
import { KeyLogError } from './errors.ts';
import { isRootKeyAt, type RootAuthority } from './root-set.ts';
import { certificateHash, type IdentityKeys, type OfficerCertificate } from './identity.ts';
import {
  DH_PUBLIC_KEY_BYTES,
  HASH_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  ZERO_HASH,
  labelledHash,
  labelledSign,
  labelledVerify,
} from './primitives.ts';
import { arr, bytes, id, int, lit, obj, oneOf, wireCodec } from './wire.ts';

export const KEY_EVENT_KINDS = ['enrol', 'cert-issue', 'cert-revoke', 'prekey-rotate', 'root-set', 'device-add', 'device-revoke'] as const;
export type KeyEventKind = (typeof KEY_EVENT_KINDS)[number];

/**
 * A signed statement about one officer's keys. enrol/prekey-rotate are signed by the officer,
 * cert-issue/cert-revoke by the agency root; `recordHash` names the certificate or prekey record.
 */
export interface KeyEvent {
  v: 1;
  kind: KeyEventKind;
  officerId: string;
  agencyId: string;
  signPublicKey: Uint8Array;
  dhPublicKey: Uint8Array;
  recordHash: Uint8Array;
  time: number;
  authorSignPublicKey: Uint8Array;
  signature: Uint8Array;
}

export interface KeyLogEntry {
  index: number;
  prevHash: Uint8Array;
  event: KeyEvent;
}

/** Server-signed commitment to the first `size` entries (a linear hash chain in v1). */
export interface TreeHead {
  v: 1;
  size: number;
  headHash: Uint8Array;
  time: number;
  signature: Uint8Array;
}

export interface KeyLogState {
  size: number;
  headHash: Uint8Array;
}

const EVENT_LABEL = 'liaison/v1/key-event';
const ENTRY_LABEL = 'liaison/v1/keylog-entry';
const HEAD_LABEL = 'liaison/v1/keylog-head';

function eventFields(e: Omit<KeyEvent, 'signature'>): Uint8Array[] {
  return [
    u8(e.v),
    utf8(e.kind),
    utf8(e.officerId),
    utf8(e.agencyId),
    e.signPublicKey,
    e.dhPublicKey,
    e.recordHash,
    u64be(e.time),
    e.authorSignPublicKey,
  ];
}

export function createKeyEvent(
  fields: Omit<KeyEvent, 'v' | 'signature' | 'authorSignPublicKey' | 'recordHash'> & { recordHash?: Uint8Array },
  author: IdentityKeys,
): KeyEvent {
  const unsigned: Omit<KeyEvent, 'signature'> = {
    v: 1,
    ...fields,
    recordHash: fields.recordHash ?? ZERO_HASH,
    authorSignPublicKey: author.signPublicKey,
  };
  return { ...unsigned, signature: labelledSign(EVENT_LABEL, eventFields(unsigned), author.signSecretKey) };
}

/** Checks the author's signature and that self-statements are signed by the subject's key. */
export function verifyKeyEvent(e: KeyEvent): void {
  if (!labelledVerify(EVENT_LABEL, eventFields(e), e.signature, e.authorSignPublicKey)) {
    throw new KeyLogError('keylog/bad-event-signature', 'verifyKeyEvent: signature does not verify');
  }
  // root-set (v2): logged by the administrator who submitted the set; recordHash is the set's id (§4.4).
  const selfSigned = e.kind === 'enrol' || e.kind === 'prekey-rotate' || e.kind === 'root-set';
  if (selfSigned && !constantTimeEqual(e.authorSignPublicKey, e.signPublicKey)) {
    throw new KeyLogError('keylog/wrong-author', `verifyKeyEvent: ${e.kind} must be signed by the subject`);
  }
}

export function keyEventHash(e: KeyEvent): Uint8Array {
  return labelledHash(EVENT_LABEL, [...eventFields(e), e.signature]);
}

export function keyLogEntryHash(entry: KeyLogEntry): Uint8Array {
  return labelledHash(ENTRY_LABEL, [u64be(entry.index), entry.prevHash, keyEventHash(entry.event)]);
}

export function emptyKeyLog(): KeyLogState {
  return { size: 0, headHash: ZERO_HASH };
}

/** Server side: verifies the event, then links it to the head. Returns the entry and the new state. */
export function appendKeyLogEntry(log: KeyLogState, event: KeyEvent): { entry: KeyLogEntry; log: KeyLogState } {
  verifyKeyEvent(event);
  const entry: KeyLogEntry = { index: log.size, prevHash: log.headHash, event };
  return { entry, log: { size: log.size + 1, headHash: keyLogEntryHash(entry) } };
}

function headFields(h: Omit<TreeHead, 'signature'>): Uint8Array[] {
  return [u8(h.v), u64be(h.size), h.headHash, u64be(h.time)];
}

export function signTreeHead(log: KeyLogState, serverSignSecretKey: Uint8Array, time: number): TreeHead {
  const unsigned: Omit<TreeHead, 'signature'> = { v: 1, size: log.size, headHash: log.headHash, time };
  return { ...unsigned, signature: labelledSign(HEAD_LABEL, headFields(unsigned), serverSignSecretKey) };
}

export function verifyTreeHead(head: TreeHead, serverSignPublicKey: Uint8Array): void {
  if (!labelledVerify(HEAD_LABEL, headFields(head), head.signature, serverSignPublicKey)) {
    throw new KeyLogError('keylog/bad-head-signature', 'verifyTreeHead: signature does not verify');
  }
}

/** Two validly signed heads of equal size with different hashes prove the server forked the log. */
export function checkHeadsConsistent(a: TreeHead, b: TreeHead, serverSignPublicKey: Uint8Array): void {
  verifyTreeHead(a, serverSignPublicKey);
  verifyTreeHead(b, serverSignPublicKey);
  if (a.size === b.size && !constantTimeEqual(a.headHash, b.headHash)) {
    throw new KeyLogError('keylog/equivocation', 'checkHeadsConsistent: two heads at the same size differ');
  }
}

/**
 * Client audit: `entries` must extend `known` (null = from the empty log) exactly up to `head`.
 * Returns the new head to remember.
 */
export function verifyKeyLogExtension(args: {
  known: TreeHead | null;
  entries: readonly KeyLogEntry[];
  head: TreeHead;
  serverSignPublicKey: Uint8Array;
}): TreeHead {
  const { known, entries, head, serverSignPublicKey } = args;
  verifyTreeHead(head, serverSignPublicKey);
  let state = known ? { size: known.size, headHash: known.headHash } : emptyKeyLog();
  if (known) {
    verifyTreeHead(known, serverSignPublicKey);
    if (head.size < known.size) throw new KeyLogError('keylog/rewind', 'verifyKeyLogExtension: new head is older than the known head');
    checkHeadsConsistent(known, head.size === known.size ? head : known, serverSignPublicKey);
  }
  for (const entry of entries) {
    if (entry.index !== state.size || !constantTimeEqual(entry.prevHash, state.headHash)) {
      throw new KeyLogError('keylog/broken-chain', `verifyKeyLogExtension: entry ${entry.index} does not link to the head`);
    }
    try {
      verifyKeyEvent(entry.event);
    } catch (cause) {
      throw new KeyLogError('keylog/bad-entry', `verifyKeyLogExtension: entry ${entry.index} is invalid`, { cause });
    }
    state = { size: state.size + 1, headHash: keyLogEntryHash(entry) };
  }
  if (state.size !== head.size || !constantTimeEqual(state.headHash, head.headHash)) {
    throw new KeyLogError('keylog/head-mismatch', 'verifyKeyLogExtension: entries do not produce the signed head');
  }
  return head;
}

/**
 * Detects key events about `officerId` that its owner did not make or receive from its agency:
 * `recognisedEventHashes` are the keyEventHash values the client created or was handed.
 */
export function assertNoForeignEntries(entries: readonly KeyLogEntry[], officerId: string, recognisedEventHashes: readonly Uint8Array[]): void {
  const known = new Set(recognisedEventHashes.map((h) => toB64(h)));
  for (const entry of entries) {
    if (entry.event.officerId === officerId && !known.has(toB64(keyEventHash(entry.event)))) {
      throw new KeyLogError('keylog/foreign-entry', `assertNoForeignEntries: entry ${entry.index} was not created by ${officerId}`);
    }
  }
}

/** Latest identity keys the log records for an officer, and whether their certificate was revoked. */
export function currentKeysFromLog(
  entries: readonly KeyLogEntry[],
  officerId: string,
): { signPublicKey: Uint8Array; dhPublicKey: Uint8Array; revoked: boolean } | null {
  let current: { signPublicKey: Uint8Array; dhPublicKey: Uint8Array; revoked: boolean; certHash: Uint8Array } | null = null;
  for (const { event } of entries) {
    if (event.officerId !== officerId) continue;
    if (event.kind === 'enrol' || event.kind === 'cert-issue') {
      current = { signPublicKey: event.signPublicKey, dhPublicKey: event.dhPublicKey, revoked: false, certHash: event.recordHash };
    } else if (event.kind === 'cert-revoke' && current && constantTimeEqual(event.signPublicKey, current.signPublicKey)) {
      current.revoked = true;
    }
  }
  return current && { signPublicKey: current.signPublicKey, dhPublicKey: current.dhPublicKey, revoked: current.revoked };
}

/** Used after restoring a backup: the keys must be the ones the (audited) log currently binds. */
export function checkKeysAgainstLog(entries: readonly KeyLogEntry[], identity: { officerId: string; signPublicKey: Uint8Array; dhPublicKey: Uint8Array }): void {
  const current = currentKeysFromLog(entries, identity.officerId);
  if (!current) throw new KeyLogError('keylog/unknown-officer', 'checkKeysAgainstLog: no key events for this officer');
  if (!constantTimeEqual(current.signPublicKey, identity.signPublicKey) || !constantTimeEqual(current.dhPublicKey, identity.dhPublicKey)) {
    throw new KeyLogError('keylog/key-mismatch', 'checkKeysAgainstLog: keys differ from the logged keys');
  }
  if (current.revoked) throw new KeyLogError('keylog/revoked', 'checkKeysAgainstLog: the keys were revoked');
}

/**
 * The `cert-revoke` key event for `cert`, signed by the agency root `root` (PROTOCOL.md §4.3
 * **Revocation**): subject keys of the certificate, `recordHash` = its certificate hash, `time` ≥ its issuedAt.
 */
export function createRevocationEvent(cert: OfficerCertificate, time: number, root: IdentityKeys): KeyEvent {
  return createKeyEvent(
    { kind: 'cert-revoke', officerId: cert.officerId, agencyId: cert.agencyId, signPublicKey: cert.signPublicKey, dhPublicKey: cert.dhPublicKey, recordHash: certificateHash(cert), time },
    root,
  );
}

/** The certificate fields a revocation is matched against. */
export type RevocableCertificate = Pick<OfficerCertificate, 'officerId' | 'agencyId' | 'signPublicKey' | 'dhPublicKey' | 'issuedAt'>;

/**
 * PROTOCOL.md §4.3 **Revocation**: the earliest `cert-revoke` among `revocations` (events of the
 * audited key log, whose signatures the audit verified) that revokes `cert`: same officer and agency,
 * same signing and dh keys, signed by that agency's root `agencyRoot`, and not older than the
 * certificate (`cert.issuedAt ≤ time`). Any other cert-revoke (another author, another key, an
 * older revocation of keys re-certified since) is ignored. Null when the certificate is not revoked.
 */
export function revocationOf(cert: RevocableCertificate, revocations: readonly KeyEvent[], agencyRoot: RootAuthority | undefined): KeyEvent | null {
  if (!agencyRoot) return null;
  let found: KeyEvent | null = null;
  for (const e of revocations) {
    const match =
      e.kind === 'cert-revoke' &&
      e.officerId === cert.officerId &&
      e.agencyId === cert.agencyId &&
      cert.issuedAt <= e.time &&
      isRootKeyAt(agencyRoot, e.authorSignPublicKey, e.time) &&
      constantTimeEqual(e.signPublicKey, cert.signPublicKey) &&
      constantTimeEqual(e.dhPublicKey, cert.dhPublicKey);
    if (match && (!found || e.time < found.time)) found = e;
  }
  return found;
}

const keyEventSpec = {
  v: lit(1),
  kind: oneOf(KEY_EVENT_KINDS),
  officerId: id,
  agencyId: id,
  signPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  dhPublicKey: bytes(DH_PUBLIC_KEY_BYTES),
  recordHash: bytes(HASH_BYTES),
  time: int,
  authorSignPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  signature: bytes(SIGNATURE_BYTES),
} as const;
export const keyEventCodec = wireCodec<KeyEvent>('keyEvent', keyEventSpec);
export const keyLogEntryCodec = wireCodec<KeyLogEntry>('keyLogEntry', { index: int, prevHash: bytes(HASH_BYTES), event: obj(keyEventSpec) });
export const keyLogEntriesCodec = wireCodec<{ entries: KeyLogEntry[] }>('keyLogEntries', {
  entries: arr(obj({ index: int, prevHash: bytes(HASH_BYTES), event: obj(keyEventSpec) })),
});
export const treeHeadCodec = wireCodec<TreeHead>('treeHead', {
  v: lit(1),
  size: int,
  headHash: bytes(HASH_BYTES),
  time: int,
  signature: bytes(SIGNATURE_BYTES),
});
