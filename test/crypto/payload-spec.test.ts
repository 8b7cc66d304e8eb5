/**
 * PROTOCOL.md §9.1 against the code: the payload tables are the rendering of PAYLOAD_SPECS, and every
 * documented limit is enforced (the boundary value accepted, one beyond refused with the documented code),
 * on the receive side (decodePayload) and the send side (encodePayload / validatePayload).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_KINDS, PAYLOAD_SPECS, decodePayload, encodePayload, fromUtf8, initSodium, toB64, utf8, validatePayload } from '../../shared/crypto/index.ts';
import type { Payload, PayloadKind } from '../../shared/crypto/index.ts';
import type { FieldSpec } from '../../shared/crypto/wire.ts';
import { PROTOCOL_PATH } from '../../scripts/doc-section.ts';
import { PAYLOAD_FIELD_MEANINGS, documentedPayloadTables, fieldRows, renderPayloadTables } from '../../scripts/payload-tables.ts';

await initSodium();

type Obj = Record<string, unknown>;
const ABSENT = Symbol('absent');
const URL_PREFIX = 'https://a.example/';

function code(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded ${String(e)}`;
  }
}
const decodeJson = (o: unknown) => decodePayload(utf8(JSON.stringify(o)));
/** Wire (JSON) value -> in-memory value for the send side: binary fields are byte arrays there. */
function toMemory(kind: PayloadKind, wire: Obj, bytesOverride?: [string, Uint8Array]): Obj {
  const out: Obj = { ...wire };
  for (const [k, f] of Object.entries(PAYLOAD_SPECS[kind])) {
    if (f.t === 'bytes' && typeof out[k] === 'string') out[k] = new Uint8Array(f.len ?? 0);
  }
  if (bytesOverride) out[bytesOverride[0]] = bytesOverride[1];
  return out;
}
const inner = (f: FieldSpec): FieldSpec => (f.t === 'opt' ? f.of : f);

/** The smallest valid wire value of a field. */
function minimal(name: string, f: FieldSpec): unknown {
  const s = inner(f);
  switch (s.t) {
    case 'lit':
      return s.value;
    case 'str':
      return s.oneOf ? s.oneOf[0] : name === 'url' ? URL_PREFIX : 'x';
    case 'int':
      return s.min ?? 0;
    case 'bytes':
      return toB64(new Uint8Array(s.len ?? 0));
    case 'obj':
      return minimalObject(s.spec);
    case 'arr':
      return [minimal(name, s.of)];
    default:
      throw new Error(`no minimal value for ${s.t}`);
  }
}
function minimalObject(spec: Readonly<Record<string, FieldSpec>>): Obj {
  const o: Obj = {};
  for (const [k, f] of Object.entries(spec)) if (f.t !== 'opt') o[k] = minimal(k, f);
  return o;
}
/** Every required field at its minimal value, optional fields absent. */
function base(kind: PayloadKind): Obj {
  return minimalObject(PAYLOAD_SPECS[kind]);
}
function withField(o: Obj, k: string, v: unknown): Obj {
  const out = { ...o };
  if (v === ABSENT) delete out[k];
  else out[k] = v;
  return out;
}

