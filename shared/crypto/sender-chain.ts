import { u64be, utf8 } from './encoding.ts';
import { DecryptError, EpochError } from './errors.ts';
import { EPOCH_MAX_MESSAGES } from './epoch.ts';
import { labelledHash } from './primitives.ts';
import { getSodium } from './sodium.ts';
import { arr, bytes, id, int, lit, obj, wireCodec } from './wire.ts';

export const CHAIN_KEY_BYTES = 32;
export const MESSAGE_KEY_BYTES = 32;
/** How far ahead of the next expected counter a message may be (keys derived and kept for the gap). */
export const MAX_SKIP = 256;
/** Upper bound of kept skipped keys per chain; oldest are dropped first. */
export const MAX_SKIPPED_KEYS = 512;
export const SKIPPED_KEY_TTL_MS = 7 * 24 * 3600 * 1000;

/** crypto_kdf contexts (8 bytes each) and subkey ids of the per-message ratchet step. */
export const KDF_CONTEXT_MESSAGE = 'LsnMsgK1';
export const KDF_CONTEXT_CHAIN = 'LsnChnK1';
const SENDER_CHAIN_LABEL = 'liaison/v1/sender-chain';

export interface ChainId {
  channelId: string;
  epoch: number;
  stateHash: Uint8Array;
  officerId: string;
  deviceId: string;
}

/** Chain key 0 of one sender device in one epoch: keyed BLAKE2b of the context under the epoch secret. */
export function initialChainKey(epochSecret: Uint8Array, c: ChainId): Uint8Array {
  return labelledHash(SENDER_CHAIN_LABEL, [utf8(c.channelId), u64be(c.epoch), c.stateHash, utf8(c.officerId), utf8(c.deviceId)], epochSecret);
}

/** One ratchet step: message key for the current counter and the next chain key. */
export function ratchetStep(chainKey: Uint8Array): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  const sodium = getSodium();
  return {
    messageKey: sodium.crypto_kdf_derive_from_key(MESSAGE_KEY_BYTES, 1, KDF_CONTEXT_MESSAGE, chainKey),
    nextChainKey: sodium.crypto_kdf_derive_from_key(CHAIN_KEY_BYTES, 2, KDF_CONTEXT_CHAIN, chainKey),
  };
}

export interface SendingChain {
  v: 1;
  channelId: string;
  epoch: number;
  officerId: string;
  deviceId: string;
  chainKey: Uint8Array;
  counter: number;
}

export function startSendingChain(epochSecret: Uint8Array, c: ChainId): SendingChain {
  return { v: 1, channelId: c.channelId, epoch: c.epoch, officerId: c.officerId, deviceId: c.deviceId, chainKey: initialChainKey(epochSecret, c), counter: 0 };
}

/** Returns the key for `chain.counter` and the advanced chain; the old chain key is erased. */
export function nextSendingKey(chain: SendingChain): { messageKey: Uint8Array; counter: number; chain: SendingChain } {
  if (chain.counter >= EPOCH_MAX_MESSAGES) throw new EpochError('epoch/exhausted', 'nextSendingKey: message budget of this epoch is spent; rekey');
  const { messageKey, nextChainKey } = ratchetStep(chain.chainKey);
  getSodium().memzero(chain.chainKey);
  return { messageKey, counter: chain.counter, chain: { ...chain, chainKey: nextChainKey, counter: chain.counter + 1 } };
}

export interface SkippedKey {
  counter: number;
  messageKey: Uint8Array;
  expiresAt: number;
}

export interface ReceivingChain {
  chainKey: Uint8Array;
  /** Next counter the chain key corresponds to; every lower counter is spent or in `skipped`. */
  next: number;
  skipped: SkippedKey[];
}

/** Persisted per channel: all receiving chains, keyed by `${epoch}/${officerId}/${deviceId}`. */
export interface ReceiverState {
  v: 1;
  channelId: string;
  chains: Record<string, ReceivingChain>;
}

export function emptyReceiverState(channelId: string): ReceiverState {
  return { v: 1, channelId, chains: {} };
}

export function chainKeyId(epoch: number, officerId: string, deviceId: string): string {
  return `${epoch}/${officerId}/${deviceId}`;
}

function decryptFail(code: string, message: string): never {
  throw new DecryptError(code, message);
}

