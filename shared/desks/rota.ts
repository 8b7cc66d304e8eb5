/**
 * Duty rotas of desks (docs/DESKS.md): weekly shifts in the desk's IANA time zone plus dated
 * overrides (extra shifts and swaps). Pure and synchronous, shared by the server and the web app.
 *
 * Wall times become instants through luxon's zone data, with two rules that keep back-to-back
 * shifts contiguous across daylight-saving changes:
 * - a wall time that does not exist (spring-forward gap) starts at the next valid instant, the
 *   transition itself (02:30 on 8 March 2026 in New York → 03:00 EDT);
 * - a wall time that exists twice (fall-back) is its earlier occurrence.
 * So a 22:00–06:00 shift across the spring-forward night lasts 7 h, across fall-back 9 h.
 */
import { IANAZone } from 'luxon';

/** 1 = Monday … 7 = Sunday (ISO 8601). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface WeeklyShift {
  officerId: string;
  days: IsoWeekday[];
  /** Local wall time 'HH:MM'. */
  start: string;
  /** Local wall time 'HH:MM'; end ≤ start = overnight, ending the next day (equal = 24 h). */
  end: string;
}

export interface RotaOverride {
  id: string;
  officerId: string;
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, exclusive. */
  end: number;
  /** A swap: `officerId` takes the duty of this officer in [start, end). Absent = an extra shift. */
  replaces?: string;
}

export interface Rota {
  timeZone: string;
  weekly: WeeklyShift[];
  overrides: RotaOverride[];
}

export interface ShiftInstance {
  officerId: string;
  start: number;
  end: number;
  source: 'weekly' | 'override';
  /** The override's id (source 'override'). */
  overrideId?: string;
}

export interface RotaProblem {
  /** JSON-pointer-like location, e.g. "weekly[2].start". */
  path: string;
  message: string;
}

/** Entries (weekly shifts + overrides) a rota may hold. */
export const MAX_ROTA_ENTRIES = 200;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

export function emptyRota(timeZone: string): Rota {
  return { timeZone, weekly: [], overrides: [] };
}