/** [description, wire value or ABSENT, expected code]; the send side gets the same values. */
function cases(name: string, f: FieldSpec): [string, unknown, string][] {
  const s = inner(f);
  const out: [string, unknown, string][] = f.t === 'opt' ? [['absent', ABSENT, 'ok'], ['null', null, 'ok']] : [['absent', ABSENT, 'payload/invalid'], ['null', null, 'payload/invalid']];
  switch (s.t) {
    case 'str':
      if (s.oneOf) {
        for (const v of s.oneOf) out.push([`vocabulary ${v}`, v, 'ok']);
        const first = s.oneOf[0]!;
        const otherCase = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
        out.push(['outside the vocabulary', 'unknown-value', 'payload/invalid'], ['other case', otherCase, 'payload/invalid'], ['empty', '', 'payload/invalid']);
      } else {
        const max = s.max!;
        const at = name === 'url' ? URL_PREFIX + 'a'.repeat(max - URL_PREFIX.length) : 'é'.repeat(max);
        out.push(['1 unit', name === 'url' ? undefined : 'x', 'ok'], [`${max} units`, at, 'ok'], [`${max + 1} units`, `${at}a`, 'payload/invalid'], ['empty', '', 'payload/invalid']);
      }
      out.push(['a number', 1, 'payload/invalid']);
      break;
    case 'int': {
      const min = s.min ?? 0;
      const max = s.max ?? Number.MAX_SAFE_INTEGER;
      out.push([`${min}`, min, 'ok'], [`${max}`, max, 'ok'], [`${min - 1}`, min - 1, 'payload/invalid'], [`${max + 1}`, max === Number.MAX_SAFE_INTEGER ? 2 ** 53 : max + 1, 'payload/invalid'], ['1.5', 1.5, 'payload/invalid'], ['a string', '1', 'payload/invalid']);
      break;
    }
    case 'bytes': {
      const n = s.len!;
      out.push([`${n} bytes`, toB64(new Uint8Array(n).fill(7)), 'ok'], [`${n - 1} bytes`, toB64(new Uint8Array(n - 1)), 'payload/invalid'], [`${n + 1} bytes`, toB64(new Uint8Array(n + 1)), 'payload/invalid']);
      break;
    }
    case 'lit':
      break;
    case 'arr': {
      const one = minimal(name, s.of);
      const max = s.max!;
      out.push(
        ['1 element', [one], 'ok'],
        [`${max} elements`, Array.from({ length: max }, () => one), 'ok'],
        [`${max + 1} elements`, Array.from({ length: max + 1 }, () => one), 'payload/invalid'],
        ['empty array', [], 'payload/invalid'],
        ['not an array', one, 'payload/invalid'],
        ['an element with an unknown member', [{ ...(one as Obj), extra: 1 }], 'payload/invalid'],
      );
      // Each member of the element object at its boundaries, inside a one-element array.
      if (s.of.t === 'obj') {
        for (const [m, g] of Object.entries(s.of.spec)) {
          for (const [what, v, expected] of cases(m, g)) out.push([`[0].${m} ${what}`, [withField(one as Obj, m, v)], expected]);
        }
      }
      break;
    }
    case 'obj': {
      const one = minimalObject(s.spec);
      out.push(['minimal object', one, 'ok'], ['not an object', 'x', 'payload/invalid'], ['an array', [one], 'payload/invalid'], ['an unknown member', { ...one, extra: 1 }, 'payload/invalid']);
      for (const [m, g] of Object.entries(s.spec)) {
        for (const [what, v, expected] of cases(m, g)) out.push([`.${m} ${what}`, withField(one, m, v), expected]);
      }
      break;
    }
    default:
      throw new Error(`no cases for ${s.t}`);
  }
  return out.filter(([, v]) => v !== undefined);
}

describe('PROTOCOL.md §9.1 payload tables', () => {
  it('are the rendering of PAYLOAD_SPECS (npx tsx scripts/payload-tables.ts --write)', () => {
    expect(documentedPayloadTables(readFileSync(PROTOCOL_PATH, 'utf8'))).toBe(renderPayloadTables());
  });
  it('give every field of every kind a meaning, and no meaning for a field that does not exist', () => {
    for (const kind of PAYLOAD_KINDS) expect(Object.keys(PAYLOAD_FIELD_MEANINGS[kind]).sort(), kind).toEqual(fieldRows(PAYLOAD_SPECS[kind]).map(([n]) => n).sort());
    expect(Object.keys(PAYLOAD_FIELD_MEANINGS).sort()).toEqual([...PAYLOAD_KINDS].sort());
  });
  it('name the seventeen kinds of the spec, `kind` first', () => {
    expect(PAYLOAD_KINDS).toEqual([
      'text',
      'case-note',
      'request-for-assistance',
      'controlled-delivery-update',
      'reported-site',
      'file',
      'desk-intake-key',
      'request',
      'request-answer',
      'request-clarification',
      'request-refusal',
      'request-judicial-pending',
      'request-withdrawal',
      'use-grant-request',
      'use-grant',
      'edit',
      'redaction',
    ]);
    for (const kind of PAYLOAD_KINDS) expect(Object.entries(PAYLOAD_SPECS[kind])[0]).toEqual(['kind', { t: 'lit', value: kind }]);
  });
});

