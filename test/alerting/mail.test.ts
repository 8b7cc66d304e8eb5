import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import { TestSmtpServer } from '../world/smtp.ts';
import { alertingWorld, auditRows, LogCapture, MARKER, type AlertingWorld } from './fixtures.ts';

let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function enableEmail(w: AlertingWorld, email = 'ana.silva@pj.example.pt') {
  const res = await w.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers: w.headers, payload: { email, push: true, emailEnabled: true, quietHours: null } });
  expect(res.statusCode).toBe(200);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('e-mail over a real SMTP server', () => {
  it('a test notification reaches the officer’s address with a link to PUBLIC_URL and no names', async () => {
    smtp = await TestSmtpServer.start();
    const w = await alertingWorld({ alerting: { smtpUrl: smtp.url, mailFrom: 'Liaison <alerts@liaison.test>' } });
    await enableEmail(w);

    const res = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ results: [{ transport: 'email', ok: true }] });
    await smtp.waitFor(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['ana.silva@pj.example.pt']);
    expect(mail!.from).toBe('alerts@liaison.test');
    expect(mail!.text).toContain('http://liaison.test/');
    expect(mail!.raw).not.toContain(MARKER);
    expect(mail!.raw).not.toMatch(/Ana|Silva|Policia/);
    expect(auditRows(w, 'notification.delivered').map((r) => [r.outcome, (JSON.parse(r.details) as { transport: string }).transport])).toEqual([['success', 'email']]);
  });

  it('an urgent page links to its page view and says nothing else about it', async () => {
    smtp = await TestSmtpServer.start();
    const w = await alertingWorld({ alerting: { smtpUrl: smtp.url } });
    await enableEmail(w);
    const page: ContentFreeNotification = { v: 1, id: 'p-1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: 'ch-77', at: w.clock.now() };
    expect(await w.app.ctx.alerting.notify(w.officer.id, page)).toEqual([{ transport: 'email', ok: true }]);
    await smtp.waitFor(1);
    const [mail] = smtp.received;
    expect(mail!.headers.get('subject')).toBe('Liaison: urgent item waiting');
    expect(mail!.text).toContain('An urgent item is waiting for you in Liaison.');
    expect(mail!.text).toContain('Open: http://liaison.test/#/pages/p-1');
    expect(mail!.headers.get('from')).toContain('liaison@liaison.test');
    expect(mail!.raw).not.toContain(MARKER);
  });

  it('e-mail off, or no address, sends nothing; SMTP_URL unset means no e-mail at all', async () => {
    smtp = await TestSmtpServer.start();
    const w = await alertingWorld({ alerting: { smtpUrl: smtp.url } });
    // Default settings: e-mail off.
    expect((await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers })).json()).toEqual({ results: [] });
    const off = await alertingWorld();
    await enableEmail(off);
    expect((await off.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: off.headers })).json()).toEqual({ results: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received).toEqual([]);
  });

  it('an unreachable SMTP server is a failed result, logged without the SMTP credentials', async () => {
    const log = new LogCapture();
    const smtpUrl = `smtp://relay-user:S3cret-Relay-Pass@127.0.0.1:${await closedPort()}`;
    const w = await alertingWorld({ alerting: { smtpUrl, timeoutMs: 2_000 }, logStream: log });
    await enableEmail(w);
    const res = await w.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: w.headers });
    expect(res.statusCode).toBe(200);
    const [result] = (res.json() as { results: { transport: string; ok: boolean; error?: string }[] }).results;
    expect(result).toMatchObject({ transport: 'email', ok: false });
    expect(result!.error).toMatch(/^[A-Z_0-9]+$|^timeout$/);
    expect(log.text).toContain('notification delivery failed');
    expect(log.text).not.toContain('S3cret-Relay-Pass');
    expect(log.text).not.toContain('relay-user');
    expect(log.text).not.toContain('ana.silva@pj.example.pt');
    expect(JSON.stringify(auditRows(w, 'notification.'))).not.toContain('S3cret-Relay-Pass');
  });
});
