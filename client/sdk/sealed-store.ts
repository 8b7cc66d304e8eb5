import { fromB64, getSodium, labelledHash, randomBytes, toB64, utf8, AEAD_NONCE_BYTES } from '../../shared/crypto/index.ts';
import type { StateStore } from './store.ts';
import { LiaisonClientError } from './errors.ts';

const STORE_KEY_LABEL = 'liaison/v1/sdk-local-store';

interface SealedValue {
  sealed: 1;
  nonce: string;
  ciphertext: string;
}

/**
 * Secret state (epoch secrets, sending and receiving chain keys) is stored sealed with
 * XChaCha20-Poly1305 under a key derived from the identity X25519 secret (keyed BLAKE2b with a
 * dedicated label); the store key is the AD-bound entry name, so entries cannot be swapped.
 * Locked client = no store key = no access to these values.
 */
export class SealedStore {
  private key: Uint8Array | null = null;

  constructor(private readonly store: StateStore) {}

  unlock(officerId: string, dhSecretKey: Uint8Array): void {
    this.key = labelledHash(STORE_KEY_LABEL, [utf8(officerId)], dhSecretKey);
  }

  lock(): void {
    if (this.key) getSodium().memzero(this.key);
    this.key = null;
  }

  get unlocked(): boolean {
    return this.key !== null;
  }

  async get<T>(name: string): Promise<T | undefined> {
    const v = await this.store.get<SealedValue>(name);
    if (!v) return undefined;
    const key = this.requireKey('SealedStore.get');
    try {
      const plain = getSodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromB64(v.ciphertext), utf8(name), fromB64(v.nonce), key);
      return JSON.parse(new TextDecoder().decode(plain)) as T;
    } catch (cause) {
      throw new LiaisonClientError('store/unseal-failed', `SealedStore.get: cannot open ${name}`, { cause });
    }
  }

  async set(name: string, value: unknown): Promise<void> {
    const key = this.requireKey('SealedStore.set');
    const nonce = randomBytes(AEAD_NONCE_BYTES);
    const ciphertext = getSodium().crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(JSON.stringify(value)), utf8(name), null, nonce, key);
    const sealed: SealedValue = { sealed: 1, nonce: toB64(nonce), ciphertext: toB64(ciphertext) };
    await this.store.set(name, sealed);
  }

  async delete(name: string): Promise<void> {
    await this.store.delete(name);
  }

  private requireKey(fn: string): Uint8Array {
    if (!this.key) throw new LiaisonClientError('keys/locked', `${fn}: keys are locked; unlock() first`);
    return this.key;
  }
}
