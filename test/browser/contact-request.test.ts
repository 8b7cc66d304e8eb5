/**
 * Contact requests in the web app (docs/MESSAGING.md "Contact requests"): two agencies WITHOUT an
 * agreement. Alice (PT) contacts Bob (ES) from the directory; Bob sees the request live with Alice's
 * name, agency and key fingerprint, accepts, the introduction arrives and they exchange messages.
 * A second request (to Dave, ES) is declined and Alice sees it closed, read-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
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
  type Server,
  sdkFor,
} from './harness.ts';

const INTRO = 'Hello Bob, Alice from PJ Lisbon about the darknet vendor case.';
const HELLO = 'Thanks for accepting. Can we share the vendor handle?';
const REPLY = 'Yes, go ahead.';

function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

async function openEntry(page: Page, query: string, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Directory' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(query);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('directory-entry').filter({ hasText: name }).click();
}

describe.skipIf(!hasChromium)('web app: contact requests between agencies without an agreement', () => {
  let server: Server;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let dave: Person;
  const pages: { page: Page; errors: string[] }[] = [];

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const a = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    const b = await createAgency(server.app, platform, { name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    alice = await enrolByApi(server.app, (await createOfficer(server.app, a.admin, a.agencyId, 'alice', 'Alice Costa')).token);
    bob = await enrolByApi(server.app, (await createOfficer(server.app, b.admin, b.agencyId, 'bob', 'Bob Ruiz')).token);
    dave = await enrolByApi(server.app, (await createOfficer(server.app, b.admin, b.agencyId, 'dave', 'Dave Ortega')).token);
    const admins = [await sdkFor(server, a.admin), await sdkFor(server, b.admin)];
    const officers = [await sdkFor(server, alice), await sdkFor(server, bob), await sdkFor(server, dave)];
    await Promise.all(admins.map((c) => c.createIdentity(PASSPHRASE)));
    await Promise.all(officers.map((c) => c.createIdentity(PASSPHRASE)));
    for (const c of admins) await c.certifyPending();
    // No agreement between PT and ES. Directory entries (Alice's own lets Bob see her name).
    const entry = { languages: ['es', 'en'], availability: { kind: '24/7' } };
    await apiPost(server.app, b.admin, '/api/v1/directory', { ...entry, title: 'Darknet desk', officerId: bob.id, specialisations: ['darknet-markets'] });
    await apiPost(server.app, b.admin, '/api/v1/directory', { ...entry, title: 'Fugitives desk', officerId: dave.id, specialisations: ['fugitives'] });
    await apiPost(server.app, a.admin, '/api/v1/directory', { ...entry, languages: ['pt', 'en'], title: 'Cybercrime liaison', officerId: alice.id, specialisations: ['internet-drug-crime'] });
    for (const c of [...admins, ...officers]) c.lock();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('Bob sees Alice’s request live, accepts, and they exchange messages', { timeout: 120_000 }, async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    pages.push(a, b);
    await Promise.all([signInAndUnlock(a.page, server.baseUrl, alice), signInAndUnlock(b.page, server.baseUrl, bob)]);

    await openEntry(a.page, 'darknet', 'Bob Ruiz');
    await expect.poll(() => a.page.getByTestId('contact-terms').textContent()).toBe('Contact request — no agreement between your agencies; the recipient must accept.');
    await a.page.getByLabel('Introductory message (optional)').fill(INTRO);
    await screenshot(a.page, 'contact-request-directory');
    await a.page.getByRole('button', { name: 'Contact Bob Ruiz' }).click();
    await a.page.getByRole('heading', { name: 'Contact: Darknet desk' }).waitFor();
    await expect.poll(() => a.page.getByTestId('read-only').textContent()).toMatch(/awaiting acceptance/);
    expect(await a.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await expect.poll(() => a.page.getByTestId('channel-link').filter({ hasText: 'Contact: Darknet desk' }).textContent()).toMatch(/awaiting acceptance/);

    // Bob: live, with who asks (name, agency, fingerprint) — and nothing of the introduction yet.
    const request = b.page.getByTestId('contact-request');
    await request.waitFor();
    await expect.poll(() => request.getByTestId('requester').textContent()).toBe('Alice Costa');
    await expect.poll(() => request.textContent()).toMatch(/\(Policia Judiciaria\) asks to contact you/);
    await expect.poll(() => request.locator('code.fingerprint').textContent()).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4})+$/);
    expect(await b.page.content()).not.toContain('darknet vendor case');
    await screenshot(b.page, 'contact-request-received');

    await request.getByRole('button', { name: 'Accept' }).click();
    await b.page.getByRole('log', { name: 'Messages' }).waitFor();
    await message(b.page, INTRO).waitFor({ timeout: 20_000 });
    expect(await message(b.page, INTRO).locator('.sender').textContent()).toBe('Alice Costa');

    // Alice learns of the acceptance live: writable, her introduction shown as sent.
    await a.page.getByLabel('Message', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await a.page.getByTestId('read-only').count()).toBe(0);
    await message(a.page, INTRO).waitFor({ timeout: 20_000 });
    await a.page.getByLabel('Message', { exact: true }).fill(HELLO);
    await a.page.getByRole('button', { name: 'Send', exact: true }).click();
    await message(b.page, HELLO).waitFor();
    await b.page.getByLabel('Message', { exact: true }).fill(REPLY);
    await b.page.getByRole('button', { name: 'Send', exact: true }).click();
    await message(a.page, REPLY).waitFor();
    await screenshot(a.page, 'contact-request-accepted-alice');
    await screenshot(b.page, 'contact-request-accepted-bob');
  });

  it('a declined request shows as closed and read-only to the requester', { timeout: 120_000 }, async () => {
    const a = pages[0]!;
    const d = await newPage(browser);
    pages.push(d);
    await signInAndUnlock(d.page, server.baseUrl, dave);

    await openEntry(a.page, 'fugitives', 'Dave Ortega');
    await expect.poll(() => a.page.getByTestId('contact-terms').textContent()).toMatch(/^Contact request — no agreement/);
    await a.page.getByRole('button', { name: 'Contact Dave Ortega' }).click();
    await a.page.getByRole('heading', { name: 'Contact: Fugitives desk' }).waitFor();

    const request = d.page.getByTestId('contact-request');
    await request.waitFor();
    await request.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => d.page.getByTestId('contact-request').count()).toBe(0);

    await expect.poll(() => a.page.getByTestId('read-only').textContent(), { timeout: 20_000 }).toMatch(/declined this contact request/);
    await expect.poll(() => a.page.getByTestId('channel-link').filter({ hasText: 'Contact: Fugitives desk' }).textContent()).toMatch(/declined · closed/);
    expect(await a.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await screenshot(a.page, 'contact-request-declined');

    const errors = pages.flatMap((p) => p.errors).filter((e) => !/status of 4\d\d/.test(e));
    expect(errors).toEqual([]);
  });
});
