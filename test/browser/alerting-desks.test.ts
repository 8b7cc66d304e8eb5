import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWebOnce, createAgency, createOfficer, enrolByApi, hasChromium, initPlatform, launch, screenshot, signInAndUnlock, sleep, startServer, type Person, type Server } from './harness.ts';

/** A stand-in push service on loopback: records each POST and answers 201 (RFC 8030 §5). */
async function startPushReceiver(): Promise<{ url: string; received: { headers: http.IncomingHttpHeaders; body: Buffer }[]; close(): Promise<void> }> {
  const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => srv.close(() => r())) };
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Hands a push message to the page's service worker through DevTools, as a push service would (headless Chromium has none). */
async function pushToWorker(context: BrowserContext, page: Page, origin: string, data: string): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
      const r = e.registrations.find((x) => x.scopeURL === `${origin}/` && !x.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: await registrationId, data });
  await cdp.detach();
}

/** RFC 8291 (aes128gcm, one record): the push service's body → the plaintext, with the subscription's private key and auth secret. */
function decryptPush(body: Buffer, ua: crypto.ECDH, auth: Buffer): string {
  const hmac = (key: Buffer, data: Buffer) => crypto.createHmac('sha256', key).update(data).digest();
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  const ikm = hmac(hmac(auth, ua.computeSecret(asPublic)), Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 and zero padding.
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  expect(padded[end]).toBe(2);
  return padded.subarray(0, end).toString('utf8');
}

describe.skipIf(!hasChromium)('web app: notifications (PWA, push, settings) and desks (rota week view, editor)', () => {
  let server: Server;
  let browser: Browser;
  /** Signs in in the notifications test. */
  let admin: Person;
  /** Another agency's administrator, for the desk test (each test signs in a first time and creates keys). */
  let deskAdmin: Person;
  /** A member of the desk, not a supervisor. */
  let bob: Person;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const pt = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    admin = pt.admin;
    const gnr = await createAgency(server.app, platform, { name: 'Guarda Nacional Republicana', country: 'PT', admin: 'gnr-admin' });
    deskAdmin = gnr.admin;
    await enrolByApi(server.app, (await createOfficer(server.app, deskAdmin, gnr.agencyId, 'alice', 'Alice Costa')).token);
    bob = await enrolByApi(server.app, (await createOfficer(server.app, deskAdmin, gnr.agencyId, 'bob', 'Bob Silva')).token);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
    // The viewer is in New York; the desk will be in Lisbon: the week view shows both.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' });
    await context.grantPermissions(['notifications'], { origin: server.baseUrl });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(20_000);
    return { context, page, pageErrors };
  }

  it('is an installable PWA whose service worker registers; push can be turned on, tested and off; settings are saved', { timeout: 150_000 }, async () => {
    const { context, page, pageErrors } = await newContext();
    await signInAndUnlock(page, server.baseUrl, admin, { create: true });

    // The service worker registers at the root, from /sw.js.
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { script: reg.active?.scriptURL ?? null, scope: reg.scope };
    });
    expect(sw).toEqual({ script: `${server.baseUrl}/sw.js`, scope: `${server.baseUrl}/` });
    // The page links its manifest, which is valid JSON with what installation needs.
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest');
    const res = await page.request.get(`${server.baseUrl}/manifest.webmanifest`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as { name: string; display: string; start_url: string; icons: { src: string; sizes: string }[] };
    expect(manifest).toMatchObject({ name: 'Liaison', display: 'standalone', start_url: '/#/channels' });
    for (const icon of manifest.icons) expect((await page.request.get(`${server.baseUrl}${icon.src}`)).status()).toBe(200);
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');

    // The worker's push handler, driven through DevTools (no push service needed): an urgent page shows a
    // content-free notification that stays on screen, tagged by channel, opening the page.
    const page1 = { v: 1, id: 'n_1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: 'ch_case_1', deskId: 'desk_1', at: Date.now() };
    await pushToWorker(context, page, server.baseUrl, JSON.stringify(page1));
    const shown = async () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data as unknown })),
      );
    await expect.poll(shown).toEqual([
      {
        title: 'Urgent: acknowledgement requested',
        body: 'Open Liaison to read it. The content is end-to-end encrypted and is not part of this notification.',
        tag: 'liaison-channel:ch_case_1',
        requireInteraction: true,
        data: { hash: '#/pages/n_1' },
      },
    ]);
    // A second page for the same channel replaces the first (one tag per channel).
    await pushToWorker(context, page, server.baseUrl, JSON.stringify({ ...page1, id: 'n_2' }));
    await sleep(500);
    expect(await shown()).toHaveLength(1);

    // Account → Notifications.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    expect(page.url()).toMatch(/#\/account\/notifications$/);
    await expect.poll(() => page.getByTestId('push-state').textContent()).toBe('Push notifications are off on this browser.');
    await page.getByText('No browser receives push notifications for you yet.').waitFor();

    // Headless Chromium has no push service: subscribing fails, and the page says so plainly.
    await page.getByRole('button', { name: 'Turn on push notifications' }).click();
    const outcome = await Promise.race([
      page.getByRole('alert').filter({ hasText: 'could not subscribe to push notifications' }).waitFor().then(() => 'error' as const),
      page.getByTestId('push-state').getByText('Push notifications are on for this browser.').waitFor().then(() => 'subscribed' as const),
    ]);
    if (outcome === 'error') {
      expect(await page.getByRole('alert').textContent()).toMatch(/^This browser could not subscribe to push notifications \(.+\)\. Use e-mail notifications, or try another browser\.$/);
      expect(await page.getByTestId('push-state').textContent()).toBe('Push notifications are off on this browser.');
      await screenshot(page, 'notifications-push-unavailable');
    } else {
      // A Chromium with a push service: turn it off again so the stand-in below starts clean.
      await page.getByRole('button', { name: 'Turn off push on this browser' }).click();
      await page.getByTestId('push-state').getByText('Push notifications are off on this browser.').waitFor();
    }

    // A stand-in push service: the browser's PushManager returns a subscription to a loopback receiver with
    // real P-256 keys, so the rest of the flow (server registration, test delivery, removal) runs for real.
    const receiver = await startPushReceiver();
    try {
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = crypto.randomBytes(16);
      const fake = { endpoint: `${receiver.url}/push/browser-1`, p256dh: b64url(ecdh.getPublicKey()), auth: b64url(authSecret) };
      await page.evaluate((f) => {
        const state: { sub: PushSubscription | null; unsubscribed: number } = { sub: null, unsubscribed: 0 };
        (window as unknown as { __push: typeof state }).__push = state;
        PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
          const sub = {
            endpoint: f.endpoint,
            expirationTime: null,
            options: { applicationServerKey: (options?.applicationServerKey as Uint8Array).buffer, userVisibleOnly: true },
            getKey: () => null,
            toJSON: () => ({ endpoint: f.endpoint, expirationTime: null, keys: { p256dh: f.p256dh, auth: f.auth } }),
            unsubscribe: async () => {
              state.sub = null;
              state.unsubscribed++;
              return true;
            },
          } as unknown as PushSubscription;
          state.sub = sub;
          return sub;
        };
        PushManager.prototype.getSubscription = async () => state.sub;
      }, fake);

      await page.getByRole('button', { name: 'Turn on push notifications' }).click();
      await page.getByTestId('notifications-status').getByText('Push notifications are on for this browser.').waitFor();
      expect(await page.getByTestId('push-state').textContent()).toBe('Push notifications are on for this browser.');
      const rows = page.getByTestId('push-subscriptions').getByRole('row');
      await expect.poll(() => rows.count()).toBe(2); // header + this browser
      expect(await rows.nth(1).textContent()).toMatch(/Chrom\w* on Linux \(this browser\)127\.0\.0\.1:\d+/);
      // Focus moved to the outcome.
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('notifications-status');

      // The test notification goes out over push; the result is announced per transport.
      await page.getByRole('button', { name: 'Send a test notification' }).click();
      await expect.poll(() => page.getByTestId('test-results').textContent()).toBe('Push: delivered');
      expect(receiver.received).toHaveLength(1);
      // RFC 8291: the payload is encrypted for the subscription's keys; no cleartext JSON travels.
      expect(receiver.received[0]!.headers['content-encoding']).toBe('aes128gcm');
      expect(receiver.received[0]!.body.toString('latin1')).not.toContain('"kind"');
      // Decrypted with the subscription's keys, it is the content-free test notification; handed to the
      // service worker (as the push service would), it shows "Test notification from Liaison".
      const plaintext = decryptPush(receiver.received[0]!.body, ecdh, authSecret);
      expect(JSON.parse(plaintext)).toEqual({ v: 1, id: expect.any(String), kind: 'test', priority: 'normal', ackRequested: false, at: expect.any(Number) });
      await pushToWorker(context, page, server.baseUrl, plaintext);
      await expect
        .poll(async () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications({ tag: 'liaison-test' })).map((n) => [n.title, (n.data as { hash: string }).hash])))
        .toEqual([['Test notification from Liaison', '#/account/notifications']]);
      await screenshot(page, 'notifications-on');

      // Delivery settings: e-mail and quiet hours (the zone defaults to the browser's).
      await page.getByLabel('E-mail address for notifications').fill('duty@pj.example');
      await page.getByLabel('Send notifications by e-mail').check();
      await page.getByLabel('Keep quiet hours').check();
      expect(await page.getByLabel('Time zone').inputValue()).toBe('America/New_York');
      await page.getByLabel('From').fill('23:00');
      await page.getByLabel('Until').fill('06:30');
      await page.getByRole('button', { name: 'Save notification settings' }).click();
      await page.getByTestId('notifications-status').getByText('Notification settings saved.').waitFor();
      const saved = await server.app.inject({ method: 'GET', url: '/api/v1/notifications/settings', headers: { authorization: `Bearer ${admin.tokens.accessToken}` } });
      expect(saved.json()).toEqual({ email: 'duty@pj.example', push: true, emailEnabled: true, quietHours: { start: '23:00', end: '06:30', timeZone: 'America/New_York' } });
      // A bad address: the server's refusal is shown, nothing else changes.
      await page.getByLabel('E-mail address for notifications').fill('not-an-address');
      await page.getByLabel('E-mail address for notifications').evaluate((el: HTMLInputElement) => (el.type = 'text'));
      await page.getByRole('button', { name: 'Save notification settings' }).click();
      await page.getByRole('alert').filter({ hasText: 'That is not a valid e-mail address.' }).waitFor();

      // Turning push off removes the server's copy and the browser's subscription.
      await page.getByRole('button', { name: 'Turn off push on this browser' }).click();
      await page.getByTestId('notifications-status').getByText('Push notifications are off on this browser.').waitFor();
      await page.getByText('No browser receives push notifications for you yet.').waitFor();
      expect(await page.evaluate(() => (window as unknown as { __push: { unsubscribed: number } }).__push.unsubscribed)).toBe(1);
      const list = await server.app.inject({ method: 'GET', url: '/api/v1/notifications/subscriptions', headers: { authorization: `Bearer ${admin.tokens.accessToken}` } });
      expect(list.json()).toEqual({ subscriptions: [] });
    } finally {
      await receiver.close();
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('an administrator creates a desk, puts officers on its rota (a refused rota shows why) and sees the week and who is on duty', { timeout: 150_000 }, async () => {
    const { context, page, pageErrors } = await newContext();
    await signInAndUnlock(page, server.baseUrl, deskAdmin, { create: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Desks' }).click();
    await page.getByRole('heading', { name: 'Desks', level: 1 }).waitFor();
    await page.getByText('You are not on any desk.').waitFor();
    await page.getByRole('heading', { name: 'My shifts (next 7 days)' }).waitFor();

    await page.getByRole('link', { name: 'New desk' }).click();
    await page.getByRole('heading', { name: 'New desk' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('PT 24/7 Cybercrime Desk');
    await page.getByLabel('24/7 phone number').fill('+351 21 864 1000');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('America/New_York');
    await page.getByLabel('Time zone').selectOption('Europe/Lisbon');
    await page.getByLabel('Alice Costa is a member').check();
    await page.getByLabel('Bob Silva is a member').check();
    await page.getByLabel('Alice Costa is a supervisor').check();
    await page.getByRole('button', { name: 'Create desk' }).click();

    await page.getByRole('heading', { name: 'PT 24/7 Cybercrime Desk', level: 1 }).waitFor();
    expect(page.url()).toMatch(/#\/desks\/[A-Za-z0-9_-]+$/);
    await expect.poll(() => page.getByTestId('on-duty').textContent()).toBe('Nobody on duty now');
    expect(await page.getByText('+351218641000').count()).toBe(1);

    // A shift without days: the server refuses the rota and the page says why.
    await page.getByRole('button', { name: 'Add a weekly shift' }).click();
    const first = page.getByRole('group', { name: /^Shift 1/ });
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toMatch(/^shift-officer-/);
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await first.getByLabel(day, { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save rota' }).click();
    const refusal = page.locator('p.error[role="alert"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/days/);

    // Alice by day, Bob by night, every day: someone is always on duty.
    await first.getByLabel('Officer').selectOption({ label: 'Alice Costa' });
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await first.getByLabel(day, { exact: true }).check();
    await first.getByLabel('Start', { exact: true }).fill('08:00');
    await first.getByLabel('End', { exact: true }).fill('20:00');
    await page.getByRole('button', { name: 'Add a weekly shift' }).click();
    const second = page.getByRole('group', { name: /^Shift 2/ });
    await second.getByLabel('Officer').selectOption({ label: 'Bob Silva' });
    for (const day of ['Saturday', 'Sunday']) await second.getByLabel(day, { exact: true }).check();
    await second.getByLabel('Start', { exact: true }).fill('20:00');
    await second.getByLabel('End', { exact: true }).fill('08:00');
    await page.getByRole('button', { name: 'Save rota' }).click();
    await page.getByText('Rota saved: 2 weekly shifts.').waitFor();
    expect(await page.locator('p.error[role="alert"]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('on-duty').textContent()).toMatch(/^On duty now: (Alice Costa|Bob Silva)$/);

    // The week view: seven day columns in Lisbon time, with New York times alongside.
    const week = page.getByTestId('rota-week');
    expect(await week.getByRole('columnheader').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Mon \d+ \w{3}$/), expect.stringMatching(/^Sun \d+ \w{3}$/)]));
    expect(await week.getByRole('columnheader').count()).toBe(7);
    expect(await page.getByTestId('week-zone').textContent()).toMatch(/Europe\/Lisbon.*America\/New_York/);
    const cells = week.getByRole('cell');
    const monday = (await cells.nth(0).textContent()) ?? '';
    expect(monday).toContain('Alice Costa');
    // Lisbon and New York are 5 hours apart in winter and 4–5 in March/November weeks: accept either.
    expect(monday).toMatch(/08:00–20:00 \((02|03|04):00–(14|15|16):00\)/);
    expect(monday).toContain('Bob Silva');
    const sunday = (await cells.nth(6).textContent()) ?? '';
    expect(sunday).toMatch(/00:00–08:00/);
    expect(sunday).toMatch(/20:00–24:00/);
    await screenshot(page, 'desk-week');

    // Next week and back.
    const title = await page.getByRole('heading', { name: /^Rota: week of/ }).textContent();
    await page.getByRole('button', { name: 'Next week' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /^Rota: week of/ }).textContent()).not.toBe(title);
    await page.getByRole('button', { name: 'This week' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /^Rota: week of/ }).textContent()).toBe(title);

    // The list shows the desk with who is on duty.
    await page.getByRole('link', { name: '← Desks' }).click();
    const item = page.getByTestId('desk-list').getByRole('listitem');
    await expect.poll(() => item.textContent()).toMatch(/^PT 24\/7 Cybercrime Desk · Europe\/LisbonOn duty now: (Alice Costa|Bob Silva)$/);
    await screenshot(page, 'desk-list');
    expect(pageErrors).toEqual([]);
    await context.close();

    // Bob, a member and not a supervisor: the desk, his shifts for the next 7 days, the week, and no editor.
    const member = await newContext();
    await signInAndUnlock(member.page, server.baseUrl, bob, { create: true });
    await member.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Desks' }).click();
    expect(await member.page.getByRole('link', { name: 'New desk' }).count()).toBe(0);
    await expect.poll(() => member.page.getByTestId('desk-list').getByRole('listitem').textContent()).toMatch(/^PT 24\/7 Cybercrime Desk · Europe\/LisbonOn duty now: /);
    // 20:00–08:00 Lisbon every day = 15:00–03:00 in New York: 7 or 8 shifts start or run in the next 7 days.
    const mine = member.page.getByTestId('my-shifts').getByRole('listitem');
    await expect.poll(() => mine.count()).toBeGreaterThanOrEqual(7);
    expect(await mine.first().textContent()).toMatch(/^\w{3} \d+ \w{3} (15|16):00 – \w{3} \d+ \w{3} (03|04):00 · PT 24\/7 Cybercrime Desk$/);
    await member.page.getByRole('link', { name: 'PT 24/7 Cybercrime Desk' }).click();
    await member.page.getByTestId('rota-week').waitFor();
    expect(await member.page.getByTestId('rota-week').getByRole('columnheader').count()).toBe(7);
    expect(await member.page.getByRole('heading', { name: 'Edit the weekly rota' }).count()).toBe(0);
    await screenshot(member.page, 'desk-member');
    expect(member.pageErrors).toEqual([]);
    await member.context.close();
  });
});
