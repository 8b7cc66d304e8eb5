/**
 * The statistics screen's pure logic (docs/STATS.md): which view a role may open, the Art. 18 figures as labelled
 * rows, suppressed cells in words, bar lengths and the years offered. The screen is screens/stats.tsx.
 */
import type { Figure, SideFigures } from '../../../../shared/schemas/stats.ts';
import { REFUSAL_GROUND_CODES } from '../../../../shared/requests/lifecycle.ts';

export const statsText = {
  navLabel: 'Statistics',
  title: 'Statistics',
  agencyTitle: (agency: string) => `Statistics of ${agency}`,
  networkTitle: 'Network statistics',
  notAllowed: 'Statistics are for agency administrators and the secretariat’s platform administrators.',
  intro: (k: number) => `Counted from request metadata only, never content. Counts from 1 to ${k - 1} are not shown (“fewer than ${k}”).`,
  year: 'Year',
  loading: 'Loading…',
  generatedAt: (at: string) => `Figures as of ${at}.`,
  downloadCsv: 'Download CSV',
  downloadReport: 'Download signed report',
  reportHint: 'The signed report is the network view, signed with the server’s audit key (docs/STATS.md).',
  fewerThan: (k: number) => `fewer than ${k}`,
  none: '—',
  figure: 'Figure',
  value: 'Value',
  asRequested: 'Requests received (as the requested party)',
  asRequesting: 'Requests sent (as the requesting party)',
  networkRequests: 'Requests in the network',
  byCountry: 'Answered, by the other party’s country',
  country: 'Country',
  full: 'In full',
  partial: 'Partially',
  countryPairs: 'Requests per country pair',
  pair: 'Requesting → requested',
  requests: 'Requests',
  responseTimes: 'Response times (receipt to first answer)',
  urgency: 'Urgency',
  answered: 'Answered',
  median: 'Median',
  p90: '90th percentile',
  withinDeadline: 'Within the deadline',
  withinShare: 'Share within the deadline',
  urgencies: { all: 'All', urgent: 'Urgent', 'non-urgent': 'Non-urgent' },
  agencies: 'Requests per agency',
  agency: 'Agency',
  sent: 'Sent',
  received: 'Received',
  directoryHealth: 'Directory health (not suppressed)',
  chartAnswered: 'Answered requests by urgency',
  chartRefusals: 'Refusals by ground',
  chartAlt: 'The same figures are in the table below the chart.',
  rows: {
    total: 'Requests',
    answeredFull: 'Answered in full',
    answeredPartial: 'Answered partially',
    urgentFull: 'Urgent, answered in full',
    urgentPartial: 'Urgent, answered partially',
    nonUrgentFull: 'Non-urgent, answered in full',
    nonUrgentPartial: 'Non-urgent, answered partially',
    refusals: 'Refused',
    refusalGround: (g: string) => `Refused on ground (${g})`,
    withdrawn: 'Withdrawn',
    answeredLate: 'First answer after the deadline',
    overdueOpen: 'Open with the deadline passed',
    judicialPending: 'Waiting for a judicial authorisation',
    staleEntries: 'Directory entries not confirmed for 180 days',
    desksTestUnacknowledged: 'Desks whose latest test page is unacknowledged',
    exhaustedPages: 'Pages whose escalation ran out',
  },
} as const;

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
  const t = statsText.rows;
  return [
    { key: 'total', label: t.total, figure: s.total },
    { key: 'answered.full', label: t.answeredFull, figure: s.answered.full },
    { key: 'answered.partial', label: t.answeredPartial, figure: s.answered.partial },
    { key: 'urgent.full', label: t.urgentFull, figure: s.answeredByUrgency.urgent.full },
    { key: 'urgent.partial', label: t.urgentPartial, figure: s.answeredByUrgency.urgent.partial },
    { key: 'non-urgent.full', label: t.nonUrgentFull, figure: s.answeredByUrgency['non-urgent'].full },
    { key: 'non-urgent.partial', label: t.nonUrgentPartial, figure: s.answeredByUrgency['non-urgent'].partial },
    { key: 'refusals.total', label: t.refusals, figure: s.refusals.total },
    ...REFUSAL_GROUND_CODES.map((g) => ({ key: `refusals.${g}`, label: t.refusalGround(g), figure: s.refusals.byGround[g] })),
    { key: 'withdrawn', label: t.withdrawn, figure: s.withdrawn },
    { key: 'deadline.answeredLate', label: t.answeredLate, figure: s.deadline.answeredLate },
    { key: 'deadline.overdueOpen', label: t.overdueOpen, figure: s.deadline.overdueOpen },
    { key: 'judicialPending', label: t.judicialPending, figure: s.judicialPending },
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
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

export function formatShare(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** The download's file name: `liaison-stats-<scope>-<year>.<ext>`. */
export function downloadName(view: StatsView, year: number, ext: 'csv' | 'json'): string {
  return `liaison-stats-${view.scope === 'agency' ? 'agency' : 'network'}-${year}${ext === 'json' ? '-signed' : ''}.${ext}`;
}
