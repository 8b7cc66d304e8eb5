import { describe, expect, it } from 'vitest';
import { absoluteTime, openCount, pagedOutcome, parseAckMinutes, sinceText, stepText, withPage } from '../../client/web/src/lib/pages.ts';
import type { Page } from '../../shared/schemas/pages.ts';

/** Monday 7 Dec 2026, 03:00 in Lisbon (WET = UTC in winter). */
const AT = Date.UTC(2026, 11, 7, 3, 0);
const MIN = 60_000;

function page(id: string, state: Page['state'] = 'open'): Page {
  return {
    id,
    deskId: 'd1',
    priority: 'urgent',
    ackRequested: true,
    channelId: null,
    reason: 'contact_request',
    createdAt: AT,
    step: 0,
    state,
    nextFireAt: null,
    ackedAt: null,
    ackedBy: null,
    deskPhone: null,
  };
}

describe('the pages view’s texts', () => {
  it('names the ladder’s steps, 1-based, and the exhausted end', () => {
    expect(stepText(0)).toBe('Step 1 of 3: On-duty officers');
    expect(stepText(1)).toBe('Step 2 of 3: Next on the rota');
    expect(stepText(2)).toBe('Step 3 of 3: Supervisors');
    expect(stepText(3)).toBe('Nobody left (the desk’s phone)');
  });

  it('writes when a page opened relative to now and absolute in the viewer’s zone, with the zone’s name', () => {
    expect(absoluteTime(AT, 'Europe/Lisbon')).toBe('2026-12-07 03:00 WET');
    expect(absoluteTime(AT, 'America/New_York')).toBe('2026-12-06 22:00 GMT-5');
    expect(sinceText(AT, AT + 7 * MIN, 'Europe/Lisbon')).toBe('7 min ago (2026-12-07 03:00 WET)');
    expect(sinceText(AT + 5 * MIN, AT, 'Asia/Tokyo')).toBe('in 5 min (2026-12-07 12:05 GMT+9)');
  });

  it('says how a page reached an officer: each transport, quiet hours, or nothing recorded', () => {
    const d = { step: 0, officerId: 'o1', at: AT };
    expect(pagedOutcome({ ...d, results: [{ transport: 'push', ok: true }, { transport: 'email', ok: false, error: 'timeout' }] })).toBe('Push: delivered; E-mail: failed: no answer in time');
    expect(pagedOutcome({ ...d, results: [], skipped: 'quiet_hours' })).toBe('Held back: quiet hours');
    expect(pagedOutcome({ ...d, results: [] })).toBe('No delivery recorded');
  });
});

describe('the pages list', () => {
  it('replaces an acknowledged page in place, adds an unknown one first, and counts open pages only', () => {
    const list = [page('a'), page('b'), page('c')];
    const acked = { ...page('b', 'acknowledged'), ackedAt: AT + MIN, ackedBy: 'o1' };
    const next = withPage(list, acked);
    expect(next.map((p) => [p.id, p.state])).toEqual([
      ['a', 'open'],
      ['b', 'acknowledged'],
      ['c', 'open'],
    ]);
    expect(openCount(next)).toBe(2);
    expect(withPage(next, page('z')).map((p) => p.id)).toEqual(['z', 'a', 'b', 'c']);
    expect(openCount([page('x', 'exhausted'), page('y', 'cancelled')])).toBe(0);
  });

  it('takes ack minutes as a whole number from 1 to 120', () => {
    expect(parseAckMinutes('5')).toBe(5);
    expect(parseAckMinutes(' 120 ')).toBe(120);
    expect(parseAckMinutes('1')).toBe(1);
    for (const bad of ['', '0', '121', '2.5', '-3', '1e2', 'five', '0x10']) expect(parseAckMinutes(bad), bad).toBeNull();
  });
});
