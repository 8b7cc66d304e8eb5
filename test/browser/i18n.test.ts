import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, buildWebOnce, describeViolations, hasChromium, launch, newPage, startServer, type Server } from './harness.ts';

describe.skipIf(!hasChromium)('web app: languages', () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts in the browser’s language, switches with the picker (Arabic right to left), and remembers the choice', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage(browser, { locale: 'fr-FR' });
    await page.goto(`${server.baseUrl}/#/channels`);
    await page.getByRole('heading', { name: 'Se connecter à Liaison' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['fr', 'ltr']);
    await page.getByLabel('Nom d’utilisateur').waitFor();

    await page.getByLabel('Langue').selectOption('ar');
    await page.getByRole('heading', { name: 'تسجيل الدخول إلى Liaison' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, describeViolations(violations)).toEqual([]);

    // This device remembers the choice over the browser's language.
    await page.reload();
    await page.getByRole('heading', { name: 'تسجيل الدخول إلى Liaison' }).waitFor();
    await page.getByLabel('اللغة').selectOption('zh');
    await page.getByRole('button', { name: '登录' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(errors).toEqual([]);
  });

  it('the sign-in screen has no serious or critical accessibility violations in English', { timeout: 60_000 }, async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.baseUrl}/#/channels`);
    await page.getByRole('heading', { name: 'Sign in to Liaison' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