/**
 * Checks a counter against the chain without deriving anything (replay, window, budget),
 * so the pipeline can reject before key derivation.
 */
export function checkCounter(chain: ReceivingChain | undefined, counter: number, now: number): void {
  if (counter >= EPOCH_MAX_MESSAGES) decryptFail('envelope/counter-limit', 'checkCounter: counter exceeds the epoch budget');
  const next = chain ? chain.next : 0;
  if (counter < next) {
    const hit = chain?.skipped.find((s) => s.counter === counter && s.expiresAt > now);
    if (!hit) decryptFail('envelope/replay', 'checkCounter: counter already used or its key expired');
  } else if (counter - next > MAX_SKIP) {
    decryptFail('envelope/too-far-ahead', 'checkCounter: counter is beyond the skip window');
  }
}

/**
 * Derives the message key for `counter` and the chain to store after a successful decryption.
 * Call checkCounter first. The returned chain must only be persisted if decryption succeeds.
 */
export function receivingKey(
  chain: ReceivingChain | undefined,
  initial: () => Uint8Array,
  counter: number,
  now: number,
): { messageKey: Uint8Array; chain: ReceivingChain; consumed: Uint8Array[] } {
  const base: ReceivingChain = chain ?? { chainKey: initial(), next: 0, skipped: [] };
  const live = base.skipped.filter((s) => s.expiresAt > now);
  if (counter < base.next) {
    const hit = live.find((s) => s.counter === counter);
    if (!hit) decryptFail('envelope/replay', 'receivingKey: counter already used');
    return { messageKey: hit.messageKey.slice(), chain: { ...base, skipped: live.filter((s) => s !== hit) }, consumed: [] };
  }
  let chainKey = base.chainKey;
  const consumed: Uint8Array[] = [];
  const skipped = counter > base.next ? [...live] : live;
  for (let i = base.next; i < counter; i++) {
    const step = ratchetStep(chainKey);
    skipped.push({ counter: i, messageKey: step.messageKey, expiresAt: now + SKIPPED_KEY_TTL_MS });
    consumed.push(chainKey);
    chainKey = step.nextChainKey;
  }
  const step = ratchetStep(chainKey);
  consumed.push(chainKey);
  const bounded = skipped.length > MAX_SKIPPED_KEYS ? skipped.slice(skipped.length - MAX_SKIPPED_KEYS) : skipped;
  return { messageKey: step.messageKey, chain: { chainKey: step.nextChainKey, next: counter + 1, skipped: bounded }, consumed };
}

/** Erase chain keys that a successful step replaced (forward secrecy within the epoch). */
export function eraseKeys(keys: readonly Uint8Array[]): void {
  const sodium = getSodium();
  for (const k of keys) sodium.memzero(k);
}

export const sendingChainCodec = wireCodec<SendingChain>('sendingChain', {
  v: lit(1),
  channelId: id,
  epoch: int,
  officerId: id,
  deviceId: id,
  chainKey: bytes(CHAIN_KEY_BYTES),
  counter: int,
});

const receivingChainSpec = {
  chainKey: bytes(CHAIN_KEY_BYTES),
  next: int,
  skipped: arr(obj({ counter: int, messageKey: bytes(MESSAGE_KEY_BYTES), expiresAt: int }), MAX_SKIPPED_KEYS),
} as const;

/** Wire form stores chains as a list (JSON objects with arbitrary keys are not validated field by field). */
const receiverWire = wireCodec<{ v: 1; channelId: string; chains: { id: string; chain: ReceivingChain }[] }>('receiverState', {
  v: lit(1),
  channelId: id,
  chains: arr(obj({ id: { t: 'str', max: 512 }, chain: obj(receivingChainSpec) })),
});

export const receiverStateCodec = {
  toWire(state: ReceiverState): Record<string, unknown> {
    return receiverWire.toWire({ v: 1, channelId: state.channelId, chains: Object.entries(state.chains).map(([k, chain]) => ({ id: k, chain })) });
  },
  fromWire(json: unknown): ReceiverState {
    const w = receiverWire.fromWire(json);
    // Null prototype: chain ids come from the wire and must not reach Object.prototype.
    const chains = Object.create(null) as Record<string, ReceivingChain>;
    for (const c of w.chains) chains[c.id] = c.chain;
    return { v: 1, channelId: w.channelId, chains };
  },
};
