/**
 * The rota week view and editor (pure; unit-tested). Shifts come from the shared rota engine
 * (`shiftsBetween`), so the web app shows exactly what the server pages by; days and wall times are
 * the desk's time zone (DST included), and the viewer's own zone is added when it differs.
 */
import { DateTime, IANAZone } from 'luxon';
import { fixedT } from '../i18n/i18n.ts';
import { shiftsBetween, wallToInstant, type IsoWeekday, type Rota, type RotaOverride } from '../../../../shared/desks/rota.ts';

/** A weekly shift as the API carries it (`days` validated by the schema as integers 1–7). */
export interface WeeklyShiftData {
  officerId: string;
  days: number[];
  start: string;
  end: string;
}
/** A rota as the API carries it. */
export interface RotaData {
  timeZone: string;
  weekly: WeeklyShiftData[];
  overrides: RotaOverride[];
}

const isWeekday = (d: number): d is IsoWeekday => Number.isInteger(d) && d >= 1 && d <= 7;

/** The API's rota for the shared engine (days outside 1–7, which the server never stores, are dropped). */
export function engineRota(r: RotaData): Rota {
  return { timeZone: r.timeZone, weekly: r.weekly.map((w) => ({ ...w, days: w.days.filter(isWeekday) })), overrides: r.overrides };
}

const t = (key: string) => fixedT('rota-week')(key);

/** A weekday whose names read the current language when accessed. */
function weekday(day: IsoWeekday, key: string): { day: IsoWeekday; short: string; long: string } {
  return Object.defineProperties({ day } as { day: IsoWeekday; short: string; long: string }, {
    short: { enumerable: true, get: () => t(`${key}Short`) },
    long: { enumerable: true, get: () => t(`${key}Long`) },
  });
}

export const WEEKDAYS: readonly { day: IsoWeekday; short: string; long: string }[] = [
  weekday(1, 'mon'),
  weekday(2, 'tue'),
  weekday(3, 'wed'),
  weekday(4, 'thu'),
  weekday(5, 'fri'),
  weekday(6, 'sat'),
  weekday(7, 'sun'),
];

/** Monday 00:00 (in `zone`) of the week holding `at`, as an instant. */
export function weekStart(at: number, zone: string): number {
  return DateTime.fromMillis(at, { zone }).startOf('week').toMillis();
}

/** The Monday `weeks` weeks after the week starting at `start` (calendar arithmetic: DST weeks are 167 or 169 h). */
export function addWeeks(start: number, weeks: number, zone: string): number {
  return DateTime.fromMillis(start, { zone }).plus({ weeks }).startOf('week').toMillis();
}

export interface DayShift {
  officerId: string;
  source: 'weekly' | 'override';
  /** The shift's real start and end (instants). */
  start: number;
  end: number;
  /** "22:00–24:00" in the desk's zone, for this day's part of the shift. */
  deskLabel: string;
  /** The same part in the viewer's zone, when it differs from the desk's ("23:00–01:00 your time"); else null. */
  viewerLabel: string | null;
  /** The shift started the day before / goes on the next day. */
  fromPreviousDay: boolean;
  intoNextDay: boolean;
}

export interface DayColumn {
  day: IsoWeekday;
  /** "Mon 7 Dec". */
  title: string;
  /** ISO date in the desk's zone. */
  date: string;
  start: number;
  end: number;
  shifts: DayShift[];
}

const hm = (t: DateTime) => t.toFormat('HH:mm');

