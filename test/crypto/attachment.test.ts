import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ATTACHMENT_CHUNK_BYTES, attachmentHash, constantTimeEqual, decryptAttachment, encryptAttachment, initSodium, openStream } from '../../shared/crypto/index.ts';
import { codeOf } from './fixtures.ts';

await initSodium();

const STRIDE = ATTACHMENT_CHUNK_BYTES + 17;

describe('attachments', () => {
  it('round-trips any content (property, incl. empty and exact chunk multiples)', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 100, ATTACHMENT_CHUNK_BYTES - 1, ATTACHMENT_CHUNK_BYTES, ATTACHMENT_CHUNK_BYTES + 1, 2 * ATTACHMENT_CHUNK_BYTES), fc.integer({ min: 0, max: 255 }), (size, fill) => {
        const data = new Uint8Array(size).map((_, i) => (i * 31 + fill) & 0xff);
        const { ciphertext, secrets } = encryptAttachment('f1', data);
        expect(constantTimeEqual(decryptAttachment(secrets, ciphertext), data)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  const data = new Uint8Array(3 * ATTACHMENT_CHUNK_BYTES + 500).map((_, i) => i & 0xff);
  const { ciphertext, secrets } = encryptAttachment('file-1', data);

  it('rejects truncation (also when the attacker fixes up the hash)', () => {
    const cut = ciphertext.subarray(0, 3 * STRIDE);
    expect(codeOf(() => decryptAttachment(secrets, cut))).toBe('attachment/hash-mismatch');
    expect(codeOf(() => decryptAttachment({ ...secrets, hash: attachmentHash(cut) }, cut))).toBe('attachment/truncated');
    expect(codeOf(() => openStream(secrets, ciphertext.subarray(0, ciphertext.length - 1)))).toBe('attachment/truncated');
    // the stream itself refuses to end without a final tag, even if size is lied about consistently
    expect(codeOf(() => openStream({ ...secrets, size: 3 * ATTACHMENT_CHUNK_BYTES }, cut))).toBe('attachment/truncated');
  });

  it('rejects swapped chunks', () => {
    const swapped = ciphertext.slice();
    swapped.set(ciphertext.subarray(STRIDE, 2 * STRIDE), 0);
    swapped.set(ciphertext.subarray(0, STRIDE), STRIDE);
    expect(codeOf(() => decryptAttachment(secrets, swapped))).toBe('attachment/hash-mismatch');
    expect(codeOf(() => openStream(secrets, swapped))).toBe('attachment/chunk-invalid');
  });

  it('rejects trailing data after the final chunk', () => {
    const extra = new Uint8Array([...ciphertext, 0, 1, 2]);
    expect(codeOf(() => decryptAttachment(secrets, extra))).toBe('attachment/hash-mismatch');
    expect(codeOf(() => openStream(secrets, extra))).toBe('attachment/trailing-data');
  });

  it('rejects another file id (associated data)', () => {
    expect(codeOf(() => decryptAttachment({ ...secrets, fileId: 'file-2' }, ciphertext))).toBe('attachment/chunk-invalid');
  });

  it('rejects any flipped bit (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: ciphertext.length * 8 - 1 }), (bit) => {
        const bad = ciphertext.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(codeOf(() => openStream(secrets, bad))).toMatch(/^attachment\/(chunk-invalid|truncated)$/);
      }),
      { numRuns: 50 },
    );
  });
});
