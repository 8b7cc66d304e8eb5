import { REFUSAL_GROUND_CODES, RUNNING_STATES, type RequestState } from '../../shared/requests/lifecycle.ts';
import type { Figure, SideFigures } from '../../shared/schemas/stats.ts';
import type { StatsRequestRow } from './repository.ts';

/**
 * Pure computations of docs/STATS.md: each figure is counted on the raw rows first (totals included), then each cell
 * is suppressed on its own when its count is 1..k−1.
 */

export function suppress(count: number, k: number): Figure {
  return count > 0 && count < k ? { value: null, suppressed: true } : { value: count, suppressed: false };
}

/** Not suppressible: operational counts (directory health) and values derived from an unsuppressed count. */
export function plain(value: number | null): Figure {
  return { value, suppressed: false };
}

const HIDDEN: Figure = { value: null, suppressed: true };

type Completeness = 'full' | 'partial' | null;

/** How the request was answered: in full when its final state says so, partially when it had an answer otherwise. */
export function completenessOf(r: StatsRequestRow): Completeness {
  if (r.state === 'answered-full') return 'full';
  return r.firstAnswerAt !== null ? 'partial' : null;
}

function completeness(rows: StatsRequestRow[], k: number): { full: Figure; partial: Figure } {
  let full = 0;
  let partial = 0;
  for (const r of rows) {
    const c = completenessOf(r);
    if (c === 'full') full++;
    else if (c === 'partial') partial++;
  }
  return { full: suppress(full, k), partial: suppress(partial, k) };
}

function count(rows: StatsRequestRow[], pred: (r: StatsRequestRow) => boolean, k: number): Figure {
  let n = 0;
  for (const r of rows) if (pred(r)) n++;
  return suppress(n, k);
}

/** The Art. 18 figures of `rows`; `otherCountry` names the other party of a row (the requesting country for received requests). */
export function sideFigures(rows: StatsRequestRow[], otherCountry: (r: StatsRequestRow) => string, now: number, k: number): SideFigures {
  const byCountry = new Map<string, StatsRequestRow[]>();
  for (const r of rows) {
    if (completenessOf(r) === null) continue;
    const c = otherCountry(r);
    byCountry.set(c, [...(byCountry.get(c) ?? []), r]);
  }
  const refused = rows.filter((r) => r.state === 'refused');
  return {
    total: suppress(rows.length, k),
    answered: completeness(rows, k),
    answeredByUrgency: {
      urgent: completeness(rows.filter((r) => r.urgency === 'urgent'), k),
      'non-urgent': completeness(rows.filter((r) => r.urgency === 'non-urgent'), k),
    },
    answeredByCountry: Object.fromEntries([...byCountry.keys()].sort().map((c) => [c, completeness(byCountry.get(c)!, k)])),
    refusals: {
      total: suppress(refused.length, k),
      byGround: Object.fromEntries(REFUSAL_GROUND_CODES.map((g) => [g, count(refused, (r) => r.refusalGround === g, k)])) as SideFigures['refusals']['byGround'],
    },
    withdrawn: count(rows, (r) => r.state === 'withdrawn', k),
    deadline: {
      answeredLate: count(rows, (r) => r.firstAnswerAt !== null && r.firstAnswerAt > r.deadline, k),
      overdueOpen: count(rows, (r) => RUNNING_STATES.includes(r.state as RequestState) && r.deadline < now, k),
    },
    judicialPending: count(rows, (r) => r.state === 'judicial-pending', k),
  };
}

/** Requests per (requesting country, requested country), sorted. */
export function countryPairs(rows: StatsRequestRow[], k: number): { from: string; to: string; requests: Figure }[] {
  const pairs = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.requesterCountry}>${r.requestedCountry}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  return [...pairs.keys()].sort().map((key) => {
    const [from, to] = key.split('>') as [string, string];
    return { from, to, requests: suppress(pairs.get(key)!, k) };
  });
}

/** Nearest-rank percentile of an ascending list (p in (0, 1]). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Time from the server-stamped receipt to the first answer, against the deadline; hidden with a suppressed number of answers. */
export function responseTimes(rows: StatsRequestRow[], k: number) {
  const one = (subset: StatsRequestRow[]) => {
    const answered = subset.filter((r) => r.firstAnswerAt !== null);
    const n = answered.length;
    const durations = answered.map((r) => r.firstAnswerAt! - r.receivedAt).sort((a, b) => a - b);
    const within = answered.filter((r) => r.firstAnswerAt! <= r.deadline).length;
    const small = n > 0 && n < k;
    if (n === 0) return { answered: plain(0), medianMs: plain(null), p90Ms: plain(null), withinDeadline: plain(0), withinDeadlineShare: plain(null) };
    return {
      answered: suppress(n, k),
      medianMs: small ? HIDDEN : plain(percentile(durations, 0.5)),
      p90Ms: small ? HIDDEN : plain(percentile(durations, 0.9)),
      withinDeadline: suppress(within, k),
      withinDeadlineShare: small ? HIDDEN : plain(within / n),
    };
  };
  return {
    all: one(rows),
    urgent: one(rows.filter((r) => r.urgency === 'urgent')),
    'non-urgent': one(rows.filter((r) => r.urgency === 'non-urgent')),
  };
}

/** [from, to) of a calendar year in UTC. */
export function yearPeriod(year: number): { from: number; to: number } {
  return { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) };
}
