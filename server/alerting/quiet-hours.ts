import { DateTime } from 'luxon';
import type { QuietHours } from '../../shared/schemas/notifications.ts';

/**
 * Whether `at` falls in the officer's quiet hours, read in their own zone with luxon (so daylight
 * saving moves them with the wall clock). `end` at or before `start` runs overnight; `start == end`
 * is an empty window. An unknown zone (stored before it was checked) never silences anything.
 */
export function inQuietHours(q: QuietHours, at: number): boolean {
  const local = DateTime.fromMillis(at, { zone: q.timeZone });
  if (!local.isValid) return false;
  const minutes = local.hour * 60 + local.minute;
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
