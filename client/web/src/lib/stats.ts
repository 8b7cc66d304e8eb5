/**
 * The statistics screen's pure logic (docs/STATS.md): which view a role may open, the Art. 18 figures as labelled
 * rows, suppressed cells in words, bar lengths and the years offered. The screen is screens/stats.tsx.
 */
import type { Figure, SideFigures } from '../../../../shared/schemas/stats.ts';
import { REFUSAL_GROUND_CODES } from '../../../../shared/requests/lifecycle.ts';
import { fixedT } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('stats')(key, values);

/** An object whose every property reads its text (a key of the `stats` namespace) at access time, so a language switch applies. */
function translated<K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => t(keys[k]) });
  return out;
}

const same = <K extends string>(...keys: K[]): Record<K, string> => Object.fromEntries(keys.map((k): [K, string] => [k, k])) as Record<K, string>;

/** The statistics screen's strings: each property reads the `stats` namespace in the current language when accessed. */
export const statsText = Object.assign(
  translated(
    same(
      'navLabel',
      'title',
      'networkTitle',
      'notAllowed',
      'year',
      'loading',
      'downloadCsv',
      'downloadReport',
      'reportHint',
      'none',
      'figure',
      'value',
      'asRequested',
      'asRequesting',
      'networkRequests',
      'byCountry',
      'country',
      'full',
      'partial',
      'countryPairs',
      'pair',
      'requests',
      'responseTimes',
      'urgency',
      'answered',
      'median',
      'p90',
      'withinDeadline',
      'withinShare',
      'agencies',
      'agency',
      'sent',
      'received',
      'directoryHealth',
      'chartAnswered',
      'chartRefusals',
      'chartAlt',
    ),
  ),
  {
    agencyTitle: (agency: string) => t('agencyTitle', { agency }),
    intro: (k: number) => t('intro', { k, below: k - 1 }),
    generatedAt: (at: string) => t('generatedAt', { at }),
    fewerThan: (k: number) => t('fewerThan', { k }),
    urgencies: translated({ all: 'urgencyAll', urgent: 'urgencyUrgent', 'non-urgent': 'urgencyNonUrgent' }),
    rows: Object.assign(
      translated({
        total: 'rowTotal',
        answeredFull: 'rowAnsweredFull',
        answeredPartial: 'rowAnsweredPartial',
        urgentFull: 'rowUrgentFull',
        urgentPartial: 'rowUrgentPartial',
        nonUrgentFull: 'rowNonUrgentFull',
        nonUrgentPartial: 'rowNonUrgentPartial',
        refusals: 'rowRefusals',
        withdrawn: 'rowWithdrawn',
        answeredLate: 'rowAnsweredLate',
        overdueOpen: 'rowOverdueOpen',
        judicialPending: 'rowJudicialPending',
        staleEntries: 'rowStaleEntries',
        desksTestUnacknowledged: 'rowDesksTestUnacknowledged',
        exhaustedPages: 'rowExhaustedPages',
      }),
      { refusalGround: (g: string) => t('rowRefusalGround', { ground: g }) },
    ),
  },
);

export type StatsView = { scope: 'agency'; agencyId: string } | { scope: 'network' };

/** The view a role opens: agency administrators their agency's, platform administrators the network's, officers none. */
export function statsViewFor(role: string, agencyId: string): StatsView | null {
  if (role === 'agency_admin') return { scope: 'agency', agencyId };
  if (role === 'platform_admin') return { scope: 'network' };
  return null;
}

/** A cell in words: the number, or "fewer than k" when suppressed. */
export function figureText(f: Figure, k: number, format: (n: number) => string = String): string {
  if (f.suppressed) return statsText.fewerThan(k);
  return f.value === null ? statsText.none : format(f.value);
}

export interface FigureRow {
  key: string;
  label: string;
  figure: Figure;
}

/** The Art. 18 figures of one side, in reading order. */
export function sideRows(s: SideFigures): FigureRow[] {
  const r = statsText.rows;
  return [
    { key: 'total', label: r.total, figure: s.total },
    { key: 'answered.full', label: r.answeredFull, figure: s.answered.full },
    { key: 'answered.partial', label: r.answeredPartial, figure: s.answered.partial },
    { key: 'urgent.full', label: r.urgentFull, figure: s.answeredByUrgency.urgent.full },
    { key: 'urgent.partial', label: r.urgentPartial, figure: s.answeredByUrgency.urgent.partial },
    { key: 'non-urgent.full', label: r.nonUrgentFull, figure: s.answeredByUrgency['non-urgent'].full },
    { key: 'non-urgent.partial', label: r.nonUrgentPartial, figure: s.answeredByUrgency['non-urgent'].partial },
    { key: 'refusals.total', label: r.refusals, figure: s.refusals.total },
    ...REFUSAL_GROUND_CODES.map((g) => ({ key: `refusals.${g}`, label: r.refusalGround(g), figure: s.refusals.byGround[g] })),
    { key: 'withdrawn', label: r.withdrawn, figure: s.withdrawn },
    { key: 'deadline.answeredLate', label: r.answeredLate, figure: s.deadline.answeredLate },
    { key: 'deadline.overdueOpen', label: r.overdueOpen, figure: s.deadline.overdueOpen },
    { key: 'judicialPending', label: r.judicialPending, figure: s.judicialPending },
  ];
}

/** Bars of the "answered by urgency" chart. */
export function answeredBars(s: SideFigures): FigureRow[] {
  return sideRows(s).filter((r) => r.key.startsWith('urgent.') || r.key.startsWith('non-urgent.'));
}

/** Bars of the "refusals by ground" chart. */
export function refusalBars(s: SideFigures): FigureRow[] {
  return sideRows(s).filter((r) => /^refusals\.[a-h]$/.test(r.key));
}

/**
 * A bar's length in 0..width: proportional to the largest shown value; a suppressed cell draws no bar (its label
 * says "fewer than k"); a non-zero value gets at least 1 so it stays visible.
 */
export function barLength(f: Figure, rows: readonly Figure[], width: number): number {
  if (f.suppressed || !f.value) return 0;
  const max = Math.max(0, ...rows.map((r) => (r.suppressed ? 0 : (r.value ?? 0))));
  return max === 0 ? 0 : Math.max(1, Math.round((f.value / max) * width));
}

/** The years the picker offers: the current year and the `count - 1` before it, newest first. */
export function yearOptions(now: number, count = 5): number[] {
  const y = new Date(now).getUTCFullYear();
  return Array.from({ length: count }, (_, i) => y - i);
}

/** A duration in hours and minutes ("3 h 05 min", "45 min"). */
export function formatDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  const h = Math.floor(min / 60);
  const m = min % 60;
  return h > 0 ? t('durationHours', { h, m: String(m).padStart(2, '0') }) : t('durationMinutes', { m });
}

export function formatShare(share: number): string {
  return t('share', { percent: Math.round(share * 100) });
}

/** The download's file name: `liaison-stats-<scope>-<year>.<ext>`. */
export function downloadName(view: StatsView, year: number, ext: 'csv' | 'json'): string {
  return `liaison-stats-${view.scope === 'agency' ? 'agency' : 'network'}-${year}${ext === 'json' ? '-signed' : ''}.${ext}`;
}
