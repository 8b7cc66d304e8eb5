import type { Figure } from '../../shared/schemas/stats.ts';

/**
 * The flat CSV of docs/STATS.md: one row per figure, `figure,value,suppressed`, the figure named by its dotted path in
 * the JSON (array items by their agency id or `FROM>TO` country pair). A suppressed cell has an empty value.
 */
export function statsCsv(stats: object): string {
  const rows: string[] = ['figure,value,suppressed'];
  const walk = (value: unknown, path: string): void => {
    if (isFigure(value)) {
      rows.push(`${cell(path)},${value.value === null ? '' : String(value.value)},${value.suppressed}`);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value as Record<string, unknown>[]) walk(item, `${path}.${itemKey(item)}`);
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(stats, '');
  return `${rows.join('\r\n')}\r\n`;
}

function isFigure(v: unknown): v is Figure {
  return typeof v === 'object' && v !== null && 'suppressed' in v && 'value' in v && Object.keys(v).length === 2;
}

function itemKey(item: Record<string, unknown>): string {
  if (typeof item.agencyId === 'string') return item.agencyId;
  return `${String(item.from)}>${String(item.to)}`;
}

/** RFC 4180 quoting, and a leading = + - @ neutralised so a spreadsheet never evaluates a cell. */
function cell(s: string): string {
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
