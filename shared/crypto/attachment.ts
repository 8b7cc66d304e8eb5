import { concatBytes, constantTimeEqual, encodeFields, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { AttachmentError } from './errors.ts';
import { HASH_BYTES, labelledHash, rngOrDefault } from './primitives.ts';
import { getSodium } from './sodium.ts';

export const ATTACHMENT_CHUNK_BYTES = 64 * 1024;
export const ATTACHMENT_KEY_BYTES = 32;
export const ATTACHMENT_HEADER_BYTES = 24;
/** secretstream adds 17 bytes per chunk (1 tag byte + 16 MAC). */
export const ATTACHMENT_CHUNK_OVERHEAD_BYTES = 17;
const CHUNK_AD_LABEL = 'liaison/v1/attachment-chunk';
const HASH_LABEL = 'liaison/v1/attachment-ciphertext';

export interface AttachmentSecrets {
  fileId: string;
  key: Uint8Array;
  header: Uint8Array;
  /** BLAKE2b of the ciphertext blob: the blob's content address and an integrity check. */
  hash: Uint8Array;
  size: number;
}

export function attachmentHash(ciphertext: Uint8Array): Uint8Array {
  return labelledHash(HASH_LABEL, [ciphertext]);
}

function chunkAd(fileId: string): Uint8Array {
  return encodeFields(CHUNK_AD_LABEL, [utf8(fileId)]);
}

/**
 * Encrypts with crypto_secretstream_xchacha20poly1305 in 64 KiB chunks; the last chunk (possibly
 * empty) carries TAG_FINAL. `rng` supplies the key only; libsodium draws the stream header itself.
 */
export function encryptAttachment(fileId: string, plaintext: Uint8Array, opts: { key?: Uint8Array; rng?: Rng } = {}): { ciphertext: Uint8Array; secrets: AttachmentSecrets } {
  const sodium = getSodium();
  const key = opts.key ?? rngOrDefault(opts.rng)(ATTACHMENT_KEY_BYTES);
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const ad = chunkAd(fileId);
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / ATTACHMENT_CHUNK_BYTES));
  const out = new Uint8Array(plaintext.length + chunkCount * ATTACHMENT_CHUNK_OVERHEAD_BYTES);
  for (let i = 0; i < chunkCount; i++) {
    const chunk = plaintext.subarray(i * ATTACHMENT_CHUNK_BYTES, (i + 1) * ATTACHMENT_CHUNK_BYTES);
    const tag = i === chunkCount - 1 ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    out.set(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, ad, tag), i * (ATTACHMENT_CHUNK_BYTES + ATTACHMENT_CHUNK_OVERHEAD_BYTES));
  }
  return { ciphertext: out, secrets: { fileId, key, header, hash: attachmentHash(out), size: plaintext.length } };
}

/** Rejects a wrong hash, wrong file id, reordered or altered chunks, a missing final tag and data after it. */
export function decryptAttachment(secrets: AttachmentSecrets, ciphertext: Uint8Array): Uint8Array {
  const fn = 'decryptAttachment';
  if (secrets.key.length !== ATTACHMENT_KEY_BYTES || secrets.header.length !== ATTACHMENT_HEADER_BYTES || secrets.hash.length !== HASH_BYTES) {
    throw new AttachmentError('attachment/bad-secrets', `${fn}: key, header or hash has the wrong length`);
  }
  if (!constantTimeEqual(attachmentHash(ciphertext), secrets.hash)) throw new AttachmentError('attachment/hash-mismatch', `${fn}: ciphertext hash differs`);
  return openStream(secrets, ciphertext);
}

export function attachmentCiphertextLength(size: number): number {
  return size + Math.max(1, Math.ceil(size / ATTACHMENT_CHUNK_BYTES)) * ATTACHMENT_CHUNK_OVERHEAD_BYTES;
}

/** The stream layer alone (also used by tests to show it stands without the hash check). */
export function openStream(secrets: Pick<AttachmentSecrets, 'fileId' | 'key' | 'header' | 'size'>, ciphertext: Uint8Array): Uint8Array {
  const sodium = getSodium();
  const fn = 'openStream';
  // The size travels in the signed message, so extra or missing bytes are caught before decryption.
  const expected = attachmentCiphertextLength(secrets.size);
  if (ciphertext.length > expected) throw new AttachmentError('attachment/trailing-data', `${fn}: ciphertext longer than the declared size`);
  if (ciphertext.length < expected) throw new AttachmentError('attachment/truncated', `${fn}: ciphertext shorter than the declared size`);
  let state;
  try {
    state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(secrets.header, secrets.key);
  } catch (cause) {
    throw new AttachmentError('attachment/bad-secrets', `${fn}: cannot initialise the stream`, { cause });
  }
  const ad = chunkAd(secrets.fileId);
  const stride = ATTACHMENT_CHUNK_BYTES + ATTACHMENT_CHUNK_OVERHEAD_BYTES;
  const parts: Uint8Array[] = [];
  for (let off = 0; ; off += stride) {
    if (off >= ciphertext.length) throw new AttachmentError('attachment/truncated', `${fn}: stream ended without a final chunk`);
    const chunk = ciphertext.subarray(off, off + stride);
    let res: { message: Uint8Array; tag: number } | false;
    try {
      res = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk, ad);
    } catch {
      res = false;
    }
    if (!res) throw new AttachmentError('attachment/chunk-invalid', `${fn}: chunk at ${off} fails authentication`);
    parts.push(res.message);
    if (res.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      if (off + chunk.length !== ciphertext.length) throw new AttachmentError('attachment/trailing-data', `${fn}: data after the final chunk`);
      break;
    }
    if (res.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE || chunk.length !== stride) {
      throw new AttachmentError('attachment/chunk-invalid', `${fn}: unexpected tag or short chunk before the end`);
    }
  }
  return concatBytes(...parts);
}
