import { describe, expect, it } from 'vitest';
import { ackDuration, ackShare, testPagesSummary } from '../../client/web/src/lib/reachability.ts';
import type { ReachabilityNumbers } from '../../shared/schemas/pages.ts';

function numbers(over: Partial<ReachabilityNumbers> = {}): ReachabilityNumbers {
  return {
    pagesOpened: 0,
    acknowledged: 0,
    exhausted: 0,
    cancelled: 0,
    stillOpen: 0,
    medianAckMs: null,
    p90AckMs: null,
    testPages: [],
    officersWithoutTransport: [],
    uncoveredHours: 0,
    ...over,
  };
}

describe('reachability report texts', () => {
  it('states the acknowledged share only when pages opened, rounded to a whole percent', () => {
    expect(ackShare(numbers())).toBeNull();
    expect(ackShare(numbers({ pagesOpened: 3, acknowledged: 2 }))).toBe(67);
    expect(ackShare(numbers({ pagesOpened: 4, acknowledged: 4 }))).toBe(100);
  });

  it('shows acknowledgement times as durations and a dash when nothing was measured', () => {
    expect(ackDuration(null)).toBe('—');
    expect(ackDuration(4 * 60_000)).toBe('4 minutes');
    expect(ackDuration(3_600_000)).toBe('1 hour');
  });

  it('summarises test pages as answered of sent', () => {
    expect(testPagesSummary([])).toBe('none');
    const t = (acknowledged: boolean) => ({ pageId: 'p', createdAt: 0, acknowledged, ackMs: acknowledged ? 1000 : null });
    expect(testPagesSummary([t(true), t(false), t(true)])).toBe('2 of 3 answered');
  });
});
