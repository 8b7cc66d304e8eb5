import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { PASSPHRASE, apiPost, buildWebOnce, createAgency, createOfficer, enrolByApi, hasChromium, initPlatform, launch, newPage, nextTotp, signInAndUnlock, type Person, type Server, startServer } from './harness.ts';

describe.skipIf(!hasChromium)('web app: administration flows (issue 15)', () => {
  let server: Server;
  let browser: Browser;
  let pt: { agencyId: string; admin: Person };
  let es: { agencyId: string; admin: Person };

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    pt = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    es = await createAgency(server.app, platform, { name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    // The Spanish administrator is a directory contact point: the Portuguese administrator's app learns the name.
    await apiPost(server.app, es.admin, '/api/v1/directory', { title: 'UCO international desk', officerId: es.admin.id, specialisations: [], languages: ['es'], availability: { kind: '24/7' } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('agency admin: audit tab with the signed-head check, live certification requests with a count, forms cleared, own officers only in the directory picker', { timeout: 240_000 }, async () => {
    const { page, errors } = await newPage(browser);
    await signInAndUnlock(page, server.baseUrl, pt.admin, { create: true });

    // Audit: the agency's events and the verification an agency administrator is allowed.
    await page.goto(`${server.baseUrl}/#/admin/audit`);
    await page.getByText(/Signed audit head verified: up to #\d+/).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByText('You are not allowed to do this.').count()).toBe(0);
    expect(await page.getByText('Verifying the hash chain…').count()).toBe(0);

    // Create an officer: the form is empty afterwards.
    await page.getByRole('link', { name: 'Officers' }).click();
    await page.getByLabel('Username').fill('rita.alves');
    await page.getByLabel('Full name').fill('Rita Alves');
    await page.getByRole('button', { name: 'Create and get enrolment link' }).click();
    await page.getByTestId('enrolment-link').waitFor();
    expect(await page.getByLabel('Username').inputValue()).toBe('');
    expect(await page.getByLabel('Full name').inputValue()).toBe('');

    // An officer enrols and makes keys elsewhere while the administrator stays on this tab: the request shows.
    const ana = await createOfficer(server.app, pt.admin, pt.agencyId, 'ana.silva', 'Ana Silva');
    const anaPerson = await enrolByApi(server.app, ana.token);
    const sdk = new LiaisonClient({ baseUrl: server.baseUrl, store: new MemoryStore() });
    await sdk.login({ username: anaPerson.username, password: anaPerson.password, totp: await nextTotp(anaPerson.totpSecret) });
    await sdk.createIdentity(PASSPHRASE);
    sdk.lock();
    await page.getByTestId('pending-certifications').waitFor({ timeout: 40_000 });
    await expect.poll(() => page.getByTestId('pending-certifications').textContent()).toContain('Ana Silva');
    expect(await page.getByTestId('pending-certifications-count').textContent()).toContain('1');

    // Directory entry: only this agency's active officers are offered, not the Spanish contact point.
    await page.getByRole('link', { name: 'Directory entries' }).click();
    const picker = page.getByLabel('Officer (leave empty for a rota desk)');
    await expect.poll(() => picker.locator('option').allTextContents()).toContain('Policia Judiciaria Admin');
    const offered = await picker.locator('option').allTextContents();
    expect(offered).not.toContain('Guardia Civil Admin');
    await page.getByLabel('Desk name or title').fill('PJ narcotics desk');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('PJ narcotics desk').first().waitFor();
    expect(await page.getByLabel('Desk name or title').inputValue()).toBe('');
    expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
