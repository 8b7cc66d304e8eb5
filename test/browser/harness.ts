import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LiaisonClient, MemoryStore, NetworkError } from '../../client/sdk/index.ts';
import { buildApp, type App } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import type { AppConfig } from '../../server/config.ts';
import { REPO_ROOT, ensureWebBuild, webBuildState } from '../../server/web/build.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { cloneTestSchema, STRONG_PASSWORD, testConfig, totpCode, trackOpenApp } from '../world/app.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'browser');
export const PASSPHRASE = 'liaison browser passphrase 2026';

// ---- the web build, once per run (test files run in parallel forks: a lock directory serialises it) ----

const LOCK = path.join(REPO_ROOT, '.tmp', 'web-build.lock');

export async function buildWebOnce(): Promise<void> {
  if (webBuildState().state === 'fresh') return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Another worker builds; a lock older than 2 minutes is left over from a killed run.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('buildWebOnce: timed out waiting for another build');
      await sleep(250);
    }
  }
  try {
    if (webBuildState().state !== 'fresh' && (await ensureWebBuild(() => undefined)) === 'unavailable') throw new Error('vite is not installed');
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

// ---- a real server on loopback with the real clock ----

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  app: App;
  baseUrl: string;
  close(): Promise<void>;
}

/** `clock`: an injected clock (a ManualClock the test moves; TOTP codes then follow it, see `signInAndUnlock`'s `totp`). */
export async function startServer(opts: { clock?: Clock; config?: Partial<AppConfig> } = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-browser-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({ ...opts.config, dataDir, port, host: '127.0.0.1', publicUrl: baseUrl });
  await cloneTestSchema(config);
  const app = await buildApp(config, { logger: false, ...(opts.clock ? { clock: opts.clock } : {}) });
  // A server built in beforeAll serves several tests: its PostgreSQL schema is dropped when it closes, not after the first test.
  trackOpenApp(app, config);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    baseUrl,
    close: async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- TOTP with the real clock: each code works once, so remember the last step used per secret ----

const lastStep = new Map<string, number>();
const STEP_MS = 30_000;

/** The next code the server will accept for this secret (±1 step of drift, strictly newer than the last). */
export async function nextTotp(secret: string): Promise<string> {
  for (;;) {
    const current = Math.floor(Date.now() / STEP_MS);
    const step = Math.max((lastStep.get(secret) ?? -Infinity) + 1, current - 1);
    if (step <= current + 1) {
      lastStep.set(secret, step);
      return totpCode(secret, step * STEP_MS + 1000);
    }
    await sleep(1000);
  }
}

// ---- API provisioning (the parts the browser tests are not about) ----

export interface Person {
  id: string;
  username: string;
  password: string;
  totpSecret: string;
  tokens: TokenPair;
}

async function api<T>(app: App, method: 'GET' | 'POST', url: string, payload?: unknown, tokens?: TokenPair): Promise<T> {
  const res = await app.inject({ method, url, ...(payload ? { payload: payload as object } : {}), headers: tokens ? { authorization: `Bearer ${tokens.accessToken}` } : {} });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

export async function enrolByApi(app: App, token: string): Promise<Person> {
  const { totpSecret } = await api<{ totpSecret: string }>(app, 'POST', '/api/v1/enrolment/begin', { token, password: STRONG_PASSWORD });
  const tokens = await api<TokenPair>(app, 'POST', '/api/v1/enrolment/complete', { token, totp: await nextTotp(totpSecret) });
  return { id: tokens.officer.id, username: tokens.officer.username, password: STRONG_PASSWORD, totpSecret, tokens };
}

export async function initPlatform(app: App): Promise<Person> {
  const init = await app.ctx.accounts.initPlatform({ username: 'platform', displayName: 'Platform Admin', country: 'FR' });
  return enrolByApi(app, init.enrolment.token);
}

export async function createAgency(app: App, by: Person, body: { name: string; country: string; kind?: string; admin: string }): Promise<{ agencyId: string; admin: Person }> {
  const res = await api<{ agency: { id: string }; enrolment: { token: string } }>(
    app,
    'POST',
    '/api/v1/agencies',
    { name: body.name, country: body.country, kind: body.kind ?? 'police', admin: { username: body.admin, displayName: `${body.name} Admin` } },
    by.tokens,
  );
  return { agencyId: res.agency.id, admin: await enrolByApi(app, res.enrolment.token) };
}

export async function createOfficer(app: App, admin: Person, agencyId: string, username: string, displayName: string): Promise<{ id: string; token: string; link: string }> {
  const res = await api<{ officer: { id: string }; enrolment: { token: string; link: string } }>(app, 'POST', `/api/v1/agencies/${agencyId}/officers`, { username, displayName }, admin.tokens);
  return { id: res.officer.id, token: res.enrolment.token, link: res.enrolment.link };
}

export async function apiPost<T>(app: App, who: Person, url: string, payload: unknown): Promise<T> {
  return api<T>(app, 'POST', url, payload, who.tokens);
}

// ---- the browser ----

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh context (own storage = another device) with console errors collected for diagnosis; `userAgent` names the device differently. */
export async function newPage(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; userAgent?: string; locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  // The locale is explicit (British English unless a test asks for another): the app follows the browser's language.
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: true,
    locale: opts.locale ?? 'en-GB',
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    ...(opts.colorScheme ? { colorScheme: opts.colorScheme } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.setDefaultTimeout(20_000);
  return { context, page, errors };
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2.x A and AA rules) over the page as it is now and returns the violations.
 * The script is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** One line per violation, for an assertion message that says what to fix. */
export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.impact ?? '?'} ${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('\n');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What a page shows now (messages, connection banner, pending sends, errors), for a failure message that says where a flow stopped. */
export async function pageState(p: { page: Page; errors: string[] }, label: string): Promise<string> {
  const state = await p.page
    .evaluate(() => ({
      url: location.hash,
      conn: document.querySelector('.conn')?.className ?? '(no .conn)',
      banner: document.querySelector('[data-testid="connection-banner"]')?.textContent ?? '',
      messages: Array.from(document.querySelectorAll('[data-testid="message"]')).map((m) => (m.textContent ?? '').slice(0, 100)),
      outbox: Array.from(document.querySelectorAll('[data-testid="outbox-status"]')).map((m) => `${m.getAttribute('data-status') ?? ''} ${m.textContent ?? ''}`),
      alerts: Array.from(document.querySelectorAll('[role="alert"]')).map((m) => m.textContent ?? ''),
      composer: (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value ?? '(no composer)',
    }))
    .catch((e: unknown) => ({ error: String(e) }));
  return `${label}: ${JSON.stringify(state)}\n${label} errors: ${p.errors.join(' | ')}`;
}

/** Sign in through the form, then unlock the keys (or create them on a first sign-in). `totp` gives the code when the server's clock is not the real one. */
export async function signInAndUnlock(
  page: Page,
  baseUrl: string,
  who: Pick<Person, 'username' | 'password' | 'totpSecret'>,
  opts: { query?: string; create?: boolean; totp?: () => string } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/${opts.query ?? ''}#/channels`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByLabel('Authentication code').fill(opts.totp ? opts.totp() : await nextTotp(who.totpSecret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (opts.create) {
    await page.getByLabel('Key-backup passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create my keys' }).click();
  } else {
    await page.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
  }
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
}

// ---- desktop notifications, recorded ----

export interface ShownNotification {
  title: string;
  body?: string;
}

/**
 * Desktop notifications on for every page of `context`, recorded by a stand-in Notification (permission granted),
 * and a tab that reports itself hidden when `setTabHidden` says so (the app notifies only a hidden tab).
 */
export async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __notes: { title: string; body?: string }[]; __hidden?: boolean };
    w.__notes = [];
    class FakeNotification {
      static permission = 'granted';
      static requestPermission = () => Promise.resolve('granted');
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: { body?: string }) {
        w.__notes.push({ title, body: opts?.body });
      }
      close(): void {}
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true, writable: true });
    Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible'), configurable: true });
    try {
      localStorage.setItem('liaison.notify.desktop', '1');
    } catch {
      // about:blank has no storage; the app's origin has.
    }
  });
}

