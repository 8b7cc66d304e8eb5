import { fromB64, toB64 } from './encoding.ts';
import { CryptoError, WireFormatError } from './errors.ts';

/** Declarative field specs: one description drives both directions of the JSON wire codec. */
export type FieldSpec =
  | { t: 'bytes'; len?: number; max?: number }
  | { t: 'str'; max?: number; oneOf?: readonly string[] }
  | { t: 'int'; min?: number; max?: number }
  | { t: 'lit'; value: number | string }
  | { t: 'obj'; spec: WireSpec }
  | { t: 'arr'; of: FieldSpec; max?: number }
  | { t: 'opt'; of: FieldSpec };
export type WireSpec = Readonly<Record<string, FieldSpec>>;

export const MAX_ID_CHARS = 128;
export const bytes = (len?: number, max?: number): FieldSpec => ({ t: 'bytes', ...(len === undefined ? {} : { len }), ...(max === undefined ? {} : { max }) });
export const id: FieldSpec = { t: 'str', max: MAX_ID_CHARS };
export const str = (max: number): FieldSpec => ({ t: 'str', max });
export const oneOf = (values: readonly string[]): FieldSpec => ({ t: 'str', oneOf: values });
export const int: FieldSpec = { t: 'int', min: 0, max: Number.MAX_SAFE_INTEGER };
export const lit = (value: number | string): FieldSpec => ({ t: 'lit', value });
export const obj = (spec: WireSpec): FieldSpec => ({ t: 'obj', spec });
export const arr = (of: FieldSpec, max = 10_000): FieldSpec => ({ t: 'arr', of, max });
export const opt = (of: FieldSpec): FieldSpec => ({ t: 'opt', of });

function fail(ctx: string, path: string, what: string): never {
  throw new WireFormatError('wire/invalid', `${ctx}: ${path || '(root)'} ${what}`);
}

function encodeValue(spec: FieldSpec, v: unknown): unknown {
  switch (spec.t) {
    case 'bytes':
      return toB64(v as Uint8Array);
    case 'obj':
      return encodeObject(spec.spec, v as Record<string, unknown>);
    case 'arr':
      return (v as unknown[]).map((x) => encodeValue(spec.of, x));
    case 'opt':
      return v === undefined || v === null ? null : encodeValue(spec.of, v);
    default:
      return v;
  }
}

function encodeObject(spec: WireSpec, o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) out[k] = encodeValue(f, o[k]);
  return out;
}

function decodeValue(spec: FieldSpec, v: unknown, ctx: string, path: string): unknown {
  switch (spec.t) {
    case 'bytes': {
      if (typeof v !== 'string') fail(ctx, path, 'must be a base64url string');
      let b: Uint8Array;
      try {
        b = fromB64(v);
      } catch (e) {
        if (e instanceof CryptoError) fail(ctx, path, 'is not canonical base64url');
        throw e;
      }
      if (spec.len !== undefined && b.length !== spec.len) fail(ctx, path, `must be ${spec.len} bytes`);
      if (spec.max !== undefined && b.length > spec.max) fail(ctx, path, `exceeds ${spec.max} bytes`);
      return b;
    }
    case 'str':
      if (typeof v !== 'string') fail(ctx, path, 'must be a string');
      if (spec.oneOf && !spec.oneOf.includes(v)) fail(ctx, path, 'has an unknown value');
      if (spec.max !== undefined && (v.length === 0 || v.length > spec.max)) fail(ctx, path, `must be 1..${spec.max} chars`);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(ctx, path, 'must be an integer');
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) fail(ctx, path, 'is out of range');
      return v;
    case 'lit':
      if (v !== spec.value) fail(ctx, path, `must be ${JSON.stringify(spec.value)} (unknown version?)`);
      return v;
    case 'obj':
      return decodeObject(spec.spec, v, ctx, path);
    case 'arr':
      if (!Array.isArray(v)) fail(ctx, path, 'must be an array');
      if (spec.max !== undefined && v.length > spec.max) fail(ctx, path, 'is too long');
      return v.map((x, i) => decodeValue(spec.of, x, ctx, `${path}[${i}]`));
    case 'opt':
      return v === null || v === undefined ? undefined : decodeValue(spec.of, v, ctx, path);
  }
}

function decodeObject(spec: WireSpec, v: unknown, ctx: string, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(ctx, path, 'must be an object');
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (!Object.hasOwn(spec, k)) fail(ctx, path ? `${path}.${k}` : k, 'is not a known field');
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in rec) && f.t !== 'opt') fail(ctx, p, 'is missing');
    const value = decodeValue(f, rec[k], ctx, p);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/**
 * The canonical wire form of input that decodeValue accepted, built from the input's own values:
 * decoding accepts only canonical base64url, so each string equals what toB64 would produce again.
 * Saves re-encoding every byte field (the server stores the canonical form of each envelope).
 */
function canonicalValue(spec: FieldSpec, v: unknown): unknown {
  switch (spec.t) {
    case 'obj':
      return canonicalObject(spec.spec, v as Record<string, unknown>);
    case 'arr':
      return (v as unknown[]).map((x) => canonicalValue(spec.of, x));
    case 'opt':
      return v === undefined || v === null ? null : canonicalValue(spec.of, v);
    default:
      return v;
  }
}

function canonicalObject(spec: WireSpec, rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) out[k] = canonicalValue(f, rec[k]);
  return out;
}

/** A typed codec for one structured object; parse() throws WireFormatError on any deviation. */
export interface WireCodec<T> {
  /** The declarative spec both directions use (scripts/wire-tables.ts renders PROTOCOL.md Appendix A from it). */
  readonly name: string;
  readonly spec: WireSpec;
  toWire(value: T): Record<string, unknown>;
  fromWire(json: unknown): T;
  /** fromWire, plus the canonical wire form: always equal to toWire(fromWire(json)), without re-encoding. */
  fromWireCanonical(json: unknown): { value: T; wire: Record<string, unknown> };
}

export function wireCodec<T>(name: string, spec: WireSpec): WireCodec<T> {
  return {
    name,
    spec,
    toWire: (value) => encodeObject(spec, value as Record<string, unknown>),
    // The spec validated every field, so the shape matches T by construction.
    fromWire: (json) => decodeObject(spec, json, `${name}FromWire`, '') as T,
    fromWireCanonical: (json) => {
      const value = decodeObject(spec, json, `${name}FromWire`, '') as T;
      return { value, wire: canonicalObject(spec, json as Record<string, unknown>) };
    },
  };
}