/** True for an IANA region zone luxon knows ("Europe/Lisbon", "UTC"); fixed offsets are refused: they ignore DST. */
export function isRotaTimeZone(name: string): boolean {
  if (name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return false;
  if (/^(Etc\/)?GMT[+-]/i.test(name)) return false;
  return IANAZone.isValidZone(name);
}

/** 'HH:MM' → minutes after midnight; NaN when malformed. */
export function clockMinutes(hhmm: string): number {
  const m = CLOCK.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

/** Every problem of a rota, in document order; an empty list means valid. */
export function validateRota(rota: Rota): RotaProblem[] {
  const problems: RotaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (typeof rota.timeZone !== 'string' || !isRotaTimeZone(rota.timeZone)) {
    add('timeZone', `"${String(rota.timeZone)}" is not an IANA time zone such as Europe/Lisbon (fixed offsets ignore daylight saving)`);
  }
  const total = rota.weekly.length + rota.overrides.length;
  if (total > MAX_ROTA_ENTRIES) add('', `a rota holds at most ${MAX_ROTA_ENTRIES} entries (weekly shifts + overrides), not ${total}`);
  rota.weekly.forEach((s, i) => {
    const at = `weekly[${i}]`;
    if (!s.officerId) add(`${at}.officerId`, 'officerId is required');
    if (!Array.isArray(s.days) || s.days.length === 0) add(`${at}.days`, 'days must list at least one ISO weekday (1 = Monday … 7 = Sunday)');
    else {
      const bad = s.days.filter((d) => !Number.isInteger(d) || d < 1 || d > 7);
      if (bad.length) add(`${at}.days`, `days must be ISO weekdays 1 (Monday) to 7 (Sunday), not ${bad.join(', ')}`);
      else if (new Set(s.days).size !== s.days.length) add(`${at}.days`, 'days must not repeat');
    }
    if (Number.isNaN(clockMinutes(s.start))) add(`${at}.start`, `start "${s.start}" is not a time HH:MM from 00:00 to 23:59`);
    if (Number.isNaN(clockMinutes(s.end))) add(`${at}.end`, `end "${s.end}" is not a time HH:MM from 00:00 to 23:59`);
  });
  const ids = new Map<string, number>();
  rota.overrides.forEach((o, i) => {
    const at = `overrides[${i}]`;
    if (!o.id) add(`${at}.id`, 'id is required');
    else if (ids.has(o.id)) add(`${at}.id`, `id "${o.id}" is already used by overrides[${ids.get(o.id)}]`);
    else ids.set(o.id, i);
    if (!o.officerId) add(`${at}.officerId`, 'officerId is required');
    if (!Number.isSafeInteger(o.start) || o.start < 0) add(`${at}.start`, 'start must be epoch milliseconds');
    if (!Number.isSafeInteger(o.end) || o.end < 0) add(`${at}.end`, 'end must be epoch milliseconds');
    else if (Number.isSafeInteger(o.start) && o.end <= o.start) add(`${at}.end`, 'end must be after start');
    if (o.replaces !== undefined && o.replaces === o.officerId) add(`${at}.replaces`, 'an officer cannot replace themselves');
  });
  return problems;
}

/** Every officer a rota names (weekly shifts, overrides and the officers they replace). */
export function rotaOfficers(rota: Rota): Set<string> {
  const out = new Set<string>();
  for (const s of rota.weekly) out.add(s.officerId);
  for (const o of rota.overrides) {
    out.add(o.officerId);
    if (o.replaces !== undefined) out.add(o.replaces);
  }
  return out;
}

/**
 * The instant a local wall time (given as if it were UTC: `Date.UTC(y, m, d, h, min)`) happens in
 * `zone`: the earlier occurrence when it happens twice, the transition when it does not happen.
 */
export function wallToInstant(zone: IANAZone, wall: number): number {
  const before = zone.offset(wall - DAY_MS);
  const after = zone.offset(wall + DAY_MS);
  const valid = [...new Set([before, after, zone.offset(wall)])]
    .map((o) => wall - o * MINUTE_MS)
    .filter((t) => zone.offset(t) * MINUTE_MS === wall - t);
  if (valid.length) return Math.min(...valid);
  // In a gap: the offset jumps from `lo` to `hi` between these two instants; find the jump (minute precision).
  const [small, large] = before < after ? [before, after] : [after, before];
  let lo = wall - large * MINUTE_MS;
  let hi = wall - small * MINUTE_MS;
  const target = zone.offset(hi);
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (zone.offset(mid) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Local calendar day (as UTC midnight of that date) of an instant. */
function localDay(zone: IANAZone, at: number): number {
  const wall = at + zone.offset(at) * MINUTE_MS;
  return Math.floor(wall / DAY_MS) * DAY_MS;
}

/** ISO weekday of a local day given as UTC midnight. */
function isoWeekday(day: number): number {
  const d = new Date(day).getUTCDay();
  return d === 0 ? 7 : d;
}

interface Ranked extends ShiftInstance {
  /** Position in the rota's list (weekly or overrides). */
  index: number;
}

/** Weekly instances overlapping [from, to), before swaps are applied. */
function weeklyInstances(rota: Rota, zone: IANAZone, from: number, to: number): Ranked[] {
  const out: Ranked[] = [];
  // A shift lasts at most 25 h of real time, so one starting the local day before `from` may still run.
  const first = localDay(zone, from) - DAY_MS;
  const last = localDay(zone, to);
  for (let day = first; day <= last; day += DAY_MS) {
    const weekday = isoWeekday(day);
    rota.weekly.forEach((s, index) => {
      if (!s.days.includes(weekday as IsoWeekday)) return;
      const startMin = clockMinutes(s.start);
      const endMin = clockMinutes(s.end);
      const start = wallToInstant(zone, day + startMin * MINUTE_MS);
      const end = wallToInstant(zone, day + (endMin <= startMin ? DAY_MS : 0) + endMin * MINUTE_MS);
      if (start < to && end > from && end > start) out.push({ officerId: s.officerId, start, end, source: 'weekly', index });
    });
  }
  return out;
}

/** Removes the parts of weekly instances that swaps hand to someone else. */
function applySwaps(weekly: Ranked[], overrides: RotaOverride[]): Ranked[] {
  let pieces = weekly;
  for (const o of overrides) {
    if (o.replaces === undefined) continue;
    const next: Ranked[] = [];
    for (const p of pieces) {
      if (p.officerId !== o.replaces || o.end <= p.start || o.start >= p.end) {
        next.push(p);
        continue;
      }
      if (p.start < o.start) next.push({ ...p, end: o.start });
      if (o.end < p.end) next.push({ ...p, start: o.end });
    }
    pieces = next;
  }
  return pieces;
}

function instances(rota: Rota, from: number, to: number): { overrides: Ranked[]; weekly: Ranked[] } {
  const zone = IANAZone.create(rota.timeZone);
  if (!zone.isValid) throw new RangeError(`rota: invalid time zone "${rota.timeZone}"`);
  const overrides: Ranked[] = [];
  rota.overrides.forEach((o, index) => {
    if (o.start < to && o.end > from) overrides.push({ officerId: o.officerId, start: o.start, end: o.end, source: 'override', overrideId: o.id, index });
  });
  return { overrides, weekly: applySwaps(weeklyInstances(rota, zone, from, to), rota.overrides) };
}

/**
 * Who is on duty at `at`, deduplicated, in escalation order: officers of active overrides (list
 * order), then officers of weekly shifts (list order) not swapped out at that instant.
 */
export function onDuty(rota: Rota, at: number): string[] {
  const { overrides, weekly } = instances(rota, at, at + 1);
  const byIndex = (a: Ranked, b: Ranked) => a.index - b.index;
  const out: string[] = [];
  for (const s of [...overrides.sort(byIndex), ...weekly.sort(byIndex)]) {
    if (s.start <= at && at < s.end && !out.includes(s.officerId)) out.push(s.officerId);
  }
  return out;
}

/**
 * Shifts overlapping [from, to) (not clipped), by start time; at equal starts overrides first, then
 * list order. A swapped-out part of a weekly shift is left out; the override covers it.
 */
export function shiftsBetween(rota: Rota, from: number, to: number): ShiftInstance[] {
  const { overrides, weekly } = instances(rota, from, to);
  const rank = (s: Ranked) => (s.source === 'override' ? 0 : 1);
  return [...overrides, ...weekly]
    .sort((a, b) => a.start - b.start || rank(a) - rank(b) || a.index - b.index || a.end - b.end)
    .map(({ index: _index, ...s }) => s);
}
