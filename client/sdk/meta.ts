import { AEAD_NONCE_BYTES, fromB64, getSodium, labelledHash, randomBytes, toB64, u64be, utf8 } from '../../shared/crypto/index.ts';
import { LiaisonClientError } from './errors.ts';

/** Channel title, description and case reference: readable by members only. */
export interface ChannelMeta {
  title: string;
  description?: string;
  caseRef?: string;
}

const META_KEY_LABEL = 'liaison/v1/sdk-channel-meta';
const META_AD_LABEL = 'liaison/v1/sdk-channel-meta-ad';

/** A dedicated key per (channel, epoch), keyed BLAKE2b of the epoch secret: never a message key. */
function metaKey(channelId: string, epoch: number, epochSecret: Uint8Array): Uint8Array {
  return labelledHash(META_KEY_LABEL, [utf8(channelId), u64be(epoch)], epochSecret);
}

/** `m1.<epoch>.<nonce>.<ciphertext>`: the epoch tells readers which secret to use. */
export function encryptMeta(channelId: string, epoch: number, epochSecret: Uint8Array, meta: ChannelMeta): string {
  const sodium = getSodium();
  const key = metaKey(channelId, epoch, epochSecret);
  const nonce = randomBytes(AEAD_NONCE_BYTES);
  const ad = labelledHash(META_AD_LABEL, [utf8(channelId), u64be(epoch)]);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(JSON.stringify(meta)), ad, null, nonce, key);
  sodium.memzero(key);
  return `m1.${epoch}.${toB64(nonce)}.${toB64(ct)}`;
}

export function metaEpoch(encrypted: string): number | null {
  const m = /^m1\.(\d+)\./.exec(encrypted);
  return m ? Number(m[1]) : null;
}

export function decryptMeta(channelId: string, encrypted: string, epochSecret: (epoch: number) => Uint8Array | undefined): ChannelMeta | null {
  const parts = encrypted.split('.');
  if (parts.length !== 4 || parts[0] !== 'm1') return null;
  const epoch = Number(parts[1]);
  const secret = epochSecret(epoch);
  if (!secret) return null;
  const sodium = getSodium();
  const key = metaKey(channelId, epoch, secret);
  try {
    const ad = labelledHash(META_AD_LABEL, [utf8(channelId), u64be(epoch)]);
    const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromB64(parts[3]!), ad, fromB64(parts[2]!), key);
    const meta = JSON.parse(new TextDecoder().decode(plain)) as ChannelMeta;
    if (typeof meta.title !== 'string') throw new Error('no title');
    return meta;
  } catch (cause) {
    throw new LiaisonClientError('channel/meta-invalid', 'decryptMeta: channel meta does not decrypt', { cause });
  } finally {
    sodium.memzero(key);
  }
}
