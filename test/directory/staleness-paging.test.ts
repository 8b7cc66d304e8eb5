import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../shared/schemas/directory.ts';
import { bearer, expectError } from '../world/app.ts';
import { allPages, createEntry, DAY_MS, directoryWorld, search, searchUrl, titles } from './fixtures.ts';

describe('directory: staleness after 180 days (injected clock)', () => {
  it('marks entries stale after 180 days, sorts them after fresh ones, lists them for their admins and clears on re-confirmation', async () => {
    const w = await directoryWorld();
    const { t } = w;
    const t0 = t.clock.now();
    const old = await createEntry(t, w.pt.admin, { title: 'Alpha desk' });
    t.clock.set(t0 + 100 * DAY_MS);
    await createEntry(t, w.pt.admin, { title: 'Bravo desk' });
    const spanish = await createEntry(t, w.esNcb.admin, { title: 'Charlie desk' });

    t.clock.set(t0 + 180 * DAY_MS); // exactly 180 days: not yet stale
    expect((await search(t, w.net.officer, { q: 'alpha' })).entries[0]?.stale).toBe(false);
    expect(await titles(t, w.net.officer, { country: 'PT' })).toEqual(['Alpha desk', 'Bravo desk']);

    t.clock.set(t0 + 180 * DAY_MS + 1);
    const page = await search(t, w.net.officer, { country: 'PT' });
    expect(page.entries.map((e) => [e.title, e.stale])).toEqual([
      ['Bravo desk', false],
      ['Alpha desk', true], // alphabetically first, but stale sorts last
    ]);
    // Across countries too: fresh ES and PT entries before the stale PT one.
    expect(await titles(t, w.net.officer)).toEqual(['Charlie desk', 'Bravo desk', 'Alpha desk']);

    const staleOf = async (who: typeof w.pt.admin) => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/directory/stale', headers: bearer(who.tokens) });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { entries: DirectoryEntry[] }).entries.map((e) => e.title);
    };
    expect(await staleOf(w.pt.admin)).toEqual(['Alpha desk']);
    expect(await staleOf(w.esNcb.admin)).toEqual([]);
    expect(await staleOf(w.net.admin)).toEqual(['Alpha desk']);
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/directory/stale', headers: bearer(w.net.officer.tokens) }), 403, 'forbidden');

    // Another agency's admin cannot re-confirm it; its own admin can.
    expectError(
      await t.app.inject({ method: 'POST', url: `/api/v1/directory/${old.id}/confirm`, headers: bearer(w.esNcb.admin.tokens) }),
      404,
      'not_found',
    );
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/directory/${old.id}/confirm`, headers: bearer(w.pt.admin.tokens) });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { entry: DirectoryEntry }).entry).toMatchObject({ stale: false, lastConfirmedAt: t.clock.now() });
    expect(await staleOf(w.pt.admin)).toEqual([]);
    expect(await titles(t, w.net.officer, { country: 'PT' })).toEqual(['Alpha desk', 'Bravo desk']);

    // An edit is not a re-confirmation: only the explicit action resets the clock.
    t.clock.set(t0 + 400 * DAY_MS);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${spanish.id}`, headers: bearer(w.esNcb.admin.tokens), payload: { notes: 'x' } });
    expect(await staleOf(w.esNcb.admin)).toEqual(['Charlie desk']);
  });
});

describe('directory: paging', () => {
  it('pages a sort full of ties without duplicates or omissions, also across concurrent inserts and a staleness boundary', async () => {
    const w = await directoryWorld();
    const { t } = w;
    const t0 = t.clock.now();
    // 27 entries sharing country, agency and title with their neighbours: only the id breaks ties.
    for (const [who, n] of [[w.pt.admin, 12], [w.esNcb.admin, 9], [w.esCustoms.admin, 6]] as const) {
      for (let i = 0; i < n; i++) await createEntry(t, who, { title: i % 2 ? 'Duty desk' : 'Duty officer' });
    }
    const everything = (await search(t, w.net.officer, { limit: 100 })).entries.map((e) => e.id);
    expect(everything).toHaveLength(27);

    for (const limit of [1, 4, 5, 26, 27, 100]) {
      const pages = await allPages(t, w.net.officer, { limit });
      expect(pages.flat().map((e) => e.id)).toEqual(everything);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
    }
    const pagesOfDesks = await allPages(t, w.net.officer, { limit: 4, q: 'desk', country: 'ES' });
    const desks = pagesOfDesks.flat();
    expect(desks.map((e) => e.id)).toEqual((await search(t, w.net.officer, { limit: 100, q: 'desk', country: 'ES' })).entries.map((e) => e.id));
    expect(desks).toHaveLength(4 + 3);

    // An entry created mid-way (sorting before the cursor) and the clock crossing the staleness line
    // between pages: the cursor pins both the position and the evaluation instant.
    t.clock.set(t0 + 180 * DAY_MS - 30_000);
    const first = await search(t, w.net.officer, { limit: 10 });
    expect(first.entries.every((e) => !e.stale)).toBe(true);
    await createEntry(t, w.net.admin, { agencyId: w.esNcb.id, title: 'Aaa first desk' });
    t.clock.advance(60_000); // every original entry is now stale
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await search(t, w.net.officer, { limit: 10, cursor });
      expect(page.asOf).toBe(first.asOf);
      expect(page.entries.every((e) => !e.stale)).toBe(true);
      rest.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect([...first.entries.map((e) => e.id), ...rest]).toEqual(everything);
    // A fresh search sees the new state: the new entry first, the rest stale.
    const fresh = (await search(t, w.net.officer, { limit: 100 })).entries;
    expect(fresh[0]?.title).toBe('Aaa first desk');
    expect(fresh.slice(1).every((e) => e.stale)).toBe(true);
  });

  it('refuses cursors that expired, come from another search, or were tampered with', async () => {
    const w = await directoryWorld();
    const { t } = w;
    for (let i = 0; i < 3; i++) await createEntry(t, w.pt.admin, { title: `Desk ${i}` });
    const page = await search(t, w.net.officer, { limit: 1, country: 'PT' });
    const cursor = page.nextCursor!;
    const get = (query: Record<string, string | number>) =>
      t.app.inject({ method: 'GET', url: searchUrl(query), headers: bearer(w.net.officer.tokens) });
    expect((await get({ limit: 1, country: 'PT', cursor })).statusCode).toBe(200);
    expectError(await get({ limit: 1, country: 'ES', cursor }), 400, 'invalid_cursor');
    expectError(await get({ limit: 1, cursor }), 400, 'invalid_cursor');
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const forged = Buffer.from(JSON.stringify([...decoded.slice(0, 4), { $gt: '' }, ...decoded.slice(5)])).toString('base64url');
    expectError(await get({ limit: 1, country: 'PT', cursor: forged }), 400, 'invalid_cursor');
    t.clock.advance(16 * 60_000);
    expectError(await get({ limit: 1, country: 'PT', cursor }), 400, 'cursor_expired');
  });
});
