import { decodeFields, encodeFields, fromUtf8, u64be, u8, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { CryptoError, DecryptError, EpochError, PolicyError } from './errors.ts';
import type { ChannelState } from './channel-state.ts';
import { CLOCK_SKEW_MS, EPOCH_MAX_AGE_MS } from './epoch.ts';
import { checkMessageCodes, profileOf } from './codes.ts';
import type { MessageCodes } from './codes.ts';
import { HANDLING_CODES, isHandlingAllowed } from './handling.ts';
import type { HandlingCode } from './handling.ts';
import type { IdentityKeys } from './identity.ts';
import type { DeviceKeys, DeviceStatus } from './device.ts';
import { decodePayload, encodePayload, itemEvaluations } from './payload.ts';
import type { Payload } from './payload.ts';
import { AEAD_NONCE_BYTES, HASH_BYTES, SIGNATURE_BYTES, labelledSign, labelledVerify, rngOrDefault } from './primitives.ts';
import type { VerifyDetached } from './primitives.ts';
import { chainKeyId, checkCounter, eraseKeys, initialChainKey, nextSendingKey, receivingKey } from './sender-chain.ts';
import type { ReceiverState, SendingChain } from './sender-chain.ts';
import { getSodium } from './sodium.ts';
import { bytes, id, int, lit, obj, oneOf, wireCodec } from './wire.ts';

export const ENVELOPE_VERSION = 1;
export const MAX_CIPHERTEXT_BYTES = 256 * 1024;
const HEADER_LABEL = 'liaison/v1/envelope-header';
const SIGNATURE_LABEL = 'liaison/v1/envelope-signature';
const INNER_LABEL = 'liaison/v1/message-inner';
/** §7: the inner frame of a message that carries an evaluation or handling conditions (§8.2). */
const INNER_V2_LABEL = 'liaison/v2/message-inner';

export interface KeyLogHeadRef {
  size: number;
  hash: Uint8Array;
}

export interface EnvelopeHeader {
  v: 1;
  channelId: string;
  epoch: number;
  stateHash: Uint8Array;
  senderOfficerId: string;
  senderDeviceId: string;
  counter: number;
  messageId: string;
  handling: HandlingCode;
  time: number;
  keyLogSize: number;
  keyLogHash: Uint8Array;
  nonce: Uint8Array;
}

export interface MessageEnvelope {
  header: EnvelopeHeader;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

/** The AEAD associated data and first half of the signed bytes. */
export function encodeHeader(h: EnvelopeHeader): Uint8Array {
  return encodeFields(HEADER_LABEL, [
    u8(h.v),
    utf8(h.channelId),
    u64be(h.epoch),
    h.stateHash,
    utf8(h.senderOfficerId),
    utf8(h.senderDeviceId),
    u64be(h.counter),
    utf8(h.messageId),
    utf8(h.handling),
    u64be(h.time),
    u64be(h.keyLogSize),
    h.keyLogHash,
    h.nonce,
  ]);
}

export function envelopeSignatureInput(headerBytes: Uint8Array, ciphertext: Uint8Array): Uint8Array[] {
  return [headerBytes, ciphertext];
}

// ---- padding: ISO/IEC 7816-4 (0x80 then zeros) to a bucket, so lengths leak only coarsely ----

export const PAD_BLOCK_SMALL = 256;
export const PAD_BLOCK_LARGE = 4096;
const PAD_SMALL_LIMIT = 8192;

export function paddedLength(n: number): number {
  const block = n + 1 <= PAD_SMALL_LIMIT ? PAD_BLOCK_SMALL : PAD_BLOCK_LARGE;
  return Math.ceil((n + 1) / block) * block;
}

export function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedLength(data.length));
  out.set(data, 0);
  out[data.length] = 0x80;
  return out;
}

export function unpad(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || paddedLength(i) !== data.length) throw new DecryptError('envelope/bad-padding', 'unpad: invalid padding');
  return data.subarray(0, i);
}

// ---- inner frame ----

