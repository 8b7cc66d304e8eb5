/**
 * The server verifies signatures with native libsodium (sodium-native), clients with the WASM build
 * (libsodium-wrappers-sumo). Both must accept and reject exactly the same inputs, or a message the
 * server stored could be refused by every receiver (or the reverse). Checked over every signature in
 * the known-answer vectors and ≥ 10,000 fuzzed cases, including the classic Ed25519 edge cases.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import sodium from 'libsodium-wrappers-sumo';
import {
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  encodeFields,
  initSodium,
  labelledSign,
  labelledVerify,
  wasmVerifyDetached,
} from '../../shared/crypto/index.ts';
import { nativeVerifyDetached } from '../../server/crypto/native-verify.ts';
import { checkOpenPaths, checkRederivation } from './vectors-check.ts';

await initSodium();

const LABEL = 'liaison/v1/fuzz';
/** The group order L, little-endian, as it appears in the S half of a signature. */
const L = fromHexLE('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
const FUZZ_RUNS = 10_500;

/** Encodings of the eight small-order points, plus non-canonical (y ≥ p, or x = 0 with the sign bit) encodings. */
const EDGE_POINTS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

function fromHexLE(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** S + L: the same scalar mod L, so a verifier that skips the S < L check would accept it. */
function addL(signature: Uint8Array): Uint8Array {
  const out = signature.slice();
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = out[32 + i]! + L[i]! + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  if (out.length === 0) return out;
  const i = Math.floor(bit / 8) % out.length;
  out[i]! ^= 1 << bit % 8;
  return out;
}

type Outcome = boolean | 'throws';
function outcome(fn: () => boolean): Outcome {
  try {
    return fn();
  } catch {
    return 'throws';
  }
}

let compared = 0;
let accepted = 0;
let vectorSignatures = 0;

/**
 * Both implementations on one input: the raw primitives (for inputs of valid length, where neither
 * may throw) and labelledVerify, the one entry point the protocol uses.
 */
function expectAgreement(signature: Uint8Array, fields: Uint8Array[], publicKey: Uint8Array): boolean {
  const wasm = labelledVerify(LABEL, fields, signature, publicKey, wasmVerifyDetached);
  const native = labelledVerify(LABEL, fields, signature, publicKey, nativeVerifyDetached);
  expect(native, `labelledVerify sig=${Buffer.from(signature).toString('hex')} pk=${Buffer.from(publicKey).toString('hex')}`).toBe(wasm);
  compared++;
  if (wasm) accepted++;
  return wasm;
}

function expectRawAgreement(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const wasm = outcome(() => wasmVerifyDetached(signature, message, publicKey));
  const native = outcome(() => nativeVerifyDetached(signature, message, publicKey));
  expect(native, `raw sig=${Buffer.from(signature).toString('hex')} pk=${Buffer.from(publicKey).toString('hex')}`).toBe(wasm);
  compared++;
  if (wasm === true) accepted++;
  return wasm === true;
}

interface Signed {
  publicKey: Uint8Array;
  fields: Uint8Array[];
  signature: Uint8Array;
}

const signedArb: fc.Arbitrary<Signed> = fc
  .record({ seed: fc.uint8Array({ minLength: 32, maxLength: 32 }), message: fc.uint8Array({ maxLength: 300 }) })
  .map(({ seed, message }) => {
    const keys = sodium.crypto_sign_seed_keypair(seed);
    const fields = [message];
    return { publicKey: keys.publicKey, fields, signature: labelledSign(LABEL, fields, keys.privateKey) };
  });

type Mutation = (s: Signed) => Signed;
const bit = fc.nat({ max: 8 * 64 - 1 });
const edge = fc.constantFrom(...EDGE_POINTS);
const mutationArb: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
  fc.constant({ name: 'valid', apply: (s: Signed) => s }),
  bit.map((b) => ({ name: 'flip signature bit', apply: (s: Signed) => ({ ...s, signature: flipBit(s.signature, b) }) })),
  bit.map((b) => ({ name: 'flip public key bit', apply: (s: Signed) => ({ ...s, publicKey: flipBit(s.publicKey, b) }) })),
  bit.map((b) => ({ name: 'flip message bit', apply: (s: Signed) => ({ ...s, fields: [flipBit(s.fields[0]!, b)] }) })),
  fc.constant({ name: 'S + L', apply: (s: Signed) => ({ ...s, signature: addL(s.signature) }) }),
  fc.constant({ name: 'S + L, top bits', apply: (s: Signed) => ({ ...s, signature: flipBit(addL(s.signature), 8 * 63 + 7) }) }),
  edge.map((p) => ({ name: 'edge public key', apply: (s: Signed) => ({ ...s, publicKey: p }) })),
  edge.map((p) => ({ name: 'edge R', apply: (s: Signed) => ({ ...s, signature: Uint8Array.from([...p, ...s.signature.subarray(32)]) }) })),
  fc.tuple(edge, edge).map(([r, pk]) => ({
    name: 'edge R and key, S = 0',
    apply: (s: Signed) => ({ ...s, publicKey: pk, signature: Uint8Array.from([...r, ...new Uint8Array(32)]) }),
  })),
  fc.constant({ name: 'all-zero key and signature', apply: (s: Signed) => ({ ...s, publicKey: new Uint8Array(32), signature: new Uint8Array(64) }) }),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((sig) => ({ name: 'random signature', apply: (s: Signed) => ({ ...s, signature: sig }) })),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((pk) => ({ name: 'random public key', apply: (s: Signed) => ({ ...s, publicKey: pk }) })),
  fc.nat({ max: 130 }).map((n) => ({
    name: 'wrong signature length',
    apply: (s: Signed) => ({ ...s, signature: Uint8Array.from({ length: n === SIGNATURE_BYTES ? 65 : n }, (_, i) => s.signature[i % 64]!) }),
  })),
  fc.nat({ max: 66 }).map((n) => ({
    name: 'wrong public key length',
    apply: (s: Signed) => ({ ...s, publicKey: Uint8Array.from({ length: n === SIGN_PUBLIC_KEY_BYTES ? 33 : n }, (_, i) => s.publicKey[i % 32]!) }),
  })),
);

describe('native (sodium-native) and WASM (libsodium-wrappers-sumo) Ed25519 verification agree', () => {
  afterAll(() => {
    // Visible in the test log: how much was compared, and that accepting inputs were among them.
    console.info(`native-differential: ${vectorSignatures} vector signatures, ${compared} inputs compared, ${accepted} accepted by both`);
  });

  it('on every signature the known-answer vectors make or check, and on each bit flip of it', () => {
    // [signature, message, public key, made by signing (so it must verify)]; checked signatures may be negative vectors.
    const triples: Array<[Uint8Array, Uint8Array, Uint8Array, boolean]> = [];
    const sign = vi.spyOn(sodium, 'crypto_sign_detached');
    const verify = vi.spyOn(sodium, 'crypto_sign_verify_detached');
    try {
      checkRederivation(false);
      checkOpenPaths(false);
      // Read before mockRestore, which also clears the recorded calls.
      sign.mock.calls.forEach(([message, secretKey], i) => {
        const signature = sign.mock.results[i]!.value as Uint8Array;
        triples.push([signature, message as Uint8Array, (secretKey as Uint8Array).slice(32), true]);
      });
      for (const [signature, message, publicKey] of verify.mock.calls as Array<[Uint8Array, Uint8Array, Uint8Array]>) {
        triples.push([signature, message, publicKey, false]);
      }
    } finally {
      sign.mockRestore();
      verify.mockRestore();
    }
    expect(triples.length).toBeGreaterThanOrEqual(20);
    vectorSignatures = triples.length;
    for (const [signature, message, publicKey, signed] of triples) {
      // Both implementations give the same answer (expectRawAgreement); a negative vector's answer is false.
      const valid = expectRawAgreement(signature, message, publicKey);
      if (signed) expect(valid).toBe(true);
      if (!valid) continue;
      for (let b = 0; b < 8 * 64; b += 7) expect(expectRawAgreement(flipBit(signature, b), message, publicKey)).toBe(false);
      for (let b = 0; b < 8 * 32; b += 5) expectRawAgreement(signature, message, flipBit(publicKey, b));
      expect(expectRawAgreement(addL(signature), message, publicKey)).toBe(false);
    }
  });

  it(`on ${FUZZ_RUNS.toLocaleString('en')} fuzzed keys, messages and signatures, including non-canonical encodings`, () => {
    const before = compared;
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(signedArb, mutationArb, (signed, mutation) => {
        const s = mutation.apply(signed);
        seen.set(mutation.name, (seen.get(mutation.name) ?? 0) + 1);
        const ok = expectAgreement(s.signature, s.fields, s.publicKey);
        if (mutation.name === 'valid') expect(ok).toBe(true);
        if (mutation.name.startsWith('S + L') || mutation.name.startsWith('wrong')) expect(ok).toBe(false);
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(compared - before).toBeGreaterThanOrEqual(10_000);
    expect(seen.size).toBe(14);
  });

  it('on every small-order and non-canonical key with every small-order or non-canonical R (S = 0 and S = 1)', () => {
    const message = new TextEncoder().encode('edge');
    for (const publicKey of EDGE_POINTS) {
      for (const r of EDGE_POINTS) {
        for (const s0 of [0, 1]) {
          const signature = new Uint8Array(64);
          signature.set(r);
          signature[32] = s0;
          expect(expectRawAgreement(signature, message, publicKey)).toBe(false);
        }
      }
    }
  });

  it('refuses a longer signature before the primitive sees it (native alone reads the first 64 bytes)', () => {
    const keys = sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(7));
    const fields = [new Uint8Array([1, 2, 3])];
    const signature = labelledSign(LABEL, fields, keys.privateKey);
    const longer = Uint8Array.from([...signature, 0]);
    expect(nativeVerifyDetached(longer, encodeFields(LABEL, fields), keys.publicKey)).toBe(true);
    expect(() => wasmVerifyDetached(longer, encodeFields(LABEL, fields), keys.publicKey)).toThrow();
    expect(labelledVerify(LABEL, fields, longer, keys.publicKey, nativeVerifyDetached)).toBe(false);
    expect(labelledVerify(LABEL, fields, longer, keys.publicKey, wasmVerifyDetached)).toBe(false);
  });
});
