/**
 * Directory search at 50,000 entries: text + filters through app.inject. Server-side time is measured
 * from Fastify's onRequest hook to its onResponse hook (authentication, validation, the search,
 * serialisation; no socket), so the figure is the server's own latency under no other load.
 * Reported: p50/p99 over N searches, the median of 3 repetitions.
 * Run: npx tsx test/bench/directory-search.ts [--quick]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, type App } from '../../server/app.ts';
import { systemClock } from '../../server/clock.ts';
import { newId } from '../../server/auth/tokens.ts';
import { defaultConfig } from '../../server/config.ts';
import { SPECIALISATIONS } from '../../shared/directory/vocabulary.ts';
import { World } from '../world/world.ts';

export interface DirectorySearchResult {
  directory_search_p50_ms: number;
  directory_search_p99_ms: number;
}

const ENTRIES = 50_000;
const COUNTRIES = 'PT ES FR DE IT NL BE LU IE GB PL CZ SK AT CH HU RO BG GR CY MT SI HR RS BA ME AL MK TR UA MD LT LV EE FI SE NO DK IS US CA MX BR AR CL CO PE ZA NG KE MA EG AE SA IN TH AU NZ JP KR'.split(' ');
const KINDS = ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu'] as const;
const LANGS = 'en fr es pt de it nl pl ro el tr ar ru uk sv fi da no cs hu'.split(' ');
const ZONES = ['Europe/Lisbon', 'Europe/Madrid', 'Europe/Paris', 'Europe/Berlin', 'Europe/Athens', 'Europe/Kyiv', 'America/New_York', 'America/Sao_Paulo', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Africa/Lagos'];
const ADJ = ['Cyber', 'Darknet', 'Chemical', 'Financial', 'Maritime', 'Airport', 'Regional', 'National', 'Border', 'Postal'];
const TOPIC = ['drugs', 'precursors', 'markets', 'fugitives', 'forensics', 'payments', 'parcels', 'training', 'synthetics', 'cannabis'];
const NOUN = ['desk', 'unit', 'office', 'liaison', 'team', 'cell', 'bureau', 'centre'];
const NOTE_WORDS = ['tor', 'bitcoin', 'monero', 'vendor', 'shop', 'courier', 'express', 'container', 'laboratory', 'pill', 'press', 'crypto', 'escrow', 'forum', 'wallet', 'seizure', 'warrant', 'extradition', 'rota', 'weekend'];

/** Deterministic PRNG so every run searches the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Agencies, then 50,000 entries with their facet rows, in one transaction (FTS filled by the triggers). */
export function seed(app: App, createdBy: string): void {
  const { sqlite } = app.ctx.sqliteStore;
  const { clock } = app.ctx;
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(xs)))];
  const now = clock.now();
  const insertAgency = sqlite.prepare(`INSERT INTO agencies (id, name, country, kind, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)`);
  const insertEntry = sqlite.prepare(
    `INSERT INTO directory_entries (id, agency_id, country, title, specialisations, languages, availability, phone, notes, last_confirmed_at, created_at, updated_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSpec = sqlite.prepare('INSERT INTO directory_entry_specialisations (entry_pk, value) VALUES (?, ?)');
  const insertLang = sqlite.prepare('INSERT INTO directory_entry_languages (entry_pk, value) VALUES (?, ?)');
  sqlite.transaction(() => {
    const agencies: { id: string; country: string }[] = [];
    for (const country of COUNTRIES) {
      for (const kind of KINDS) {
        const id = newId();
        insertAgency.run(id, `${country} ${kind} ${pick(ADJ)} directorate`, country, kind, now, now);
        agencies.push({ id, country });
      }
    }
    for (let i = 0; i < ENTRIES; i++) {
      const agency = pick(agencies);
      const specs = some(SPECIALISATIONS, 3).sort();
      const langs = some(LANGS, 3).sort();
      const availability =
        r() < 0.4
          ? { kind: '24/7' }
          : { kind: 'schedule', timeZone: pick(ZONES), slots: [0, 1, 2, 3, 4].map((day) => ({ day, start: '08:00', end: r() < 0.2 ? '02:00' : '18:00' })) };
      // A fifth of the entries are past the 180-day mark.
      const confirmed = now - Math.floor(r() * 240) * 86_400_000;
      const info = insertEntry.run(
        newId(),
        agency.id,
        agency.country,
        `${pick(ADJ)} ${pick(TOPIC)} ${pick(NOUN)}`,
        JSON.stringify(specs),
        JSON.stringify(langs),
        JSON.stringify(availability),
        `+${1 + Math.floor(r() * 9)}${String(Math.floor(r() * 1e10)).padStart(10, '0')}`,
        Array.from({ length: 4 + Math.floor(r() * 8) }, () => pick(NOTE_WORDS)).join(' '),
        confirmed,
        confirmed,
        confirmed,
        createdBy,
      );
      for (const s of specs) insertSpec.run(info.lastInsertRowid, s);
      for (const l of langs) insertLang.run(info.lastInsertRowid, l);
    }
  })();
  sqlite.pragma('optimize');
}

async function signIn(app: App): Promise<string> {
  const admin = await World.of(app, systemClock).platform({ username: 'bench-admin', displayName: 'Bench Admin' });
  return admin.tokens.accessToken;
}

export async function runDirectorySearchBench(opts: { quick?: boolean } = {}): Promise<DirectorySearchResult> {
  const quick = opts.quick ?? false;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-directory-'));
  const config = defaultConfig({
    dataDir,
    logLevel: 'silent',
    argon2: { memoryCost: 8_192, timeCost: 1, parallelism: 1 },
    rateLimit: { max: 10_000_000, windowMs: 60_000 },
  });
  const app = await buildApp(config, { logger: false });
  const started = new WeakMap<object, bigint>();
  let samples: number[] = [];
  const slow: [number, string][] = [];
  app.addHook('onRequest', async (req) => {
    started.set(req, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (req) => {
    const t0 = started.get(req);
    if (t0 !== undefined && req.url.startsWith('/api/v1/directory')) {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      samples.push(ms);
      if (process.env.BENCH_PROFILE) slow.push([ms, req.url]);
    }
  });
  await app.ready();
  try {
    const accessToken = await signIn(app);
    const admin = app.ctx.sqliteStore.sqlite.prepare("SELECT id FROM officers WHERE username = 'bench-admin'").get() as { id: string };
    seed(app, admin.id);
    const headers = { authorization: `Bearer ${accessToken}` };
    const r = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const words = [...ADJ, ...TOPIC, ...NOUN, ...NOTE_WORDS].map((w) => w.toLowerCase());
    const nextQuery = () => {
      const qs = new URLSearchParams({ q: r() < 0.3 ? `${pick(words)} ${pick(words)}` : pick(words).slice(0, 3 + Math.floor(r() * 5)) });
      // Text plus one to three filters.
      const filters: [string, () => string][] = [
        ['country', () => pick(COUNTRIES)],
        ['specialisation', () => pick(SPECIALISATIONS)],
        ['language', () => pick(LANGS)],
        ['agencyKind', () => pick(KINDS)],
        ['availableNow', () => 'true'],
      ];
      for (const [k, v] of filters) if (r() < 0.45) qs.set(k, v());
      if (qs.size === 1) qs.set('country', pick(COUNTRIES));
      return `/api/v1/directory?${qs.toString()}`;
    };
    const n = quick ? 400 : 2_000;
    for (let i = 0; i < 200; i++) await app.inject({ method: 'GET', url: nextQuery(), headers }); // warm-up
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      samples = [];
      for (let i = 0; i < n; i++) {
        const res = await app.inject({ method: 'GET', url: nextQuery(), headers });
        if (res.statusCode !== 200) throw new Error(`search failed: ${res.statusCode} ${res.body}`);
      }
      const sorted = [...samples].sort((a, b) => a - b);
      p50s.push(quantile(sorted, 0.5));
      p99s.push(quantile(sorted, 0.99));
    }
    if (process.env.BENCH_PROFILE) console.log(slow.sort((a, b) => b[0] - a[0]).slice(0, 25));
    return { directory_search_p50_ms: median(p50s), directory_search_p99_ms: median(p99s) };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  console.log(await runDirectorySearchBench({ quick: values.quick ?? false }));
}
