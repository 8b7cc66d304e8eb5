import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, expectError } from '../world/app.ts';
import { TestPushService } from '../world/push-service.ts';
import { alertingWorld, type AlertingWorld } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

const P256 = () => {
  const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
};

function body(overrides: { endpoint?: string; p256dh?: string; auth?: string } = {}) {
  return {
    endpoint: overrides.endpoint ?? 'https://push.example.net/send/abc123',
    keys: { p256dh: overrides.p256dh ?? P256().toString('base64url'), auth: overrides.auth ?? crypto.randomBytes(16).toString('base64url') },
  };
}

async function post(w: AlertingWorld, payload: unknown, headers = w.headers) {
  return w.app.inject({ method: 'POST', url: '/api/v1/notifications/subscriptions', headers, payload: payload as Record<string, unknown> });
}

function stored(w: AlertingWorld): number {
  return rawDb(w.app).prepare('SELECT count(*) FROM push_subscriptions').pluck().get() as number;
}

describe('notification API: refusals', () => {
  it('refuses bad push endpoints and bad keys with 400 and the exact code, storing nothing', async () => {
    const w = await alertingWorld();
    // An https PUBLIC_URL is a production server: loopback push endpoints would let officers make it POST to itself.
    const prod = await alertingWorld({ config: { publicUrl: 'https://liaison.example.org' } });
    const notOnCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
    const cases: [AlertingWorld, unknown, number, string][] = [
      [w, body({ endpoint: 'not a url' }), 400, 'invalid_push_endpoint'],
      [w, body({ endpoint: 'ftp://push.example.net/x' }), 400, 'invalid_push_endpoint'],
      [w, body({ endpoint: 'http://push.example.net/x' }), 400, 'invalid_push_endpoint'],
      [w, body({ endpoint: 'https://user:pw@push.example.net/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'http://127.0.0.1:9/push/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://localhost/push/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://10.1.2.3/push/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://169.254.169.254/latest/meta-data' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://[::1]/push/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://[::ffff:127.0.0.1]/push/x' }), 400, 'invalid_push_endpoint'],
      [prod, body({ endpoint: 'https://[fd00::1]/push/x' }), 400, 'invalid_push_endpoint'],
      [w, body({ p256dh: P256().subarray(0, 64).toString('base64url') + 'AAAA' }), 400, 'invalid_push_keys'],
      [w, body({ p256dh: Buffer.concat([Buffer.from([2]), P256().subarray(1)]).toString('base64url') }), 400, 'invalid_push_keys'],
      [w, body({ p256dh: notOnCurve }), 400, 'invalid_push_keys'],
      [w, body({ auth: crypto.randomBytes(15).toString('base64url') }), 400, 'invalid_push_keys'],
      [w, body({ auth: crypto.randomBytes(16).toString('base64url').slice(0, -1) + '_' }), 400, 'invalid_push_keys'],
      [w, body({ auth: crypto.randomBytes(24).toString('base64url') }), 400, 'invalid_push_keys'],
      [w, body({ auth: 'not*base64url!!!!!!!' }), 400, 'validation_failed'],
      [w, { ...body(), extra: 1 }, 400, 'validation_failed'],
      [w, { endpoint: 'https://push.example.net/x' }, 400, 'validation_failed'],
    ];
    for (const [i, [world, payload, status, code]] of cases.entries()) {
      const res = await post(world, payload);
      expect({ i, status: res.statusCode }).toEqual({ i, status });
      expectError(res, status, code);
    }
    expect(stored(w) + stored(prod)).toBe(0);
    // The well-formed subscription is accepted, on both servers.
    expect((await post(w, body())).statusCode).toBe(201);
    expect((await post(prod, body())).statusCode).toBe(201);
    expect((await post(prod, body({ endpoint: 'https://203.0.113.9/push/x' }))).statusCode).toBe(201);
  });

  it("another officer's subscription id is a 404, and it stays", async () => {
    const push = await TestPushService.start();
    try {
      const w = await alertingWorld();
      const sub = push.subscribe();
      const created = await post(w, sub.json);
      const { id } = (created.json() as { subscription: { id: string } }).subscription;
      const other = bearer(w.other.tokens);
      expectError(await w.app.inject({ method: 'DELETE', url: `/api/v1/notifications/subscriptions/${id}`, headers: other }), 404, 'not_found');
      expectError(await w.app.inject({ method: 'DELETE', url: '/api/v1/notifications/subscriptions/no-such-id', headers: w.headers }), 404, 'not_found');
      expect(((await w.app.inject({ method: 'GET', url: '/api/v1/notifications/subscriptions', headers: other })).json() as { subscriptions: unknown[] }).subscriptions).toEqual([]);
      expect(stored(w)).toBe(1);
      // The owner removes it.
      const del = await w.app.inject({ method: 'DELETE', url: `/api/v1/notifications/subscriptions/${id}`, headers: w.headers });
      expect(del.json()).toEqual({ ok: true });
      expect(stored(w)).toBe(0);
    } finally {
      await push.close();
    }
  });

  it('a browser reused by another officer moves its subscription to them', async () => {
    const w = await alertingWorld();
    const shared = body();
    expect((await post(w, shared)).statusCode).toBe(201);
    const moved = await post(w, shared, bearer(w.other.tokens));
    expect(moved.statusCode).toBe(201);
    expect(((await w.app.inject({ method: 'GET', url: '/api/v1/notifications/subscriptions', headers: w.headers })).json() as { subscriptions: unknown[] }).subscriptions).toEqual([]);
    expect(stored(w)).toBe(1);
  });

  it('settings: stored and read back; bad e-mail, unknown time zone and equal quiet-hour bounds are refused', async () => {
    const w = await alertingWorld();
    const get = () => w.app.inject({ method: 'GET', url: '/api/v1/notifications/settings', headers: w.headers });
    const put = (payload: Record<string, unknown>) => w.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers: w.headers, payload });
    expect((await get()).json()).toEqual({ email: null, push: true, emailEnabled: false, quietHours: null });

    const good = { email: 'ana@pj.example.pt', push: false, emailEnabled: true, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Lisbon' } };
    expect((await put(good)).json()).toEqual(good);
    expect((await get()).json()).toEqual(good);

    expectError(await put({ ...good, quietHours: { ...good.quietHours, timeZone: 'Mars/Olympus_Mons' } }), 400, 'invalid_time_zone');
    expectError(await put({ ...good, quietHours: { ...good.quietHours, start: '07:00', end: '07:00' } }), 400, 'validation_failed');
    expectError(await put({ ...good, quietHours: { ...good.quietHours, start: '24:00' } }), 400, 'validation_failed');
    expectError(await put({ ...good, email: 'ana@pj.example.pt\r\nBcc: spy@evil.example' }), 400, 'invalid_email');
    expectError(await put({ ...good, email: 'two@a.example, three@b.example' }), 400, 'invalid_email');
    expectError(await put({ ...good, email: 'no-at-sign' }), 400, 'invalid_email');
    expectError(await put({ ...good, email: null, emailEnabled: true }), 400, 'invalid_email');
    expectError(await put({ ...good, extra: true }), 400, 'validation_failed');
    // Nothing of the refused writes stuck.
    expect((await get()).json()).toEqual(good);
  });

  it('needs a signed-in officer, and test notifications are rate-limited per client address', async () => {
    const w = await alertingWorld();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expectError(await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers }), 429, 'rate_limited');
    // Another address has its own budget; without a token it is refused.
    expectError(await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', remoteAddress: '10.9.8.7' }), 401, 'unauthorized');
    for (const [method, url] of [
      ['GET', '/api/v1/notifications/vapid-public-key'],
      ['GET', '/api/v1/notifications/settings'],
      ['GET', '/api/v1/notifications/subscriptions'],
      ['DELETE', '/api/v1/notifications/subscriptions/x'],
    ] as const) {
      expectError(await w.app.inject({ method, url }), 401, 'unauthorized');
    }
  });
});
