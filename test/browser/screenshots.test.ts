import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../server/web/build.ts';
import {
  axeViolations,
  buildWebOnce,
  composerOptions,
  describeViolations,
  hasChromium,
  launch,
  newPage,
  seedHarbour,
  signInAndUnlock,
  sleep,
  startServer,
  type Person,
  type Server,
} from './harness.ts';

/**
 * Issue 15, "Done when": a screenshot of every main screen at a phone's and a desktop's size, in English and in Arabic
 * (right to left), each checked with axe-core (no serious or critical violation), written to
 * test-artifacts/screens/<lang>-<size>-<screen>.png (git-ignored). Regenerate: npx vitest run test/browser/screenshots.test.ts
 * In Arabic the layout must mirror, not only carry dir="rtl": the composer's Send button sits on the text box's left.
 */
const OUT = path.join(REPO_ROOT, 'test-artifacts', 'screens');
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

describe.skipIf(!hasChromium)('web app: screenshots of every main screen, two sizes, English and Arabic', () => {
  let server: Server;
  let browser: Browser;
  let admin: Person;
  let channelId = '';

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    fs.mkdirSync(OUT, { recursive: true });
    ({ admin, channelId } = await seedHarbour(server, 5));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function shoot(page: Page, name: string, failures: string[]): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.locator('[aria-busy="true"]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (serious.length) failures.push(`${name}:\n${describeViolations(serious)}`);
  }

  const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);

  for (const lang of ['en', 'ar'] as const) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      it(`${lang} ${size}: every main screen, no serious or critical violation`, { timeout: 300_000 }, async () => {
        const failures: string[] = [];
        const tag = `${lang}-${size}`;
        const phone = size === 'phone';

        // The sign-in form as a first visit in that language sees it (the browser's language).
        const first = await newPage(browser, { viewport, locale: lang === 'ar' ? 'ar' : 'en-GB' });
        await first.page.goto(`${server.baseUrl}/#/channels`);
        await first.page.locator('form button[type=submit]').waitFor();
        expect(await first.page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        await shoot(first.page, `${tag}-sign-in`, failures);
        await first.context.close();

        const { page, errors } = await newPage(browser, { viewport });
        await signInAndUnlock(page, server.baseUrl, admin);
        const dismiss = page.getByRole('button', { name: 'Dismiss' });
        if (await dismiss.isVisible()) await dismiss.click();
        if (lang === 'ar') {
          await go(page, '#/account');
          await page.locator('#account-language').selectOption('ar');
          await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { polling: 100 }).catch(() => undefined);
          expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
        }

        await go(page, '#/channels');
        await page.locator(`a[href="#/channels/${channelId}"]`).first().waitFor();
        await shoot(page, `${tag}-channels`, failures);

        await go(page, `#/channels/${channelId}`);
        await page.getByTestId('message').filter({ hasText: 'Update 5:' }).waitFor();
        await shoot(page, `${tag}-channel`, failures);

        // The layout mirrors in Arabic: Send is on the text box's left (right in English).
        const box = (sel: string) => page.locator('#composer').locator(sel).first().boundingBox();
        const [text, send] = [await box('textarea'), await box('button[type=submit]')];
        expect(text && send).toBeTruthy();
        if (lang === 'ar') expect(send!.x + send!.width).toBeLessThanOrEqual(text!.x + 1);
        else expect(send!.x).toBeGreaterThanOrEqual(text!.x + text!.width - 1);

        if (lang === 'en') await composerOptions(page);
        else await page.locator('#composer button[aria-expanded]').first().click();
        await sleep(200);
        await shoot(page, `${tag}-composer-options`, failures);
        await page.locator('#composer button[aria-expanded="true"]').first().click();

        await page.locator('button[aria-controls="members-panel"]').click();
        await page.locator('#members-panel').waitFor();
        await shoot(page, `${tag}-members`, failures);

        for (const [screen, hash] of [
          ['directory', '#/directory'],
          ['requests', '#/requests'],
          ['desks', '#/desks'],
          ['account', '#/account'],
          ['admin-officers', '#/admin/officers'],
          ['admin-directory', '#/admin/directory'],
          ['admin-audit', '#/admin/audit'],
          ['stats', '#/stats'],
        ] as const) {
          await go(page, hash);
          await page.locator('main#main :is(h1, h2)').first().waitFor();
          await shoot(page, `${tag}-${screen}`, failures);
        }

        // In Arabic the main navigation starts from the right: its first link is on the right half (left in English).
        if (!phone) {
          const link = (await page.locator('nav a').first().boundingBox())!;
          const centre = link.x + link.width / 2;
          if (lang === 'ar') expect(centre).toBeGreaterThan(viewport.width / 2);
          else expect(centre).toBeLessThan(viewport.width / 2);
        }
        expect(failures, failures.join('\n')).toEqual([]);
        expect(errors).toEqual([]);
        await page.context().close();
      });
    }
  }
});
