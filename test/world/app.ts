import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { ManualClock } from '../../server/clock.ts';
import { defaultConfig, type AppConfig, type StoreConfig } from '../../server/config.ts';
import { dropSchema } from '../../server/store/pg/client.ts';
import { cloneTemplate, TEMPLATE_ENV } from './pg-template.ts';
import type { ContextOverrides } from '../../server/context.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { STRONG_PASSWORD, totpCode, World, type Enrolled } from './world.ts';

export { STRONG_PASSWORD, bearer, totpCode, type Enrolled } from './world.ts';

/** Cheap Argon2id for tests (the production default is OWASP's 19 MiB, t=2). */
export const TEST_ARGON2 = { memoryCost: 8_192, timeCost: 1, parallelism: 1 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

export function tempDir(prefix = 'liaison-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The store a test app uses: SQLite in its data directory, or with STORE=postgres and DATABASE_URL a
 * fresh PostgreSQL schema per app (parallel test files never share data), dropped after the test.
 */
export function testStore(): StoreConfig {
  if (process.env.STORE !== 'postgres') return { kind: 'sqlite' };
  if (!process.env.DATABASE_URL) throw new Error('STORE=postgres needs DATABASE_URL for the tests (e.g. postgres://127.0.0.1:5432/test)');
  return pgTestStore();
}

/** A fresh PostgreSQL schema (DATABASE_URL, default the machine's postgres://127.0.0.1:5432/test), dropped after the test. */
export function pgTestStore(): Extract<StoreConfig, { kind: 'postgres' }> {
  const url = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
  // t_<ms since the epoch, base 36>_<random>: the PostgreSQL run's global setup drops the ones a crashed run left (test/world/pg-global-setup.ts).
  const schema = `t_${Date.now().toString(36)}_${crypto.randomBytes(6).toString('hex')}`;
  cleanups.push(() => releaseSchema(url, schema));
  return { kind: 'postgres', url, schema };
}

/**
 * Open test apps per PostgreSQL schema. A schema is dropped after the test that made it, unless an
 * app on it is still open (an app built in beforeAll serves several tests): then when that app
 * closes, or at the end of the file.
 */
const openOnSchema = new Map<string, number>();
const dropWhenClosed = new Map<string, string>();

async function releaseSchema(url: string, schema: string): Promise<void> {
  if ((openOnSchema.get(schema) ?? 0) > 0) dropWhenClosed.set(schema, url);
  else await dropSchema(url, schema);
}

export function trackOpenApp(app: App, config: AppConfig): void {
  if (config.store.kind !== 'postgres') return;
  const { url, schema } = config.store;
  if (!schema) return;
  openOnSchema.set(schema, (openOnSchema.get(schema) ?? 0) + 1);
  const close = app.close.bind(app);
  let closed = false;
  const closeThenRelease = async () => {
    await close();
    if (closed) return;
    closed = true;
    const left = (openOnSchema.get(schema) ?? 1) - 1;
    openOnSchema.set(schema, left);
    if (left === 0 && dropWhenClosed.has(schema)) {
      dropWhenClosed.delete(schema);
      await dropSchema(url, schema);
    }
  };
  // Tests close with `await app.close()`; the callback form is not used on test apps.
  app.close = closeThenRelease as unknown as App['close'];
}

afterAll(async () => {
  for (const [schema, url] of dropWhenClosed) await dropSchema(url, schema);
  dropWhenClosed.clear();
});

/**
 * In the PostgreSQL run (its global setup names a migrated template, test/world/pg-template.ts), creates
 * a test app's fresh schema as a clone of the template, so the app's migration step finds nothing to
 * apply. Without a template (a single file run with another config) the app migrates the schema itself.
 */
export async function cloneTestSchema(config: AppConfig): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template || config.store.kind !== 'postgres' || !config.store.schema || config.store.schema === 'public') return;
  await cloneTemplate(config.store.url, template, config.store.schema);
}

/** The PostgreSQL store of each test data directory: an app reopened on the same DATA_DIR (a restart) gets the same schema back. */
const storeOfDataDir = new Map<string, StoreConfig>();

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const dataDir = overrides.dataDir ?? tempDir();
  const store = overrides.store ?? storeOfDataDir.get(dataDir) ?? testStore();
  if (store.kind === 'postgres') storeOfDataDir.set(dataDir, store);
  return defaultConfig({
    dataDir,
    store,
    logLevel: 'silent',
    argon2: TEST_ARGON2,
    publicUrl: 'http://liaison.test',
    // The SDK clients of the tests that listen share the server's event loop: a synchronous Argon2
    // (sealBackup in createIdentity) on a loaded machine can block it beyond the 10 s keep-alive, and
    // the client then writes its next request on the pooled socket in the tick in which the server's
    // keep-alive timer destroys it (ECONNRESET). Separate processes have no such race; the timeout
    // itself is tested with its own limits (test/security/slow-requests.test.ts).
    limits: { ...defaultConfig().limits, keepAliveTimeoutMs: 10 * 60_000 },
    ...overrides,
  });
}

/**
 * Closes a test app. Fastify closes the connections idle at that moment; one still answering an SDK's background
 * request becomes idle a moment later and would then wait out the tests' 10-minute keep-alive (the afterEach hook
 * timed out under load). After a 2 s grace every remaining connection is closed.
 */
export async function closeTestApp(app: App): Promise<void> {
  const closing = app.close();
  const grace = setTimeout(() => app.server.closeAllConnections(), 2_000);
  try {
    await closing;
  } finally {
    clearTimeout(grace);
  }
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  config: AppConfig;
}

