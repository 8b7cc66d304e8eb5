import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  PASSPHRASE,
  idbDump,
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
  sleep,
  startServer,
  type Person,
  composerOptions,
  type Server,
  sdkFor,
} from './harness.ts';

const DAY_MS = 86_400_000;
const FIRST = 'Shipment leaves Rotterdam on Friday.';
const REPLY = 'Received. Our team will be at the port.';

/** The message bubble with this text. */
function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

describe.skipIf(!hasChromium)('web app: two officers of two agencies', () => {
  let server: Server;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let alicePage: Page;
  let bobPage: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    // Provisioning, keys, certification and the agreement go through the API and SDK: the browser part is the exchange.
    const platform = await initPlatform(server.app);
    const a = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    const b = await createAgency(server.app, platform, { name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    alice = await enrolByApi(server.app, (await createOfficer(server.app, a.admin, a.agencyId, 'alice', 'Alice Costa')).token);
    bob = await enrolByApi(server.app, (await createOfficer(server.app, b.admin, b.agencyId, 'bob', 'Bob Ruiz')).token);
    const [adminA, adminB, aliceSdk, bobSdk] = [await sdkFor(server, a.admin), await sdkFor(server, b.admin), await sdkFor(server, alice), await sdkFor(server, bob)];
    await Promise.all([adminA.createIdentity(PASSPHRASE), adminB.createIdentity(PASSPHRASE)]);
    await Promise.all([aliceSdk.createIdentity(PASSPHRASE), bobSdk.createIdentity(PASSPHRASE)]);
    await adminA.certifyPending();
    await adminB.certifyPending();
    const mou = await adminA.proposeAgreement({
      parties: [a.agencyId, b.agencyId],
      scope: ['drug-trafficking', 'controlled-delivery'],
      validFrom: Date.now() - 1000,
      validUntil: Date.now() + 365 * DAY_MS,
      title: 'PT–ES liaison MOU',
      text: 'The parties exchange case information on drug trafficking and controlled deliveries.',
    });
    await adminA.signAgreement(mou.id);
    await adminB.signAgreement(mou.id);
    await apiPost(server.app, b.admin, '/api/v1/directory', {
      title: 'Darknet desk',
      officerId: bob.id,
      specialisations: ['internet-drug-crime', 'darknet-markets'],
      languages: ['es', 'en'],
      availability: { kind: '24/7' },
      phone: '+34 91 514 6000',
    });
    await apiPost(server.app, a.admin, '/api/v1/directory', {
      title: 'Cybercrime liaison',
      officerId: alice.id,
      specialisations: ['internet-drug-crime'],
      languages: ['pt', 'en'],
      availability: { kind: 'schedule', timeZone: 'Europe/Lisbon', slots: [0, 1, 2, 3, 4].map((day) => ({ day, start: '08:00', end: '20:00' })) },
    });
    for (const c of [adminA, adminB, aliceSdk, bobSdk]) c.lock();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('exchange messages live under an agreement and see each other’s read receipts', { timeout: 120_000 }, async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    alicePage = a.page;
    bobPage = b.page;
    await Promise.all([signInAndUnlock(alicePage, server.baseUrl, alice), signInAndUnlock(bobPage, server.baseUrl, bob)]);

    // Alice finds Bob's contact point in the directory and contacts him.
    await alicePage.getByRole('link', { name: 'Directory' }).click();
    await alicePage.getByRole('searchbox', { name: 'Search' }).fill('darknet');
    await alicePage.getByRole('button', { name: 'Search' }).click();
    await alicePage.getByTestId('directory-entry').filter({ hasText: 'Bob Ruiz' }).click();
    await expect.poll(() => alicePage.getByTestId('fingerprint').textContent()).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4})+$/);
    await screenshot(alicePage, 'directory-entry');
    // Under the agreement it is an ordinary direct channel (Bob still co-signs his own addition).
    await expect.poll(() => alicePage.getByTestId('contact-terms').textContent()).toBe('Direct channel under “PT–ES liaison MOU”.');
    await alicePage.getByRole('button', { name: 'Contact Bob Ruiz' }).click();
    await alicePage.getByRole('heading', { name: 'Contact: Darknet desk' }).waitFor();

    // Bob accepts the invitation (cross-agency members co-sign their own addition).
    await bobPage.getByTestId('invitation').getByRole('button', { name: 'Accept' }).click();
    await bobPage.getByRole('log', { name: 'Messages' }).waitFor();

    // Alice sends; Bob sees it live with sender, time and handling code.
    await composerOptions(alicePage);
    await alicePage.getByLabel('Handling code').selectOption('TLP:AMBER');
    await alicePage.getByLabel('Message', { exact: true }).fill(FIRST);
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    await message(bobPage, FIRST).waitFor();
    await expect.poll(() => message(bobPage, FIRST).locator('.tlp').textContent()).toBe('TLP:AMBER');
    await expect.poll(() => message(bobPage, FIRST).locator('.sender').textContent()).toBe('Alice Costa');

    // Bob has the channel open, so it counts as read: Alice sees the read receipt.
    await expect.poll(() => message(alicePage, FIRST).getByTestId('delivery').getAttribute('data-state'), { timeout: 15_000 }).toBe('read');
    expect(await message(alicePage, FIRST).getByTestId('delivery').textContent()).toMatch(/Read/);

    // Bob answers, asking for an acknowledgement; Alice reads and acknowledges; Bob sees it.
    await composerOptions(bobPage);
    await bobPage.getByLabel('Ask for acknowledgement').check();
    await bobPage.getByLabel('Message', { exact: true }).fill(REPLY);
    await bobPage.getByRole('button', { name: 'Send', exact: true }).click();
    await message(alicePage, REPLY).waitFor();
    await expect.poll(() => message(bobPage, REPLY).getByTestId('delivery').getAttribute('data-state'), { timeout: 15_000 }).toBe('read');
    await message(alicePage, REPLY).getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => message(bobPage, REPLY).getByTestId('delivery').getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');

    // Safety numbers: both see the same 60 digits and can mark each other verified.
    await alicePage.getByRole('button', { name: 'Members' }).click();
    await bobPage.getByRole('button', { name: 'Members' }).click();
    const digitsA = await alicePage.getByLabel('Safety number with Bob Ruiz').textContent();
    const bobSeesAlice = bobPage.locator('code.digits');
    await bobSeesAlice.waitFor();
    expect(digitsA?.replace(/\s/g, '')).toMatch(/^\d{60}$/);
    expect(await bobSeesAlice.textContent()).toBe(digitsA);
    await alicePage.getByRole('button', { name: 'Mark verified' }).click();
    await alicePage.getByText('Verified', { exact: true }).waitFor();
    await screenshot(alicePage, 'channel-alice');
    await screenshot(bobPage, 'channel-bob');
    await alicePage.getByRole('button', { name: 'Members' }).click();
    await bobPage.getByRole('button', { name: 'Members' }).click();
    pageErrors.push(...a.errors, ...b.errors);
  });

  it('structured messages: a reported onion site is sent normalised, a mistyped one refused in words; a controlled delivery carries the CND 45/9 fields', { timeout: 90_000 }, async () => {
    const onion = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
    await composerOptions(alicePage);
    await alicePage.getByLabel('Type').selectOption('reported-site');
    const address = alicePage.getByLabel('Address (URL, hostname or onion address)');
    // One character off: the v3 checksum catches it before anything is sent.
    await address.fill(`http://${onion.replace('2gzy', '2gzz')}/`);
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    await alicePage.getByRole('alert').filter({ hasText: 'That onion address has a typo' }).waitFor();
    await address.fill(`HTTP://${onion.toUpperCase()}/download/?utm_source=tg#top`);
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    const site = bobPage.getByTestId('message').filter({ hasText: 'Reported site' });
    await site.waitFor();
    expect(await site.locator('code.url').textContent()).toBe(`http://${onion}/download/`);

    await composerOptions(alicePage);
    await alicePage.getByLabel('Type').selectOption('controlled-delivery-update');
    await alicePage.getByLabel('Operation reference').fill('OP-PT-ES-7');
    await alicePage.getByLabel('Status').selectOption('in-transit');
    await alicePage.getByLabel('Consignment (optional)').selectOption('partially-replaced');
    await alicePage.getByLabel(/Country of the event/).fill('es');
    await alicePage.getByLabel('Checkpoint (optional)').fill('Algeciras port');
    await alicePage.getByLabel('Consents of the states concerned (optional)').fill('ES: AN-2026/114\nPT: 55/2026-DCIAP');
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    const cdu = bobPage.getByTestId('message').filter({ hasText: 'Controlled delivery · OP-PT-ES-7' });
    await cdu.waitFor();
    const text = await cdu.textContent();
    for (const part of ['Partially replaced', 'Algeciras port, ES', 'ES: AN-2026/114', 'PT: 55/2026-DCIAP']) expect(text).toContain(part);
    await screenshot(bobPage, 'structured-messages');
    await composerOptions(alicePage);
    await alicePage.getByLabel('Type').selectOption('text');
  });

  it('a file goes through with upload and download progress', { timeout: 90_000 }, async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    // Record every value the progress bars take (the transfer on loopback is quick).
    const record = (page: Page) =>
      page.evaluate(() => {
        const w = window as unknown as { seen: number[] };
        w.seen = [];
        new MutationObserver(() => document.querySelectorAll('progress').forEach((p) => w.seen.push(p.value))).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
    const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    await record(alicePage);
    await record(bobPage);
    // A slow link (~2 MB/s), so the bars have something to show on loopback.
    for (const page of [alicePage, bobPage]) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 2_000_000, uploadThroughput: 2_000_000 });
    }
    await alicePage.getByLabel('Attach a file').setInputFiles({ name: 'manifest.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await alicePage.getByRole('button', { name: 'Encrypt and send file' }).click();
    await expect.poll(() => alicePage.getByTestId('progress').textContent(), { timeout: 30_000 }).toMatch(/Uploading manifest\.bin — 100 %/);
    expect((await seen(alicePage)).some((v) => v > 0 && v < 100)).toBe(true);
    await screenshot(alicePage, 'file-uploaded');

    const file = bobPage.getByTestId('file').filter({ hasText: 'manifest.bin' });
    await file.waitFor();
    const download = bobPage.waitForEvent('download');
    await file.getByRole('button', { name: 'Download' }).click();
    const saved = await (await download).path();
    expect(Buffer.compare(fs.readFileSync(saved), bytes)).toBe(0);
    await expect.poll(() => file.getByTestId('progress').textContent()).toMatch(/Downloading manifest\.bin — 100 %/);
    expect((await seen(bobPage)).some((v) => v > 0 && v < 100)).toBe(true);
    await screenshot(bobPage, 'file-downloaded');
  });

  it('the idle lock wipes keys and decrypted messages, and the passphrase brings them back', { timeout: 90_000 }, async () => {
    const channelUrl = alicePage.url().split('#')[1]!;
    // Same device, idle timeout shortened to 2 s: the stored session resumes, keys stay locked.
    await alicePage.goto(`${server.baseUrl}/?idleMs=2000#${channelUrl}`);
    await alicePage.getByTestId('lock-screen').waitFor();
    await alicePage.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await alicePage.getByRole('button', { name: 'Unlock' }).click();
    await message(alicePage, FIRST).waitFor({ timeout: 30_000 });
    await screenshot(alicePage, 'before-idle-lock');

    // No input for longer than the timeout.
    await sleep(3000);
    await alicePage.getByTestId('lock-screen').waitFor();
    await expect.poll(() => alicePage.getByText('Locked after inactivity').isVisible()).toBe(true);
    const html = await alicePage.content();
    expect(html).not.toContain(FIRST);
    expect(html).not.toContain(REPLY);
    // Nothing decrypted is kept in clear on the device either: the store (IndexedDB, sealed) nor web storage.
    const dump = await idbDump(alicePage);
    expect(dump.text).toContain('"sealed":1');
    const stored = [dump.text, ...(await alicePage.evaluate(() => [...Object.values(localStorage), ...Object.values(sessionStorage)]))].join('\n');
    expect(stored).not.toContain(FIRST);
    expect(stored).not.toContain('Rotterdam');
    await screenshot(alicePage, 'idle-locked');

    // Bob keeps working meanwhile; Alice's app is disconnected until she unlocks.
    await bobPage.getByLabel('Message', { exact: true }).fill('Are you there?');
    await bobPage.getByRole('button', { name: 'Send', exact: true }).click();
    await alicePage.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await alicePage.getByRole('button', { name: 'Unlock' }).click();
    await message(alicePage, 'Are you there?').waitFor({ timeout: 30_000 });
    await message(alicePage, FIRST).waitFor();

    // Phone-sized screen: the channel alone, readable.
    await bobPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(bobPage, 'channel-phone');
    expect(pageErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