/**
 * v1: `E("liaison/v1/message-inner", [messageId, handling, payload])`. v2, only when the message carries an
 * evaluation or conditions: `E("liaison/v2/message-inner", [messageId, handling, payload, evaluation, conditions])`,
 * an absent value as the empty string.
 */
function encodeInner(messageId: string, handling: string, payload: Payload, codes: MessageCodes): Uint8Array {
  const base = [utf8(messageId), utf8(handling), encodePayload(payload)];
  if (codes.evaluation === undefined && codes.conditions === undefined) return encodeFields(INNER_LABEL, base);
  return encodeFields(INNER_V2_LABEL, [...base, utf8(codes.evaluation ?? ''), utf8(codes.conditions ?? '')]);
}

function decodeInner(bytes: Uint8Array): { messageId: string; handling: string; payloadBytes: Uint8Array; codes: MessageCodes } {
  let fields: Uint8Array[];
  try {
    fields = decodeFields(INNER_LABEL, bytes, 3);
  } catch {
    fields = decodeFields(INNER_V2_LABEL, bytes, 5);
  }
  const codes: MessageCodes = {};
  if (fields.length === 5) {
    const evaluation = fromUtf8(fields[3]!);
    const conditions = fromUtf8(fields[4]!);
    if (evaluation !== '') codes.evaluation = evaluation;
    if (conditions !== '') codes.conditions = conditions;
    // A v2 frame says something v1 cannot: one with neither value is not canonical.
    if (evaluation === '' && conditions === '') throw new DecryptError('envelope/bad-inner', 'openEnvelope: a v2 inner frame without codes');
  }
  return { messageId: fromUtf8(fields[0]!), handling: fromUtf8(fields[1]!), payloadBytes: fields[2]!, codes };
}

// ---- send ----

export interface EncryptMessageArgs {
  channel: ChannelState;
  sending: SendingChain;
  sender: IdentityKeys;
  messageId: string;
  handling: HandlingCode;
  /** Evaluation and handling conditions (§8.2), sealed in the inner frame v2; absent = the v1 frame. */
  codes?: MessageCodes;
  payload: Payload;
  time: number;
  keyLogHead: KeyLogHeadRef;
  /**
   * The sending device's certified key (§4.5): signs the envelope instead of the identity key. Its
   * deviceId must be the sending chain's. Omitted only by devices never added (v1 behaviour).
   */
  device?: DeviceKeys;
  rng?: Rng;
}

/** Encrypts under the current epoch only, after the same membership/policy checks a receiver makes. */
export function encryptMessage(args: EncryptMessageArgs): { envelope: MessageEnvelope; sending: SendingChain } {
  const { channel, sending, sender } = args;
  const fn = 'encryptMessage';
  const view = channel.current;
  if (sending.channelId !== channel.channelId || sending.epoch !== view.epoch || sending.officerId !== sender.officerId) {
    throw new EpochError('epoch/stale-chain', `${fn}: sending chain is not for the current epoch`);
  }
  if (!view.members.has(sender.officerId)) throw new EpochError('epoch/not-member', `${fn}: sender is not a member`);
  if (args.time - view.startedAt >= EPOCH_MAX_AGE_MS) throw new EpochError('epoch/expired', `${fn}: epoch older than 7 days; rekey`);
  if (!isHandlingAllowed(view.policy, args.handling)) throw new PolicyError('handling/not-allowed', `${fn}: handling code not allowed by channel policy`);
  const codes = args.codes ?? {};
  checkMessageCodes(profileOf(view.policy), args.handling, codes, itemEvaluations(args.payload));
  if (args.device && (args.device.deviceId !== sending.deviceId || args.device.officerId !== sender.officerId)) {
    throw new EpochError('epoch/stale-chain', `${fn}: the device key belongs to another device than the sending chain`);
  }
  const step = nextSendingKey(sending);
  const header: EnvelopeHeader = {
    v: 1,
    channelId: channel.channelId,
    epoch: view.epoch,
    stateHash: view.stateHash,
    senderOfficerId: sender.officerId,
    senderDeviceId: sending.deviceId,
    counter: step.counter,
    messageId: args.messageId,
    handling: args.handling,
    time: args.time,
    keyLogSize: args.keyLogHead.size,
    keyLogHash: args.keyLogHead.hash,
    nonce: rngOrDefault(args.rng)(AEAD_NONCE_BYTES),
  };
  const sodium = getSodium();
  const headerBytes = encodeHeader(header);
  const inner = pad(encodeInner(args.messageId, args.handling, args.payload, codes));
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, headerBytes, null, header.nonce, step.messageKey);
  sodium.memzero(step.messageKey);
  const signature = labelledSign(SIGNATURE_LABEL, envelopeSignatureInput(headerBytes, ciphertext), (args.device ?? sender).signSecretKey);
  return { envelope: { header, ciphertext, signature }, sending: step.chain };
}

