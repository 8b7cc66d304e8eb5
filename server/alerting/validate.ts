import crypto from 'node:crypto';
import net from 'node:net';
import { canonicalTimeZone } from '../../shared/directory/availability.ts';
import type { NotificationSettings, PushSubscriptionBody, QuietHours } from '../../shared/schemas/notifications.ts';
import { ValidationError } from '../errors.ts';

/** RFC 8291: the subscription key is an uncompressed P-256 point; the auth secret is 16 bytes. */
export const P256_POINT_BYTES = 65;
export const AUTH_SECRET_BYTES = 16;

/** Loopback names and addresses (an `http:` push service is accepted only there, and only on a development server). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]';
}

// Addresses a public push service never has: a literal one in a production endpoint aims the server at a private network.
const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv4');
}
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched by the IPv4 ranges above.
for (const [prefix, bits] of [['::', 127], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE.addSubnet(prefix, bits, 'ipv6');

/** A literal IP address in a private, loopback, link-local or unspecified range (host names are not resolved here). */
export function isPrivateAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(host);
  return family !== 0 && PRIVATE.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A push endpoint: an absolute https URL without credentials. Loopback hosts and private address
 * literals only when `allowLoopback` (a server whose PUBLIC_URL is http: development and tests), and
 * plain http only on loopback: in production such an endpoint would make the server POST to its own
 * host or network. (A public name that resolves to a private address is not caught here.)
 */
export function validEndpoint(raw: string, allowLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('endpoint is not an absolute URL', 'invalid_push_endpoint');
  }
  if (url.username || url.password) throw new ValidationError('endpoint must not carry credentials', 'invalid_push_endpoint');
  const loopback = isLoopbackHost(url.hostname);
  if ((loopback || isPrivateAddress(url.hostname)) && !allowLoopback) throw new ValidationError('endpoint must be a public push service', 'invalid_push_endpoint');
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  throw new ValidationError('endpoint must be an https URL', 'invalid_push_endpoint');
}

/** Strict base64url (padding tolerated): the decoded bytes re-encode to the same text. */
function base64Url(value: string, field: string): Buffer {
  const text = value.replace(/=+$/, '');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new ValidationError(`keys.${field} is not base64url`, 'invalid_push_keys');
  return bytes;
}

/** Checks the subscription's keys: a point on P-256 and a 16-byte secret (web-push would refuse anything else at send time). */
export function validKeys(keys: PushSubscriptionBody['keys']): { p256dh: string; auth: string } {
  const point = base64Url(keys.p256dh, 'p256dh');
  if (point.length !== P256_POINT_BYTES || point[0] !== 0x04) {
    throw new ValidationError(`keys.p256dh must be an uncompressed P-256 point (${P256_POINT_BYTES} bytes)`, 'invalid_push_keys');
  }
  try {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(point);
  } catch (err) {
    throw new ValidationError('keys.p256dh is not a point on P-256', 'invalid_push_keys', { cause: err });
  }
  const auth = base64Url(keys.auth, 'auth');
  if (auth.length !== AUTH_SECRET_BYTES) throw new ValidationError(`keys.auth must be ${AUTH_SECRET_BYTES} bytes`, 'invalid_push_keys');
  return { p256dh: point.toString('base64url'), auth: auth.toString('base64url') };
}

// One @, no spaces, quotes, angle brackets or separators: nothing that could add a header or a second recipient.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function validQuietHours(q: QuietHours): QuietHours {
  const timeZone = canonicalTimeZone(q.timeZone);
  if (!timeZone) throw new ValidationError(`"${q.timeZone}" is not an IANA time zone (e.g. Europe/Lisbon)`, 'invalid_time_zone');
  if (q.start === q.end) throw new ValidationError('quietHours.start and quietHours.end must differ', 'validation_failed');
  return { start: q.start, end: q.end, timeZone };
}

export function validSettings(s: NotificationSettings): NotificationSettings {
  const email = s.email === null ? null : s.email.trim();
  if (email !== null && !EMAIL.test(email)) throw new ValidationError('email is not a valid address', 'invalid_email');
  if (s.emailEnabled && email === null) throw new ValidationError('emailEnabled needs an e-mail address', 'invalid_email');
  return { email, push: s.push, emailEnabled: s.emailEnabled, quietHours: s.quietHours === null ? null : validQuietHours(s.quietHours) };
}
