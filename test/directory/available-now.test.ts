import { describe, expect, it } from 'vitest';
import { bearer } from '../world/app.ts';
import { createEntry, directoryWorld, search, titles } from './fixtures.ts';

const weekdays = (start: string, end: string) => [0, 1, 2, 3, 4].map((day) => ({ day, start, end }));

describe('directory search: availableNow (injected clock)', () => {
  async function world() {
    const w = await directoryWorld();
    const admin = w.net.admin; // the platform admin maintains entries of any agency
    const at = (timeZone: string, title: string, slots = weekdays('09:00', '17:00')) =>
      createEntry(w.t, admin, { agencyId: w.pt.id, title, availability: { kind: 'schedule', timeZone, slots } });
    await at('Europe/Lisbon', 'Lisbon office hours');
    await at('Asia/Tokyo', 'Tokyo office hours');
    await at('America/New_York', 'New York office hours');
    // Overnight every day, including Sunday night into Monday.
    await at('Europe/Lisbon', 'Lisbon night desk', [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '22:00', end: '06:00' })));
    await createEntry(w.t, admin, { agencyId: w.pt.id, title: 'Round the clock', availability: { kind: '24/7' } });
    return w;
  }

  it('evaluates each schedule in its own time zone', async () => {
    const w = await world();
    const who = w.net.officer;
    // Monday 23 Nov 2026, 09:30 UTC: Lisbon 09:30 (WET), Tokyo 18:30, New York 04:30.
    w.t.clock.set(Date.UTC(2026, 10, 23, 9, 30));
    expect(await titles(w.t, who, { availableNow: true })).toEqual(['Lisbon office hours', 'Round the clock']);
    // Monday 01:00 UTC: Lisbon 01:00 (the Sunday night shift), Tokyo 10:00, New York Sunday 20:00.
    w.t.clock.set(Date.UTC(2026, 10, 23, 1, 0));
    expect(await titles(w.t, who, { availableNow: true })).toEqual(['Lisbon night desk', 'Round the clock', 'Tokyo office hours']);
    // Monday 15:00 UTC: Lisbon 15:00, Tokyo Tuesday 00:00, New York 10:00.
    w.t.clock.set(Date.UTC(2026, 10, 23, 15, 0));
    expect(await titles(w.t, who, { availableNow: true })).toEqual(['Lisbon office hours', 'New York office hours', 'Round the clock']);
    // Slot ends are exclusive: 17:00 in Lisbon is off duty (New York: 12:00).
    w.t.clock.set(Date.UTC(2026, 10, 23, 17, 0));
    expect(await titles(w.t, who, { availableNow: true })).toEqual(['New York office hours', 'Round the clock']);

    // Without the filter, every entry still says whether it is on duty.
    w.t.clock.set(Date.UTC(2026, 10, 23, 9, 30));
    const all = (await search(w.t, who, { availableNow: false })).entries;
    expect(Object.fromEntries(all.map((e) => [e.title, e.availableNow]))).toEqual({
      'Lisbon night desk': false,
      'Lisbon office hours': true,
      'New York office hours': false,
      'Round the clock': true,
      'Tokyo office hours': false,
    });
  });

  it('follows daylight-saving changes (Lisbon 29 Mar 2026, New York 8 Mar and 1 Nov 2026)', async () => {
    const w = await world();
    const who = w.net.officer;
    const on = async (utc: number) => {
      w.t.clock.set(utc);
      return titles(w.t, who, { availableNow: true, q: 'office' });
    };
    // Lisbon: 08:30 UTC is 08:30 WET on Friday 27 March (closed), 09:30 WEST on Monday 30 March (open).
    expect(await on(Date.UTC(2026, 2, 27, 8, 30))).not.toContain('Lisbon office hours');
    expect(await on(Date.UTC(2026, 2, 30, 8, 30))).toContain('Lisbon office hours');
    // 16:30 UTC is 17:30 WEST: closed (it would still be open at a fixed winter offset).
    expect(await on(Date.UTC(2026, 2, 30, 16, 30))).not.toContain('Lisbon office hours');
    // New York: 13:30 UTC is 08:30 EST on Friday 6 March (closed), 09:30 EDT on Monday 9 March (open).
    expect(await on(Date.UTC(2026, 2, 6, 13, 30))).not.toContain('New York office hours');
    expect(await on(Date.UTC(2026, 2, 9, 13, 30))).toContain('New York office hours');
    // And back: 21:30 UTC is 17:30 EDT on Friday 30 October (closed), 16:30 EST on Monday 2 November (open).
    expect(await on(Date.UTC(2026, 9, 30, 21, 30))).not.toContain('New York office hours');
    expect(await on(Date.UTC(2026, 10, 2, 21, 30))).toContain('New York office hours');
  });

  it('pages through available entries without gaps or repeats, and reports when availability next changes', async () => {
    const w = await world();
    const who = w.net.officer;
    w.t.clock.set(Date.UTC(2026, 10, 23, 1, 0));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search(w.t, who, { availableNow: true, limit: 1, cursor });
      expect(page.entries.length).toBeLessThanOrEqual(1);
      seen.push(...page.entries.map((e) => e.title));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['Lisbon night desk', 'Round the clock', 'Tokyo office hours']);

    const [night] = (await search(w.t, who, { q: 'night' })).entries;
    const res = await w.t.app.inject({ method: 'GET', url: `/api/v1/directory/${night!.id}`, headers: bearer(who.tokens) });
    // Monday 01:00 in Lisbon: the night shift ends at 06:00 local = 06:00 UTC (WET).
    expect(res.json()).toMatchObject({ entry: { availableNow: true }, nextChange: { at: Date.UTC(2026, 10, 23, 6, 0), available: false } });
  });
});
