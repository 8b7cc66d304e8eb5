/**
 * Issue 15 §9: bytes a browser fetches before the sign-in form is interactive (goal ≤ 150 KB with Brotli).
 * Measured two ways in the same run:
 * - statically, from the Vite build manifest (client/web/dist/.vite/manifest.json): index.html, the entry chunk and
 *   every chunk it imports statically, its CSS, and (for a language other than English) that language's locale chunk;
 *   each counted raw, as the .gz and as the .br the build wrote beside it (a file without one, under 1 KB, goes raw);
 * - in Chromium against the real server (server/main.ts): the Resource Timing entries (body bytes as sent, and
 *   bytes on the wire with headers) of every response that ended before the sign-in button was on screen and enabled,
 *   recorded in the page itself, so the preloads that start after the first paint are not counted.
 * Run alone: npx tsx test/bench/web-bundle.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureWebBuild, REPO_ROOT, WEB_DIST } from '../../server/web/build.ts';

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

interface ManifestChunk {
  file: string;
  name?: string;
  imports?: string[];
  css?: string[];
  isEntry?: boolean;
}

const sizeOf = (file: string, ext = ''): number | null => fs.statSync(`${file}${ext}`, { throwIfNoEntry: false })?.size ?? null;

function fileSizes(file: string): Sizes {
  const raw = sizeOf(file);
  if (raw === null) throw new Error(`web-bundle: ${file} is missing from the build`);
  return { raw, gzip: sizeOf(file, '.gz') ?? raw, brotli: sizeOf(file, '.br') ?? raw };
}

/** The files (relative to the build) the page loads before the sign-in form: HTML, CSS, entry JS and its static imports, the language's locale. */
export function filesBeforeSignIn(dist: string = WEB_DIST, lang = 'en'): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entry = manifest['index.html'];
  if (!entry?.isEntry) throw new Error('web-bundle: no index.html entry in the build manifest (build.manifest off?)');
  const files = new Set<string>(['index.html']);
  const visit = (key: string) => {
    const chunk = manifest[key]!;
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imp of chunk.imports ?? []) visit(imp);
  };
  visit('index.html');
  if (lang !== 'en') {
    const locale = Object.entries(manifest).find(([, c]) => c.name === `locale-${lang}`);
    if (!locale) throw new Error(`web-bundle: no locale-${lang} chunk in the build`);
    visit(locale[0]);
  }
  return [...files];
}

export function staticBundleSize(dist: string = WEB_DIST, lang = 'en'): Sizes & { files: number } {
  const total: Sizes & { files: number } = { raw: 0, gzip: 0, brotli: 0, files: 0 };
  for (const f of filesBeforeSignIn(dist, lang)) {
    const s = fileSizes(path.join(dist, f));
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.brotli += s.brotli;
    total.files++;
  }
  return total;
}

/** Every JS and CSS file of the build (what an officer eventually fetches after unlocking and visiting every screen). */
export function totalBundleSize(dist: string = WEB_DIST): Sizes {
  const total: Sizes = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of fs.readdirSync(path.join(dist, 'assets'))) {
    if (!/\.(js|css)$/.test(f)) continue;
    const s = fileSizes(path.join(dist, 'assets', f));
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.brotli += s.brotli;
  }
  return total;
}

export interface BrowserMeasure {
  /** Response bodies as sent (compressed when the server compressed them). */
  body: number;
  /** Bytes on the wire, headers included. */
  wire: number;
  requests: number;
  /** ms from navigation start to the sign-in button enabled. */
  readyMs: number;
  encodings: string[];
}

async function waitReady(base: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`web-bundle: server at ${base} not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Loads the app in Chromium (fresh profile, nobody signed in) with the given Accept-Encoding and returns what was
 * fetched before the sign-in button was enabled.
 */
export async function measureInBrowser(base: string, opts: { encoding: 'br' | 'gzip' | 'identity'; locale: string; executablePath?: string }): Promise<BrowserMeasure> {
  const browser = await chromium.launch({ executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    // The encoding offered replaces Chromium's own Accept-Encoding (an extra header set through the DevTools protocol).
    const context = await browser.newContext({ locale: opts.locale, viewport: { width: 390, height: 844 }, extraHTTPHeaders: { 'accept-encoding': opts.encoding } });
    const page = await context.newPage();
    // Records, inside the page, the first frame in which the sign-in form's submit button is present and enabled.
    // (A string: tsx would wrap a named function in a helper the page does not have.)
    await page.addInitScript(`(() => {
      const frame = (now) => {
        const b = document.querySelector('form button[type=submit]');
        if (b && !b.disabled) window.__signInReady = now;
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })();`);
    const encodings = new Set<string>();
    page.on('response', (r) => {
      const enc = r.headers()['content-encoding'];
      if (enc) encodings.add(enc);
    });
    await page.goto(`${base}/#/channels`);
    // (waitForFunction would evaluate through eval, which the page's CSP forbids.)
    await page.locator('form button[type=submit]:not([disabled])').waitFor();
    return await page.evaluate(() => {
      const ready = (window as unknown as { __signInReady: number }).__signInReady;
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')] as PerformanceResourceTiming[];
      const before = entries.filter((e) => e.responseEnd <= ready);
      return {
        body: before.reduce((n, e) => n + e.encodedBodySize, 0),
        wire: before.reduce((n, e) => n + e.transferSize, 0),
        requests: before.length,
        readyMs: ready,
        encodings: [],
      };
    }).then((m) => ({ ...m, encodings: [...encodings] }));
  } finally {
    await browser.close();
  }
}

