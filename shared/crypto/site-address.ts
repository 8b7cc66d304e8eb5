/**
 * The `url` of a `reported-site` payload (PROTOCOL.md §9.1 **Reported-site addresses**): an http(s) URL or a bare
 * hostname, normalised before it is sent; onion hosts must be valid v3 onion addresses (Tor rend-spec-v3 §6).
 * Pure and browser-safe: the WHATWG URL parser (IDN → punycode, lower case, default ports) and SHA3-256 from
 * @noble/hashes (neither libsodium nor WebCrypto has SHA3).
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { concatBytes, constantTimeEqual, utf8 } from './encoding.ts';
import { PayloadError } from './errors.ts';

/**
 * Query parameters removed from a reported URL (case-insensitive names): every `utm_*`, and these click and
 * mail-campaign identifiers. They identify the visit or the person who shared the link, not the site.
 */
export const TRACKING_PARAMETERS: readonly string[] = [
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'rb_clickid',
  's_cid',
  'srsltid',
];
const TRACKING = new Set(TRACKING_PARAMETERS);

export function isTrackingParameter(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING.has(n);
}

/** v3 onion address: base32(PUBKEY(32) | CHECKSUM(2) | VERSION(1)), 56 characters. */
export const ONION_V3_CHARS = 56;
/** v2 onion addresses (16 characters, RSA-1024) were removed from Tor in 0.4.6 (2021). */
export const ONION_V2_CHARS = 16;
const ONION_VERSION = 0x03;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32Decode(s: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let bits = 0;
  let acc = 0;
  let i = 0;
  for (const c of s) {
    const v = BASE32.indexOf(c);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * Checks the host's onion-service label (the label before `.onion`; labels before it are allowed, Tor
 * ignores them): 56 base32 characters, version byte 3 and
 * `CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2]`. `host` is in lower case (WHATWG form).
 */
export function checkOnionHost(host: string): void {
  const labels = host.replace(/\.$/, '').split('.');
  const label = labels.at(-2) ?? '';
  if (label.length === ONION_V2_CHARS && /^[a-z2-7]+$/.test(label)) {
    throw new PayloadError('payload/onion-v2', 'checkOnionHost: v2 onion addresses (16 characters) no longer work in Tor; ask for the site’s v3 address (56 characters)');
  }
  const raw = label.length === ONION_V3_CHARS ? base32Decode(label) : null;
  if (!raw) throw new PayloadError('payload/onion-invalid', `checkOnionHost: an onion address has ${ONION_V3_CHARS} characters a–z and 2–7 before .onion`);
  const pubkey = raw.subarray(0, 32);
  const checksum = raw.subarray(32, 34);
  const version = raw[34]!;
  if (version !== ONION_VERSION) throw new PayloadError('payload/onion-invalid', `checkOnionHost: onion address version ${version}, expected ${ONION_VERSION}`);
  const expected = sha3_256(concatBytes(utf8('.onion checksum'), pubkey, Uint8Array.of(version))).subarray(0, 2);
  if (!constantTimeEqual(checksum, expected)) {
    throw new PayloadError('payload/onion-checksum', 'checkOnionHost: the onion address checksum does not match (a character is wrong or missing)');
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** A bare hostname: no scheme, port, path, query, fragment, credentials or spaces (one trailing `/` tolerated). */
const BARE_HOST = /^[^\s/?#:@\\[\]]+\/?$/u;

function badUrl(why: string, cause?: unknown): PayloadError {
  return new PayloadError('payload/bad-url', `normaliseSiteAddress: ${why}`, cause === undefined ? undefined : { cause });
}

function removeTracking(search: string): string {
  if (search.length <= 1) return '';
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const raw = pair.split('=')[0]!;
      let name = raw;
      try {
        name = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        // A malformed escape is kept as typed: it is not one of ours.
      }
      return !isTrackingParameter(name);
    });
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

function checkHost(host: string): void {
  if (host === '') throw badUrl('the address has no host');
  if (host.replace(/\.$/, '').split('.').some((label) => label === '')) throw badUrl('a hostname has no empty labels (a..example)');
  if (/\.onion\.?$/.test(host)) checkOnionHost(host);
}

/**
 * The normalised form of a reported site (PROTOCOL.md §9.1), or a PayloadError:
 * - an http(s) URL → WHATWG serialisation (lower-case punycode host, default port dropped) without fragment or
 *   tracking parameters (`TRACKING_PARAMETERS`); credentials refused;
 * - a bare hostname (`example.org`, `<56 chars>.onion`) → the lower-case punycode hostname alone;
 * - anything else: `payload/url-scheme` (a scheme other than http/https), `payload/url-no-scheme` (a path, port or
 *   query without a scheme), `payload/bad-url`; onion hosts: `payload/onion-v2`, `payload/onion-invalid`,
 *   `payload/onion-checksum`. Idempotent: a normalised value normalises to itself.
 */
export function normaliseSiteAddress(input: string): string {
  const s = input.trim();
  if (s === '') throw badUrl('the address is empty');
  if (BARE_HOST.test(s)) {
    let url: URL;
    try {
      url = new URL(`http://${s}`);
    } catch (cause) {
      throw badUrl('not a valid hostname', cause);
    }
    const host = url.hostname;
    if (!host.replace(/\.$/, '').includes('.')) throw badUrl('a hostname has at least two labels (example.org)');
    checkHost(host);
    return host;
  }
  if (!SCHEME.test(s) && /\s/.test(s)) throw badUrl('not an address (it contains spaces)');
  if (!SCHEME.test(s)) throw new PayloadError('payload/url-no-scheme', 'normaliseSiteAddress: an address with a path, port or query needs its scheme (http:// or https://)');
  let url: URL;
  try {
    url = new URL(s);
  } catch (cause) {
    throw badUrl('the address does not parse as a URL', cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PayloadError('payload/url-scheme', `normaliseSiteAddress: the scheme must be http or https, not ${url.protocol.slice(0, -1).slice(0, 32)}`);
  }
  if (url.username !== '' || url.password !== '') throw badUrl('an address with a user name or password is refused');
  checkHost(url.hostname);
  url.hash = '';
  url.search = removeTracking(url.search);
  return url.href;
}

/**
 * The receive rule (PROTOCOL.md §9.1): a value with a scheme must be an absolute http(s) URL (the v1 rule, so
 * payloads sent before normalisation still open); a bare hostname must be in normalised form.
 */
export function checkReceivedSiteAddress(value: string): void {
  if (BARE_HOST.test(value)) {
    if (normaliseSiteAddress(value) !== value) throw new PayloadError('payload/invalid', 'checkReceivedSiteAddress: a bare hostname must be in normalised form');
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new PayloadError('payload/invalid', 'checkReceivedSiteAddress: url does not parse', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PayloadError('payload/invalid', 'checkReceivedSiteAddress: url must be http(s)');
}