describe('payload limits are enforced as documented', () => {
  for (const kind of PAYLOAD_KINDS) {
    describe(kind, () => {
      it('accepts the minimal payload on both sides', () => {
        expect(code(() => decodeJson(base(kind)))).toBe('ok');
        expect(code(() => encodePayload(toMemory(kind, base(kind)) as unknown as Payload))).toBe('ok');
      });
      for (const [name, f] of Object.entries(PAYLOAD_SPECS[kind])) {
        if (name === 'kind') continue;
        it(`${name}: boundary accepted, one beyond refused`, () => {
          for (const [what, v, expected] of cases(name, f)) {
            const wire = withField(base(kind), name, v);
            // §9.2: an urgent request carries its reasons (the rule between two fields is tested below).
            if (kind === 'request' && name === 'urgency' && v === 'urgent') wire['urgencyReasons'] = 'x';
            expect(code(() => decodeJson(wire)), `receive ${kind}.${name} ${what}`).toBe(expected);
            const s = inner(f);
            const mem = s.t === 'bytes' && typeof v === 'string' ? toMemory(kind, wire, [name, new Uint8Array(Buffer.from(v, 'base64url'))]) : toMemory(kind, wire);
            expect(code(() => validatePayload(mem)), `send ${kind}.${name} ${what}`).toBe(expected);
          }
        });
      }
      it('refuses an unknown member, accepts any key order, equates null and absent', () => {
        expect(code(() => decodeJson({ ...base(kind), extra: 1 }))).toBe('payload/invalid');
        expect(code(() => validatePayload({ ...toMemory(kind, base(kind)), extra: 1 }))).toBe('payload/invalid');
        const reversed = Object.fromEntries(Object.entries(base(kind)).reverse());
        expect(decodeJson(reversed)).toEqual(decodeJson(base(kind)));
        const nulls = { ...base(kind) };
        for (const [k, f] of Object.entries(PAYLOAD_SPECS[kind])) if (f.t === 'opt') nulls[k] = null;
        expect(decodeJson(nulls)).toEqual(decodeJson(base(kind)));
      });
      it('encodes JSON.stringify style: members in table order, absent optional fields as null', () => {
        const json = JSON.parse(fromUtf8(encodePayload(decodeJson(base(kind))))) as Obj;
        expect(Object.keys(json)).toEqual(Object.keys(PAYLOAD_SPECS[kind]));
        for (const [k, f] of Object.entries(PAYLOAD_SPECS[kind])) if (f.t === 'opt') expect(json[k]).toBeNull();
      });
    });
  }

  it('kind: unknown, missing or not a string is payload/unknown-kind on both sides', () => {
    for (const v of [{ kind: 'nope', text: 'x' }, { text: 'x' }, { kind: 1 }, null, [], 'text', 1]) {
      expect(code(() => decodeJson(v)), JSON.stringify(v)).toBe('payload/unknown-kind');
      expect(code(() => validatePayload(v)), JSON.stringify(v)).toBe('payload/unknown-kind');
    }
  });
  it('members and kinds named like Object.prototype properties are unknown, not ignored', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const raw = `{"kind":"text","text":"x","${name}":1}`;
      expect(code(() => decodePayload(utf8(raw))), name).toBe('payload/invalid');
      expect(code(() => validatePayload(JSON.parse(raw))), name).toBe('payload/invalid');
      expect(code(() => decodeJson({ kind: name, text: 'x' })), `kind ${name}`).toBe('payload/unknown-kind');
      expect(code(() => validatePayload({ kind: name, text: 'x' })), `kind ${name}`).toBe('payload/unknown-kind');
    }
  });
  it('bytes that are not UTF-8 JSON are payload/invalid', () => {
    expect(code(() => decodePayload(utf8('{"kind":"text",')))).toBe('payload/invalid');
    expect(code(() => decodePayload(Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('payload/invalid');
  });
  it('integers are JSON number values: 5, 5.0 and 5e0 are the same', () => {
    for (const n of ['5', '5.0', '5e0']) expect(decodePayload(utf8(`{"kind":"request-for-assistance","caseRef":"c","scope":"training","subject":"s","details":"d","dueBy":${n}}`))).toMatchObject({ dueBy: 5 });
  });
  it('request: urgent needs urgencyReasons on both sides (Art. 4); a non-urgent one may carry them', () => {
    const urgent = { ...base('request'), urgency: 'urgent' };
    expect(code(() => decodeJson(urgent))).toBe('payload/invalid');
    expect(code(() => validatePayload(urgent))).toBe('payload/invalid');
    expect(code(() => validatePayload({ ...urgent, urgencyReasons: 'threat to life' }))).toBe('ok');
    expect(code(() => decodeJson({ ...base('request'), urgencyReasons: 'x' }))).toBe('ok');
  });
  it('binary fields must be canonical base64url', () => {
    const f = base('file');
    expect(code(() => decodeJson({ ...f, key: `${f['key'] as string}=` }))).toBe('payload/invalid');
    expect(code(() => decodeJson({ ...f, key: (f['key'] as string).replace(/A$/, 'B') }))).toBe('payload/invalid');
  });
  it('reported-site url, send rule: an http(s) URL or a bare hostname, normalised; refusals with the documented codes', () => {
    const site = (url: string) => ({ kind: 'reported-site', url, category: 'forum' });
    const sent = (url: string) => (validatePayload(site(url)) as { url: string }).url;
    expect(sent('HTTPS://A.EXAMPLE/x?y#z')).toBe('https://a.example/x?y');
    expect(sent('a.example')).toBe('a.example');
    const refused: [string, string][] = [
      ['ftp://a.example/', 'payload/url-scheme'],
      ['javascript:alert(1)', 'payload/url-scheme'],
      ['a.example/path', 'payload/url-no-scheme'],
      ['/relative', 'payload/url-no-scheme'],
      ['not a url', 'payload/bad-url'],
      ['http://user:pw@a.example/', 'payload/bad-url'],
      ['localhost', 'payload/bad-url'],
      ['xyz.onion', 'payload/onion-invalid'],
    ];
    for (const [url, expected] of refused) expect(code(() => validatePayload(site(url))), url).toBe(expected);
  });
  it('reported-site url, receive rule: any absolute http(s) URL (as v1), a bare hostname only in normalised form', () => {
    const site = (url: string) => ({ kind: 'reported-site', url, category: 'forum' });
    // Sent before normalisation existed: still decodes, unchanged.
    for (const url of ['http://a.example', 'HTTPS://A.EXAMPLE/x?utm_source=y#z', 'http://xyz.onion/']) {
      expect(code(() => decodeJson(site(url))), url).toBe('ok');
      expect((decodeJson(site(url)) as { url: string }).url).toBe(url);
    }
    expect(code(() => decodeJson(site('a.example')))).toBe('ok');
    for (const url of ['ftp://a.example/', 'javascript:alert(1)', 'a.example/path', '/relative', 'not a url', 'A.EXAMPLE', 'a.example/']) {
      expect(code(() => decodeJson(site(url))), url).toBe('payload/invalid');
    }
    expect(code(() => decodeJson(site('xyz.onion')))).toBe('payload/onion-invalid');
  });
});
