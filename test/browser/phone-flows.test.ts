/**
 * Issue 15's main flows at phone size (390 × 844), in Chromium: sign in, read a channel, search this device's
 * history and jump to the message, a notification on a hidden tab (content-free, with the unread count in the
 * tab title), and a send made offline that is queued with a banner in words and arrives once when the connection
 * returns. (Reply, edit, withdrawal and mentions at this size: replies-edits.test.ts; every screen in English and
 * Arabic: screenshots.test.ts; the same flows at 1280 × 800: search-store, sync-devices, replies-edits.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, buildWebOnce, describeViolations, hasChromium, launch, newPage, PASSPHRASE, sdkFor, seedHarbour, signInAndUnlock, startServer, type Person, type Server, recordNotifications, setTabHidden, shownNotifications } from './harness.ts';

const PHONE = { width: 390, height: 844 };
const OFFLINE = 'Sent from the quay while the network was down.';

describe.skipIf(!hasChromium)('web app at 390 × 844: sign in, read, search, notification on a hidden tab, offline send', () => {
  let server: Server;
  let browser: Browser;
  let admin: Person;
  let alice: Person;
  let channelId: string;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    ({ admin, alice, channelId } = await seedHarbour(server, 3));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the main flows work one-handed on a phone', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, { viewport: PHONE });
    await recordNotifications(context);

    // Sign in and read.
    await signInAndUnlock(page, server.baseUrl, admin);
    const dismiss = page.getByRole('button', { name: 'Dismiss' });
    if (await dismiss.isVisible()) await dismiss.click();
    await page.getByRole('link', { name: /Operation Harbour/ }).click();
    await page.getByTestId('message').filter({ hasText: 'Update 3:' }).waitFor();
    const send = page.getByRole('button', { name: 'Send', exact: true });
    const box = (await send.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);

    // Search from the channel list (one pane: back to the list first), then jump to the hit.
    await page.getByRole('link', { name: 'Back to channels' }).click();
    const search = page.getByRole('searchbox', { name: 'Search messages' });
    await search.fill('90 nautical');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'Update 2' });
    await hit.waitFor();
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, describeViolations(violations)).toEqual([]);
    await hit.click();
    const target = page.getByTestId('message').filter({ hasText: 'Update 2:' });
    await expect.poll(() => target.evaluate((el) => el.classList.contains('jump-target') && document.activeElement === el)).toBe(true);

    // A message while the tab is hidden: a notification naming the channel only, and the count in the tab title.
    await page.getByRole('link', { name: 'Back to channels' }).click();
    await setTabHidden(page, true);
    const aliceSdk = await sdkFor(server, alice);
    await aliceSdk.unlock(PASSPHRASE);
    await aliceSdk.send(channelId, { kind: 'text', text: 'Update 4: the pilot boat is alongside.' });
    const notes = () => shownNotifications(page);
    await expect.poll(notes, { timeout: 15_000 }).toContainEqual({ title: 'Liaison', body: 'New message in Operation Harbour' });
    expect(JSON.stringify(await notes())).not.toContain('pilot');
    await expect.poll(() => page.title()).toMatch(/^\(\d+\) /);
    await setTabHidden(page, false);

    // Offline: the send is queued with a banner in words, then delivered once when the connection returns.
    await page.getByRole('link', { name: /Operation Harbour/ }).click();
    await page.getByTestId('message').filter({ hasText: 'Update 4:' }).waitFor();
    await context.setOffline(true);
    await page.getByTestId('connection-banner').filter({ hasText: 'Offline — messages will be sent when the connection returns' }).waitFor();
    await page.getByLabel('Message', { exact: true }).fill(OFFLINE);
    await send.click();
    const queued = page.getByTestId('message').filter({ hasText: OFFLINE });
    await queued.getByTestId('outbox-status').filter({ hasText: 'Queued' }).waitFor();
    await context.setOffline(false);
    await queued.getByTestId('outbox-status').waitFor({ state: 'detached', timeout: 60_000 });
    await aliceSdk.sync();
    expect((await aliceSdk.history(channelId)).filter((m) => m.payload.kind === 'text' && m.payload.text === OFFLINE)).toHaveLength(1);
    aliceSdk.lock();
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(e))).toEqual([]);
  });
});
