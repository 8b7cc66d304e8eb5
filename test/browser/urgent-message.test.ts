/**
 * The composer's "Urgent" box (docs/DESKS.md "Pages for messages") in Chromium: Pedro reaches the
 * night desk from the directory; once Ana, on duty, has acknowledged that contact's page, his urgent
 * message pages the desk again (reason message, urgent, the channel), which the real loopback push
 * service receives content-free for Ana. The box is cleared after the send, and a plain message pages nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Page } from '../../shared/schemas/pages.ts';
import { TestPushService } from '../world/push-service.ts';
import {
  PASSPHRASE,
  apiPost,
  buildWebOnce,
  createAgency,
  createOfficer,
  enrolByApi,
  hasChromium,
  initPlatform,
  launch,
  newPage,
  screenshot,
  signInAndUnlock,
  startServer,
  type Person,
  composerOptions,
  type Server,
  sdkFor,
} from './harness.ts';

const SECRET = 'ZQX-URGENT-7731 container seal numbers';

describe.skipIf(!hasChromium)('web app: an urgent message to a desk', () => {
  let server: Server;
  let browser: Browser;
  let push: TestPushService;

  beforeAll(async () => {
    await buildWebOnce();
    push = await TestPushService.start();
    server = await startServer();
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await push?.close();
  });

  async function get<T>(who: Person, url: string): Promise<T> {
    const res = await server.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${who.tokens.accessToken}` } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  }

  it('pages the desk, and only when the box is ticked', { timeout: 150_000 }, async () => {
    const { app } = server;
    const platform = await initPlatform(app);
    const pt = await createAgency(app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    const ana = await enrolByApi(app, (await createOfficer(app, pt.admin, pt.agencyId, 'ana', 'Ana Silva')).token);
    const pedro = await enrolByApi(app, (await createOfficer(app, pt.admin, pt.agencyId, 'pedro', 'Pedro Alves')).token);
    const admin = await sdkFor(server, pt.admin);
    const clients = [await sdkFor(server, ana), await sdkFor(server, pedro)];
    await admin.createIdentity(PASSPHRASE);
    await Promise.all(clients.map((c) => c.createIdentity(PASSPHRASE)));
    await admin.certifyPending();
    for (const c of [admin, ...clients]) c.lock();

    // The night desk: Ana on duty around the clock, her phone subscribed (the loopback push service).
    const { desk } = await apiPost<{ desk: { id: string } }>(app, pt.admin, '/api/v1/desks', { name: 'Night desk', phone: '+351 21 864 1000', timeZone: 'Europe/Lisbon', members: [ana.id] });
    const rota = await app.inject({
      method: 'PUT',
      url: `/api/v1/desks/${desk.id}/rota`,
      headers: { authorization: `Bearer ${pt.admin.tokens.accessToken}` },
      payload: { timeZone: 'Europe/Lisbon', weekly: [{ officerId: ana.id, days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }], overrides: [] },
    });
    expect(rota.statusCode, rota.body).toBe(200);
    const sub = push.subscribe();
    await apiPost(app, ana, '/api/v1/notifications/subscriptions', { ...sub.json, label: 'phone' });
    await apiPost(app, pt.admin, '/api/v1/directory', { title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['pt', 'en'], availability: { kind: '24/7' }, deskId: desk.id });

    // Pedro reaches the desk from the directory: a channel with Ana, and the contact's page, which Ana acknowledges.
    const { page, errors } = await newPage(browser);
    await signInAndUnlock(page, server.baseUrl, pedro);
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('night');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('directory-entry').filter({ hasText: 'Night desk' }).click();
    await page.getByRole('button', { name: 'Contact Ana Silva' }).click();
    // A direct channel is named after the other side (issue 15 §10), here the desk's linked officer.
    await page.getByRole('heading', { name: /^Ana Silva/ }).waitFor();
    await server.app.ctx.paging.idle();
    const pages = async () => (await get<{ pages: Page[] }>(ana, `/desks/${desk.id}/pages`)).pages;
    const [contactPage] = await pages();
    expect(contactPage).toMatchObject({ reason: 'contact_request', state: 'open' });
    await apiPost(app, ana, `/api/v1/pages/${contactPage!.id}/ack`, {});

    // A plain message pages nobody.
    const messageBox = page.getByLabel('Message', { exact: true });
    await messageBox.fill('Good evening');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('message').filter({ hasText: 'Good evening' }).waitFor();
    await server.app.ctx.paging.idle();
    expect(await pages()).toHaveLength(1);

    // Urgent: the desk is paged for the channel, and Ana's phone gets a content-free urgent page.
    await composerOptions(page);
    const urgent = page.getByLabel('Urgent', { exact: true });
    await urgent.check();
    await screenshot(page, 'composer-urgent');
    await messageBox.fill(SECRET);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('message').filter({ hasText: SECRET }).waitFor();
    await expect.poll(async () => (await pages()).length, { timeout: 10_000 }).toBe(2);
    const paged = (await pages()).find((p) => p.reason === 'message')!;
    expect(paged).toMatchObject({ deskId: desk.id, priority: 'urgent', ackRequested: false, channelId: contactPage!.channelId, state: 'open', step: 0 });
    await expect.poll(() => push.deliveredTo(sub.id).length, { timeout: 10_000 }).toBe(2);
    const last = push.deliveredTo(sub.id).at(-1)!;
    expect(last.vapid.ok).toBe(true);
    expect(last.headers.urgency).toBe('high');
    expect(last.plaintext).not.toContain('ZQX-URGENT');
    expect(JSON.parse(last.plaintext!)).toMatchObject({ id: paged.id, kind: 'page', priority: 'urgent', ackRequested: false, channelId: paged.channelId });
    // The box is cleared once the send is acknowledged (the push above can arrive before the acknowledgement does).
    await expect.poll(() => urgent.isChecked()).toBe(false);
    expect(errors, JSON.stringify(errors)).toEqual([]);
  });
});
