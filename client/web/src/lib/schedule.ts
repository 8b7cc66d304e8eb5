import type { Availability, Slot } from '../../../../shared/directory/availability.ts';
import { fixedT } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('schedule')(key, values);

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Short day names Monday…Sunday (index 0 = Monday); each entry reads the current language when accessed (defining the indices sets the length). */
export const DAY_NAMES: readonly string[] = Object.defineProperties(
  [] as string[],
  Object.fromEntries(DAY_KEYS.map((k, i) => [i, { enumerable: true, get: () => t(k) }])),
);

function slotText(s: Pick<Slot, 'start' | 'end'>): string {
  const overnight = s.end !== '24:00' && s.end < s.start;
  return overnight ? t('slotOvernight', { start: s.start, end: s.end }) : t('slot', { start: s.start, end: s.end });
}

/** Day ranges of consecutive days: [0,1,2,4] → "Mon–Wed, Fri". */
export function dayRanges(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = DAY_NAMES[sorted[i]!]!;
    const b = DAY_NAMES[sorted[j]!]!;
    out.push(j === i ? a : j === i + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j + 1;
  }
  return out.join(', ');
}

/**
 * Human lines for an availability: `24/7`, or days grouped by identical hours, e.g.
 * ["Mon–Fri 09:00–17:00", "Sat 10:00–14:00"] with the time zone named once by the caller.
 */
export function scheduleLines(av: Availability): string[] {
  if (av.kind === '24/7') return ['24/7'];
  const byDay = new Map<number, string>();
  for (let d = 0; d < 7; d++) {
    const slots = av.slots.filter((s) => s.day === d).sort((a, b) => a.start.localeCompare(b.start));
    if (slots.length) byDay.set(d, slots.map(slotText).join(', '));
  }
  const groups = new Map<string, number[]>();
  for (const [day, hours] of byDay) groups.set(hours, [...(groups.get(hours) ?? []), day]);
  return [...groups.entries()]
    .sort((a, b) => a[1][0]! - b[1][0]!)
    .map(([hours, days]) => `${dayRanges(days)} ${hours}`);
}

export function availabilitySummary(av: Availability): string {
  if (av.kind === '24/7') return '24/7';
  return `${scheduleLines(av).join('; ')} (${av.timeZone})`;
}
