import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { deviceName } from '../../client/web/src/lib/device-name.ts';
import { buildWebOnce, createAgency, createOfficer, enrolByApi, hasChromium, initPlatform, launch, newPage, screenshot, signInAndUnlock, startServer, type Person, type Server } from './harness.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** The Devices table's row of the device with this name. */
function deviceRow(page: Page, name: string) {
  return page.getByTestId('devices').getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { name: 'Devices', level: 2 }).waitFor();
}

describe.skipIf(!hasChromium)('web app: the officer’s devices (PROTOCOL.md §4.5)', () => {
  let server: Server;
  let browser: Browser;
  let alice: Person;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const pt = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    alice = await enrolByApi(server.app, (await createOfficer(server.app, pt.admin, pt.agencyId, 'alice', 'Alice Costa')).token);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an officer on two browsers sees both devices, revokes the other one, and that browser is signed out', { timeout: 150_000 }, async () => {
    // Two browser contexts = two devices of one officer; the second one says it is Firefox on Windows.
    const a = await newPage(browser);
    const b = await newPage(browser, { userAgent: FIREFOX_WINDOWS });
    await signInAndUnlock(a.page, server.baseUrl, alice, { create: true });
    await signInAndUnlock(b.page, server.baseUrl, alice);
    const here = deviceName(await a.page.evaluate(() => navigator.userAgent));
    const other = 'Firefox on Windows';
    expect(here).not.toBe(other);

    await openDevices(a.page);
    await expect.poll(() => a.page.getByTestId('devices').getByRole('row').count()).toBe(3); // header + two devices
    await expect.poll(() => deviceRow(a.page, here).textContent()).toMatch(/This device/);
    await expect.poll(() => deviceRow(a.page, other).textContent()).toMatch(/Active/);
    for (const h of ['Device', 'Added', 'Last seen', 'Status']) expect(await a.page.getByRole('columnheader', { name: h }).count()).toBe(1);
    await screenshot(a.page, 'devices-two');

    // The confirm step says what revoking does; Cancel leaves the device alone.
    await a.page.getByRole('button', { name: `Revoke ${other}`, exact: true }).click();
    const confirm = a.page.getByRole('group', { name: /^Revoke Firefox on Windows\?/ });
    await expect.poll(() => confirm.textContent()).toMatch(/It will be signed out and can no longer send\. Messages it sent before stay valid\./);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await confirm.count()).toBe(0);
    await expect.poll(() => deviceRow(a.page, other).textContent()).toMatch(/Active/);

    await a.page.getByRole('button', { name: `Revoke ${other}`, exact: true }).click();
    await a.page.getByRole('button', { name: `Yes, revoke ${other}`, exact: true }).click();
    await expect.poll(() => a.page.getByRole('status').filter({ hasText: `Revoked ${other}.` }).count()).toBe(1);
    await expect.poll(() => deviceRow(a.page, other).textContent()).toMatch(/Revoked on \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(await a.page.getByRole('button', { name: `Revoke ${other}`, exact: true }).count()).toBe(0);
    await expect.poll(() => deviceRow(a.page, here).textContent()).toMatch(/This device/);
    await screenshot(a.page, 'devices-revoked');

    // The revoked browser: its sessions ended with the device, so its next step lands on sign-in (the
    // realtime disconnect may get there first; then the link is gone and the click has nothing to do).
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click({ timeout: 5_000 }).catch(() => undefined);
    await b.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    expect(await b.page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await screenshot(b.page, 'devices-revoked-elsewhere');

    // Revoking this device is offered too, with the stronger warning, and signs this browser out.
    await a.page.getByRole('button', { name: `Revoke this device (${here})`, exact: true }).click();
    await expect.poll(() => a.page.getByRole('group', { name: /^Revoke this device/ }).textContent()).toMatch(/This browser will be signed out at once/);
    await a.page.getByRole('button', { name: `Yes, revoke this device (${here})`, exact: true }).click();
    await a.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => a.page.getByText(`This device (${here}) was revoked and signed out.`).count()).toBe(1);

    const errors = [...a.errors, ...b.errors].filter((e) => !/status of 4\d\d/.test(e));
    expect(errors).toEqual([]);
  });
});
