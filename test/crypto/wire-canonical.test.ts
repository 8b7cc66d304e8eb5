/**
 * The server stores the canonical wire form of each envelope it accepts. fromWireCanonical builds
 * it from the input's own strings instead of re-encoding the decoded bytes; it must agree with
 * toWire(fromWire(x)) on every input fromWire accepts, and reject exactly what fromWire rejects.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deskRequestCodec, intakeKeyStatementCodec, keyEnvelopeCodec, keyLogEntryCodec, messageEnvelopeCodec, type WireCodec } from '../../shared/crypto/index.ts';

type Json = Record<string, unknown>;
const vectors = (file: string, field: string): Json[] =>
  (JSON.parse(fs.readFileSync(new URL(`../vectors/${file}.json`, import.meta.url), 'utf8')) as { vectors: Json[] }).vectors.map((v) => v[field] as Json).filter((v) => v !== null && typeof v === 'object');

const CASES: [string, WireCodec<unknown>, Json[]][] = [
  ['messageEnvelope', messageEnvelopeCodec as WireCodec<unknown>, vectors('envelope', 'envelope')],
  ['keyEnvelope', keyEnvelopeCodec as WireCodec<unknown>, vectors('key-envelope', 'keyEnvelope')],
  ['keyLogEntry', keyLogEntryCodec as WireCodec<unknown>, vectors('key-log', 'entry')],
  // v2 desk intake (§11): the later server slice stores requests and statements in this canonical form.
  ['deskRequest', deskRequestCodec as WireCodec<unknown>, vectors('desk-intake', 'request')],
  ['deskIntakeKey', intakeKeyStatementCodec as WireCodec<unknown>, vectors('desk-intake', 'statement')],
];

function outcome(run: () => Json): { ok: true; json: string } | { ok: false; message: string } {
  try {
    return { ok: true, json: JSON.stringify(run()) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** Every path to a leaf (string, number, null) of a JSON value. */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, Array.isArray(v) ? Number(k) : k]));
  }
  return [path];
}

function setAt(root: Json, path: (string | number)[], value: unknown, drop = false): Json {
  const copy = structuredClone(root);
  let cur = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (drop) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** Reverses key order at every level: canonical output must not depend on input order. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)]));
  return v;
}

const mutation = fc.oneof(
  fc.constant({ kind: 'reorder' as const }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('null' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('extra' as const), name: fc.constantFrom('x', 'extra', '__proto__x') }),
  // Non-canonical base64url: a changed last character (trailing bits), padding, a standard-alphabet char.
  fc.record({ kind: fc.constant('b64' as const), pick: fc.nat(), how: fc.constantFrom('last', 'pad', 'plus', 'short') }),
  fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.constant(-1)) }),
);

interface Mutation {
  kind: string;
  pick?: number;
  name?: string;
  how?: string;
  value?: unknown;
}

function mutate(base: Json, m: Mutation): Json {
  const paths = leaves(base);
  const path = paths[(m.pick ?? 0) % paths.length]!;
  switch (m.kind) {
    case 'reorder':
      return reorder(base) as Json;
    case 'drop':
      return setAt(base, path, undefined, true);
    case 'null':
      return setAt(base, path, null);
    case 'extra':
      return { ...base, [m.name!]: 1 };
    case 'b64': {
      const strings = paths.filter((p) => typeof p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], base) === 'string');
      const p = strings[(m.pick ?? 0) % strings.length]!;
      const s = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], base) as string;
      const changed =
        m.how === 'last' ? s.slice(0, -1) + (s.endsWith('B') ? 'C' : 'B') : m.how === 'pad' ? `${s}=` : m.how === 'plus' ? `+${s.slice(1)}` : s.slice(0, -1);
      return setAt(base, p, changed);
    }
    default:
      return setAt(base, path, m.value);
  }
}

describe('fromWireCanonical agrees with toWire(fromWire(x))', () => {
  for (const [name, codec, inputs] of CASES) {
    it(`${name}: on every vector and 3,000 mutations of them`, () => {
      expect(inputs.length).toBeGreaterThan(0);
      const check = (json: Json) => {
        const slow = outcome(() => codec.toWire(codec.fromWire(json)));
        const fast = outcome(() => codec.fromWireCanonical(json).wire);
        expect(fast).toEqual(slow);
        return slow.ok;
      };
      for (const v of inputs) expect(check(v)).toBe(true);
      let accepted = 0;
      let rejected = 0;
      fc.assert(
        fc.property(fc.nat(inputs.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
          const json = ms.reduce((acc, m) => mutate(acc, m), inputs[i]!);
          if (check(json)) accepted++;
          else rejected++;
        }),
        { numRuns: 3000 },
      );
      // Both branches exercised: some mutations keep the input valid (reorder, null on optional fields).
      expect(accepted).toBeGreaterThan(50);
      expect(rejected).toBeGreaterThan(500);
    });
  }
});

describe('wire objects refuse members named like Object.prototype properties (PROTOCOL.md §2, v1.1)', () => {
  for (const [name, codec, inputs] of CASES) {
    it(name, () => {
      for (const member of ['constructor', 'toString', '__proto__']) {
        // JSON.parse makes `__proto__` an own member, as it arrives off the wire.
        const wire = JSON.parse(JSON.stringify(inputs[0]!).replace(/^\{/, `{"${member}":1,`)) as Json;
        expect(outcome(() => codec.toWire(codec.fromWire(wire)) as Json), `${name}.${member}`).toMatchObject({ ok: false });
      }
    });
  }
});
