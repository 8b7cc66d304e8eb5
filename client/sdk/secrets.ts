import { fromB64, getSodium, toB64 } from '../../shared/crypto/index.ts';
import type { SealedStore } from './sealed-store.ts';

/**
 * Epoch secrets: kept in memory for the synchronous crypto callbacks and persisted sealed
 * (sealed-store.ts) so a restart does not need the key envelopes again. Wiped on lock().
 */
export class EpochSecrets {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly sealed: SealedStore) {}

  async load(channelId: string, epoch: number): Promise<Uint8Array | undefined> {
    const id = `${channelId}/${epoch}`;
    let s = this.cache.get(id);
    if (!s) {
      const b64 = await this.sealed.get<string>(`epoch:${id}`);
      if (b64) {
        s = fromB64(b64);
        this.cache.set(id, s);
      }
    }
    return s;
  }

  /** Synchronous view for openEnvelope; load() the epochs needed first. */
  peek(channelId: string, epoch: number): Uint8Array | undefined {
    return this.cache.get(`${channelId}/${epoch}`);
  }

  async save(channelId: string, epoch: number, secret: Uint8Array): Promise<void> {
    this.cache.set(`${channelId}/${epoch}`, secret);
    await this.sealed.set(`epoch:${channelId}/${epoch}`, toB64(secret));
  }

  wipe(): void {
    const sodium = getSodium();
    for (const s of this.cache.values()) sodium.memzero(s);
    this.cache.clear();
  }
}
