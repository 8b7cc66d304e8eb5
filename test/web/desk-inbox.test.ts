import { describe, expect, it } from 'vitest';
import { inboxText, isOverdue, requestText, sectionOf, sections, unopenedText } from '../../client/web/src/lib/desk-inbox.ts';

/** Monday 7 Dec 2026, 03:00 in Lisbon. */
const AT = Date.UTC(2026, 11, 7, 3, 0);
const MIN = 60_000;
const ME = 'me';

type Item = { id: string; state: 'open' | 'claimed'; receivedAt: number; claimedBy: string | null };
const item = (id: string, minutesAgo: number, claimedBy: string | null = null): Item => ({ id, state: claimedBy ? 'claimed' : 'open', receivedAt: AT - minutesAgo * MIN, claimedBy });

describe('the desk inbox', () => {
  it('is overdue once unclaimed for the whole ladder (3 steps × ackMinutes), never when claimed', () => {
    expect(isOverdue(item('a', 14), 5, AT)).toBe(false);
    expect(isOverdue(item('a', 15), 5, AT)).toBe(true);
    expect(isOverdue(item('a', 59), 20, AT)).toBe(false);
    expect(isOverdue(item('a', 60), 20, AT)).toBe(true);
    expect(isOverdue(item('a', 600, 'x'), 5, AT)).toBe(false);
  });

  it('puts each request in one section: overdue, unclaimed, claimed by me, claimed by others', () => {
    expect(sectionOf(item('a', 1), ME, 5, AT)).toBe('unclaimed');
    expect(sectionOf(item('a', 16), ME, 5, AT)).toBe('overdue');
    expect(sectionOf(item('a', 16, ME), ME, 5, AT)).toBe('mine');
    expect(sectionOf(item('a', 1, 'colleague'), ME, 5, AT)).toBe('others');
  });

  it('lists each section newest first', () => {
    const s = sections([item('old', 3), item('new', 1), item('late', 30), item('taken', 2, ME), item('theirs', 4, 'colleague'), item('theirs2', 1, 'colleague')], ME, 5, AT);
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.map((x) => x.id)]))).toEqual({
      overdue: ['late'],
      unclaimed: ['new', 'old'],
      mine: ['taken'],
      others: ['theirs2', 'theirs'],
    });
  });

  it('says in plain words why a request did not open on this device', () => {
    expect(unopenedText('intake/unknown-version')).toMatch(/^Not readable on this device yet: a supervisor must add you to the desk channel/);
    expect(unopenedText('keys/not-certified')).toBe('Not readable yet: the requester’s keys are not certified by their agency.');
    expect(unopenedText('intake/bad-request-signature')).toMatch(/failed verification/);
    expect(unopenedText('intake/something-new')).toBe('This request could not be opened on this device (intake/something-new).');
    expect(unopenedText(null)).toBe('This request could not be opened on this device.');
  });

  it('shows a text request’s text and another kind by name; nothing when unopened', () => {
    expect(requestText({ payload: { kind: 'text', text: 'Need help' } })).toBe('Need help');
    expect(requestText({ payload: null })).toBeNull();
  });

  it('says what the desk channel sync changed', () => {
    expect(inboxText.synced([], [], false)).toBe('The desk channel already matches the desk’s members and supervisors.');
    expect(inboxText.synced(['Ana'], [], false)).toBe('Desk channel updated: added Ana.');
    expect(inboxText.synced(['Ana'], ['Rui', 'Eva'], true)).toBe(
      'Desk channel updated: added Ana; removed Rui, Eva. The intake key was rotated, because whoever left may still hold the old one.',
    );
  });
});

describe('override times', () => {
  it('reads a datetime-local value in the desk’s zone, and back', async () => {
    const { epochToWallTime, wallTimeToEpoch } = await import('../../client/web/src/lib/rota-week.ts');
    expect(wallTimeToEpoch('2026-07-01T09:00', 'Europe/Lisbon')).toBe(Date.UTC(2026, 6, 1, 8, 0));
    expect(wallTimeToEpoch('2026-12-01T09:00', 'Europe/Lisbon')).toBe(Date.UTC(2026, 11, 1, 9, 0));
    // The spring-forward gap moves forward: 02:30 on 8 March 2026 in New York is 03:00 EDT.
    expect(wallTimeToEpoch('2026-03-08T02:30', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 0));
    expect(wallTimeToEpoch('', 'Europe/Lisbon')).toBeNull();
    expect(wallTimeToEpoch('2026-13-01T09:00', 'Europe/Lisbon')).toBeNull();
    expect(epochToWallTime(Date.UTC(2026, 6, 1, 8, 0), 'Europe/Lisbon')).toBe('2026-07-01T09:00');
  });
});
