import { CryptoError, channelMetaEpoch, openChannelMeta, sealChannelMeta } from '../../shared/crypto/index.ts';
import type { ChannelMeta } from '../../shared/crypto/index.ts';
import { LiaisonClientError } from './errors.ts';

/** Channel title, description and case reference: readable by members only (byte format: PROTOCOL.md §6.1). */
export type { ChannelMeta } from '../../shared/crypto/index.ts';

/** `m1.<epoch>.<nonce>.<ciphertext>` under the epoch's dedicated meta key (never a message key). */
export function encryptMeta(channelId: string, epoch: number, epochSecret: Uint8Array, meta: ChannelMeta): string {
  return sealChannelMeta(channelId, epoch, epochSecret, meta);
}

export function metaEpoch(encrypted: string): number | null {
  return channelMetaEpoch(encrypted);
}

export function decryptMeta(channelId: string, encrypted: string, epochSecret: (epoch: number) => Uint8Array | undefined): ChannelMeta | null {
  try {
    return openChannelMeta(channelId, encrypted, epochSecret);
  } catch (cause) {
    if (cause instanceof CryptoError && cause.code.startsWith('meta/')) throw new LiaisonClientError('channel/meta-invalid', 'decryptMeta: channel meta does not decrypt', { cause });
    throw cause;
  }
}