/** Builds an app on a fresh data directory with a manual clock; closed automatically after the test. */
export async function makeApp(
  opts: {
    config?: Partial<AppConfig>;
    clock?: ManualClock;
    keepOpen?: boolean;
    /** Enables pino (at config.logLevel, default 'info' here) and writes the log lines to this stream. */
    logStream?: NodeJS.WritableStream;
    /** Collaborators the composition root uses instead of its defaults. */
    overrides?: ContextOverrides;
  } = {},
): Promise<TestApp> {
  const clock = opts.clock ?? new ManualClock(Date.UTC(2026, 10, 23, 9, 0, 0));
  const config = testConfig(opts.logStream ? { logLevel: 'info', ...opts.config } : opts.config);
  await cloneTestSchema(config);
  const app = await buildApp(
    config,
    { clock, ...(opts.logStream ? { logStream: opts.logStream } : { logger: false }), ...(opts.overrides ? { overrides: opts.overrides } : {}) },
  );
  await app.ready();
  trackOpenApp(app, config);
  if (!opts.keepOpen) cleanups.push(() => closeTestApp(app));
  return { app, clock, config };
}

/** The world builder of this app (one per app, so verbs share its platform admin and roots). */
export function worldOf(t: Pick<TestApp, 'app' | 'clock'>): World {
  return World.of(t.app, t.clock);
}

/** Runs both enrolment steps through the API; moves the clock a step on so the next code is fresh. */
export async function enrol(t: TestApp, token: string, password = STRONG_PASSWORD): Promise<Enrolled> {
  return worldOf(t).enrol(token, password);
}

export async function login(t: TestApp, who: Pick<Enrolled, 'username' | 'password' | 'totpSecret'>): Promise<TokenPair> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) },
  });
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  t.clock.advance(30_000);
  return res.json() as TokenPair;
}

export interface Network {
  admin: Enrolled;
  agency: { id: string };
  agencyAdmin: Enrolled;
  officer: Enrolled & { id: string };
}

/**
 * The standard fixture: init → platform admin enrols → creates an agency with its admin →
 * the agency admin enrols → creates an officer → the officer enrols.
 */
export async function provision(t: TestApp, opts: { country?: string; name?: string; prefix?: string } = {}): Promise<Network> {
  const p = opts.prefix ?? '';
  const w = worldOf(t);
  const admin = await w.platform({ username: `${p}admin` });
  const agency = await w.agency({ name: opts.name ?? 'Policia Judiciaria', country: opts.country ?? 'PT', admin: `${p}pt-admin`, adminDisplayName: 'PT Admin' });
  const officer = await w.officer(agency, `${p}ana.silva`, 'Ana Silva');
  return { admin, agency: { id: agency.id }, agencyAdmin: agency.admin, officer };
}

/** Asserts the uniform error shape `{ error: { code, message } }` with the given status and code. */
export function expectError(res: { statusCode: number; json(): unknown }, status: number, code: string): void {
  const body = res.json() as { error?: { code?: unknown; message?: unknown } };
  expect({ status: res.statusCode, code: body.error?.code }).toEqual({ status, code });
  expect(typeof body.error?.message).toBe('string');
  expect(Object.keys(body)).toEqual(['error']);
}

/** A compact JWT built by hand: header.payload.signature, each base64url. */
export function forgeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (signingInput: string) => Buffer | string,
): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = sign(input);
  return `${input}.${typeof sig === 'string' ? sig : sig.toString('base64url')}`;
}

/** The server's own Ed25519 JWT key, read from the data directory as an attacker with disk access would. */
export function jwtPrivateKeyPem(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'secrets', 'jwt-ed25519.pem'), 'utf8');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The store variables a child process (CLI, server) on this data directory needs: on PostgreSQL the
 * data directory's schema (a fresh one when no app opened it yet), never the database's `public` schema.
 */
export function storeEnv(dataDir: string): Record<string, string> {
  if (process.env.STORE !== 'postgres') return {};
  let store = storeOfDataDir.get(dataDir);
  if (!store) {
    store = testStore();
    storeOfDataDir.set(dataDir, store);
  }
  if (store.kind !== 'postgres') return { STORE: 'sqlite' };
  return { STORE: 'postgres', DATABASE_URL: store.url, DATABASE_SCHEMA: store.schema ?? 'public' };
}

/** Runs the operator CLI as a real process (tsx) against a data directory. */
export function runCli(dataDir: string, args: string[]): CliResult {
  const res = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli/liaison.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...storeEnv(dataDir) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

export interface ProvisionedAgency {
  agency: { id: string };
  agencyAdmin: Enrolled & { id: string };
  officers: (Enrolled & { id: string })[];
}

/**
 * Another agency on an already initialised platform: the platform admin creates it with its admin,
 * the admin enrols and creates `officers` (usernames), each of whom enrols.
 */
export async function provisionAgency(
  t: TestApp,
  platformAdmin: Enrolled,
  opts: { name: string; country: string; prefix: string; officers: string[]; kind?: string },
): Promise<ProvisionedAgency> {
  const w = worldOf(t);
  const agency = await w.agency({ name: opts.name, country: opts.country, kind: opts.kind ?? 'police', admin: `${opts.prefix}admin`, by: platformAdmin });
  const officers: (Enrolled & { id: string })[] = [];
  for (const username of opts.officers) officers.push(await w.officer(agency, `${opts.prefix}${username}`, username));
  return { agency: { id: agency.id }, agencyAdmin: agency.admin, officers };
}
