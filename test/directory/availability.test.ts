import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, isAvailableAt, localMinuteOfWeek, nextChange, slotProblem, type Availability } from '../../shared/directory/availability.ts';

const utc = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
const weekdays = (timeZone: string, start = '09:00', end = '17:00'): Availability => ({
  kind: 'schedule',
  timeZone,
  slots: [0, 1, 2, 3, 4].map((day) => ({ day, start, end })),
});

describe('isAvailableAt', () => {
  it('is always true for 24/7', () => {
    expect(isAvailableAt({ kind: '24/7' }, 0)).toBe(true);
  });

  it('reads the local weekday and time in the entry\'s zone', () => {
    // Monday 23 Nov 2026 09:30 UTC: Lisbon 09:30, Tokyo 18:30, New York 04:30, Kathmandu (+05:45) 15:15.
    const at = utc(2026, 11, 23, 9, 30);
    expect(isAvailableAt(weekdays('Europe/Lisbon'), at)).toBe(true);
    expect(isAvailableAt(weekdays('Asia/Tokyo'), at)).toBe(false);
    expect(isAvailableAt(weekdays('America/New_York'), at)).toBe(false);
    expect(isAvailableAt(weekdays('Asia/Kathmandu', '15:15', '15:16'), at)).toBe(true);
    expect(isAvailableAt(weekdays('Asia/Kathmandu', '15:16', '16:00'), at)).toBe(false);
    // Saturday: no weekday slot anywhere.
    expect(isAvailableAt(weekdays('Europe/Lisbon'), utc(2026, 11, 28, 10))).toBe(false);
  });

  it('runs overnight slots into the next day, Sunday night into Monday', () => {
    const sundayNight: Availability = { kind: 'schedule', timeZone: 'UTC', slots: [{ day: 6, start: '22:00', end: '06:00' }] };
    expect(isAvailableAt(sundayNight, utc(2026, 11, 22, 21, 59))).toBe(false); // Sunday 21:59
    expect(isAvailableAt(sundayNight, utc(2026, 11, 22, 23))).toBe(true); // Sunday 23:00
    expect(isAvailableAt(sundayNight, utc(2026, 11, 23, 5, 59))).toBe(true); // Monday 05:59
    expect(isAvailableAt(sundayNight, utc(2026, 11, 23, 6))).toBe(false); // Monday 06:00 (end exclusive)
    expect(isAvailableAt(sundayNight, utc(2026, 11, 24, 1))).toBe(false); // Tuesday 01:00
    const untilMidnight: Availability = { kind: 'schedule', timeZone: 'UTC', slots: [{ day: 0, start: '20:00', end: '24:00' }] };
    expect(isAvailableAt(untilMidnight, utc(2026, 11, 23, 23, 59))).toBe(true);
    expect(isAvailableAt(untilMidnight, utc(2026, 11, 24, 0))).toBe(false);
  });

  it('follows Lisbon onto summer time on 29 March 2026 (01:00 UTC: 01:00 WET → 02:00 WEST)', () => {
    const office = weekdays('Europe/Lisbon');
    expect(localMinuteOfWeek('Europe/Lisbon', utc(2026, 3, 29, 0, 59))).toBe(6 * 1440 + 59);
    expect(localMinuteOfWeek('Europe/Lisbon', utc(2026, 3, 29, 1, 0))).toBe(6 * 1440 + 120);
    expect(isAvailableAt(office, utc(2026, 3, 27, 8, 30))).toBe(false); // Fri 08:30 WET
    expect(isAvailableAt(office, utc(2026, 3, 30, 8, 30))).toBe(true); // Mon 09:30 WEST
    expect(isAvailableAt(office, utc(2026, 3, 30, 16, 0))).toBe(false); // Mon 17:00 WEST
  });

  it('follows New York through both 2026 changes (8 March, 1 November)', () => {
    const office = weekdays('America/New_York');
    expect(isAvailableAt(office, utc(2026, 3, 6, 13, 30))).toBe(false); // Fri 08:30 EST
    expect(isAvailableAt(office, utc(2026, 3, 9, 13, 30))).toBe(true); // Mon 09:30 EDT
    expect(isAvailableAt(office, utc(2026, 10, 30, 21, 30))).toBe(false); // Fri 17:30 EDT
    expect(isAvailableAt(office, utc(2026, 11, 2, 21, 30))).toBe(true); // Mon 16:30 EST
    // In the repeated hour (01:00–02:00 twice on 1 Nov) a 01:00–02:00 slot is open both times.
    const repeated: Availability = { kind: 'schedule', timeZone: 'America/New_York', slots: [{ day: 6, start: '01:00', end: '02:00' }] };
    expect(isAvailableAt(repeated, utc(2026, 11, 1, 5, 30))).toBe(true); // 01:30 EDT
    expect(isAvailableAt(repeated, utc(2026, 11, 1, 6, 30))).toBe(true); // 01:30 EST
    expect(isAvailableAt(repeated, utc(2026, 11, 1, 7, 30))).toBe(false); // 02:30 EST
  });
});