export interface WebBundleResult {
  static_en: Sizes & { files: number };
  static_ar: Sizes & { files: number };
  total: Sizes;
  browser: Record<'br' | 'gzip' | 'identity' | 'br_ar', BrowserMeasure> | null;
}

/** Builds the web app if stale, measures the build, then (when Chromium is installed) the real server in Chromium. */
export async function runWebBundleBench(): Promise<WebBundleResult> {
  if ((await ensureWebBuild(() => undefined)) === 'unavailable') throw new Error('web-bundle: vite is not installed');
  const result: WebBundleResult = { static_en: staticBundleSize(), static_ar: staticBundleSize(WEB_DIST, 'ar'), total: totalBundleSize(), browser: null };
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) {
    process.stderr.write(`web-bundle: no Chromium at ${chromiumPath}; browser figures skipped\n`);
    return result;
  }
  const port = 18_500 + Math.floor(Math.random() * 1000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-web-'));
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' };
  const server = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['server/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, 60_000);
    result.browser = {
      br: await measureInBrowser(base, { encoding: 'br', locale: 'en-GB', executablePath: chromiumPath }),
      gzip: await measureInBrowser(base, { encoding: 'gzip', locale: 'en-GB', executablePath: chromiumPath }),
      identity: await measureInBrowser(base, { encoding: 'identity', locale: 'en-GB', executablePath: chromiumPath }),
      br_ar: await measureInBrowser(base, { encoding: 'br', locale: 'ar', executablePath: chromiumPath }),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

const kb = (n: number) => Math.round(n / 102.4) / 10;

/** The bench's figures (test/bench/run.ts `web_bundle`): KiB before the sign-in form, raw, gzip and Brotli, and the whole build. */
export async function webBundleFigures(): Promise<Record<string, { value: number; unit: string }>> {
  const r = await runWebBundleBench();
  const figures: Record<string, { value: number; unit: string }> = {
    web_before_signin_br_kb: { value: kb(r.static_en.brotli), unit: `KiB Brotli before the sign-in form, English, ${r.static_en.files} files from the build manifest (≤ 150)` },
    web_before_signin_gzip_kb: { value: kb(r.static_en.gzip), unit: 'KiB gzip before the sign-in form, English' },
    web_before_signin_raw_kb: { value: kb(r.static_en.raw), unit: 'KiB uncompressed before the sign-in form, English' },
    web_before_signin_ar_br_kb: { value: kb(r.static_ar.brotli), unit: 'KiB Brotli before the sign-in form, Arabic (its locale chunk added)' },
    web_total_br_kb: { value: kb(r.total.brotli), unit: 'KiB Brotli, every JS and CSS file of the build' },
    web_total_gzip_kb: { value: kb(r.total.gzip), unit: 'KiB gzip, every JS and CSS file of the build' },
    web_total_raw_kb: { value: kb(r.total.raw), unit: 'KiB uncompressed, every JS and CSS file of the build' },
  };
  if (r.browser) {
    const b = r.browser;
    figures.web_chromium_br_kb = { value: kb(b.br.wire), unit: `KiB on the wire (headers included) in Chromium until Sign in is enabled, Brotli, ${b.br.requests} requests (≤ 150)` };
    figures.web_chromium_gzip_kb = { value: kb(b.gzip.wire), unit: 'KiB on the wire in Chromium until Sign in is enabled, gzip' };
    figures.web_chromium_raw_kb = { value: kb(b.identity.wire), unit: 'KiB on the wire in Chromium until Sign in is enabled, uncompressed' };
    figures.web_chromium_ar_br_kb = { value: kb(b.br_ar.wire), unit: 'KiB on the wire in Chromium until Sign in is enabled, Brotli, Arabic browser' };
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runWebBundleBench(), null, 2));
