import { constantTimeEqual, decodeFields, encodeFields, readU64, u64be, u8, utf8, fromUtf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { CryptoError, EpochError } from './errors.ts';
import type { ChannelState, EpochView } from './channel-state.ts';
import type { IdentityKeys } from './identity.ts';
import {
  DH_PUBLIC_KEY_BYTES,
  HASH_BYTES,
  SEALED_BOX_OVERHEAD_BYTES,
  SIGNATURE_BYTES,
  labelledSign,
  labelledVerify,
  rngOrDefault,
} from './primitives.ts';
import { getSodium } from './sodium.ts';
import { arr, bytes, id, int, lit, obj, wireCodec } from './wire.ts';

export const EPOCH_SECRET_BYTES = 32;
/** Sealed-box overhead + the framed context (two ids of at most 128 chars, epoch, state hash, secret). */
const MAX_SEALED_BYTES = SEALED_BOX_OVERHEAD_BYTES + 2048;
export const EPOCH_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Per sender device and epoch; the sender must rekey before exceeding it. */
export const EPOCH_MAX_MESSAGES = 1000;
/** Tolerated clock skew when receivers check the epoch age. */
export const CLOCK_SKEW_MS = 10 * 60 * 1000;

export interface KeyEnvelopeRecipient {
  officerId: string;
  dhPublicKey: Uint8Array;
  sealed: Uint8Array;
}

/** The epoch secret, sealed to every member of the epoch and signed by the event's author. */
export interface KeyEnvelope {
  v: 1;
  channelId: string;
  epoch: number;
  stateHash: Uint8Array;
  senderOfficerId: string;
  senderDeviceId: string;
  recipients: KeyEnvelopeRecipient[];
  signature: Uint8Array;
}

const KEY_ENVELOPE_LABEL = 'liaison/v1/key-envelope';
const EPOCH_SECRET_LABEL = 'liaison/v1/epoch-secret';

export function keyEnvelopeFields(e: Omit<KeyEnvelope, 'signature'>): Uint8Array[] {
  const fields = [u8(e.v), utf8(e.channelId), u64be(e.epoch), e.stateHash, utf8(e.senderOfficerId), utf8(e.senderDeviceId), u64be(e.recipients.length)];
  for (const r of e.recipients) fields.push(utf8(r.officerId), r.dhPublicKey, r.sealed);
  return fields;
}

function sealedPlaintext(channelId: string, view: EpochView, officerId: string, secret: Uint8Array): Uint8Array {
  return encodeFields(EPOCH_SECRET_LABEL, [utf8(channelId), u64be(view.epoch), view.stateHash, utf8(officerId), secret]);
}

/** crypto_box_seal, but with the ephemeral key drawn from `rng` so test vectors are reproducible. */
export function sealTo(recipientDhPublicKey: Uint8Array, message: Uint8Array, rng?: Rng): Uint8Array {
  const sodium = getSodium();
  const ephemeralSecret = rngOrDefault(rng)(32);
  const ephemeralPublic = sodium.crypto_scalarmult_base(ephemeralSecret);
  const nonce = sodium.crypto_generichash(sodium.crypto_box_NONCEBYTES, encodeRaw(ephemeralPublic, recipientDhPublicKey), null);
  const boxed = sodium.crypto_box_easy(message, nonce, recipientDhPublicKey, ephemeralSecret);
  sodium.memzero(ephemeralSecret);
  return encodeRaw(ephemeralPublic, boxed);
}

function encodeRaw(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function epochView(state: ChannelState, epoch: number, stateHash: Uint8Array | null, fn: string): EpochView {
  const view = state.epochs.get(epoch);
  if (!view || (stateHash && !constantTimeEqual(view.stateHash, stateHash))) {
    throw new EpochError('epoch/unknown', `${fn}: epoch ${epoch} is not in the verified chain`);
  }
  return view;
}

/** The recipient list must be exactly the verified membership of the epoch: no ghost, no one missing. */
export function checkRecipientSet(view: EpochView, recipients: readonly { officerId: string; dhPublicKey: Uint8Array }[]): void {
  // The list is signed in this order, so one epoch has one byte form: strictly ascending officer ids (idLess).
  for (let i = 1; i < recipients.length; i++) {
    if (!idLess(recipients[i - 1]!.officerId, recipients[i]!.officerId)) {
      throw new EpochError('epoch/recipient-order', 'checkRecipientSet: recipients must be sorted by officer id, each once');
    }
  }
  const seen = new Set<string>();
  for (const r of recipients) {
    const member = view.members.get(r.officerId);
    if (!member || seen.has(r.officerId) || !constantTimeEqual(member.cert.dhPublicKey, r.dhPublicKey)) {
      throw new EpochError('epoch/recipient-mismatch', 'checkRecipientSet: recipient is not a verified member (or listed twice)');
    }
    seen.add(r.officerId);
  }
  if (seen.size !== view.members.size) {
    throw new EpochError('epoch/recipient-mismatch', 'checkRecipientSet: a verified member is missing');
  }
}

/**
 * Who keys an epoch (PROTOCOL.md §6, "Distributor"). `deviceId` is the one device that may distribute,
 * or null when any device of that officer may (the chain names no device for an alternate distributor).
 */
export interface EpochDistributor {
  officerId: string;
  deviceId: string | null;
}

/** Officer-id order of the key envelope's recipient list (UTF-16 code units; byte order for ASCII ids). */
function idLess(a: string, b: string): boolean {
  return a < b;
}

/**
 * The deterministic distributor rule, computed from the verified epoch alone (the same answer for
 * every client and the server): the author of the event that opened the epoch, from the event's
 * device, while the author is a member of the epoch; otherwise (the author removed themselves) the
 * owner with the smallest officer id, else the member with the smallest officer id, from any of that
 * officer's devices. Always a member of the epoch, so whoever left can never key it. Null when the
 * epoch has no members.
 */
export function epochDistributor(view: EpochView): EpochDistributor | null {
  if (view.members.has(view.authorOfficerId)) return { officerId: view.authorOfficerId, deviceId: view.authorDeviceId };
  let owner: string | null = null;
  let anyone: string | null = null;
  for (const [officerId, m] of view.members) {
    if (m.role === 'owner' && (owner === null || idLess(officerId, owner))) owner = officerId;
    if (anyone === null || idLess(officerId, anyone)) anyone = officerId;
  }
  const chosen = owner ?? anyone;
  return chosen === null ? null : { officerId: chosen, deviceId: null };
}

/** Whether `officerId` on `deviceId` is the distributor of the epoch (epochDistributor). */
export function isEpochDistributor(view: EpochView, officerId: string, deviceId: string): boolean {
  const d = epochDistributor(view);
  return d !== null && d.officerId === officerId && (d.deviceId === null || d.deviceId === deviceId);
}

/** The epoch's distributor (epochDistributor) seals its secret to the verified members only. */
export function createKeyEnvelope(args: {
  state: ChannelState;
  sender: IdentityKeys;
  deviceId: string;
  epoch?: number;
  epochSecret?: Uint8Array;
  rng?: Rng;
}): { envelope: KeyEnvelope; epochSecret: Uint8Array } {
  const { state, sender, deviceId } = args;
  const view = epochView(state, args.epoch ?? state.current.epoch, null, 'createKeyEnvelope');
  if (!isEpochDistributor(view, sender.officerId, deviceId)) {
    throw new EpochError('epoch/not-distributor', 'createKeyEnvelope: only the epoch\'s distributor (its author while a member, else the first remaining owner) keys it');
  }
  const rng = rngOrDefault(args.rng);
  const epochSecret = args.epochSecret ?? rng(EPOCH_SECRET_BYTES);
  const recipients: KeyEnvelopeRecipient[] = [...view.members.values()]
    .map((m) => m.cert)
    .sort((a, b) => (a.officerId < b.officerId ? -1 : a.officerId > b.officerId ? 1 : 0))
    .map((cert) => ({
      officerId: cert.officerId,
      dhPublicKey: cert.dhPublicKey,
      sealed: sealTo(cert.dhPublicKey, sealedPlaintext(state.channelId, view, cert.officerId, epochSecret), rng),
    }));
  const unsigned: Omit<KeyEnvelope, 'signature'> = {
    v: 1,
    channelId: state.channelId,
    epoch: view.epoch,
    stateHash: view.stateHash,
    senderOfficerId: sender.officerId,
    senderDeviceId: deviceId,
    recipients,
  };
  return { envelope: { ...unsigned, signature: labelledSign(KEY_ENVELOPE_LABEL, keyEnvelopeFields(unsigned), sender.signSecretKey) }, epochSecret };
}

/**
 * Checks, in order: channel, known epoch/state, distributor, signature, exact recipient set;
 * then opens the caller's sealed copy and checks the bound context. Returns the epoch secret.
 */
export function openKeyEnvelope(args: { state: ChannelState; envelope: KeyEnvelope; me: IdentityKeys }): Uint8Array {
  const { state, envelope: e, me } = args;
  const fn = 'openKeyEnvelope';
  if (e.channelId !== state.channelId) throw new EpochError('epoch/wrong-channel', `${fn}: envelope is for another channel`);
  const view = epochView(state, e.epoch, e.stateHash, fn);
  const author = view.members.get(e.senderOfficerId);
  if (!author || !isEpochDistributor(view, e.senderOfficerId, e.senderDeviceId)) {
    throw new EpochError('epoch/not-distributor', `${fn}: sender is not the epoch's distributor`);
  }
  if (!labelledVerify(KEY_ENVELOPE_LABEL, keyEnvelopeFields(e), e.signature, author.cert.signPublicKey)) {
    throw new EpochError('epoch/bad-signature', `${fn}: signature does not verify`);
  }
  checkRecipientSet(view, e.recipients);
  const mine = e.recipients.find((r) => r.officerId === me.officerId);
  if (!mine || !constantTimeEqual(mine.dhPublicKey, me.dhPublicKey)) throw new EpochError('epoch/not-recipient', `${fn}: not sealed to me`);
  let inner: Uint8Array[];
  try {
    const opened = getSodium().crypto_box_seal_open(mine.sealed, me.dhPublicKey, me.dhSecretKey);
    inner = decodeFields(EPOCH_SECRET_LABEL, opened, 5);
  } catch (cause) {
    throw new EpochError('epoch/open-failed', `${fn}: sealed secret does not open`, { cause });
  }
  const [channelId, epoch, stateHash, officerId, secret] = inner as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const bound =
    fromUtf8Safe(channelId) === state.channelId &&
    readU64Safe(epoch) === view.epoch &&
    constantTimeEqual(stateHash, view.stateHash) &&
    fromUtf8Safe(officerId) === me.officerId &&
    secret.length === EPOCH_SECRET_BYTES;
  if (!bound) throw new EpochError('epoch/context-mismatch', `${fn}: sealed secret is bound to another context`);
  return secret;
}

function fromUtf8Safe(b: Uint8Array): string | null {
  try {
    return fromUtf8(b);
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

function readU64Safe(b: Uint8Array): number {
  try {
    return readU64(b);
  } catch (e) {
    if (e instanceof CryptoError) return -1;
    throw e;
  }
}

/** Whether the epoch must be replaced (rekey event) before sending: age or message budget. */
export function rekeyDue(view: EpochView, now: number, messagesInEpoch: number): boolean {
  return now - view.startedAt >= EPOCH_MAX_AGE_MS || messagesInEpoch >= EPOCH_MAX_MESSAGES;
}

export const keyEnvelopeCodec = wireCodec<KeyEnvelope>('keyEnvelope', {
  v: lit(1),
  channelId: id,
  epoch: int,
  stateHash: bytes(HASH_BYTES),
  senderOfficerId: id,
  senderDeviceId: id,
  recipients: arr(
    obj({ officerId: id, dhPublicKey: bytes(DH_PUBLIC_KEY_BYTES), sealed: bytes(undefined, MAX_SEALED_BYTES) }),
  ),
  signature: bytes(SIGNATURE_BYTES),
});