/** The notifications `page` has shown so far (needs `recordNotifications`). */
export function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() => (window as unknown as { __notes: { title: string; body?: string }[] }).__notes);
}

export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    (window as unknown as { __hidden: boolean }).__hidden = h;
  }, hidden);
}

/** Opens the composer's options (type, handling code, acknowledgement, urgent) unless they are open already. */
export async function composerOptions(page: Page): Promise<void> {
  const toggle = page.locator('#composer').getByRole('button', { name: /^Options/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every value of every IndexedDB database of the page's origin, as JSON text, and the total size. */
export async function idbDump(page: Page): Promise<{ text: string; bytes: number; databases: string[] }> {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    let text = '';
    for (const info of dbs) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        text += values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
      }
      db.close();
    }
    return { text, bytes: text.length, databases: dbs.map((d) => d.name!) };
  });
}

// ---- a shared scene: an agency administrator and an officer in a team channel with a few messages ----

/** An SDK client signed in as `who` (its own in-memory store: another device than the browser). */
export async function sdkFor(server: Server, who: Person): Promise<LiaisonClient> {
  const c = new LiaisonClient({ baseUrl: server.baseUrl, store: new MemoryStore() });
  await c.login({ username: who.username, password: who.password, totp: await nextTotp(who.totpSecret) });
  return c;
}

