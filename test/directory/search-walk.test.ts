/**
 * Large text match sets are walked in index order (fresh, then stale) instead of collected and sorted
 * (server/directory/repository.ts). Both plans must give the same pages, cursors and availability.
 * The two plans are the SQLite repository's (its walk threshold), so these apps are on SQLite in the
 * PostgreSQL matrix too; PostgreSQL's search is compared with SQLite's in test/store/pg-repositories.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/auth/tokens.ts';
import { WALK_THRESHOLD } from '../../server/store/sqlite/directory-repository.ts';
import { allPages, DAY_MS, directoryWorld, search, type DirectoryWorld } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

const WORDS = ['tor', 'torch', 'bitcoin', 'vendor', 'courier', 'container'];

/** 300 entries over the three agencies: mixed titles, notes, staleness and schedules; some retired. */
function seedEntries(w: DirectoryWorld): void {
  const { sqlite } = w.t.app.ctx.sqliteStore;
  const { clock } = w.t.app.ctx;
  const now = clock.now();
  const agencies = [
    { id: w.pt.id, country: 'PT' },
    { id: w.esNcb.id, country: 'ES' },
    { id: w.esCustoms.id, country: 'ES' },
  ];
  const insert = sqlite.prepare(
    `INSERT INTO directory_entries (id, agency_id, country, title, specialisations, languages, availability, notes, last_confirmed_at, retired_at, created_at, updated_at, created_by)
     VALUES (?, ?, ?, ?, '["fugitives"]', '["en"]', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const lang = sqlite.prepare('INSERT INTO directory_entry_languages (entry_pk, value) VALUES (?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < 300; i++) {
      const a = agencies[i % 3]!;
      // Duplicate titles on purpose: the id breaks ties.
      const title = `${['Alpha', 'Bravo', 'Charlie', 'Delta'][i % 4]} ${['desk', 'unit'][i % 2]}`;
      const availability = i % 5 === 0 ? { kind: '24/7' } : { kind: 'schedule', timeZone: 'Europe/Lisbon', slots: [{ day: i % 7, start: '00:00', end: '24:00' }] };
      const confirmed = now - (i % 4 === 0 ? 200 : 10) * DAY_MS;
      const info = insert.run(newId(), a.id, a.country, title, JSON.stringify(availability), `${WORDS[i % WORDS.length]} ${WORDS[(i + 1 + (i % 4)) % WORDS.length]}`, confirmed, i % 29 === 0 ? now : null, confirmed, confirmed, w.net.officer.id);
      lang.run(info.lastInsertRowid, 'en');
    }
  })();
}

type Query = Record<string, string | number | boolean | undefined>;

async function pagesBoth(w: DirectoryWorld, query: Query): Promise<{ walked: string[][]; sorted: string[][] }> {
  const repo = w.t.app.ctx.sqliteStore.directory;
  const ids = (pages: { id: string }[][]) => pages.map((p) => p.map((e) => e.id));
  try {
    repo.walkThreshold = 0;
    const walked = ids(await allPages(w.t, w.net.officer, query));
    repo.walkThreshold = Infinity;
    const sorted = ids(await allPages(w.t, w.net.officer, query));
    return { walked, sorted };
  } finally {
    repo.walkThreshold = WALK_THRESHOLD;
  }
}

describe('directory search: the index walk for large match sets', () => {
  it('gives the same pages as collect-then-sort, with and without availableNow, filters and cursors', async () => {
    const w = await directoryWorld({ store: { kind: 'sqlite' } });
    seedEntries(w);
    const queries: Query[] = [
      { q: 'tor', limit: 7 },
      { q: 'tor', limit: 7, availableNow: true },
      { q: 'desk', limit: 11, availableNow: true },
      { q: 'courier container', limit: 5 },
      { q: 'alpha', country: 'ES', limit: 4, availableNow: true },
      { q: 'unit', agencyKind: 'customs', limit: 3 },
      { q: 'bravo', language: 'en', specialisation: 'fugitives', limit: 6 },
    ];
    for (const query of queries) {
      const { walked, sorted } = await pagesBoth(w, query);
      expect(walked, JSON.stringify(query)).toEqual(sorted);
      expect(walked.flat().length, JSON.stringify(query)).toBeGreaterThan(0);
    }
    // The walk crosses from fresh to stale entries inside one search: fresh come first.
    w.t.app.ctx.sqliteStore.directory.walkThreshold = 0;
    const all = (await allPages(w.t, w.net.officer, { q: 'desk', limit: 9 })).flat();
    w.t.app.ctx.sqliteStore.directory.walkThreshold = WALK_THRESHOLD;
    const firstStale = all.findIndex((e) => e.stale);
    expect(firstStale).toBeGreaterThan(0);
    expect(all.slice(firstStale).every((e) => e.stale)).toBe(true);
    // Retired entries are never walked.
    const retired = rawDb(w.t.app).prepare('SELECT id FROM directory_entries WHERE retired_at IS NOT NULL').pluck().all() as string[];
    expect(retired.length).toBeGreaterThan(0);
    expect(all.some((e) => retired.includes(e.id))).toBe(false);
    const liveDesks = rawDb(w.t.app).prepare("SELECT count(*) FROM directory_entries WHERE retired_at IS NULL AND title LIKE '% desk'").pluck().get();
    expect(all.length).toBe(liveDesks);
  });

  it('keeps the denormalised agency name in step with renames (order and filters follow)', async () => {
    const w = await directoryWorld({ store: { kind: 'sqlite' } });
    seedEntries(w);
    const agencyName = (id: string) =>
      rawDb(w.t.app).prepare('SELECT DISTINCT agency_name FROM directory_entries WHERE agency_id = ?').pluck().all(id) as string[];
    expect(agencyName(w.esNcb.id)).toEqual(['Interpol NCB Madrid']);
    const before = await pagesBoth(w, { q: 'tor', country: 'ES', limit: 50 });
    // Renaming the NCB to sort after the customs agency moves its entries after customs' entries.
    rawDb(w.t.app).prepare("UPDATE agencies SET name = 'Zeta NCB Madrid' WHERE id = ?").run(w.esNcb.id);
    expect(agencyName(w.esNcb.id)).toEqual(['Zeta NCB Madrid']);
    const after = await pagesBoth(w, { q: 'tor', country: 'ES', limit: 50 });
    expect(after.walked).toEqual(after.sorted);
    expect(after.walked.flat().sort()).toEqual(before.walked.flat().sort());
    expect(after.walked.flat()).not.toEqual(before.walked.flat());
    const page = await search(w.t, w.net.officer, { q: 'tor', country: 'ES', limit: 100 });
    const names = page.entries.map((e) => e.agency.name);
    expect(names.indexOf('Zeta NCB Madrid')).toBeGreaterThan(names.lastIndexOf('Vigilancia Aduanera'));
    // The renamed agency name is searchable (FTS trigger) and the stored copy is what the order uses.
    expect((await search(w.t, w.net.officer, { q: 'zeta', limit: 100 })).entries.length).toBeGreaterThan(0);
  });
});
