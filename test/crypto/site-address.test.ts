/**
 * PROTOCOL.md §9.1 **Reported-site addresses** and the controlled-delivery-update fields of CND Res. 45/9 ¶4:
 * the send rule (normalise or refuse with the documented code), the receive rule (payloads sent before the
 * normalisation still open), and v3 onion addresses checked as Tor's rend-spec-v3 §6 defines them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TRACKING_PARAMETERS,
  decodePayload,
  encodePayload,
  fromUtf8,
  initSodium,
  normaliseSiteAddress,
  reencodePayload,
  utf8,
  validatePayload,
} from '../../shared/crypto/index.ts';
import type { ControlledDeliveryUpdatePayload, Payload } from '../../shared/crypto/index.ts';
import { codeOf } from './fixtures.ts';

await initSodium();

/** Published v3 onion services: DuckDuckGo and the Tor Project. */
const DUCKDUCKGO = 'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion';
const TORPROJECT = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
  }
  return out;
}
/** An onion address built independently, with node:crypto's SHA3-256 (rend-spec-v3 §6). */
function onion(pubkey: Uint8Array, version = 3, corrupt = false): string {
  const checksum = createHash('sha3-256').update(Buffer.concat([Buffer.from('.onion checksum'), pubkey, Buffer.from([version])])).digest().subarray(0, 2);
  if (corrupt) checksum[0]! ^= 1;
  return `${base32(new Uint8Array([...pubkey, ...checksum, version]))}.onion`;
}

const code = (f: () => unknown) => (codeOf(f) === 'no-error' ? 'ok' : codeOf(f));
const site = (url: string) => ({ kind: 'reported-site', url, category: 'marketplace' }) as Payload;
const sent = (url: string) => (validatePayload(site(url)) as { url: string }).url;

describe('reported-site: v3 onion addresses', () => {
  it('accepts published v3 addresses, bare or in a URL, in any case, with subdomains', () => {
    expect(sent(DUCKDUCKGO)).toBe(DUCKDUCKGO);
    expect(sent(TORPROJECT.toUpperCase())).toBe(TORPROJECT);
    expect(sent(`http://${TORPROJECT}/download/`)).toBe(`http://${TORPROJECT}/download/`);
    expect(sent(`https://www.${DUCKDUCKGO}`)).toBe(`https://www.${DUCKDUCKGO}/`);
  });
  it('agrees with an independent SHA3-256 (node:crypto) on random keys', () => {
    for (let i = 0; i < 50; i++) {
      const address = onion(new Uint8Array(randomBytes(32)));
      expect(sent(address)).toBe(address);
    }
  });
  it('refuses a wrong checksum, a wrong version, a wrong length or alphabet, and v2 addresses', () => {
    const pk = new Uint8Array(32).fill(9);
    expect(code(() => sent(onion(pk, 3, true)))).toBe('payload/onion-checksum');
    // One character of the published address changed: the checksum no longer matches.
    expect(code(() => sent(`e${DUCKDUCKGO.slice(1)}`))).toBe('payload/onion-checksum');
    expect(code(() => sent(`http://${TORPROJECT.replace('2gzy', '2gzz')}/`))).toBe('payload/onion-checksum');
    expect(code(() => sent(onion(pk, 2)))).toBe('payload/onion-invalid');
    expect(code(() => sent(DUCKDUCKGO.slice(1)))).toBe('payload/onion-invalid');
    expect(code(() => sent(`${DUCKDUCKGO.slice(0, 10)}1${DUCKDUCKGO.slice(11)}`))).toBe('payload/onion-invalid');
    expect(code(() => sent('xyz.onion'))).toBe('payload/onion-invalid');
    // v2: 16 base32 characters (the Tor Project's former address), removed from Tor in 0.4.6.
    expect(code(() => sent('expyuzz4wqqyqhjn.onion'))).toBe('payload/onion-v2');
    expect(code(() => sent('http://expyuzz4wqqyqhjn.onion/index.html'))).toBe('payload/onion-v2');
  });
});

