/**
 * Issue 15 items 5, 6 and 8 in Chromium: the officer's store in IndexedDB (no plaintext in it, more than
 * localStorage's quota), local search (accents, Chinese, jump to the message), staying unlocked across a reload
 * within the idle window (and not after a lock), image and PDF previews (client-side retention: retention.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  PASSPHRASE,
  idbDump,
  axeViolations,
  buildWebOnce,
  createAgency,
  createOfficer,
  describeViolations,
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

const MARKER = 'PLAINTEXT-MARKER-7781';
const FRENCH = `Réunion à l’aéroport de Faro demain matin ${MARKER}`;
const CHINESE = '今天下午讨论走私案件';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** A one-page PDF with a line of text (offsets in the xref table computed, so any reader accepts it). */
function onePagePdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = 'BT /F1 18 Tf 20 100 Td (Seizure report) Tj ET';
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

describe.skipIf(!hasChromium)('web app: local store, search, reload, previews, retention', () => {
  let server: Server;
  let browser: Browser;
  let alice: Person;
  let page: Page;
  let errors: string[];
  const requests: string[] = [];

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const pt = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    alice = await enrolByApi(server.app, (await createOfficer(server.app, pt.admin, pt.agencyId, 'alice', 'Alice Costa')).token);
    // One client at a time: an idle keep-alive connection closed by the server during a slow Argon2 resets the next call.
    const adminSdk = await sdkFor(server, pt.admin);
    await adminSdk.createIdentity(PASSPHRASE);
    const aliceSdk = await sdkFor(server, alice);
    await aliceSdk.createIdentity(PASSPHRASE);
    await adminSdk.certifyPending();
    const ch = await adminSdk.createChannel({ kind: 'team', title: 'Operation Harbour', members: [alice.id], retentionDays: 1 });
    await adminSdk.send(ch.id, { kind: 'text', text: FRENCH });
    await adminSdk.send(ch.id, { kind: 'text', text: CHINESE });
    await adminSdk.send(ch.id, await adminSdk.uploadAttachment(ch.id, new Uint8Array(PNG), { name: 'harbour.png', mimeType: 'image/png' }));
    await adminSdk.send(ch.id, await adminSdk.uploadAttachment(ch.id, onePagePdf(), { name: 'seizure.pdf', mimeType: 'application/pdf' }));
    adminSdk.lock();
    aliceSdk.lock();
    ({ page, errors } = await newPage(browser));
    page.on('request', (r) => requests.push(r.url()));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('messages are indexed locally: accents and Chinese are found, a result jumps to the message, previews render', { timeout: 180_000 }, async () => {
    await signInAndUnlock(page, server.baseUrl, alice);
    const dismiss = page.getByRole('button', { name: 'Dismiss' });
    if (await dismiss.isVisible()) await dismiss.click();
    await page.getByRole('link', { name: /Operation Harbour/ }).click();
    await page.getByTestId('message').filter({ hasText: 'Faro' }).waitFor();
    // Previews: the image from an object URL, the PDF's first page on a canvas (pdf.js and its worker from our origin).
    const img = page.getByTestId('image-preview');
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
    const canvas = page.getByTestId('pdf-preview');
    await canvas.waitFor();
    await expect.poll(() => canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 3]! > 0) dark++;
      return dark;
    }), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(server.baseUrl) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(requests.some((u) => /pdf\.worker.*\.mjs$/.test(u))).toBe(true);
    await screenshot(page, 'previews');

    // Search: a French word typed without its accents, then a Chinese word.
    const search = page.getByRole('searchbox', { name: 'Search messages' });
    await search.fill('AEROPORT');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'Operation Harbour' });
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.locator('mark').textContent()).toBe('aéroport');
    expect(await hit.textContent()).toContain('Faro demain');
    expect(await hit.locator('time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d \S+$/);
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'search-results');
    await search.fill('走私');
    // The earlier query's hit stays on screen until the new search answers (150 ms debounce): wait for the new one.
    const chineseHit = page.getByTestId('search-hit').filter({ hasText: '走私' });
    await chineseHit.waitFor();
    expect(await page.getByTestId('search-hit').count()).toBe(1);
    await chineseHit.click();
    const target = page.getByTestId('message').filter({ hasText: CHINESE });
    await expect.poll(() => target.evaluate((el) => el.classList.contains('jump-target') && document.activeElement === el)).toBe(true);
    // The query never left the browser.
    expect(requests.some((u) => u.includes(encodeURIComponent('走私')) || /aeroport/i.test(u))).toBe(false);
  });

  it('IndexedDB holds no plaintext; localStorage holds no officer data', { timeout: 60_000 }, async () => {
    await page.waitForTimeout(1000); // the index is written shortly after indexing
    const dump = await idbDump(page);
    expect(dump.databases).toContain('liaison:alice');
    expect(dump.text).toContain('"sealed":1');
    expect(dump.text).not.toContain(MARKER);
    expect(dump.text).not.toContain('Faro');
    expect(dump.text).not.toContain('走私');
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('liaison:alice:')))).toEqual([]);
  });

  it('a reload within the idle window stays unlocked; after Lock it asks for the passphrase', { timeout: 120_000 }, async () => {
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('lock-screen').count()).toBe(0);
    // The wrapped keys are in sessionStorage only; the wrapping key in IndexedDB is a non-extractable CryptoKey.
    const wrap = await page.evaluate(async () => {
      const blob = JSON.parse(sessionStorage.getItem('liaison:unlock:alice') ?? 'null') as { keyId: string } | null;
      const db = await new Promise<IDBDatabase>((resolve) => {
        const r = indexedDB.open('liaison-session');
        r.onsuccess = () => resolve(r.result);
      });
      const rec = await new Promise<{ key: CryptoKey } | undefined>((resolve) => {
        const r = db.transaction('wrapping-keys').objectStore('wrapping-keys').get(blob?.keyId ?? '');
        r.onsuccess = () => resolve(r.result as { key: CryptoKey } | undefined);
      });
      db.close();
      const exported = rec ? await crypto.subtle.exportKey('raw', rec.key).then(() => 'exported', (e: Error) => e.name) : 'no key';
      return { blob: blob !== null, extractable: rec?.key.extractable, exported };
    });
    expect(wrap).toEqual({ blob: true, extractable: false, exported: 'InvalidAccessError' });

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByTestId('lock-screen').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('liaison:unlock:alice'))).toBeNull();
    await page.reload();
    await page.getByTestId('lock-screen').waitFor({ timeout: 60_000 });
    await page.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
  });

  it('the store holds more than 10 MB (beyond localStorage’s quota) and the app keeps working', { timeout: 120_000 }, async () => {
    // 12 entries of 1 MB beside the real ones; localStorage (5 MB per origin in Chromium) would throw QuotaExceededError.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const r = indexedDB.open('liaison:alice');
        r.onsuccess = () => resolve(r.result);
      });
      const chunk = JSON.stringify({ sealed: 1, nonce: 'x', ciphertext: 'A'.repeat(1024 * 1024) });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('kv', 'readwrite');
        for (let i = 0; i < 12; i++) tx.objectStore('kv').put(chunk, `app:bulk:${i}`);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    });
    expect((await idbDump(page)).bytes).toBeGreaterThan(10 * 1024 * 1024);
    // A new message still lands in the store and is found after a reload.
    await page.getByRole('link', { name: /Operation Harbour/ }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Container 4711 cleared customs');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('message').filter({ hasText: 'Container 4711' }).waitFor();
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('4711');
    await expect.poll(() => page.getByTestId('search-hit').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
