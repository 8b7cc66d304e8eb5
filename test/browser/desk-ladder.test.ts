/**
 * Issue 13's scenario end to end in Chromium: a request reaches a desk at 03:00 (an injected
 * ManualClock in Lisbon), the on-duty officer's browser gets the push (a loopback RFC 8030/8291 push
 * service verifies VAPID and decrypts it), nobody acknowledges, the ladder pages the next officer on
 * the rota and e-mails the supervisor (a real SMTP server), and the officer acknowledges in the
 * browser's Pages view, which stops the ladder. The scheduler is stepped with `ctx.paging.tick()`.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page as BrowserPage } from 'playwright-core';
import { LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { ManualClock } from '../../server/clock.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import { totpCode } from '../world/app.ts';
import { TestPushService, type TestSubscription } from '../world/push-service.ts';
import { TestSmtpServer } from '../world/smtp.ts';
import { World, type Account } from '../world/world.ts';
import { buildWebOnce, hasChromium, launch, PASSPHRASE, screenshot, signInAndUnlock, sleep, startServer, type Server } from './harness.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Tuesday 24 Nov 2026, 03:00 in Lisbon (WET = UTC in November). */
const TUE_0300 = Date.UTC(2026, 10, 24, 3, 0);
/** Text that must never leave the server in a notification: it is in the desk's name, the entry, a name and the request. */
const MARKER = 'ZQX-LADDER-0300';
const PHONE = '+351 21 864 5150';
const SDK_PASSPHRASE = 'liaison ladder passphrase 2026';

type Who = { tokens: { accessToken: string } };

