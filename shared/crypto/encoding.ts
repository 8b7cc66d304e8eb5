import { EncodingError } from './errors.ts';

const U32_MAX = 0xffff_ffff;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export type Rng = (length: number) => Uint8Array;

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) {
    throw new EncodingError('encoding/range', `u32be: ${n} is not an unsigned 32-bit integer`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

export function u64be(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  if (typeof n === 'number') {
    if (!Number.isSafeInteger(n) || n < 0) throw new EncodingError('encoding/range', `u64be: ${n} is not a non-negative safe integer`);
    // Two 32-bit halves: avoids BigInt on the per-message path.
    view.setUint32(0, Math.floor(n / 0x1_0000_0000), false);
    view.setUint32(4, n >>> 0, false);
    return out;
  }
  if (n < 0n || n > 0xffff_ffff_ffff_ffffn) {
    throw new EncodingError('encoding/range', `u64be: ${n} is out of the unsigned 64-bit range`);
  }
  view.setBigUint64(0, n, false);
  return out;
}

export function u8(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new EncodingError('encoding/range', `u8: ${n} is not an unsigned 8-bit integer`);
  }
  return Uint8Array.of(n);
}

const ASCII_FAST_PATH_MAX_CHARS = 64;

export function utf8(s: string): Uint8Array {
  // Short ASCII ids dominate header encoding; TextEncoder's call overhead outweighs the work there.
  if (s.length <= ASCII_FAST_PATH_MAX_CHARS) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return textEncoder.encode(s);
      out[i] = c;
    }
    return out;
  }
  return textEncoder.encode(s);
}

export function fromUtf8(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch (cause) {
    throw new EncodingError('encoding/utf8', 'fromUtf8: invalid UTF-8', { cause });
  }
}

/**
 * The one framing used for every signed, hashed, derived or associated-data byte string:
 * u32be(len(label)) || label || for each field: u32be(len(field)) || field.
 */
const labelCache = new Map<string, Uint8Array>();
const LABEL_CACHE_MAX = 256;

export function encodeFields(label: string, fields: Uint8Array[]): Uint8Array {
  // Labels are a small fixed set of constants: encode each once (hot on the per-message path).
  let labelBytes = labelCache.get(label);
  if (!labelBytes) {
    labelBytes = utf8(label);
    if (labelCache.size < LABEL_CACHE_MAX) labelCache.set(label, labelBytes);
  }
  let total = 4 + labelBytes.length;
  for (const f of fields) total += 4 + f.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, labelBytes.length, false);
  out.set(labelBytes, 4);
  let offset = 4 + labelBytes.length;
  for (const f of fields) {
    view.setUint32(offset, f.length, false);
    out.set(f, offset + 4);
    offset += 4 + f.length;
  }
  return out;
}

/** Inverse of encodeFields: checks the label and that the input is consumed exactly. */
export function decodeFields(label: string, bytes: Uint8Array, expectedCount?: number): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) throw new EncodingError('encoding/truncated', 'decodeFields: truncated length');
    const len = view.getUint32(offset, false);
    offset += 4;
    if (offset + len > bytes.length) throw new EncodingError('encoding/truncated', 'decodeFields: truncated field');
    items.push(bytes.subarray(offset, offset + len));
    offset += len;
  }
  const first = items.shift();
  if (first === undefined || !constantTimeEqual(first, utf8(label))) {
    throw new EncodingError('encoding/label', `decodeFields: expected label ${label}`);
  }
  if (expectedCount !== undefined && items.length !== expectedCount) {
    throw new EncodingError('encoding/field-count', `decodeFields: expected ${expectedCount} fields, got ${items.length}`);
  }
  return items;
}

export function readU64(bytes: Uint8Array): number {
  if (bytes.length !== 8) throw new EncodingError('encoding/length', 'readU64: need 8 bytes');
  const big = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, false);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new EncodingError('encoding/range', 'readU64: exceeds safe integer');
  return Number(big);
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < B64_ALPHABET.length; i++) B64_LOOKUP[B64_ALPHABET.charCodeAt(i)] = i;

/** base64url without padding (RFC 4648 §5). Pure JS so it works before sodium is ready. */
export function toB64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]! + B64_ALPHABET[(n >> 6) & 63]! + B64_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]! + B64_ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Strict: rejects padding, other alphabets, impossible lengths and non-zero trailing bits. */
export function fromB64(s: string): Uint8Array {
  if (typeof s !== 'string' || !B64URL.test(s) || s.length % 4 === 1) {
    throw new EncodingError('encoding/base64', 'fromB64: not unpadded base64url');
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 6) | B64_LOOKUP[s.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new EncodingError('encoding/base64', 'fromB64: non-canonical trailing bits');
  }
  return out;
}

/** Length leaks (public anyway); contents are compared without early exit. */
/** Lexicographic byte order (shorter first on a common prefix): for sorting public keys, never for secrets. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const MAX_GETRANDOM_BYTES = 65_536;

/** CSPRNG bytes from WebCrypto (fast for small buffers, present in Node 20 and browsers). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_GETRANDOM_BYTES) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + MAX_GETRANDOM_BYTES)));
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(s)) throw new EncodingError('encoding/hex', 'fromHex: not lowercase hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
