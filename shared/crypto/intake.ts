import { constantTimeEqual, decodeFields, encodeFields, fromUtf8, readU64, u32be, u64be, u8, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import type { ChannelState } from './channel-state.ts';
import { CryptoError, IntakeError } from './errors.ts';
import { sealTo } from './epoch.ts';
import { verifyCertificate, type IdentityKeys, type OfficerCertificate } from './identity.ts';
import { decodePayload, encodePayload, type DeskIntakeKeyPayload, type Payload } from './payload.ts';
import {
  DH_PUBLIC_KEY_BYTES,
  DH_SECRET_KEY_BYTES,
  SEALED_BOX_OVERHEAD_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  labelledSign,
  labelledVerify,
  rngOrDefault,
  type VerifyDetached,
} from './primitives.ts';
import type { RootAuthority } from './root-set.ts';
import { getSodium } from './sodium.ts';
import { bytes, id, int, lit, wireCodec, type FieldSpec } from './wire.ts';

/**
 * Desk intake (PROTOCOL.md §11, protocol v2): a desk's end-to-end encrypted inbox.
 * - A desk supervisor signs an **intake key statement**: the desk's current X25519 intake public key, its version
 *   and the desk's own E2E channel, under the supervisor's certified identity key.
 * - The private half travels only inside the desk channel as a `desk-intake-key` payload (§9.1); a member accepts
 *   it only when it matches the verified statement (`acceptIntakeSecret`).
 * - A requester seals a request to the intake public key and signs the outer object with its identity key;
 *   whoever holds the intake secret opens it (`openDeskRequest`). The server verifies the outer signature only.
 */
export const INTAKE_KEY_LABEL = 'liaison/v2/desk-intake-key';
export const DESK_REQUEST_LABEL = 'liaison/v2/desk-request';
export const DESK_REQUEST_INNER_LABEL = 'liaison/v2/desk-request-inner';
export const INTAKE_MAX_VERSION = 0xffff_ffff;
/** Supervisors SHOULD rotate an intake key at least this often (PROTOCOL.md §11.1 **Rotation**, as epochs in §5.3). */
export const INTAKE_ROTATION_MS = 7 * 86_400_000;
/** The handling code a `desk-intake-key` message MUST carry: TLP:RED is never forwarded (§8). */
export const INTAKE_KEY_HANDLING = 'TLP:RED';
/** The sealed request: sealed-box overhead + the framed inner context + a payload of at most 256 KiB. */
export const MAX_DESK_REQUEST_SEALED_BYTES = 256 * 1024 + 4096 + SEALED_BOX_OVERHEAD_BYTES;

export interface IntakeKeyStatement {
  v: 1;
  deskId: string;
  agencyId: string;
  /** The desk's own E2E channel, the only channel the intake secret may travel in. */
  channelId: string;
  /** u32 ≥ 1, increased on every rotation. */
  version: number;
  dhPublicKey: Uint8Array;
  createdAt: number;
  signerOfficerId: string;
  signerSignPublicKey: Uint8Array;
  signature: Uint8Array;
}

export interface IntakeKeyPair {
  deskId: string;
  version: number;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** What a client remembers per desk: the highest version it verified and that version's key. */
export interface IntakePin {
  version: number;
  dhPublicKey: Uint8Array;
}

export interface DeskRequest {
  v: 1;
  deskId: string;
  version: number;
  requesterOfficerId: string;
  requesterAgencyId: string;
  requestId: string;
  time: number;
  sealed: Uint8Array;
  signature: Uint8Array;
}

/** The request's signed header fields with the payload its sealed box held. */
export type OpenedDeskRequest = Omit<DeskRequest, 'v' | 'sealed' | 'signature'> & { payload: Payload };

function fail(code: string, message: string, cause?: unknown): never {
  throw new IntakeError(code, message, cause === undefined ? undefined : { cause });
}

function checkVersion(fn: string, version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > INTAKE_MAX_VERSION) fail('intake/bad-version', `${fn}: version must be an integer from 1 to 2^32-1`);
}

// ---- intake key statement ----

export function intakeKeyStatementFields(s: Omit<IntakeKeyStatement, 'signature'>): Uint8Array[] {
  return [
    u8(s.v),
    utf8(s.deskId),
    utf8(s.agencyId),
    utf8(s.channelId),
    u32be(s.version),
    s.dhPublicKey,
    u64be(s.createdAt),
    utf8(s.signerOfficerId),
    s.signerSignPublicKey,
  ];
}

/** A fresh X25519 intake key pair for `deskId` at `version` (from `rng` for vectors). */
export function generateIntakeKey(deskId: string, version: number, rng?: Rng): IntakeKeyPair {
  checkVersion('generateIntakeKey', version);
  const secretKey = rngOrDefault(rng)(DH_SECRET_KEY_BYTES);
  return { deskId, version, publicKey: getSodium().crypto_scalarmult_base(secretKey), secretKey };
}

/** Signed by a supervisor of the desk with its identity key; the supervisor's agency is the desk's. */
export function createIntakeKeyStatement(
  args: { deskId: string; channelId: string; key: Pick<IntakeKeyPair, 'version' | 'publicKey'>; createdAt: number },
  signer: IdentityKeys,
): IntakeKeyStatement {
  checkVersion('createIntakeKeyStatement', args.key.version);
  const unsigned: Omit<IntakeKeyStatement, 'signature'> = {
    v: 1,
    deskId: args.deskId,
    agencyId: signer.agencyId,
    channelId: args.channelId,
    version: args.key.version,
    dhPublicKey: args.key.publicKey,
    createdAt: args.createdAt,
    signerOfficerId: signer.officerId,
    signerSignPublicKey: signer.signPublicKey,
  };
  return { ...unsigned, signature: labelledSign(INTAKE_KEY_LABEL, intakeKeyStatementFields(unsigned), signer.signSecretKey) };
}

export interface VerifyIntakeKeyArgs {
  /** The desk the verifier addresses (from the directory entry or the desk it belongs to): the statement must name it. */
  deskId?: string;
  /** That desk's agency: the statement and its signer must belong to it. */
  agencyId?: string;
  /**
   * The signer's current certificate (§4.2), as the verifier obtained it for `signerOfficerId`. Revocation is the
   * caller's check (§11.1 step 2: a certificate revoked in its audited log, `revocationOf`, is not certified).
   */
  signerCert: OfficerCertificate;
  /** The root authority (v1 key or verified root-set history, §4.4) of the statement's agency. */
  authority: RootAuthority;
  now: number;
  /** The highest version this client verified for the desk (and its key), if any. */
  pinned?: IntakePin | null;
  /**
   * Officers the verifier knows to be the desk's supervisors from signed data: a desk member passes the owners of
   * the desk channel's verified epoch (§5). Omitted by requesters, who cannot see the desk channel.
   */
  supervisors?: ReadonlySet<string>;
}

/**
 * PROTOCOL.md §11.1, in order: the statement names the desk the verifier addresses (`intake/wrong-desk`); the
 * signer's certificate verifies under its agency's root at `now` and names `signerOfficerId` and `signerSignPublicKey`
 * (`intake/signer-not-certified`); its agency is the statement's, and the desk's when given (`intake/wrong-agency`);
 * when the verifier knows the supervisors, the signer is one (`intake/signer-not-supervisor`); version 1…2^32−1
 * (`intake/bad-version`); the signature verifies (`intake/bad-signature`); not below the pinned version
 * (`intake/rollback`); the pinned version with another key (`intake/equivocation`).
 */
export function verifyIntakeKeyStatement(stmt: IntakeKeyStatement, args: VerifyIntakeKeyArgs): void {
  const fn = 'verifyIntakeKeyStatement';
  const cert = args.signerCert;
  if (args.deskId !== undefined && stmt.deskId !== args.deskId) fail('intake/wrong-desk', `${fn}: the statement is for another desk`);
  try {
    verifyCertificate(cert, args.authority, args.now);
  } catch (cause) {
    if (cause instanceof CryptoError) fail('intake/signer-not-certified', `${fn}: the signer's certificate does not verify`, cause);
    throw cause;
  }
  if (cert.officerId !== stmt.signerOfficerId || !constantTimeEqual(cert.signPublicKey, stmt.signerSignPublicKey)) {
    fail('intake/signer-not-certified', `${fn}: the certificate is not the signer's`);
  }
  if (cert.agencyId !== stmt.agencyId || (args.agencyId !== undefined && stmt.agencyId !== args.agencyId)) fail('intake/wrong-agency', `${fn}: the signer belongs to another agency than the desk`);
  if (args.supervisors && !args.supervisors.has(stmt.signerOfficerId)) fail('intake/signer-not-supervisor', `${fn}: the signer is not a supervisor of the desk`);
  checkVersion(fn, stmt.version);
  if (!labelledVerify(INTAKE_KEY_LABEL, intakeKeyStatementFields(stmt), stmt.signature, cert.signPublicKey)) {
    fail('intake/bad-signature', `${fn}: signature does not verify`);
  }
  const pin = args.pinned;
  if (pin) {
    if (stmt.version < pin.version) fail('intake/rollback', `${fn}: version ${stmt.version} is older than the pinned version ${pin.version}`);
    if (stmt.version === pin.version && !constantTimeEqual(stmt.dhPublicKey, pin.dhPublicKey)) {
      fail('intake/equivocation', `${fn}: another key for the pinned version ${pin.version}`);
    }
  }
}

/** The pin after a statement verified: the higher version wins (call only after verifyIntakeKeyStatement). */
export function nextIntakePin(pinned: IntakePin | null | undefined, stmt: IntakeKeyStatement): IntakePin {
  return pinned && pinned.version >= stmt.version ? pinned : { version: stmt.version, dhPublicKey: stmt.dhPublicKey };
}

// ---- intake secret distribution (inside the desk channel) ----

/** The `desk-intake-key` payload a desk-channel member sends (with handling TLP:RED) to pass the intake secret on. */
export function intakeKeyPayload(key: IntakeKeyPair): DeskIntakeKeyPayload {
  checkVersion('intakeKeyPayload', key.version);
  return { kind: 'desk-intake-key', deskId: key.deskId, version: key.version, secretKey: key.secretKey };
}

/**
 * PROTOCOL.md §11.2 **Sending**: the channel a member is about to pass the intake secret into is the statement's desk
 * channel, verified (§5), and every member of its current epoch is an officer of the desk's agency (`intake/wrong-channel`).
 */
export function checkIntakeChannel(statement: IntakeKeyStatement, channel: ChannelState): void {
  if (channel.channelId !== statement.channelId) fail('intake/wrong-channel', 'checkIntakeChannel: not the desk channel named by the statement');
  for (const m of channel.current.members.values()) {
    if (m.cert.agencyId !== statement.agencyId) fail('intake/wrong-channel', 'checkIntakeChannel: the channel has a member of another agency');
  }
}

/**
 * PROTOCOL.md §11.2, after openEnvelope delivered the payload, with the verified statement of that version, in order:
 * the message came through the statement's desk channel (`intake/wrong-channel`); its handling code is TLP:RED
 * (`intake/bad-handling`); desk and version equal the statement's (`intake/key-mismatch`); the secret's public key is
 * the statement's `dhPublicKey` (`intake/key-mismatch`).
 */
export function acceptIntakeSecret(args: { payload: DeskIntakeKeyPayload; statement: IntakeKeyStatement; channelId: string; handling: string }): IntakeKeyPair {
  const { payload: p, statement: s } = args;
  const fn = 'acceptIntakeSecret';
  if (args.channelId !== s.channelId) fail('intake/wrong-channel', `${fn}: the intake secret arrived outside the desk channel`);
  if (args.handling !== INTAKE_KEY_HANDLING) fail('intake/bad-handling', `${fn}: an intake secret must travel as ${INTAKE_KEY_HANDLING}`);
  if (p.deskId !== s.deskId || p.version !== s.version) fail('intake/key-mismatch', `${fn}: the secret names another desk or version`);
  if (p.secretKey.length !== DH_SECRET_KEY_BYTES || !constantTimeEqual(getSodium().crypto_scalarmult_base(p.secretKey), s.dhPublicKey)) {
    fail('intake/key-mismatch', `${fn}: the secret does not belong to the statement's public key`);
  }
  return { deskId: p.deskId, version: p.version, publicKey: s.dhPublicKey, secretKey: p.secretKey };
}

// ---- sealed desk requests ----

export function deskRequestInner(r: Pick<DeskRequest, 'deskId' | 'version' | 'requesterOfficerId' | 'requestId' | 'time'>, payloadBytes: Uint8Array): Uint8Array {
  return encodeFields(DESK_REQUEST_INNER_LABEL, [utf8(r.deskId), u32be(r.version), utf8(r.requesterOfficerId), utf8(r.requestId), u64be(r.time), payloadBytes]);
}

export function deskRequestFields(r: Omit<DeskRequest, 'signature'>): Uint8Array[] {
  return [u8(r.v), utf8(r.deskId), u32be(r.version), utf8(r.requesterOfficerId), utf8(r.requesterAgencyId), utf8(r.requestId), u64be(r.time), r.sealed];
}

/**
 * The requester seals `payload` to the desk's verified intake key and signs the outer object with its identity key.
 * The caller MUST have verified `statement` (verifyIntakeKeyStatement) and pinned it.
 */
export function createDeskRequest(args: { statement: IntakeKeyStatement; requestId: string; time: number; payload: Payload; rng?: Rng }, requester: IdentityKeys): DeskRequest {
  const { statement: s } = args;
  if (args.payload.kind === 'desk-intake-key') fail('intake/bad-payload', 'createDeskRequest: an intake secret is never a request');
  const context = { deskId: s.deskId, version: s.version, requesterOfficerId: requester.officerId, requestId: args.requestId, time: args.time };
  const sealed = sealTo(s.dhPublicKey, deskRequestInner(context, encodePayload(args.payload)), args.rng);
  const unsigned: Omit<DeskRequest, 'signature'> = { v: 1, ...context, requesterAgencyId: requester.agencyId, sealed };
  return { ...unsigned, signature: labelledSign(DESK_REQUEST_LABEL, deskRequestFields(unsigned), requester.signSecretKey) };
}

/** The server's check (like verifyEnvelopeSignature): the outer signature under the requester's signing key, nothing opened. */
export function verifyDeskRequestSignature(request: DeskRequest, requesterSignPublicKey: Uint8Array, verify?: VerifyDetached): boolean {
  return labelledVerify(DESK_REQUEST_LABEL, deskRequestFields(request), request.signature, requesterSignPublicKey, verify);
}

export interface OpenDeskRequestArgs {
  request: DeskRequest;
  /** The desk the opener reads for. */
  deskId: string;
  /** The requester's current certificate (§4.2); revocation (`revocationOf`, §11.3 step 2) is the caller's check. */
  requesterCert: OfficerCertificate;
  /** Root authority of the requester's agency (§4.4). */
  authority: RootAuthority;
  /** The intake key pair of this desk at `version`, when the opener holds it. */
  intakeKey: (version: number) => IntakeKeyPair | undefined;
  now: number;
}

/**
 * PROTOCOL.md §11.3, in order: the request is for this desk (`intake/wrong-desk`); the requester's certificate
 * verifies at `now` and names the requester and its agency (`intake/requester-not-certified`); the signature verifies
 * under the certified key (`intake/bad-request-signature`); the opener holds the intake key of that version
 * (`intake/unknown-version`); the sealed box opens and is one inner frame (`intake/open-failed`); the inner context
 * equals the outer fields (`intake/context-mismatch`); the payload decodes and is not an intake secret
 * (`intake/bad-payload`).
 */
export function openDeskRequest(args: OpenDeskRequestArgs): OpenedDeskRequest {
  const { request: r, requesterCert: cert } = args;
  const fn = 'openDeskRequest';
  if (r.deskId !== args.deskId) fail('intake/wrong-desk', `${fn}: the request is for another desk`);
  try {
    verifyCertificate(cert, args.authority, args.now);
  } catch (cause) {
    if (cause instanceof CryptoError) fail('intake/requester-not-certified', `${fn}: the requester's certificate does not verify`, cause);
    throw cause;
  }
  if (cert.officerId !== r.requesterOfficerId || cert.agencyId !== r.requesterAgencyId) {
    fail('intake/requester-not-certified', `${fn}: the certificate is not the requester's`);
  }
  if (!verifyDeskRequestSignature(r, cert.signPublicKey)) fail('intake/bad-request-signature', `${fn}: signature does not verify under the requester's certified key`);
  const key = args.intakeKey(r.version);
  if (!key || key.deskId !== r.deskId || key.version !== r.version) fail('intake/unknown-version', `${fn}: no intake key of version ${r.version}`);
  let fields: Uint8Array[];
  try {
    const opened = getSodium().crypto_box_seal_open(r.sealed, key.publicKey, key.secretKey);
    fields = decodeFields(DESK_REQUEST_INNER_LABEL, opened, 6);
  } catch (cause) {
    fail('intake/open-failed', `${fn}: the sealed request does not open`, cause);
  }
  const [deskId, version, requesterOfficerId, requestId, time, payloadBytes] = fields as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const bound =
    textOrNull(deskId) === r.deskId &&
    version.length === 4 &&
    constantTimeEqual(version, u32be(r.version)) &&
    textOrNull(requesterOfficerId) === r.requesterOfficerId &&
    textOrNull(requestId) === r.requestId &&
    time.length === 8 &&
    readU64OrNull(time) === r.time;
  if (!bound) fail('intake/context-mismatch', `${fn}: the sealed request is bound to another desk, version, requester, id or time`);
  let payload: Payload;
  try {
    payload = decodePayload(payloadBytes);
  } catch (cause) {
    if (cause instanceof CryptoError) fail('intake/bad-payload', `${fn}: the payload is invalid`, cause);
    throw cause;
  }
  if (payload.kind === 'desk-intake-key') fail('intake/bad-payload', `${fn}: an intake secret is never a request`);
  return { deskId: r.deskId, version: r.version, requesterOfficerId: r.requesterOfficerId, requesterAgencyId: r.requesterAgencyId, requestId: r.requestId, time: r.time, payload };
}

function textOrNull(b: Uint8Array): string | null {
  try {
    return fromUtf8(b);
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

function readU64OrNull(b: Uint8Array): number | null {
  try {
    return readU64(b);
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

// ---- wire codecs (PROTOCOL.md Appendix A) ----

const version: FieldSpec = { t: 'int', min: 1, max: INTAKE_MAX_VERSION };

export const intakeKeyStatementCodec = wireCodec<IntakeKeyStatement>('deskIntakeKey', {
  v: lit(1),
  deskId: id,
  agencyId: id,
  channelId: id,
  version,
  dhPublicKey: bytes(DH_PUBLIC_KEY_BYTES),
  createdAt: int,
  signerOfficerId: id,
  signerSignPublicKey: bytes(SIGN_PUBLIC_KEY_BYTES),
  signature: bytes(SIGNATURE_BYTES),
});

export const deskRequestCodec = wireCodec<DeskRequest>('deskRequest', {
  v: lit(1),
  deskId: id,
  version,
  requesterOfficerId: id,
  requesterAgencyId: id,
  requestId: id,
  time: int,
  sealed: bytes(undefined, MAX_DESK_REQUEST_SEALED_BYTES),
  signature: bytes(SIGNATURE_BYTES),
});
