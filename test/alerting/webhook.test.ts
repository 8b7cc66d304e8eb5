import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { NOTIFICATION_KEYS } from '../../shared/schemas/notifications.ts';
import { alertingWorld, LogCapture, MARKER } from './fixtures.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An operator's gateway: accepts a request only when its HMAC signature verifies under `secret` (checked here, independently of the server's code). */
function verifies(hit: Hit, secret: string): boolean {
  const timestamp = String(hit.headers['x-liaison-timestamp']);
  const expected = Buffer.from(`sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${hit.body}`).digest('hex')}`);
  const given = Buffer.from(String(hit.headers['x-liaison-signature']));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

let receiver: http.Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
});

async function startReceiver(status = 204): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/liaison-hook`, hits };
}

describe('operator webhook', () => {
  it('POSTs { notification, officerId } signed with HMAC-SHA256 over timestamp.body; a wrong secret does not verify', async () => {
    const { url, hits } = await startReceiver();
    const w = await alertingWorld({ alerting: { webhookUrl: url, webhookSecret: SECRET } });
    const res = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers });
    expect(res.json()).toEqual({ results: [{ transport: 'webhook', ok: true }] });

    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['x-liaison-timestamp']).toBe(String(Math.floor(w.clock.now() / 1000)));
    expect(hit!.headers['x-liaison-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies(hit!, SECRET)).toBe(true);
    // The receiver with a different secret rejects it, and so does one that gets a tampered body or timestamp.
    expect(verifies(hit!, 'another-secret-of-the-same-length!!')).toBe(false);
    expect(verifies({ ...hit!, body: hit!.body.replace('"test"', '"page"') }, SECRET)).toBe(false);
    expect(verifies({ ...hit!, headers: { ...hit!.headers, 'x-liaison-timestamp': '1' } }, SECRET)).toBe(false);

    const body = JSON.parse(hit!.body) as { notification: Record<string, unknown>; officerId: string };
    expect(Object.keys(body).sort()).toEqual(['notification', 'officerId']);
    expect(body.officerId).toBe(w.officer.id);
    expect(Object.keys(body.notification).every((k) => (NOTIFICATION_KEYS as readonly string[]).includes(k))).toBe(true);
    expect(body.notification).toMatchObject({ v: 1, kind: 'test' });
    expect(hit!.body).not.toContain(MARKER);
  });

  it('a non-2xx answer is a failure, logged without the secret', async () => {
    const { url } = await startReceiver(500);
    const log = new LogCapture();
    const w = await alertingWorld({ alerting: { webhookUrl: url, webhookSecret: SECRET }, logStream: log });
    const res = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers });
    expect(res.json()).toEqual({ results: [{ transport: 'webhook', ok: false, error: 'status_500' }] });
    expect(log.text).toContain('notification delivery failed');
    expect(log.text).not.toContain(SECRET);
  });

  it('configuration: WEBHOOK_URL needs WEBHOOK_SECRET; a bad SMTP_URL is refused without echoing it', () => {
    expect(() => loadConfig({ WEBHOOK_URL: 'https://gw.example/hook' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_URL: 'https://gw.example/hook', WEBHOOK_SECRET: 'short' })).toThrow(/WEBHOOK_SECRET/);
    const ok = loadConfig({ WEBHOOK_URL: 'https://gw.example/hook', WEBHOOK_SECRET: SECRET, SMTP_URL: 'smtp://u:p@mail.example:587', MAIL_FROM: 'L <l@x.example>', VAPID_SUBJECT: 'mailto:ops@x.example' });
    expect(ok.alerting).toMatchObject({ webhookUrl: 'https://gw.example/hook', smtpUrl: 'smtp://u:p@mail.example:587', mailFrom: 'L <l@x.example>', vapidSubject: 'mailto:ops@x.example' });
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'http://user:Hunter2-Pass@mail.example' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/SMTP_URL/);
    expect(message).not.toContain('Hunter2-Pass');
    expect(() => loadConfig({ VAPID_SUBJECT: 'http://insecure.example' })).toThrow(/VAPID_SUBJECT/);
  });
});
