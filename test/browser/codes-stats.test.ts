import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  PASSPHRASE,
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

const DAY_MS = 86_400_000;
const SECRET = 'Seized phone belongs to the courier; IMEI 356938035643809.';

function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

describe.skipIf(!hasChromium)('web app: code profiles, use grants and statistics', () => {
  let server: Server;
  let browser: Browser;
  let adminA: Person;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const a = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    const b = await createAgency(server.app, platform, { name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    adminA = a.admin;
    alice = await enrolByApi(server.app, (await createOfficer(server.app, a.admin, a.agencyId, 'alice', 'Alice Costa')).token);
    bob = await enrolByApi(server.app, (await createOfficer(server.app, b.admin, b.agencyId, 'bob', 'Bob Ruiz')).token);
    const [sdkA, sdkB, aliceSdk, bobSdk] = [await sdkFor(server, a.admin), await sdkFor(server, b.admin), await sdkFor(server, alice), await sdkFor(server, bob)];
    await Promise.all([sdkA.createIdentity(PASSPHRASE), sdkB.createIdentity(PASSPHRASE)]);
    await Promise.all([aliceSdk.createIdentity(PASSPHRASE), bobSdk.createIdentity(PASSPHRASE)]);
    await sdkA.certifyPending();
    await sdkB.certifyPending();
    const mou = await sdkA.proposeAgreement({
      parties: [a.agencyId, b.agencyId],
      scope: ['drug-trafficking'],
      validFrom: Date.now() - 1000,
      validUntil: Date.now() + 365 * DAY_MS,
      title: 'PT–ES Europol-coded exchange',
      text: 'The parties exchange case information under the Europol handling codes.',
    });
    await sdkA.signAgreement(mou.id);
    await sdkB.signAgreement(mou.id);
    // One request this year from Bob (ES) to Alice (PT): PT's "received" total is 1, shown as "fewer than 5".
    const ch = await bobSdk.createChannel({ kind: 'case', title: 'Request channel', agreementId: mou.id, members: [alice.id] });
    const [inv] = await aliceSdk.invitations();
    await aliceSdk.acceptInvitation(inv!.id);
    await bobSdk.requests.send(ch.id, {
      template: 'eu-2023-977',
      urgency: 'non-urgent',
      purpose: 'Identify the courier',
      legalBasis: 'Directive (EU) 2023/977 Art. 4',
      dataCategories: ['subscriber data'],
      requestedInformation: 'Holder of +351 900 000 000',
    });
    for (const c of [sdkA, sdkB, aliceSdk, bobSdk]) c.lock();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an admin creates a Europol channel; an H2 message is asked for judicial use, granted, and the admin reads the statistics', { timeout: 240_000 }, async () => {
    const ad = await newPage(browser);
    const al = await newPage(browser);
    const bo = await newPage(browser);
    await Promise.all([signInAndUnlock(ad.page, server.baseUrl, adminA), signInAndUnlock(al.page, server.baseUrl, alice), signInAndUnlock(bo.page, server.baseUrl, bob)]);

    // The PT administrator creates the channel with the Europol profile, minimum H0 and default H1.
    const admin = ad.page;
    await admin.getByRole('link', { name: 'New channel' }).click();
    await admin.getByLabel('Title').fill('Operation Harbour');
    await admin.getByLabel('Agreement').selectOption({ label: 'PT–ES Europol-coded exchange' });
    await admin.getByLabel('Handling codes').selectOption('europol-h');
    await admin.getByLabel('Evaluation codes').selectOption('europol-4x4');
    expect(await admin.getByLabel('Minimum handling code').inputValue()).toBe('H0');
    await admin.getByLabel('Default handling code').selectOption('H1');
    await expect.poll(() => admin.locator('#profile-default-meaning').textContent()).toContain('judicial proceedings');
    await admin.getByLabel('Other officer ids (comma-separated)').fill(`${alice.id}, ${bob.id}`);
    await admin.getByRole('button', { name: 'Create channel' }).click();
    await admin.getByRole('log', { name: 'Messages' }).waitFor();

    // Alice (same agency) is in at once; Bob accepts the invitation.
    await al.page.getByRole('link', { name: /Operation Harbour/ }).click();
    await bo.page.getByTestId('invitation').getByRole('button', { name: 'Accept' }).click();
    await bo.page.getByRole('link', { name: /Operation Harbour/ }).click();
    await bo.page.getByRole('log', { name: 'Messages' }).waitFor();

    // The composer offers the channel's codes and starts on its default; Alice sends H2.
    const handling = al.page.getByLabel('Handling code');
    await al.page.getByRole('log', { name: 'Messages' }).waitFor();
    await composerOptions(al.page);
    await expect.poll(() => handling.inputValue()).toBe('H1');
    expect(await handling.locator('option').allTextContents()).toEqual(['H0', 'H1', 'H2', 'H3']);
    await handling.selectOption('H2');
    await al.page.getByLabel('Message', { exact: true }).fill(SECRET);
    await al.page.getByRole('button', { name: 'Send', exact: true }).click();
    await message(bo.page, SECRET).waitFor();

    // Bob asks to use it in judicial proceedings.
    const onBob = message(bo.page, SECRET);
    await onBob.getByRole('button', { name: 'Ask to use…' }).click();
    const dialog = bo.page.getByRole('dialog', { name: 'Ask the agency that provided this message for permission' });
    await dialog.getByLabel('Purpose').selectOption('judicial-proceedings');
    await dialog.getByLabel(/What for/).fill('Trial of the courier, Audiencia Nacional, case 114/2026');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await bo.page.getByText('Request sent.').waitFor();

    // Alice sees the request as a card and gives permission.
    const request = al.page.getByTestId('use-grant-request');
    await request.waitFor();
    expect(await request.textContent()).toContain('Use as evidence in judicial proceedings');
    expect(await request.textContent()).toContain('Guardia Civil');
    // The request itself (sent at the channel's default H1) has no "Ask to use…" of its own.
    expect(await al.page.getByTestId('message').filter({ has: request }).getByRole('button', { name: 'Ask to use…' }).count()).toBe(0);
    await request.getByLabel('Conditions and scope of the permission').fill('For case 114/2026 only; cite Policia Judiciaria as the source.');
    await request.getByRole('button', { name: 'Give permission' }).click();
    await expect.poll(() => request.textContent(), { timeout: 20_000 }).toContain('Answered.');

    // Bob sees the grant card, and the message shows that a grant exists.
    const grant = bo.page.getByTestId('use-grant');
    await grant.waitFor();
    expect(await grant.getAttribute('data-decision')).toBe('granted');
    expect(await grant.textContent()).toContain('For case 114/2026 only');
    await expect.poll(() => onBob.getByTestId('grant-exists').textContent(), { timeout: 20_000 }).toContain('Permission given: Use as evidence in judicial proceedings (Guardia Civil)');
    await screenshot(bo.page, 'use-grant-bob');

    // The PT administrator opens the statistics: the Art. 18 figures of the year, and downloads the CSV.
    await admin.getByRole('link', { name: 'Statistics' }).click();
    await admin.getByRole('heading', { name: 'Statistics of Policia Judiciaria' }).waitFor();
    const received = admin.getByTestId('stats-as-requested');
    await received.waitFor();
    expect(await received.locator('tr[data-figure="total"] td').textContent()).toBe('fewer than 5');
    expect(await received.locator('tr[data-figure="refusals.total"] td').textContent()).toBe('0');
    expect(await admin.getByRole('img', { name: 'Answered requests by urgency' }).count()).toBe(2);
    expect(await admin.getByLabel('Year').inputValue()).toBe(String(new Date().getUTCFullYear()));
    const [response, download] = await Promise.all([
      admin.waitForResponse((r) => r.url().includes('/api/v1/stats/agency/') && r.url().includes('format=csv')),
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/csv');
    const csv = await response.text();
    expect(csv.split('\r\n')[0]).toBe('figure,value,suppressed');
    expect(csv).toContain('asRequested.total,,true');
    expect(csv).toContain('asRequesting.total,0,false');
    expect(download.suggestedFilename()).toBe(`liaison-stats-agency-${new Date().getUTCFullYear()}.csv`);
    await screenshot(admin, 'stats-agency');

    // Officers have no statistics link.
    expect(await al.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statistics' }).count()).toBe(0);
    expect([...ad.errors, ...al.errors, ...bo.errors]).toEqual([]);
  });
});
