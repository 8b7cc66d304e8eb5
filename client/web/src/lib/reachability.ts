import type { ReachabilityReport } from '../../../../shared/schemas/pages.ts';
import { formatDuration } from './format.ts';

/** What the desk screen's reachability section says (one place, for the i18n layer of issue 15). */
export const reachabilityText = {
  title: 'Reachability',
  hint: 'How quickly the desk answered its pages, computed from content-free page records. A report is made every period and e-mailed to the supervisors.',
  none: 'No report yet. The first one is made at the end of the current period.',
  run: 'Make a report now',
  running: 'Making the report…',
  made: 'Report made and e-mailed to the supervisors.',
  period: 'Period',
  scheduled: 'scheduled',
  onDemand: 'on demand',
  pages: 'Pages',
  acknowledged: 'Acknowledged',
  exhausted: 'Nobody answered',
  open: 'Still open',
  median: 'Median time to acknowledge',
  p90: '90% acknowledged within',
  uncovered: 'Hours nobody was on duty',
  tests: 'Test pages',
  noTransport: 'Not reachable (no push, no e-mail)',
  none0: 'none',
  answered: 'answered',
  unanswered: 'not answered',
} as const;

/** `4 min 10 s`-style duration for acknowledgement times; `—` when there was nothing to measure. */
export function ackDuration(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** Test pages in one phrase: `2 of 3 answered`, or `none`. */
export function testPagesSummary(tests: ReachabilityReport['numbers']['testPages']): string {
  if (tests.length === 0) return reachabilityText.none0;
  const answered = tests.filter((t) => t.acknowledged).length;
  return `${answered} of ${tests.length} ${reachabilityText.answered}`;
}

/** A report's headline: the acknowledged share of the pages opened, or null when no page opened. */
export function ackShare(n: ReachabilityReport['numbers']): number | null {
  return n.pagesOpened === 0 ? null : Math.round((100 * n.acknowledged) / n.pagesOpened);
}
