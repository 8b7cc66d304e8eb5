import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Web Push service (the push-service side of RFC 8030) on 127.0.0.1. It checks the VAPID
 * `Authorization: vapid t=<JWT>, k=<key>` header (RFC 8292: ES256 over the key k, aud = this origin,
 * exp in the future, sub present) and decrypts the aes128gcm payload (RFC 8291 §3.3–3.4, RFC 8188)
 * with the subscription's private key and auth secret, all with node:crypto — no code of web-push.
 */

export interface TestSubscription {
  id: string;
  /** What the browser's PushSubscription.toJSON() gives the web app. */
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
  privateKey: crypto.KeyObject;
  publicKeyRaw: Buffer;
  authSecret: Buffer;
}

export interface VapidCheck {
  ok: boolean;
  /** Why the JWT was refused (when !ok). */
  problem?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** The application server key from `k=`, base64url. */
  key?: string;
}

export interface ReceivedPush {
  subscriptionId: string;
  headers: http.IncomingHttpHeaders;
  vapid: VapidCheck;
  /** The decrypted payload (UTF-8), or undefined when decryption failed. */
  plaintext?: string;
  decryptError?: string;
  status: number;
  /** performance.now() when the request arrived (the bench's page latency ends here). */
  arrivedAt: number;
}

const P256_POINT_BYTES = 65;
const TAG_BYTES = 16;

function rawPublicKey(key: crypto.KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

function publicKeyFromRaw(raw: Buffer): crypto.KeyObject {
  if (raw.length !== P256_POINT_BYTES || raw[0] !== 0x04) throw new Error('publicKeyFromRaw: not an uncompressed P-256 point');
  return crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

function hkdf(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, length));
}

/** RFC 8291 §3.4 + RFC 8188 §2: decrypts an aes128gcm Web Push body for the subscription `sub`. */
export function decryptAes128gcm(body: Buffer, sub: Pick<TestSubscription, 'privateKey' | 'publicKeyRaw' | 'authSecret'>): Buffer {
  if (body.length < 21) throw new Error('decryptAes128gcm: body shorter than the header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  if (idlen !== P256_POINT_BYTES) throw new Error('decryptAes128gcm: keyid is not the sender public key');
  if (rs < 18) throw new Error('decryptAes128gcm: record size too small');
  const ecdhSecret = crypto.diffieHellman({ privateKey: sub.privateKey, publicKey: publicKeyFromRaw(Buffer.from(asPublic)) });
  // §3.3: IKM from the ECDH secret, keyed by the auth secret, bound to both public keys.
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKeyRaw, asPublic]);
  const ikm = hkdf(ecdhSecret, sub.authSecret, keyInfo, 32);
  const cek = hkdf(ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const baseNonce = hkdf(ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12);
  const records = body.subarray(21 + idlen);
  const out: Buffer[] = [];
  for (let seq = 0, offset = 0; offset < records.length; seq++, offset += rs) {
    const record = records.subarray(offset, Math.min(offset + rs, records.length));
    const nonce = Buffer.from(baseNonce);
    // NONCE = base XOR SEQ (96-bit big-endian); SEQ fits the low 32 bits here (JS bit operators are 32-bit).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
    // Strip the padding: zeros, then the delimiter (2 = last record, 1 = more follow).
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    const delimiter = plain[end];
    const last = offset + rs >= records.length;
    if (delimiter !== (last ? 2 : 1)) throw new Error('decryptAes128gcm: bad padding delimiter');
    out.push(plain.subarray(0, end));
  }
  return Buffer.concat(out);
}

/** RFC 8292 §2–3: the JWT is ES256 by the key `k`, for this origin, not expired, with a contact. */
export function checkVapid(authorization: string | undefined, origin: string, nowSeconds = Math.floor(Date.now() / 1000)): VapidCheck {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) return { ok: false, problem: 'no vapid authorization' };
  const [jwt, key] = [m[1]!, m[2]!];
  const [h, c, s] = jwt.split('.') as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, problem: 'jwt not JSON', key };
  }
  const base = { header, claims, key };
  if (header.alg !== 'ES256') return { ...base, ok: false, problem: 'alg' };
  let publicKey: crypto.KeyObject;
  try {
    publicKey = publicKeyFromRaw(Buffer.from(key, 'base64url'));
  } catch {
    return { ...base, ok: false, problem: 'k is not a P-256 point' };
  }
  const signed = crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!signed) return { ...base, ok: false, problem: 'signature' };
  if (claims.aud !== origin) return { ...base, ok: false, problem: 'aud' };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds || claims.exp > nowSeconds + 24 * 3600) return { ...base, ok: false, problem: 'exp' };
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) return { ...base, ok: false, problem: 'sub' };
  return { ...base, ok: true };
}