/**
 * On a loaded machine the passphrase's key derivation can outlast the server's keep-alive timeout: the SDK's next
 * request then meets a connection the server has just closed (ECONNRESET, nothing received). Once more.
 */
export async function createIdentity(c: LiaisonClient): Promise<void> {
  try {
    await c.createIdentity(PASSPHRASE);
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    await c.createIdentity(PASSPHRASE);
  }
}

/**
 * Policia Judiciaria's administrator and the given officers (username, display name), enrolled, with keys made
 * through the SDK and certified by the administrator. The SDK clients come signed in and unlocked: the caller
 * locks them when done (administrator's first).
 */
export async function seedAgencyOfficers(server: Server, officers: [username: string, displayName: string][]): Promise<{ admin: Person; officers: Person[]; sdks: LiaisonClient[] }> {
  const platform = await initPlatform(server.app);
  const pt = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
  const people: Person[] = [];
  for (const [username, displayName] of officers) people.push(await enrolByApi(server.app, (await createOfficer(server.app, pt.admin, pt.agencyId, username, displayName)).token));
  const sdks: LiaisonClient[] = [];
  for (const who of [pt.admin, ...people]) sdks.push(await sdkFor(server, who));
  for (const c of sdks) await createIdentity(c);
  await sdks[0]!.certifyPending();
  return { admin: pt.admin, officers: people, sdks };
}

/**
 * Policia Judiciaria's administrator and Alice, keys made and certified, in the team channel "Operation Harbour":
 * the administrator's first message, then Alice's `updates` (unread for the administrator: "Update i: …").
 */
export async function seedHarbour(server: Server, updates: number): Promise<{ admin: Person; alice: Person; channelId: string }> {
  const { admin, officers, sdks } = await seedAgencyOfficers(server, [['alice', 'Alice Costa']]);
  const [alice] = officers as [Person];
  const [adminSdk, aliceSdk] = sdks as [LiaisonClient, LiaisonClient];
  const ch = await adminSdk.createChannel({ kind: 'team', title: 'Operation Harbour', members: [alice.id] });
  await adminSdk.send(ch.id, { kind: 'text', text: 'Morning all: the container arrives on Friday.' });
  for (let i = 1; i <= updates; i++) await aliceSdk.send(ch.id, { kind: 'text', text: `Update ${i}: the vessel is ${100 - i * 5} nautical miles out.` });
  adminSdk.lock();
  aliceSdk.lock();
  return { admin, alice, channelId: ch.id };
}