describe.skipIf(!hasChromium)('web app: the 03:00 ladder (push to the on-duty officer, next on the rota, supervisor by e-mail, acknowledged in the Pages view)', () => {
  const clock = new ManualClock(TUE_0300 - 30 * MINUTE_MS);
  let server: Server;
  let browser: Browser;
  let push: TestPushService;
  let smtp: TestSmtpServer;
  /** What the first test built, for the second (supervisor and requester). */
  let scene: { desk: Desk; entryId: string; a: { admin: Account }; m1: Account; s: Account; b: { admin: Account; id: string }; m1Sub: TestSubscription; aAdmin: LiaisonClient; bAdmin: LiaisonClient } | undefined;

  beforeAll(async () => {
    await buildWebOnce();
    push = await TestPushService.start();
    smtp = await TestSmtpServer.start();
    server = await startServer({
      clock,
      config: {
        session: { idleTimeoutMs: 10_000 * DAY_MS, absoluteTimeoutMs: 10_000 * DAY_MS },
        alerting: { timeoutMs: 5_000, smtpUrl: smtp.url },
      },
    });
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await push?.close();
    await smtp?.close();
  });

  async function call<T>(who: Who, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, status = 200): Promise<T> {
    const res = await server.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${who.tokens.accessToken}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.json() as T;
  }

  /** An SDK client in Node on the server's clock (TOTP codes and key-event times follow it). */
  async function sdk(who: Account): Promise<LiaisonClient> {
    const port = (server.app.server.address() as AddressInfo).port;
    const client = new LiaisonClient({ baseUrl: `http://127.0.0.1:${port}`, store: new MemoryStore(), now: () => clock.now(), retry: { attempts: 3, baseDelayMs: 10 } });
    clock.advance(30_000);
    await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, clock.now()), deviceLabel: 'ladder' });
    return client;
  }

  /** A browser context in Lisbon whose clock is the server's (key events must be within 10 minutes of it). */
  async function lisbonContext(): Promise<{ context: BrowserContext; page: BrowserPage; pageErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Lisbon' });
    await context.grantPermissions(['notifications'], { origin: server.baseUrl });
    await context.clock.install({ time: clock.now() });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(20_000);
    return { context, page, pageErrors };
  }

  /** Moves the server's clock, and the browser's with it. */
  async function advance(context: BrowserContext, ms: number): Promise<void> {
    clock.advance(ms);
    await context.clock.setSystemTime(clock.now());
  }

  /** The TOTP code for a browser sign-in at the server's time (a fresh 30-second step each time). */
  function freshTotp(who: Account): () => string {
    return () => {
      clock.advance(30_000);
      return totpCode(who.totpSecret, clock.now());
    };
  }

  /** Makes the page's PushManager hand out `sub` (headless Chromium has no push service; the loopback one stands in). */
  async function standInPushManager(page: BrowserPage, sub: TestSubscription): Promise<void> {
    await page.evaluate((json) => {
      let current: PushSubscription | null = null;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        current = {
          endpoint: json.endpoint,
          expirationTime: null,
          options: { applicationServerKey: (options?.applicationServerKey as Uint8Array).buffer, userVisibleOnly: true },
          getKey: () => null,
          toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }),
          unsubscribe: async () => {
            current = null;
            return true;
          },
        } as unknown as PushSubscription;
        return current;
      };
      PushManager.prototype.getSubscription = async () => current;
    }, sub.json);
  }

  /** Hands a push message to the page's service worker through DevTools, as a push service would. */
  async function pushToWorker(context: BrowserContext, page: BrowserPage, data: string): Promise<void> {
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
        const r = e.registrations.find((x) => x.scopeURL === `${server.baseUrl}/` && !x.isDeleted);
        if (r) resolve(r.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.baseUrl, registrationId: await registrationId, data });
    await cdp.detach();
  }

  it('a request at 03:00 pages M1 (push shown by the service worker), then M2, then e-mails S; M1 acknowledges in the Pages view and the ladder stops', { timeout: 240_000 }, async () => {
    const paging = server.app.ctx.paging;
    const w = World.of(server.app, clock);

    // Agency A runs a drug-crime desk in Lisbon: M1 on nights (22:00–06:00), M2 on weekday office hours, S supervises.
    const a = await w.agency({ name: 'Policia Judiciaria', country: 'PT', admin: 'pj-admin', adminDisplayName: 'PJ Admin' });
    const m1 = await w.officer(a, 'ana.marques', `Ana Marques ${MARKER}`);
    const m2 = await w.officer(a, 'rui.costa', 'Rui Costa');
    const s = await w.officer(a, 'sam.reis', 'Sam Reis');
    // Agency B's officer R will reach the desk from the directory.
    const b = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'gc-admin', adminDisplayName: 'GC Admin' });
    const r = await w.officer(b, 'eva.ruiz', 'Eva Ruiz');

    const { desk } = await call<{ desk: Desk }>(
      a.admin,
      'POST',
      '/desks',
      { name: `Drug-crime desk ${MARKER}`, phone: PHONE, timeZone: 'Europe/Lisbon', members: [m1.id, m2.id], supervisors: [s.id], escalation: { ackMinutes: 5 } },
      201,
    );
    await call(a.admin, 'PUT', `/desks/${desk.id}/rota`, {
      timeZone: 'Europe/Lisbon',
      weekly: [
        { officerId: m1.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
        { officerId: m2.id, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      ],
      overrides: [],
    });
    // M2 has a phone subscribed; S is reached by e-mail (and has no push).
    const m2Sub = push.subscribe();
    await call(m2, 'POST', '/notifications/subscriptions', { ...m2Sub.json, label: 'phone' }, 201);
    await call(s, 'PUT', '/notifications/settings', { email: 'sam.reis@pj.example', push: true, emailEnabled: true, quietHours: null });

    // Keys: A's administrator (the agency root), B's administrator and R through the SDK.
    const aAdmin = await sdk(a.admin);
    const bAdmin = await sdk(b.admin);
    const rClient = await sdk(r);
    for (const c of [aAdmin, bAdmin, rClient]) await c.createIdentity(SDK_PASSPHRASE);
    await bAdmin.certifyPending();
    const entry = await aAdmin.createDirectoryEntry({ title: `Drug-crime desk ${MARKER}`, specialisations: ['internet-drug-crime'], languages: ['en', 'pt'], availability: { kind: '24/7' }, deskId: desk.id });

    // M1 signs in to the web app in Chromium (creating keys there), and turns push on.
    const { context, page, pageErrors } = await lisbonContext();
    await signInAndUnlock(page, server.baseUrl, m1, { create: true, totp: freshTotp(m1) });
    await aAdmin.certifyPending();
    const sw = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? null);
    expect(sw).toBe(`${server.baseUrl}/sw.js`);
    const m1Sub = push.subscribe();
    await standInPushManager(page, m1Sub);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('button', { name: 'Turn on push notifications' }).click();
    await page.getByTestId('notifications-status').getByText('Push notifications are on for this browser.').waitFor();
    expect((await call<{ subscriptions: unknown[] }>(m1, 'GET', '/notifications/subscriptions')).subscriptions).toHaveLength(1);

    // No page yet: the navigation has no badge, the Pages view says so.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pages' }).click();
    await page.getByTestId('no-pages').waitFor();
    expect(await page.getByTestId('pages-badge').count()).toBe(0);

    // 03:00 in Lisbon: R reaches the desk's directory entry. The contact goes to M1, on duty, and opens an urgent page.
    await advance(context, TUE_0300 - clock.now());
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Lisbon', hour: '2-digit', minute: '2-digit' }).format(clock.now())).toBe('03:00');
    const target = await rClient.contactTarget(entry.id);
    expect(target.recipients.map((x) => x.officerId)).toEqual([m1.id]);
    const contact = await rClient.contact(entry.id, { message: `Urgent request ${MARKER}: a shipment leaves at 06:00` });
    await paging.idle();
    const [opened] = (await call<{ pages: Page[] }>(m1, 'GET', '/pages/mine')).pages;
    expect(opened).toMatchObject({ deskId: desk.id, priority: 'urgent', reason: 'contact_request', channelId: contact.channel.id, step: 0, state: 'open' });
    const pageId = opened!.id;

    // The push reached M1's subscription: VAPID verified, decrypted, content-free, kind page, urgent.
    const [first, ...more] = push.deliveredTo(m1Sub.id);
    expect(more).toEqual([]);
    expect(first!.vapid.ok).toBe(true);
    expect(first!.headers.urgency).toBe('high');
    expect(first!.plaintext).not.toContain(MARKER);
    expect(JSON.parse(first!.plaintext!)).toEqual({ v: 1, id: pageId, kind: 'page', priority: 'urgent', ackRequested: true, channelId: contact.channel.id, deskId: desk.id, at: expect.any(Number) });
    expect(push.deliveredTo(m2Sub.id)).toEqual([]);

    // Handed to M1's service worker (as the push service would), it shows a content-free notification for the page.
    await pushToWorker(context, page, first!.plaintext!);
    const shown = () =>
      page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, requireInteraction: n.requireInteraction, data: n.data as unknown })));
    await expect.poll(shown, { timeout: 10_000 }).toEqual([
      {
        title: 'Urgent: acknowledgement requested',
        body: 'Open Liaison to read it. The content is end-to-end encrypted and is not part of this notification.',
        requireInteraction: true,
        data: { hash: `#/pages/${pageId}` },
      },
    ]);
    // DevTools cannot click a notification: the worker posts the app the message its click handler posts, with the hash the notification carries.
    const worker = context.serviceWorkers().find((x) => x.url() === `${server.baseUrl}/sw.js`);
    expect(worker).toBeDefined();
    await worker!.evaluate(async () => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; clients: { matchAll(o: object): Promise<{ postMessage(m: unknown): void }[]> } };
      const [n] = await scope.registration.getNotifications();
      for (const c of await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })) c.postMessage({ type: 'liaison:open', hash: (n!.data as { hash: string }).hash });
    });
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/pages/${pageId}`);

    // The Pages view, focused on that page: the desk, urgent, contact request, since 03:00, step 1, Acknowledge and Open channel.
    const card = page.locator(`article[data-page-id="${pageId}"]`).first();
    await card.getByRole('heading', { name: 'Urgent · Contact request' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-page-id'))).toBe(pageId);
    const facts = () => card.locator('dl').textContent();
    expect(await facts()).toContain(`Drug-crime desk ${MARKER}`);
    expect(await facts()).toMatch(/Since(just now|\d+ min ago) \(2026-11-24 03:00 WET\)/);
    expect(await facts()).toContain('Step 1 of 3: On-duty officers');
    expect(await card.getByTestId('page-state').textContent()).toBe('Waiting for an acknowledgement');
    expect(await card.getByRole('link', { name: 'Open channel' }).getAttribute('href')).toBe(`#/channels/${contact.channel.id}`);
    await expect.poll(() => page.getByTestId('pages-badge').textContent()).toBe('1, 1 open page');
    await screenshot(page, 'ladder-page-open');

    // Nobody acknowledges. After ackMinutes (5), the next step pages M2 (the next shift on the rota, 09:00).
    await advance(context, 4 * MINUTE_MS);
    expect(await paging.tick()).toBe(0);
    await advance(context, 2 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    const toM2 = push.deliveredTo(m2Sub.id);
    expect(toM2).toHaveLength(1);
    expect(toM2[0]!.vapid.ok).toBe(true);
    expect(toM2[0]!.plaintext).not.toContain(MARKER);
    expect(JSON.parse(toM2[0]!.plaintext!)).toMatchObject({ id: pageId, kind: 'page', priority: 'urgent' });
    expect(push.deliveredTo(m1Sub.id)).toHaveLength(1);
    expect(smtp.received).toEqual([]);

    // Still nobody: the supervisor is e-mailed (real SMTP), content-free, with the link to the page.
    await advance(context, 5 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
    await smtp.waitFor(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['sam.reis@pj.example']);
    expect(mail!.raw).not.toContain(MARKER);
    expect(mail!.raw).not.toContain('shipment');
    expect(mail!.text).toContain(`${server.baseUrl}/#/pages/${pageId}`);

    // M1 acknowledges in the browser: the view shows the step reached, then the acknowledgement.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(facts).toContain('Step 3 of 3: Supervisors');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.getByText('Acknowledged. The escalation stopped; nobody else will be paged for this.').waitFor();
    expect(await card.getByTestId('page-state').textContent()).toBe('Acknowledged');
    expect(await card.textContent()).toMatch(new RegExp(`Acknowledged by Ana Marques ${MARKER}, 2026-11-24 03:11 WET\\.`));
    expect(await card.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
    await expect.poll(() => page.getByTestId('pages-badge').count()).toBe(0);
    expect((await call<{ page: Page }>(r, 'GET', `/pages/${pageId}`)).page).toMatchObject({ state: 'acknowledged', ackedBy: m1.id, deskPhone: null });
    await screenshot(page, 'ladder-page-acknowledged');

    // The ladder stopped: later ticks page nobody, no push, no e-mail.
    const pushes = push.received.length;
    for (const minutes of [5, 5, 30]) {
      await advance(context, minutes * MINUTE_MS);
      expect(await paging.tick()).toBe(0);
    }
    await sleep(300);
    expect(push.received).toHaveLength(pushes);
    expect(smtp.received).toHaveLength(1);

    // The desk screen's history: who was paged at which step and when, how it reached them, and the acknowledgement.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Desks' }).click();
    await page.getByRole('link', { name: `Drug-crime desk ${MARKER}` }).click();
    const history = page.getByTestId('desk-pages');
    await history.getByRole('heading', { name: 'Urgent · Contact request' }).waitFor();
    const rows = history.getByTestId('page-deliveries').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const cells = async (i: number) => rows.nth(i).locator('th, td').allTextContents();
    expect(await cells(0)).toEqual(['2026-11-24 03:00 WET', `Ana Marques ${MARKER}`, 'Step 1 of 3: On-duty officers', 'Push: delivered']);
    expect(await cells(1)).toEqual(['2026-11-24 03:06 WET', expect.stringMatching(/^(Rui Costa|Officer \w+)$/), 'Step 2 of 3: Next on the rota', 'Push: delivered']);
    expect(await cells(2)).toEqual(['2026-11-24 03:11 WET', expect.stringMatching(/^(Sam Reis|Officer \w+)$/), 'Step 3 of 3: Supervisors', 'E-mail: delivered']);
    expect(await history.textContent()).toMatch(new RegExp(`Acknowledged by Ana Marques ${MARKER}, 2026-11-24 03:11 WET`));
    // A member sees neither the escalation setting nor the test page.
    expect(await page.getByRole('heading', { name: 'Escalation' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send a test page' }).count()).toBe(0);
    await screenshot(page, 'ladder-desk-history');

    expect(pageErrors).toEqual([]);
    await context.close();
    scene = { desk, entryId: entry.id, a, m1, s, b, m1Sub, aAdmin, bAdmin };
  });

  it('the supervisor sets the escalation (an invalid value is explained inline) and sends a test page; a requester whose page nobody answered is shown the desk’s 24/7 number', { timeout: 240_000 }, async () => {
    expect(scene, 'the ladder test ran first').toBeDefined();
    const { desk, entryId, s, b, m1, m1Sub, aAdmin, bAdmin } = scene!;
    const paging = server.app.ctx.paging;
    const w = World.of(server.app, clock);

    // S, the supervisor, on the desk screen.
    const sup = await lisbonContext();
    await signInAndUnlock(sup.page, server.baseUrl, s, { create: true, totp: freshTotp(s) });
    await aAdmin.certifyPending();
    await sup.page.goto(`${server.baseUrl}/#/desks/${desk.id}`);
    await sup.page.getByRole('heading', { name: `Drug-crime desk ${MARKER}`, level: 1 }).waitFor();
    const minutes = sup.page.getByLabel('Minutes to acknowledge (1–120)');
    expect(await minutes.inputValue()).toBe('5');
    await minutes.fill('0');
    await sup.page.getByRole('button', { name: 'Save escalation' }).click();
    const inline = sup.page.locator('#ack-minutes-error').getByRole('alert');
    expect(await inline.textContent()).toBe('Enter a whole number of minutes from 1 to 120.');
    expect(await minutes.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => sup.page.evaluate(() => document.activeElement?.id)).toBe('ack-minutes');
    await screenshot(sup.page, 'ladder-escalation-invalid');
    expect((await call<{ desk: Desk }>(s, 'GET', `/desks/${desk.id}`)).desk.escalation).toEqual({ ackMinutes: 5 });
    await minutes.fill('3');
    await sup.page.getByRole('button', { name: 'Save escalation' }).click();
    await sup.page.getByText('Escalation saved: 3 minutes per step.').waitFor();
    expect(await inline.count()).toBe(0);
    expect(await minutes.getAttribute('aria-invalid')).toBe('false');
    expect((await call<{ desk: Desk }>(s, 'GET', `/desks/${desk.id}`)).desk.escalation).toEqual({ ackMinutes: 3 });

    // Desk details: languages are written as a list (canonicalised by the server), a specialisation is ticked.
    await sup.page.getByLabel('Languages').fill('pt, EN ,, pt-br');
    await sup.page.getByRole('group', { name: 'Specialisations' }).getByLabel('forensics').check();
    await sup.page.getByRole('button', { name: 'Save details' }).click();
    await sup.page.getByText('Desk details saved.').waitFor();
    expect(await sup.page.getByLabel('Languages').inputValue()).toBe('en, pt, pt-BR'); // as stored: canonical case, sorted
    const edited = (await call<{ desk: Desk }>(s, 'GET', `/desks/${desk.id}`)).desk;
    expect(edited.languages).toEqual(['en', 'pt', 'pt-BR']);
    expect(edited.specialisations).toContain('forensics');
    await sup.page.getByRole('button', { name: 'Save details' }).click();
    await sup.page.getByText('Nothing to save: the details are unchanged.').waitFor();

    // A test page reaches M1 (on duty until 06:00) by push; the outcome is shown per officer and transport.
    const before = push.deliveredTo(m1Sub.id).length;
    await sup.page.getByRole('button', { name: 'Send a test page' }).click();
    const result = sup.page.getByTestId('test-page-result');
    await result.getByText('Test page sent.').waitFor();
    expect(await result.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^(Ana Marques ZQX-LADDER-0300|Officer \w+): Push: delivered$/)]);
    const testPush = push.deliveredTo(m1Sub.id).slice(before);
    expect(testPush.map((x) => JSON.parse(x.plaintext!) as { kind: string; priority: string })).toEqual([expect.objectContaining({ kind: 'test', priority: 'normal' })]);
    // The desk's history re-reads after a test page.
    await sup.page.getByTestId('desk-pages').getByRole('heading', { name: 'Normal · Test page' }).waitFor();
    // Reachability: no report yet this period; "Make a report now" adds one whose test pages count the one just sent.
    const reach = sup.page.getByTestId('reachability');
    await reach.getByText('No report yet.', { exact: false }).waitFor();
    clock.advance(1000); // the on-demand report covers [now − 24 h, now): the test page must lie before its end
    await reach.getByRole('button', { name: 'Make a report now' }).click();
    await reach.getByText('Report made and e-mailed to the supervisors.').waitFor();
    const row = reach.getByRole('row').nth(1);
    expect(await row.getByRole('rowheader').textContent()).toContain('on demand');
    expect(await row.getByRole('cell').nth(6).textContent()).toMatch(/^\d+ of \d+ answered$/);
    await screenshot(sup.page, 'ladder-supervisor');
    expect(sup.pageErrors).toEqual([]);
    await sup.context.close();

    // R2 of agency B contacts the desk; nobody answers at any step (3 minutes each now).
    const r2 = await w.officer({ id: b.id, admin: b.admin }, 'luis.gil', 'Luis Gil');
    const r2Client = await sdk(r2);
    await r2Client.createIdentity(PASSPHRASE);
    await bAdmin.certifyPending();
    const contact = await r2Client.contact(entryId, { message: `Second request ${MARKER}` });
    await paging.idle();
    const pageId = (await call<{ pages: Page[] }>(m1, 'GET', '/pages/mine')).pages.find((p) => p.channelId === contact.channel.id)!.id;
    for (let i = 0; i < 3; i++) {
      clock.advance(3 * MINUTE_MS);
      expect(await paging.tick()).toBe(1);
    }
    expect((await call<{ page: Page }>(r2, 'GET', `/pages/${pageId}`)).page).toMatchObject({ state: 'exhausted', deskPhone: '+351218645150' });

    // R2, in the web app, opens the page: the desk's 24/7 number, prominent, as a tel: link; nothing to acknowledge.
    const req = await lisbonContext();
    await signInAndUnlock(req.page, server.baseUrl, r2, { totp: freshTotp(r2) });
    await req.page.goto(`${server.baseUrl}/#/pages/${pageId}`);
    const phone = req.page.getByTestId('desk-phone');
    await phone.waitFor();
    expect(await phone.getAttribute('role')).toBe('alert');
    expect(await phone.textContent()).toContain('Nobody answered.');
    const call247 = phone.getByRole('link', { name: 'Call the desk’s 24/7 number: +351218645150' });
    expect(await call247.getAttribute('href')).toBe('tel:+351218645150');
    const card = req.page.locator(`article[data-page-id="${pageId}"]`);
    expect(await card.getByTestId('page-state').textContent()).toBe('Nobody answered');
    expect(await card.locator('dl').textContent()).toContain('DeskA desk of another agency');
    expect(await card.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    // The requester was not paged: no badge.
    expect(await req.page.getByTestId('pages-badge').count()).toBe(0);
    await screenshot(req.page, 'ladder-requester-desk-phone');
    expect(req.pageErrors).toEqual([]);
    await req.context.close();
  });
});