// ---- receive ----

/** Server-side shape check: signature of the sender's device key (§4.5; identity key for a device never added), no decryption. */
export function verifyEnvelopeSignature(envelope: MessageEnvelope, senderSignPublicKey: Uint8Array, verify?: VerifyDetached): boolean {
  return labelledVerify(SIGNATURE_LABEL, envelopeSignatureInput(encodeHeader(envelope.header), envelope.ciphertext), envelope.signature, senderSignPublicKey, verify);
}

/** §7.1: how far the sender's header time may lie from the server's stamp (and before the epoch's start). */
export const HEADER_TIME_TOLERANCE_MS = CLOCK_SKEW_MS;

export type HeaderTimeSkew = 'envelope/time-before-epoch' | 'envelope/time-skew';

/**
 * §7.1 header time binding, pure: `null` when the sender's `time` is plausible, else the code. The server's
 * stamp (`serverTime`, the stored message's `createdAt`) is what receivers display; the header time must lie
 * within HEADER_TIME_TOLERANCE_MS of it and not before `epochStart − HEADER_TIME_TOLERANCE_MS`.
 */
export function checkHeaderTime(args: { time: number; serverTime: number; epochStart: number }): HeaderTimeSkew | null {
  const { time, serverTime, epochStart } = args;
  if (time < epochStart - HEADER_TIME_TOLERANCE_MS) return 'envelope/time-before-epoch';
  if (Math.abs(time - serverTime) > HEADER_TIME_TOLERANCE_MS) return 'envelope/time-skew';
  return null;
}

export interface OpenEnvelopeArgs {
  channel: ChannelState;
  receiver: ReceiverState;
  /** Epoch secrets this member was sealed; undefined for epochs it is not entitled to. */
  epochSecret: (epoch: number) => Uint8Array | undefined;
  envelope: MessageEnvelope;
  now: number;
  /**
   * §4.5: the status of the sender's device from the receiver's audited key log (`deviceStatus`), given
   * the sender's certified identity signing key; null for a device never added. Omitted = no device added.
   */
  devices?: (officerId: string, deviceId: string, identitySignPublicKey: Uint8Array) => DeviceStatus | null;
  /** The server's stamp of the stored message (§7.1 `createdAt`); a revoked device is judged by the later of it and the header time. */
  serverTime?: number;
}

export interface OpenedMessage {
  header: EnvelopeHeader;
  /** Evaluation and handling conditions from the inner frame (§8.2); `{}` for a v1 frame. */
  codes: MessageCodes;
  payload: Payload;
  receiver: ReceiverState;
}

function reject(code: string, message: string): never {
  throw new DecryptError(code, `openEnvelope: ${message}`);
}

/**
 * The receive pipeline, checks in this order: channel, known epoch and state, membership,
 * handling policy, sending device (§4.5), signature, replay/window, key derivation, decryption, inner copies.
 * Every failure is a DecryptError; `receiver` is returned updated only on success.
 */
