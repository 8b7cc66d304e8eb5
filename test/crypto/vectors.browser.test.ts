// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { initSodium } from '../../shared/crypto/index.ts';
import { checkOpenPaths, checkRederivation } from './vectors-check.ts';

await initSodium();

describe('known-answer vectors (browser-like environment, libsodium ESM build)', () => {
  it('runs in a DOM environment with WebCrypto', () => {
    expect(typeof window).toBe('object');
    expect(typeof globalThis.crypto.getRandomValues).toBe('function');
  });
  it('re-derives every vector except the Argon2id backup', () => {
    checkRederivation(false);
  });
  it('opens the stored envelopes, key envelope, attachment and backup', () => {
    checkOpenPaths(true);
  });
});