export class TestPushService {
  readonly received: ReceivedPush[] = [];
  private readonly subs = new Map<string, TestSubscription>();
  /** Status to answer per subscription id (default 201 Created, as RFC 8030 §5). */
  private readonly answers = new Map<string, number>();
  private waiters: (() => void)[] = [];

  /** Bodies and headers of requests accepted unchecked (`deferChecks`), checked by `checkDeferred()`. */
  private readonly deferred: { entry: ReceivedPush; body: Buffer; sub: TestSubscription }[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    private readonly deferChecks: boolean,
  ) {}

  /**
   * `deferChecks` (benchmarks): answer 201 at once and verify VAPID and decrypt later, in `checkDeferred()`,
   * so the service's own crypto on the shared event loop does not delay the arrivals being timed.
   */
  static async start(opts: { deferChecks?: boolean } = {}): Promise<TestPushService> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const service = new TestPushService(server, `http://127.0.0.1:${port}`, opts.deferChecks ?? false);
    server.on('request', (req, res) => service.handle(req, res));
    return service;
  }

  /** A new browser subscription: a P-256 key pair and 16 random auth bytes, as a browser makes them. */
  subscribe(): TestSubscription {
    const id = crypto.randomUUID();
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const publicKeyRaw = rawPublicKey(publicKey);
    const authSecret = crypto.randomBytes(16);
    const sub: TestSubscription = {
      id,
      json: { endpoint: `${this.origin}/push/${id}`, keys: { p256dh: publicKeyRaw.toString('base64url'), auth: authSecret.toString('base64url') } },
      privateKey,
      publicKeyRaw,
      authSecret,
    };
    this.subs.set(id, sub);
    return sub;
  }

  /** Makes the service answer `status` for this subscription (410 Gone: the user unsubscribed). */
  answer(subscriptionId: string, status: number): void {
    this.answers.set(subscriptionId, status);
  }

  /** Messages delivered (VAPID verified, payload decrypted) to one subscription. */
  deliveredTo(subscriptionId: string): ReceivedPush[] {
    return this.received.filter((r) => r.subscriptionId === subscriptionId);
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`TestPushService.waitFor: ${this.received.length}/${count} pushes`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([0-9a-f-]+)$/.exec(req.url ?? '')?.[1];
      const sub = id ? this.subs.get(id) : undefined;
      if (req.method !== 'POST' || !sub || !id) {
        res.writeHead(404).end();
        return;
      }
      if (this.deferChecks) {
        const entry: ReceivedPush = { subscriptionId: id, headers: req.headers, vapid: { ok: false, problem: 'not checked yet' }, status: 201, arrivedAt };
        this.deferred.push({ entry, body: Buffer.concat(chunks), sub });
        this.received.push(entry);
        res.writeHead(201).end();
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      const entry: ReceivedPush = { subscriptionId: id, headers: req.headers, vapid: checkVapid(req.headers.authorization, this.origin), status: 0, arrivedAt };
      this.check(entry, Buffer.concat(chunks), sub);
      this.received.push(entry);
      res.writeHead(entry.status, entry.status === 201 ? { Location: `${this.origin}/message/${crypto.randomUUID()}` } : {}).end();
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Runs the checks `deferChecks` skipped; afterwards each entry reads as if checked on arrival. */
  checkDeferred(): void {
    for (const { entry, body, sub } of this.deferred.splice(0)) {
      entry.vapid = checkVapid(entry.headers.authorization, this.origin);
      this.check(entry, body, sub);
    }
  }

  private check(entry: ReceivedPush, body: Buffer, sub: TestSubscription): void {
    const { vapid, headers } = entry;
    if (!vapid.ok) entry.status = 403;
    else if (headers['content-encoding'] !== 'aes128gcm' || headers.ttl === undefined) entry.status = 400;
    else {
      try {
        entry.plaintext = decryptAes128gcm(body, sub).toString('utf8');
        entry.status = this.answers.get(sub.id) ?? 201;
      } catch (err) {
        entry.decryptError = (err as Error).message;
        entry.status = 400;
      }
    }
  }
}
