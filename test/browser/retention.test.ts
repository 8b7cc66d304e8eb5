/**
 * Issue 15 item 6, client-side retention, in Chromium: a channel kept 1 day and one kept 30 days, both read and
 * indexed in the browser. Two days later (the server's ManualClock and the browser's clock moved together, the
 * server's own retention sweep run) the 1-day channel's message is gone from this browser — the screen, the sealed
 * message store and the search index — while the 30-day channel's message stays and is still found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../server/clock.ts';
import { totpCode } from '../world/app.ts';
import { twoAgencyNetwork } from '../world/network.ts';
import { buildWebOnce, hasChromium, launch, newPage, PASSPHRASE, signInAndUnlock, startServer, type Server } from './harness.ts';

const DAY_MS = 86_400_000;
const SHORT = 'Short-lived tip: the courier lands at Faro aéroport';
const LONG = 'Case file: the Porto ferry manifest';

describe.skipIf(!hasChromium)('web app: client-side retention follows each channel’s retention', () => {
  const clock = new ManualClock(Date.now());
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    await buildWebOnce();
    // Sessions outlive the two days the test moves forward (the default idle timeout would end them).
    server = await startServer({ clock, config: { session: { idleTimeoutMs: 60 * DAY_MS, absoluteTimeoutMs: 90 * DAY_MS } } });
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('two days later the 1-day channel’s message leaves the screen, the store and the index; the 30-day one stays', { timeout: 240_000 }, async () => {
    const host = { app: server.app, clock, baseUrl: server.baseUrl };
    const net = await twoAgencyNetwork(host, { prefix: 'rt-', identities: false });
    // Keys with the browser harness's passphrase, so the browser unlocks the same identity.
    await net.adminA.createIdentity(PASSPHRASE);
    await net.alice.createIdentity(PASSPHRASE);
    await net.adminA.certifyPending();
    const short = await net.alice.createChannel({ kind: 'case', title: 'Short retention', members: [], retentionDays: 1 });
    const long = await net.alice.createChannel({ kind: 'case', title: 'Long retention', members: [], retentionDays: 30 });
    await net.alice.send(short.id, { kind: 'text', text: SHORT });
    await net.alice.send(long.id, { kind: 'text', text: LONG });
    net.alice.lock();

    ({ context, page, errors } = await newPage(browser));
    await context.clock.install({ time: clock.now() });
    await signInAndUnlock(page, server.baseUrl, net.a.alice, {
      totp: () => {
        clock.advance(30_000);
        return totpCode(net.a.alice.totpSecret, clock.now());
      },
    });
    const dismiss = page.getByRole('button', { name: 'Dismiss' });
    if (await dismiss.isVisible()) await dismiss.click();
    // Both channels read on this device, so both messages are in its store and index.
    for (const [title, text] of [['Short retention', SHORT], ['Long retention', LONG]] as const) {
      await page.getByRole('link', { name: new RegExp(title) }).click();
      await page.getByTestId('message').filter({ hasText: text }).waitFor();
    }
    const search = page.getByRole('searchbox', { name: 'Search messages' });
    await search.fill('aeroport');
    await page.getByTestId('search-hit').filter({ hasText: 'Short retention' }).waitFor();
    await search.fill('');

    // Two days pass on both clocks; the server applies its retention (as its hourly sweep would).
    clock.advance(2 * DAY_MS);
    await context.clock.setSystemTime(clock.now());
    const swept = await server.app.ctx.messages.sweepExpired(clock.now());
    expect(swept.messages).toBe(1);
    // The browser sweeps at every unlock (and hourly): lock and unlock.
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });

    await search.fill('aeroport');
    await expect.poll(() => page.getByTestId('search-results').textContent(), { timeout: 30_000 }).toContain('No message on this device matches.');
    await search.fill('ferry');
    await page.getByTestId('search-hit').filter({ hasText: 'Long retention' }).waitFor();
    await search.fill('');

    await page.getByRole('link', { name: /Short retention/ }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('No messages yet').waitFor();
    expect(await page.getByTestId('message').count()).toBe(0);
    await page.getByRole('link', { name: /Long retention/ }).click();
    await page.getByTestId('message').filter({ hasText: LONG }).waitFor();

    // After a reload (the store read back from IndexedDB) the short-lived message does not come back.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: /Short retention/ }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('No messages yet').waitFor();
    expect(await page.getByTestId('message').filter({ hasText: 'Faro' }).count()).toBe(0);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