/** Seven columns Monday…Sunday of the week starting at `start` (a `weekStart` instant), in the desk's zone. */
export function weekColumns(data: RotaData, start: number, viewerZone: string): DayColumn[] {
  const rota = engineRota(data);
  const zone = rota.timeZone;
  const monday = DateTime.fromMillis(start, { zone }).startOf('day');
  const weekEnd = monday.plus({ days: 7 }).toMillis();
  const shifts = shiftsBetween(rota, monday.toMillis(), weekEnd);
  const otherZone = viewerZone !== zone && DateTime.fromMillis(start, { zone: viewerZone }).isValid;
  return WEEKDAYS.map((w, i) => {
    const day = monday.plus({ days: i });
    const next = day.plus({ days: 1 });
    const from = day.toMillis();
    const to = next.toMillis();
    const dayShifts: DayShift[] = [];
    for (const s of shifts) {
      if (s.end <= from || s.start >= to) continue;
      const a = Math.max(s.start, from);
      const b = Math.min(s.end, to);
      const endLabel = b === to ? '24:00' : hm(DateTime.fromMillis(b, { zone }));
      dayShifts.push({
        officerId: s.officerId,
        source: s.source,
        start: s.start,
        end: s.end,
        deskLabel: `${hm(DateTime.fromMillis(a, { zone }))}–${endLabel}`,
        viewerLabel: otherZone ? `${hm(DateTime.fromMillis(a, { zone: viewerZone }))}–${hm(DateTime.fromMillis(b, { zone: viewerZone }))}` : null,
        fromPreviousDay: s.start < from,
        intoNextDay: s.end > to,
      });
    }
    return { day: w.day, title: `${w.short} ${day.toFormat('d LLL')}`, date: day.toISODate() ?? '', start: from, end: to, shifts: dayShifts };
  });
}

/** "Europe/Lisbon (WET, UTC+0)" at that instant. */
export function zoneDescription(zone: string, at: number): string {
  const t = DateTime.fromMillis(at, { zone });
  if (!t.isValid) return zone;
  const short = t.offsetNameShort ?? '';
  const utc = `UTC${t.toFormat('ZZ')}`;
  return short && !short.startsWith('GMT') && !short.startsWith('UTC') ? `${zone} (${short}, ${utc})` : `${zone} (${utc})`;
}

/** A shift in one zone: "Tue 8 Dec 22:00 – Wed 9 Dec 06:00". */
export function shiftSpan(start: number, end: number, zone: string): string {
  const a = DateTime.fromMillis(start, { zone });
  const b = DateTime.fromMillis(end, { zone });
  const sameDay = a.hasSame(b, 'day');
  return sameDay ? `${a.toFormat('ccc d LLL HH:mm')}–${b.toFormat('HH:mm')}` : `${a.toFormat('ccc d LLL HH:mm')} – ${b.toFormat('ccc d LLL HH:mm')}`;
}

// ---- the weekly-rota editor ----

export interface EditorRow {
  /** A local key for the list (never sent). */
  key: string;
  officerId: string;
  days: IsoWeekday[];
  start: string;
  end: string;
}

export function rowsOf(weekly: readonly WeeklyShiftData[]): EditorRow[] {
  return weekly.map((w, i) => ({ key: `r${i}`, officerId: w.officerId, days: w.days.filter(isWeekday), start: w.start, end: w.end }));
}

/** Editor rows → the rota's weekly shifts (days sorted; `<input type=time>` may give seconds, which are dropped). */
export function weeklyOf(rows: readonly EditorRow[]): WeeklyShiftData[] {
  return rows.map((r) => ({ officerId: r.officerId, days: [...r.days].sort((a, b) => a - b), start: r.start.slice(0, 5), end: r.end.slice(0, 5) }));
}

/** "Mon–Fri", "Sat, Sun", "Mon, Wed–Fri", "every day". */
export function daysText(days: readonly IsoWeekday[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return t('everyDay');
  const name = (d: number) => WEEKDAYS[d - 1]!.short;
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j - i >= 2 ? `${name(sorted[i]!)}–${name(sorted[j]!)}` : sorted.slice(i, j + 1).map(name).join(', '));
    i = j + 1;
  }
  return runs.join(', ');
}

// ---- overrides (swaps and extra shifts) ----

/**
 * `<input type=datetime-local>`'s value read as a wall time in `zone` → epoch ms, or null when empty or invalid.
 * The rota engine's rules: the first occurrence of a repeated time, the transition for one in the spring-forward gap.
 */
export function wallTimeToEpoch(value: string, zone: string): number | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return null;
  const wall = DateTime.fromISO(value, { zone: 'UTC' });
  const z = IANAZone.create(zone);
  return wall.isValid && z.isValid ? wallToInstant(z, wall.toMillis()) : null;
}

/** Epoch ms → a `datetime-local` value in `zone` (minutes). */
export function epochToWallTime(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}