export function openEnvelope(args: OpenEnvelopeArgs): OpenedMessage {
  const { channel, receiver, envelope, now } = args;
  const h = envelope.header;
  if (h.v !== ENVELOPE_VERSION) reject('envelope/version', 'unknown version');
  if (h.channelId !== channel.channelId || receiver.channelId !== channel.channelId) reject('envelope/wrong-channel', 'another channel');
  const view = channel.epochs.get(h.epoch);
  if (!view || !getSodium().memcmp(view.stateHash, h.stateHash)) reject('envelope/unknown-epoch', 'unknown epoch or state');
  if (h.time - view.startedAt > EPOCH_MAX_AGE_MS + CLOCK_SKEW_MS) reject('envelope/epoch-expired', 'message is past its epoch lifetime');
  const member = view.members.get(h.senderOfficerId);
  if (!member) reject('envelope/not-member', 'sender is not a member of the epoch');
  if (!isHandlingAllowed(view.policy, h.handling)) reject('envelope/handling-not-allowed', 'handling code not allowed by channel policy');
  const device = args.devices?.(h.senderOfficerId, h.senderDeviceId, member.cert.signPublicKey) ?? null;
  if (device && device.revokedAt !== null && Math.max(h.time, args.serverTime ?? h.time) >= device.revokedAt) {
    reject('envelope/device-revoked', 'the sending device was revoked before this message');
  }
  const headerBytes = encodeHeader(h);
  if (!labelledVerify(SIGNATURE_LABEL, envelopeSignatureInput(headerBytes, envelope.ciphertext), envelope.signature, device ? device.signPublicKey : member.cert.signPublicKey)) {
    reject('envelope/bad-signature', 'signature does not verify');
  }
  const chainId = chainKeyId(h.epoch, h.senderOfficerId, h.senderDeviceId);
  const chain = receiver.chains[chainId];
  checkCounter(chain, h.counter, now);
  const secret = args.epochSecret(h.epoch);
  if (!secret) reject('envelope/no-epoch-key', 'no key for this epoch');
  const derived = receivingKey(
    chain,
    () => initialChainKey(secret, { channelId: h.channelId, epoch: h.epoch, stateHash: h.stateHash, officerId: h.senderOfficerId, deviceId: h.senderDeviceId }),
    h.counter,
    now,
  );
  const sodium = getSodium();
  let inner: Uint8Array;
  try {
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, envelope.ciphertext, headerBytes, h.nonce, derived.messageKey);
  } catch {
    reject('envelope/decrypt-failed', 'authentication failed');
  } finally {
    sodium.memzero(derived.messageKey);
  }
  let payload: Payload;
  let codes: MessageCodes;
  try {
    const frame = decodeInner(unpad(inner));
    if (frame.messageId !== h.messageId || frame.handling !== h.handling) reject('envelope/inner-mismatch', 'inner message id or handling code differs');
    codes = frame.codes;
    // The payload first: its items' evaluations are checked with the message's (§8.2 "Evaluation per item").
    payload = decodePayload(frame.payloadBytes);
    try {
      checkMessageCodes(profileOf(view.policy), h.handling, codes, itemEvaluations(payload));
    } catch (cause) {
      throw new DecryptError('envelope/bad-codes', 'openEnvelope: evaluation or handling conditions do not fit the channel profile', { cause });
    }
  } catch (cause) {
    if (cause instanceof DecryptError) throw cause;
    if (cause instanceof CryptoError) throw new DecryptError('envelope/bad-inner', 'openEnvelope: inner frame or payload invalid', { cause });
    throw cause;
  }
  eraseKeys(derived.consumed);
  return { header: h, codes, payload, receiver: { ...receiver, chains: { ...receiver.chains, [chainId]: derived.chain } } };
}

const headerSpec = {
  v: lit(1),
  channelId: id,
  epoch: int,
  stateHash: bytes(HASH_BYTES),
  senderOfficerId: id,
  senderDeviceId: id,
  counter: int,
  messageId: id,
  handling: oneOf(HANDLING_CODES),
  time: int,
  keyLogSize: int,
  keyLogHash: bytes(HASH_BYTES),
  nonce: bytes(AEAD_NONCE_BYTES),
} as const;
export const envelopeHeaderCodec = wireCodec<EnvelopeHeader>('envelopeHeader', headerSpec);
export const messageEnvelopeCodec = wireCodec<MessageEnvelope>('messageEnvelope', {
  header: obj(headerSpec),
  ciphertext: bytes(undefined, MAX_CIPHERTEXT_BYTES),
  signature: bytes(SIGNATURE_BYTES),
});
