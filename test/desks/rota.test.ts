import { describe, expect, it } from 'vitest';
import { MAX_ROTA_ENTRIES, onDuty, shiftsBetween, validateRota, type Rota, type WeeklyShift } from '../../shared/desks/rota.ts';

const H = 3_600_000;
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);
const rota = (timeZone: string, weekly: WeeklyShift[], overrides: Rota['overrides'] = []): Rota => ({ timeZone, weekly, overrides });
const hours = (s: { start: number; end: number }) => (s.end - s.start) / H;

describe('rota engine: overnight shifts across daylight-saving changes', () => {
  // Saturday night shifts (ISO 6), 22:00–06:00 local.
  const night = (tz: string) => rota(tz, [{ officerId: 'nina', days: [6], start: '22:00', end: '06:00' }]);

  it('Europe/Lisbon: 7 h across spring-forward (29 Mar 2026), 9 h across fall-back (25 Oct 2026), 8 h otherwise', () => {
    const [spring] = shiftsBetween(night('Europe/Lisbon'), utc(2026, 3, 28, 12), utc(2026, 3, 29, 12));
    expect(spring).toEqual({ officerId: 'nina', start: utc(2026, 3, 28, 22), end: utc(2026, 3, 29, 5), source: 'weekly' });
    expect(hours(spring!)).toBe(7);
    const [fall] = shiftsBetween(night('Europe/Lisbon'), utc(2026, 10, 24, 12), utc(2026, 10, 25, 12));
    // 22:00 WEST = 21:00 UTC; 06:00 WET = 06:00 UTC.
    expect(fall).toMatchObject({ start: utc(2026, 10, 24, 21), end: utc(2026, 10, 25, 6) });
    expect(hours(fall!)).toBe(9);
    const [plain] = shiftsBetween(night('Europe/Lisbon'), utc(2026, 6, 6, 12), utc(2026, 6, 7, 12));
    expect(hours(plain!)).toBe(8);
  });

  it('America/New_York: 7 h across 8 Mar 2026, 9 h across 1 Nov 2026', () => {
    const [spring] = shiftsBetween(night('America/New_York'), utc(2026, 3, 7, 12), utc(2026, 3, 8, 18));
    // 22:00 EST = 03:00 UTC; 06:00 EDT = 10:00 UTC.
    expect(spring).toMatchObject({ start: utc(2026, 3, 8, 3), end: utc(2026, 3, 8, 10) });
    expect(hours(spring!)).toBe(7);
    const [fall] = shiftsBetween(night('America/New_York'), utc(2026, 10, 31, 12), utc(2026, 11, 1, 18));
    expect(fall).toMatchObject({ start: utc(2026, 11, 1, 2), end: utc(2026, 11, 1, 11) });
    expect(hours(fall!)).toBe(9);
  });

  it('onDuty at "03:00" local in the lengthened and shortened nights', () => {
    // 03:00 WET on 25 Oct = 03:00 UTC: inside the 9 h shift; an hour after its end nobody.
    expect(onDuty(night('Europe/Lisbon'), utc(2026, 10, 25, 3))).toEqual(['nina']);
    expect(onDuty(night('Europe/Lisbon'), utc(2026, 10, 25, 6))).toEqual([]);
    // 05:59 UTC on 29 Mar = 06:59 WEST: the shift ended at 06:00 WEST.
    expect(onDuty(night('Europe/Lisbon'), utc(2026, 3, 29, 4, 59))).toEqual(['nina']);
    expect(onDuty(night('Europe/Lisbon'), utc(2026, 3, 29, 5))).toEqual([]);
    // Start is inclusive, end exclusive.
    expect(onDuty(night('America/New_York'), utc(2026, 3, 8, 3))).toEqual(['nina']);
    expect(onDuty(night('America/New_York'), utc(2026, 3, 8, 2, 59))).toEqual([]);
  });

  it('a wall time that does not exist starts at the transition; one that exists twice is its first occurrence', () => {
    // New York, Sunday 8 Mar 2026: 02:30 does not exist (02:00 EST → 03:00 EDT = 07:00 UTC).
    const gap = rota('America/New_York', [{ officerId: 'gus', days: [7], start: '02:30', end: '04:00' }]);
    const [g] = shiftsBetween(gap, utc(2026, 3, 8), utc(2026, 3, 9));
    expect(g).toMatchObject({ start: utc(2026, 3, 8, 7), end: utc(2026, 3, 8, 8) });
    // Lisbon, Sunday 25 Oct 2026: 01:30 happens at 00:30 UTC (WEST) and again at 01:30 UTC (WET).
    const twice = rota('Europe/Lisbon', [
      { officerId: 'ann', days: [7], start: '00:00', end: '01:30' },
      { officerId: 'bob', days: [7], start: '01:30', end: '08:00' },
    ]);
    const [a, b] = shiftsBetween(twice, utc(2026, 10, 24, 22), utc(2026, 10, 25, 10));
    expect(a).toMatchObject({ officerId: 'ann', start: utc(2026, 10, 24, 23), end: utc(2026, 10, 25, 0, 30) });
    // Back to back: bob starts the instant ann ends, so nobody is off duty in the repeated hour.
    expect(b).toMatchObject({ officerId: 'bob', start: utc(2026, 10, 25, 0, 30), end: utc(2026, 10, 25, 8) });
    expect(onDuty(twice, utc(2026, 10, 25, 1))).toEqual(['bob']);
  });

  it('end equal to start is a 24 h shift ending the next day; a Sunday night runs into Monday', () => {
    const r = rota('UTC', [
      { officerId: 'day', days: [1], start: '08:00', end: '08:00' },
      { officerId: 'sun', days: [7], start: '23:00', end: '01:00' },
    ]);
    // Monday 23 Nov 2026.
    expect(shiftsBetween(r, utc(2026, 11, 23, 0, 30), utc(2026, 11, 23, 0, 31))).toEqual([
      { officerId: 'sun', start: utc(2026, 11, 22, 23), end: utc(2026, 11, 23, 1), source: 'weekly' },
    ]);
    expect(onDuty(r, utc(2026, 11, 24, 7, 59))).toEqual(['day']);
    expect(onDuty(r, utc(2026, 11, 24, 8))).toEqual([]);
  });
});

