import { describe, expect, it } from 'vitest';
import { initSodium } from '../../shared/crypto/index.ts';
import { checkOpenPaths, checkRederivation, vectorCount } from './vectors-check.ts';

await initSodium();

describe('known-answer vectors (Node)', () => {
  it('has vectors for every derivation, signature input and envelope', () => {
    expect(vectorCount()).toBeGreaterThanOrEqual(30);
  });
  it('re-derives every vector byte for byte (incl. Argon2id backup)', () => {
    checkRederivation(true);
  });
  it('opens the stored envelopes, key envelope, attachment and backup', () => {
    checkOpenPaths(true);
  });
});
