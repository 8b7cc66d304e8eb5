/**
 * Channel meta (PROTOCOL.md §6.1): title, description and case reference of a channel, sealed for the
 * members of one epoch under a dedicated key derived from that epoch's secret (never a message key).
 * Wire form `m1.<epoch>.<nonce>.<ciphertext>`, the server stores it as an opaque string (`encryptedMeta`).
 */
import { fromB64, toB64, u64be, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { ChannelMetaError } from './errors.ts';
import { AEAD_NONCE_BYTES, labelledHash, rngOrDefault } from './primitives.ts';
import { getSodium } from './sodium.ts';

/** Channel title, description and case reference: readable by members only. */
export interface ChannelMeta {
  title: string;
  description?: string;
  caseRef?: string;
}

export const CHANNEL_META_KEY_LABEL = 'liaison/v1/sdk-channel-meta';
export const CHANNEL_META_AD_LABEL = 'liaison/v1/sdk-channel-meta-ad';
export const CHANNEL_META_PREFIX = 'm1';

/** `metaKey = Hk("liaison/v1/sdk-channel-meta", [channelId, u64 epoch], epochSecret)`. */
export function channelMetaKey(channelId: string, epoch: number, epochSecret: Uint8Array): Uint8Array {
  return labelledHash(CHANNEL_META_KEY_LABEL, [utf8(channelId), u64be(epoch)], epochSecret);
}

/** `AD = H("liaison/v1/sdk-channel-meta-ad", [channelId, u64 epoch])` (a hash, not the encoding itself). */
export function channelMetaAd(channelId: string, epoch: number): Uint8Array {
  return labelledHash(CHANNEL_META_AD_LABEL, [utf8(channelId), u64be(epoch)]);
}

/** `m1.<epoch>.<nonce>.<ciphertext>`: the epoch tells readers which secret to use. */
export function sealChannelMeta(channelId: string, epoch: number, epochSecret: Uint8Array, meta: ChannelMeta, rng?: Rng): string {
  const sodium = getSodium();
  const key = channelMetaKey(channelId, epoch, epochSecret);
  const nonce = rngOrDefault(rng)(AEAD_NONCE_BYTES);
  const ad = channelMetaAd(channelId, epoch);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(JSON.stringify(meta)), ad, null, nonce, key);
  sodium.memzero(key);
  return `${CHANNEL_META_PREFIX}.${epoch}.${toB64(nonce)}.${toB64(ct)}`;
}

/** The epoch a sealed meta names, or null when it is not an `m1.<digits>.` string. */
export function channelMetaEpoch(encrypted: string): number | null {
  const m = /^m1\.(\d+)\./.exec(encrypted);
  return m ? Number(m[1]) : null;
}

/**
 * Opens a sealed meta. null: not four dot-separated parts with prefix `m1`, or no secret for its epoch.
 * Throws ChannelMetaError `meta/open-failed` (base64url, nonce length, AEAD) or `meta/bad-plaintext`
 * (not JSON, or `title` not a string). Other plaintext members are returned as they are.
 */
export function openChannelMeta(channelId: string, encrypted: string, epochSecret: (epoch: number) => Uint8Array | undefined): ChannelMeta | null {
  const parts = encrypted.split('.');
  if (parts.length !== 4 || parts[0] !== CHANNEL_META_PREFIX) return null;
  const epoch = Number(parts[1]);
  const secret = epochSecret(epoch);
  if (!secret) return null;
  const sodium = getSodium();
  const key = channelMetaKey(channelId, epoch, secret);
  try {
    let plain: Uint8Array;
    try {
      const ad = channelMetaAd(channelId, epoch);
      plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromB64(parts[3]!), ad, fromB64(parts[2]!), key);
    } catch (cause) {
      throw new ChannelMetaError('meta/open-failed', 'openChannelMeta: channel meta does not decrypt', { cause });
    }
    try {
      const meta = JSON.parse(new TextDecoder().decode(plain)) as ChannelMeta;
      if (typeof meta.title !== 'string') throw new Error('no title');
      return meta;
    } catch (cause) {
      throw new ChannelMetaError('meta/bad-plaintext', 'openChannelMeta: channel meta plaintext has no string title', { cause });
    }
  } finally {
    sodium.memzero(key);
  }
}
