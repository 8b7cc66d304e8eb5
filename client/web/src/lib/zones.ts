/** Time-zone helpers for the rota and quiet-hours screens (pure; unit-tested). */

/** The browser's IANA zone, or UTC when the browser does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every zone the browser knows, sorted, with `extra` (the browser's and the current value) always present. */
export function timeZoneOptions(supported: readonly string[], ...extra: (string | null | undefined)[]): string[] {
  const all = new Set(supported);
  for (const z of extra) if (z) all.add(z);
  return [...all].sort((a, b) => a.localeCompare(b));
}

export function supportedTimeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}

/** `HH:MM` wall time of an instant in a zone (24-hour clock). */
export function wallClock(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = parts.find((p) => p.type === 'hour')?.value ?? '00';
  const m = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return `${h}:${m}`;
}

/** The zone's short name at that instant ("WET", "GMT+1", "EST"), to write next to times. */
export function zoneAbbreviation(at: number, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}