describe('reported-site: normalisation', () => {
  it('lower-cases hosts and turns IDNs into punycode (WHATWG URL parser), bare or in a URL', () => {
    expect(sent('Bücher.Example')).toBe('xn--bcher-kva.example');
    expect(sent('HTTP://BÜCHER.example/Pfad')).toBe('http://xn--bcher-kva.example/Pfad');
    expect(sent('www.example.org/')).toBe('www.example.org');
    expect(sent('  https://a.example/x  ')).toBe('https://a.example/x');
  });
  it('drops default ports and fragments, keeps other ports', () => {
    expect(sent('http://a.example:80/x#section')).toBe('http://a.example/x');
    expect(sent('https://a.example:443/')).toBe('https://a.example/');
    expect(sent('https://a.example:8443/')).toBe('https://a.example:8443/');
    expect(sent('http://a.example/#')).toBe('http://a.example/');
  });
  it('removes the documented tracking parameters and keeps the others as they were written', () => {
    expect(sent('https://shop.example/item?id=7&utm_source=tg&utm_medium=social&UTM_Campaign=x&fbclid=abc&gclid=1&mc_eid=2&msclkid=3')).toBe('https://shop.example/item?id=7');
    expect(sent('https://shop.example/?utm_source=a')).toBe('https://shop.example/');
    expect(sent('https://shop.example/s?q=a%20b+c&x=&lang=pt&fbclid=1')).toBe('https://shop.example/s?q=a%20b+c&x=&lang=pt');
    expect(sent('https://shop.example/s?utm%5Fsource=1&k=v')).toBe('https://shop.example/s?k=v');
    for (const name of TRACKING_PARAMETERS) expect(sent(`https://a.example/?${name}=1&keep=1`), name).toBe('https://a.example/?keep=1');
  });
  it('refuses what is not an http(s) site with the documented codes', () => {
    const cases: [string, string][] = [
      ['ftp://a.example/', 'payload/url-scheme'],
      ['mailto:x@a.example', 'payload/url-scheme'],
      ['a.example:8080', 'payload/url-scheme'],
      ['a.example/path', 'payload/url-no-scheme'],
      ['?q=1', 'payload/url-no-scheme'],
      ['two words', 'payload/bad-url'],
      ['http://user:pw@a.example/', 'payload/bad-url'],
      ['localhost', 'payload/bad-url'],
      ['a..example', 'payload/bad-url'],
      ['http://[::1', 'payload/bad-url'],
    ];
    for (const [url, expected] of cases) expect(code(() => sent(url)), url).toBe(expected);
  });
  it('is idempotent, and the encoder sends the normalised form', () => {
    const inputs = ['HTTPS://Bücher.Example:443/a?b=1&utm_term=x#f', DUCKDUCKGO.toUpperCase(), 'Example.ORG', 'http://a.example/p?x=%7e&gclid=1'];
    for (const input of inputs) expect(normaliseSiteAddress(normaliseSiteAddress(input))).toBe(normaliseSiteAddress(input));
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        let once: string;
        try {
          once = normaliseSiteAddress(url);
        } catch {
          return; // refused input: nothing to be idempotent about
        }
        expect(normaliseSiteAddress(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
    const bytes = encodePayload(site('HTTPS://A.EXAMPLE/x?utm_source=y#z'));
    expect(JSON.parse(fromUtf8(bytes))).toMatchObject({ url: 'https://a.example/x' });
    expect(decodePayload(bytes)).toMatchObject({ url: 'https://a.example/x' });
  });
  it('keeps payloads sent before normalisation decodable and re-encodable as they were (receive rule)', () => {
    const legacy = utf8(JSON.stringify({ kind: 'reported-site', url: 'http://XYZ.onion/?utm_source=a#f', category: 'forum', notes: null }));
    const p = decodePayload(legacy);
    expect(p).toEqual({ kind: 'reported-site', url: 'http://XYZ.onion/?utm_source=a#f', category: 'forum' });
    // A client's own store re-encodes it unchanged; sending it again applies the send rule.
    expect(reencodePayload(p)).toEqual(legacy);
    expect(code(() => encodePayload(p))).toBe('payload/onion-invalid');
  });
});

describe('controlled-delivery-update: CND Res. 45/9 ¶4 fields', () => {
  const base: ControlledDeliveryUpdatePayload = { kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'in-transit' };
  const full: ControlledDeliveryUpdatePayload = {
    ...base,
    substitution: 'partially-replaced',
    country: 'ES',
    checkpoint: 'Algeciras port, container terminal',
    consents: [
      { country: 'ES', reference: 'AN-2026/114' },
      { country: 'PT', reference: '55/2026-DCIAP' },
    ],
  };
  it('round-trips the new fields; a payload without them (as before) stays valid', () => {
    expect(decodePayload(encodePayload(full))).toEqual(full);
    const old = utf8(JSON.stringify({ kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'seized', location: 'Porto', eta: null, notes: null }));
    expect(decodePayload(old)).toEqual({ kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'seized', location: 'Porto' });
    for (const substitution of ['untouched', 'completely-replaced', 'partially-replaced', 'partially-removed'] as const) expect(code(() => validatePayload({ ...base, substitution }))).toBe('ok');
  });
  it('bounds and vocabularies: substitution, ISO 3166-1 alpha-2 countries, checkpoint, at most 16 consents', () => {
    const refused: Record<string, unknown>[] = [
      { substitution: 'replaced' },
      { country: 'pt' },
      { country: 'XX' },
      { country: 'PRT' },
      { checkpoint: 'x'.repeat(257) },
      { checkpoint: '' },
      { consents: [] },
      { consents: [{ country: 'ES' }] },
      { consents: [{ country: 'ES', reference: '' }] },
      { consents: [{ country: 'EU', reference: 'r' }] },
      { consents: [{ country: 'ES', reference: 'r', judge: 'x' }] },
      { consents: Array.from({ length: 17 }, () => ({ country: 'ES', reference: 'r' })) },
    ];
    for (const over of refused) {
      expect(code(() => validatePayload({ ...base, ...over })), JSON.stringify(over).slice(0, 60)).toBe('payload/invalid');
      expect(code(() => decodePayload(utf8(JSON.stringify({ ...base, ...over })))), JSON.stringify(over).slice(0, 60)).toBe('payload/invalid');
    }
    expect(code(() => validatePayload({ ...base, country: 'XK', checkpoint: 'x'.repeat(256), consents: Array.from({ length: 16 }, () => ({ country: 'ES', reference: 'r'.repeat(256) })) }))).toBe('ok');
  });
});