describe('rota engine: overrides, swaps and ordering', () => {
  const base = rota('Europe/Lisbon', [
    { officerId: 'ana', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    { officerId: 'rui', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  ]);
  const mon = (h: number, min = 0) => utc(2026, 11, 23, h, min); // Lisbon = UTC in November

  it('weekly officers in list order; overrides (extra shifts) come first, in list order, without duplicates', () => {
    expect(onDuty(base, mon(10))).toEqual(['ana', 'rui']);
    const r = { ...base, overrides: [
      { id: 'o1', officerId: 'zoe', start: mon(9), end: mon(12) },
      { id: 'o2', officerId: 'rui', start: mon(9), end: mon(12) },
    ] };
    expect(onDuty(r, mon(10))).toEqual(['zoe', 'rui', 'ana']);
    expect(onDuty(r, mon(12))).toEqual(['ana', 'rui']);
  });

  it('a swap takes the replaced officer off duty only inside its interval, and my shifts show the split', () => {
    const r = { ...base, overrides: [{ id: 's1', officerId: 'zoe', start: mon(11), end: mon(13), replaces: 'ana' }] };
    expect(onDuty(r, mon(10))).toEqual(['ana', 'rui']);
    expect(onDuty(r, mon(12))).toEqual(['zoe', 'rui']);
    expect(onDuty(r, mon(13))).toEqual(['ana', 'rui']);
    const shifts = shiftsBetween(r, mon(0), mon(23));
    expect(shifts.filter((s) => s.officerId === 'ana').map((s) => [s.start, s.end])).toEqual([[mon(9), mon(11)], [mon(13), mon(17)]]);
    expect(shifts.filter((s) => s.officerId === 'zoe')).toEqual([{ officerId: 'zoe', start: mon(11), end: mon(13), source: 'override', overrideId: 's1' }]);
    // Sorted by start; at equal starts overrides come before weekly shifts, then list order.
    expect(shifts.map((s) => s.officerId)).toEqual(['ana', 'rui', 'zoe', 'ana']);
  });

  it('shiftsBetween covers a week: 5 days × 2 officers, deterministic order', () => {
    const week = shiftsBetween(base, utc(2026, 11, 23), utc(2026, 11, 30));
    expect(week).toHaveLength(10);
    expect(week.slice(0, 2).map((s) => s.officerId)).toEqual(['ana', 'rui']);
    expect(week.every((s) => hours(s) === 8)).toBe(true);
    expect(shiftsBetween(base, utc(2026, 11, 28), utc(2026, 11, 30))).toEqual([]);
  });
});

describe('validateRota', () => {
  const ok = rota('Europe/Lisbon', [{ officerId: 'a', days: [1], start: '09:00', end: '17:00' }]);
  const messages = (r: Rota) => validateRota(r).map((p) => `${p.path}: ${p.message}`);

  it('accepts a valid rota', () => {
    expect(validateRota(ok)).toEqual([]);
  });

  it('names each problem precisely', () => {
    expect(messages({ ...ok, timeZone: 'Mars/Olympus' })).toEqual([
      'timeZone: "Mars/Olympus" is not an IANA time zone such as Europe/Lisbon (fixed offsets ignore daylight saving)',
    ]);
    expect(messages({ ...ok, timeZone: 'Etc/GMT+5' })[0]).toMatch(/^timeZone: /);
    expect(messages(rota('UTC', [{ officerId: 'a', days: [0, 8] as unknown as WeeklyShift['days'] /* deliberately out of range */, start: '24:00', end: '9:00' }]))).toEqual([
      'weekly[0].days: days must be ISO weekdays 1 (Monday) to 7 (Sunday), not 0, 8',
      'weekly[0].start: start "24:00" is not a time HH:MM from 00:00 to 23:59',
      'weekly[0].end: end "9:00" is not a time HH:MM from 00:00 to 23:59',
    ]);
    expect(messages(rota('UTC', [{ officerId: 'a', days: [], start: '09:00', end: '10:00' }, { officerId: 'a', days: [2, 2], start: '09:00', end: '10:00' }]))).toEqual([
      'weekly[0].days: days must list at least one ISO weekday (1 = Monday … 7 = Sunday)',
      'weekly[1].days: days must not repeat',
    ]);
    expect(messages(rota('UTC', [], [
      { id: 'x', officerId: 'a', start: 10, end: 20 },
      { id: 'x', officerId: 'b', start: 30, end: 30 },
      { id: 'y', officerId: 'b', start: 30, end: 40, replaces: 'b' },
    ]))).toEqual([
      'overrides[1].id: id "x" is already used by overrides[0]',
      'overrides[1].end: end must be after start',
      'overrides[2].replaces: an officer cannot replace themselves',
    ]);
  });

  it(`refuses more than ${MAX_ROTA_ENTRIES} entries`, () => {
    const weekly = Array.from({ length: 150 }, () => ({ officerId: 'a', days: [1 as const], start: '09:00', end: '10:00' }));
    const overrides = Array.from({ length: 51 }, (_, i) => ({ id: `o${i}`, officerId: 'a', start: 1, end: 2 }));
    expect(messages(rota('UTC', weekly, overrides))).toEqual(['a rota holds at most 200 entries (weekly shifts + overrides), not 201'].map((m) => `: ${m}`));
    expect(validateRota(rota('UTC', weekly, overrides.slice(1)))).toEqual([]);
  });
});