describe('nextChange', () => {
  it('is null for 24/7 and for a schedule covering the whole week', () => {
    expect(nextChange({ kind: '24/7' }, 0)).toBeNull();
    const always: Availability = { kind: 'schedule', timeZone: 'UTC', slots: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) };
    expect(nextChange(always, utc(2026, 11, 23, 9))).toBeNull();
  });

  it('finds the next opening and closing, in UTC, across a DST change', () => {
    const office = weekdays('Europe/Lisbon');
    // Friday 27 March 17:00 WET closes; next opening Monday 30 March 09:00 WEST = 08:00 UTC.
    expect(nextChange(office, utc(2026, 3, 27, 12))).toEqual({ at: utc(2026, 3, 27, 17), available: false });
    expect(nextChange(office, utc(2026, 3, 27, 17))).toEqual({ at: utc(2026, 3, 30, 8), available: true });
    // A slot that starts inside the skipped hour opens when the clocks jump (02:00 New York, 8 March).
    const gap: Availability = { kind: 'schedule', timeZone: 'America/New_York', slots: [{ day: 6, start: '02:30', end: '04:00' }] };
    expect(nextChange(gap, utc(2026, 3, 8, 6, 0))).toEqual({ at: utc(2026, 3, 8, 7, 0), available: true }); // 03:00 EDT
    // Minute precision inside a quarter hour, and from a mid-minute instant.
    const short: Availability = { kind: 'schedule', timeZone: 'UTC', slots: [{ day: 0, start: '09:07', end: '09:08' }] };
    expect(nextChange(short, utc(2026, 11, 23, 9) + 1234)).toEqual({ at: utc(2026, 11, 23, 9, 7), available: true });
    expect(nextChange(short, utc(2026, 11, 23, 9, 7))).toEqual({ at: utc(2026, 11, 23, 9, 8), available: false });
  });
});

describe('validation helpers', () => {
  it('accepts IANA zones (canonical spelling) and refuses offsets and inventions', () => {
    expect(canonicalTimeZone('Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['', 'Mars/Olympus', '+01:00', 'GMT+1', 'Europe/../etc', 'Europe/Lisbon\n', 'x'.repeat(65)]) {
      expect(canonicalTimeZone(bad), bad).toBeNull();
    }
  });

  it('explains bad slots', () => {
    expect(slotProblem({ day: 0, start: '09:00', end: '17:00' })).toBeNull();
    expect(slotProblem({ day: 0, start: '22:00', end: '06:00' })).toBeNull();
    expect(slotProblem({ day: 7, start: '09:00', end: '17:00' })).toMatch(/day/);
    expect(slotProblem({ day: 0, start: '24:00', end: '17:00' })).toMatch(/start/);
    expect(slotProblem({ day: 0, start: '09:00', end: '24:30' })).toMatch(/end/);
    expect(slotProblem({ day: 0, start: '09:00', end: '09:00' })).toMatch(/differ/);
  });
});
