/**
 * When a contact point is on duty: `24/7`, or a weekly schedule of wall-clock slots in an IANA time
 * zone. Local weekday and time come from Intl.DateTimeFormat, so daylight-saving changes are handled
 * by the platform's time-zone database, never by offset arithmetic here. Pure: shared with the web app.
 */

export interface Slot {
  /** 0 = Monday … 6 = Sunday (ISO order). */
  day: number;
  /** 'HH:MM', 00:00–23:59, local wall-clock time. */
  start: string;
  /** 'HH:MM' or '24:00'. End before start = overnight: the slot runs into the next day. */
  end: string;
}

export type Availability = { kind: '24/7' } | { kind: 'schedule'; timeZone: string; slots: Slot[] };

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MINUTE_MS = 60_000;
/** Every current UTC offset is a multiple of 15 minutes and transitions fall on quarter hours. */
const STEP_MINUTES = 15;
const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Canonical spelling of an IANA time zone name, or null if it is not one (fixed offsets are refused: they ignore DST). */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name) || name.length > 64) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    // The Intl list holds canonical zones; aliases (e.g. "UTC", "Europe/Kiev") resolve but may be absent from it.
    return supportedZones().has(resolved) || resolved === 'UTC' || /\//.test(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

let zones: Set<string> | undefined;
function supportedZones(): Set<string> {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return zones;
}

/** 'HH:MM' → minutes after midnight; '24:00' → 1440. NaN if malformed. */
export function parseClock(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return NaN;
  return h * 60 + min;
}

/** Why a slot is invalid, or null. */
export function slotProblem(slot: Slot): string | null {
  if (!Number.isInteger(slot.day) || slot.day < 0 || slot.day > 6) return 'day must be 0 (Monday) to 6 (Sunday)';
  const start = parseClock(slot.start);
  const end = parseClock(slot.end);
  if (Number.isNaN(start) || start >= MINUTES_PER_DAY) return `start "${slot.start}" is not a time from 00:00 to 23:59`;
  if (Number.isNaN(end)) return `end "${slot.end}" is not a time from 00:00 to 24:00`;
  if (start === end) return 'start and end must differ';
  return null;
}

/** A slot as a half-open interval on the week circle, in minutes since Monday 00:00 local. */
interface WeekInterval {
  from: number;
  length: number;
}

function toInterval(slot: Slot): WeekInterval {
  const start = parseClock(slot.start);
  const end = parseClock(slot.end);
  const length = end > start ? end - start : MINUTES_PER_DAY - start + end;
  return { from: slot.day * MINUTES_PER_DAY + start, length };
}

const intervalCache = new WeakMap<Slot[], WeekInterval[]>();
function intervals(slots: Slot[]): WeekInterval[] {
  let iv = intervalCache.get(slots);
  if (!iv) {
    iv = slots.map(toInterval);
    intervalCache.set(slots, iv);
  }
  return iv;
}

/** Local minute of the week (Monday 00:00 = 0) at an instant, in a time zone. */
export function localMinuteOfWeek(timeZone: string, instantMs: number): number {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of formatter(timeZone).formatToParts(instantMs)) {
    if (p.type === 'weekday') day = WEEKDAYS[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return day * MINUTES_PER_DAY + hour * 60 + minute;
}

/** True if some slot covers this local minute of the week. */
export function scheduleCovers(slots: Slot[], minuteOfWeek: number): boolean {
  for (const iv of intervals(slots)) {
    if ((minuteOfWeek - iv.from + MINUTES_PER_WEEK) % MINUTES_PER_WEEK < iv.length) return true;
  }
  return false;
}

export function isAvailableAt(availability: Availability, instantMs: number): boolean {
  if (availability.kind === '24/7') return true;
  return scheduleCovers(availability.slots, localMinuteOfWeek(availability.timeZone, instantMs));
}

/**
 * The first instant after `fromMs` at which availability flips, with the state it flips to; null if it
 * never changes (24/7, or a schedule covering the whole week or nothing) within `horizonDays`.
 * Walks UTC quarter hours (one Intl call each) and checks the minutes inside a quarter arithmetically:
 * no DST transition falls inside a quarter hour, so local time advances one minute per minute there.
 */
export function nextChange(
  availability: Availability,
  fromMs: number,
  horizonDays = 8,
): { at: number; available: boolean } | null {
  if (availability.kind === '24/7') return null;
  const { slots, timeZone } = availability;
  const current = isAvailableAt(availability, fromMs);
  const stepMs = STEP_MINUTES * MINUTE_MS;
  const end = fromMs + horizonDays * 24 * 60 * MINUTE_MS;
  // Local minutes change only on whole UTC minutes (offsets are whole minutes).
  let minute = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  while (minute <= end) {
    const quarterEnd = Math.floor(minute / stepMs) * stepMs + stepMs;
    const base = localMinuteOfWeek(timeZone, minute);
    for (let t = minute, k = 0; t < quarterEnd && t <= end; t += MINUTE_MS, k++) {
      if (scheduleCovers(slots, (base + k) % MINUTES_PER_WEEK) !== current) return { at: t, available: !current };
    }
    minute = quarterEnd;
  }
  return null;
}
