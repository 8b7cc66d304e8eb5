import { DEFAULT_LANGUAGE, fixedT, i18n } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('format')(key, values);

const pad = (n: number) => String(n).padStart(2, '0');

/** Today → `14:05`; this year → `3 Mar 14:05`; otherwise `3 Mar 2025`. Local time. */
export function formatTime(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const n = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return hm;
  const lang = i18n.language || DEFAULT_LANGUAGE;
  const month = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { month: 'short' }).format(d);
  if (d.getFullYear() === n.getFullYear()) return `${d.getDate()} ${month} ${hm}`;
  return `${d.getDate()} ${month} ${d.getFullYear()}`;
}

/** ISO-like date and time for tables: `2026-11-23 09:00`. */
export function formatDateTime(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatDate(at: number): string {
  return formatDateTime(at).slice(0, 10);
}

/** `in 3 days`, `2 h ago`, `just now`. */
export function formatRelative(at: number, now: number = Date.now()): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  const units: [number, string][] = [
    [86_400_000, 'Days'],
    [3_600_000, 'Hours'],
    [60_000, 'Minutes'],
  ];
  for (const [ms, unit] of units) {
    if (abs >= ms) {
      const count = Math.floor(abs / ms);
      return t(diff > 0 ? `in${unit}` : `ago${unit}`, { count });
    }
  }
  return t('justNow');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** 0–100, clamped; an unknown total counts as 0 %. */
export function percent(loaded: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((loaded / total) * 100)));
}

/** A hex fingerprint in groups of four, upper case, for reading aloud. */
export function groupFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

/** `30 minutes`, `2 seconds`, `1 hour`. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return t('hours', { count: ms / 3_600_000 });
  if (ms >= 60_000) return t('minutes', { count: Math.round(ms / 60_000) });
  return t('seconds', { count: Math.max(1, Math.round(ms / 1000)) });
}
