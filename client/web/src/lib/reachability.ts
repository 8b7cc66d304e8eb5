import type { ReachabilityReport } from '../../../../shared/schemas/pages.ts';
import { fixedT } from '../i18n/i18n.ts';
import { formatDuration } from './format.ts';

/** `4 min 10 s`-style duration for acknowledgement times; `—` when there was nothing to measure. */
export function ackDuration(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** Test pages in one phrase: `2 of 3 answered`, or `none`. */
export function testPagesSummary(tests: ReachabilityReport['numbers']['testPages']): string {
  const t = fixedT('desk-reachability');
  if (tests.length === 0) return t('none0');
  const answered = tests.filter((p) => p.acknowledged).length;
  return t('testsAnswered', { answered, total: tests.length });
}

/** A report's headline: the acknowledged share of the pages opened, or null when no page opened. */
export function ackShare(n: ReachabilityReport['numbers']): number | null {
  return n.pagesOpened === 0 ? null : Math.round((100 * n.acknowledged) / n.pagesOpened);
}
