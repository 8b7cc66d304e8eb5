import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_KEYS, type ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import { makeApp, tempDir } from '../world/app.ts';
import webPush from 'web-push';
import { checkVapid, decryptAes128gcm, TestPushService, type TestSubscription } from '../world/push-service.ts';
import { alertingWorld, auditRows, LogCapture, MARKER, type AlertingWorld } from './fixtures.ts';

let push: TestPushService | undefined;
afterEach(async () => {
  await push?.close();
  push = undefined;
});

async function subscribe(w: AlertingWorld, sub: TestSubscription, label = 'desk phone') {
  return w.app.inject({ method: 'POST', url: '/api/v1/notifications/subscriptions', headers: w.headers, payload: { ...sub.json, expirationTime: null, label } });
}

async function sendTest(w: AlertingWorld) {
  return w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers });
}

describe('Web Push to a local RFC 8030 push service', () => {
  it('delivers a content-free, aes128gcm-encrypted test notification with a VAPID JWT that verifies', async () => {
    push = await TestPushService.start();
    const w = await alertingWorld();
    const sub = push.subscribe();

    const created = await subscribe(w, sub);
    expect(created.statusCode).toBe(201);
    const { subscription } = created.json() as { subscription: { id: string; endpointHost: string; label: string } };
    expect(subscription).toMatchObject({ endpointHost: new URL(push.origin).host, label: 'desk phone' });
    // The endpoint is a capability: never echoed back in full.
    expect(created.body).not.toContain(sub.id);
    // The same subscription again is idempotent.
    const again = await subscribe(w, sub);
    expect(again.statusCode).toBe(200);
    expect((again.json() as { subscription: { id: string } }).subscription.id).toBe(subscription.id);

    const key = await w.app.inject({ method: 'GET', url: '/api/v1/notifications/vapid-public-key', headers: w.headers });
    expect(key.statusCode).toBe(200);
    const { publicKey } = key.json() as { publicKey: string };
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);

    const res = await sendTest(w);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ results: [{ transport: 'push', ok: true }] });

    const [got, ...more] = push.deliveredTo(sub.id);
    expect(more).toEqual([]);
    expect(got!.status).toBe(201);
    // RFC 8292: ES256 by the server's VAPID key, for the push service's origin, unexpired, with a contact.
    expect(got!.vapid).toMatchObject({ ok: true, key: publicKey, header: { alg: 'ES256' }, claims: { aud: push.origin, sub: 'mailto:liaison@liaison.test' } });
    expect(got!.headers['content-encoding']).toBe('aes128gcm');
    expect(got!.headers.urgency).toBe('normal');
    expect(Number(got!.headers.ttl)).toBeGreaterThan(0);

    // RFC 8291: decrypted with the subscription's own private key and auth secret.
    const payload = JSON.parse(got!.plaintext!) as ContentFreeNotification;
    expect(Object.keys(payload).every((k) => (NOTIFICATION_KEYS as readonly string[]).includes(k))).toBe(true);
    expect(payload).toEqual({ v: 1, id: expect.any(String), kind: 'test', priority: 'normal', ackRequested: false, at: w.clock.now() });
    expect(got!.plaintext).not.toContain(MARKER);
    expect(got!.plaintext).not.toMatch(/Ana|Silva|Policia/);

    // Audited without content: who, transport, notification id/kind/priority, outcome.
    const audit = auditRows(w, 'notification.');
    expect(audit.map((r) => [r.action, r.outcome])).toEqual([
      ['notification.subscribed', 'success'],
      ['notification.delivered', 'success'],
    ]);
    expect(JSON.parse(audit[1]!.details)).toEqual({ transport: 'push', notificationId: payload.id, kind: 'test', priority: 'normal' });
    expect(audit[1]!.target).toBe(w.officer.id);
    const auditText = JSON.stringify(audit);
    expect(auditText).not.toContain(sub.json.keys.p256dh);
    expect(auditText).not.toContain(sub.id);
  });

  it('an urgent page goes out with Urgency: high and only ids; the subscription of another officer gets nothing', async () => {
    push = await TestPushService.start();
    const w = await alertingWorld();
    const mine = push.subscribe();
    const theirs = push.subscribe();
    expect((await subscribe(w, mine)).statusCode).toBe(201);
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/subscriptions', headers: { authorization: `Bearer ${w.other.tokens.accessToken}` }, payload: theirs.json });
    expect(r.statusCode).toBe(201);

    const page: ContentFreeNotification = { v: 1, id: 'page-1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: 'ch-42', at: w.clock.now() };
    // A caller passing extra properties cannot smuggle them onto the wire.
    const results = await w.app.ctx.alerting.notify(w.officer.id, { ...page, title: `Case ${MARKER}` } as ContentFreeNotification);
    expect(results).toEqual([{ transport: 'push', ok: true }]);
    const [got] = push.deliveredTo(mine.id);
    expect(got!.headers.urgency).toBe('high');
    expect(JSON.parse(got!.plaintext!)).toEqual(page);
    expect(got!.plaintext).not.toContain(MARKER);
    expect(push.deliveredTo(theirs.id)).toEqual([]);
  });

  it('a 410 from the push service deletes the subscription; the failure is logged without keys or endpoint', async () => {
    push = await TestPushService.start();
    const log = new LogCapture();
    const w = await alertingWorld({ logStream: log });
    const gone = push.subscribe();
    const alive = push.subscribe();
    expect((await subscribe(w, gone, 'old laptop')).statusCode).toBe(201);
    expect((await subscribe(w, alive, 'phone')).statusCode).toBe(201);
    push.answer(gone.id, 410);

    const res = await sendTest(w);
    expect(res.statusCode).toBe(200);
    expect((res.json() as { results: unknown[] }).results).toEqual(
      expect.arrayContaining([
        { transport: 'push', ok: false, error: 'status_410' },
        { transport: 'push', ok: true },
      ]),
    );
    const list = await w.app.inject({ method: 'GET', url: '/api/v1/notifications/subscriptions', headers: w.headers });
    expect((list.json() as { subscriptions: { label: string }[] }).subscriptions.map((s) => s.label)).toEqual(['phone']);
    expect(auditRows(w, 'notification.unsubscribed').map((r) => JSON.parse(r.details) as { reason: string }).map((d) => d.reason)).toEqual(['gone']);
    expect(auditRows(w, 'notification.delivered').map((r) => r.outcome).sort()).toEqual(['failure', 'success']);

    // Nothing is sent to it again.
    await sendTest(w);
    expect(push.deliveredTo(gone.id)).toHaveLength(1);
    expect(push.deliveredTo(alive.id)).toHaveLength(2);

    expect(log.text).toContain('notification delivery failed');
    for (const secret of [gone.json.keys.p256dh, gone.json.keys.auth, gone.id, alive.json.keys.auth]) expect(log.text).not.toContain(secret);
  });

  it('a push service that never answers costs at most the configured timeout', async () => {
    const silent = http.createServer(() => {
      /* accepts and never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      push = await TestPushService.start();
      const w = await alertingWorld({ alerting: { timeoutMs: 300 } });
      const sub = push.subscribe();
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/push/${sub.id}`;
      const r = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/subscriptions', headers: w.headers, payload: { ...sub.json, endpoint } });
      expect(r.statusCode).toBe(201);
      const started = Date.now();
      const res = await sendTest(w);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(res.json()).toEqual({ results: [{ transport: 'push', ok: false, error: 'timeout' }] });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('the VAPID key pair is generated once into DATA_DIR/secrets/vapid.json (0600) and survives a restart', async () => {
    const dataDir = tempDir();
    const first = await makeApp({ config: { dataDir }, keepOpen: true });
    const key1 = first.app.ctx.alerting.vapidPublicKey;
    await first.app.close();
    const file = path.join(dataDir, 'secrets', 'vapid.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
    expect(stored.publicKey).toBe(key1);
    expect(Buffer.from(stored.privateKey, 'base64url')).toHaveLength(32);
    const second = await makeApp({ config: { dataDir } });
    expect(second.app.ctx.alerting.vapidPublicKey).toBe(key1);
  });

  it('the test push service itself refuses a JWT for another origin, a forged signature and a payload for other keys', async () => {
    push = await TestPushService.start();
    const sub = push.subscribe();
    const vapid = webPush.generateVAPIDKeys();
    const req = webPush.generateRequestDetails(sub.json, 'hello', { vapidDetails: { subject: 'mailto:ops@liaison.test', ...vapid }, contentEncoding: 'aes128gcm' });
    const auth = String(req.headers.Authorization);
    expect(checkVapid(auth, push.origin).ok).toBe(true);
    expect(decryptAes128gcm(req.body, sub).toString()).toBe('hello');
    expect(checkVapid(auth, 'http://127.0.0.1:1')).toMatchObject({ ok: false, problem: 'aud' });
    const otherKey = webPush.generateVAPIDKeys().publicKey;
    expect(checkVapid(auth.replace(/k=.*$/, `k=${otherKey}`), push.origin)).toMatchObject({ ok: false, problem: 'signature' });
    expect(checkVapid(auth, push.origin, Math.floor(Date.now() / 1000) + 25 * 3600)).toMatchObject({ ok: false, problem: 'exp' });
    const stranger = push.subscribe();
    expect(() => decryptAes128gcm(req.body, { ...sub, authSecret: stranger.authSecret })).toThrow();
    expect(() => decryptAes128gcm(req.body, stranger)).toThrow();
  });
});
