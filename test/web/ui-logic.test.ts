import { describe, expect, it } from 'vitest';
import { errorText } from '../../client/web/src/lib/errors.ts';
import { dayRanges, scheduleLines, availabilitySummary } from '../../client/web/src/lib/schedule.ts';
import { TLP_STYLES, forwardVerdict, selectableCodes, HANDLING_CODES } from '../../client/web/src/lib/tlp.ts';
import { formatBytes, formatDuration, formatRelative, formatTime, groupFingerprint, percent } from '../../client/web/src/lib/format.ts';
import { href, parseRoute } from '../../client/web/src/lib/router.ts';
import { applyReceipt, overallState, recipientState } from '../../client/web/src/lib/receipts.ts';
import { passphraseProblem, passwordProblem, strengthLabel, feedbackText } from '../../client/web/src/lib/password.ts';
import { LiaisonApiError, LiaisonClientError } from '../../client/sdk/errors.ts';

describe('TLP rules and colours', () => {
  it('uses the TLP 2.0 colours', () => {
    expect(TLP_STYLES['TLP:CLEAR']).toMatchObject({ color: '#000000', background: '#FFFFFF', border: '#000000' });
    expect(TLP_STYLES['TLP:GREEN']).toMatchObject({ color: '#33FF00', background: '#000000' });
    expect(TLP_STYLES['TLP:AMBER']).toMatchObject({ color: '#FFC000', background: '#000000' });
    expect(TLP_STYLES['TLP:AMBER+STRICT']).toMatchObject({ color: '#FFC000', background: '#000000', label: 'TLP:AMBER+STRICT' });
    expect(TLP_STYLES['TLP:RED']).toMatchObject({ color: '#FF2B2B', background: '#000000' });
    expect(Object.keys(TLP_STYLES)).toEqual([...HANDLING_CODES, 'H0', 'H1', 'H2', 'H3']);
  });

  it('never offers a code below the channel minimum', () => {
    expect(selectableCodes('TLP:AMBER')).toEqual(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
    expect(selectableCodes()).toHaveLength(5);
  });

  it('applies the forwarding rules of PROTOCOL.md §8 (TLP 2.0), with the reason in plain words', () => {
    const own = { myAgencyId: 'a', targetAgencyIds: ['a'], clientAgencyIds: ['fiu'] };
    const client = { myAgencyId: 'a', targetAgencyIds: ['a', 'fiu'], clientAgencyIds: ['fiu'] };
    const partner = { myAgencyId: 'a', targetAgencyIds: ['a', 'b'], clientAgencyIds: ['fiu'] };
    expect(forwardVerdict('TLP:RED', own)).toEqual({ allowed: false, reason: 'TLP:RED may not be forwarded.' });
    expect(forwardVerdict('TLP:AMBER+STRICT', own).allowed).toBe(true);
    expect(forwardVerdict('TLP:AMBER+STRICT', client)).toEqual({ allowed: false, reason: 'TLP:AMBER+STRICT stays within your agency.' });
    expect(forwardVerdict('TLP:AMBER', client).allowed).toBe(true);
    // An agency of the source channel's agreement is not a client: AMBER does not reach it.
    expect(forwardVerdict('TLP:AMBER', partner)).toEqual({ allowed: false, reason: 'TLP:AMBER stays within your agency and the institutions it sponsors.' });
    expect(forwardVerdict('TLP:GREEN', partner).allowed).toBe(true);
  });

  it('describes each code with its published TLP 2.0 meaning', () => {
    expect(TLP_STYLES['TLP:AMBER'].meaning).toMatch(/need-to-know basis within their organisation and its clients/);
    expect(TLP_STYLES['TLP:AMBER'].meaning).not.toMatch(/same agreement/);
    expect(TLP_STYLES['TLP:AMBER+STRICT'].meaning).toMatch(/within their own organisation/);
    expect(TLP_STYLES['TLP:RED'].meaning).toMatch(/eyes and ears of individual recipients only/);
  });
});

describe('schedule display', () => {
  it('groups consecutive days', () => {
    expect(dayRanges([0, 1, 2, 3, 4])).toBe('Mon–Fri');
    expect(dayRanges([0, 1, 4, 6])).toBe('Mon, Tue, Fri, Sun');
    expect(dayRanges([5, 6])).toBe('Sat, Sun');
    expect(dayRanges([0, 2, 3, 4])).toBe('Mon, Wed–Fri');
  });

  it('merges days with identical hours and marks overnight slots', () => {
    const av = {
      kind: 'schedule' as const,
      timeZone: 'Europe/Lisbon',
      slots: [
        ...[0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' })),
        { day: 5, start: '22:00', end: '06:00' },
        { day: 0, start: '20:00', end: '24:00' },
      ],
    };
    expect(scheduleLines(av)).toEqual(['Mon 09:00–17:00, 20:00–24:00', 'Tue–Fri 09:00–17:00', 'Sat 22:00–06:00 (+1 day)']);
    expect(availabilitySummary(av)).toContain('(Europe/Lisbon)');
    expect(scheduleLines({ kind: '24/7' })).toEqual(['24/7']);
  });
});

describe('formatting', () => {
  const now = new Date(2026, 10, 23, 15, 0).getTime();
  it('formats times relative to today', () => {
    expect(formatTime(new Date(2026, 10, 23, 9, 5).getTime(), now)).toBe('09:05');
    expect(formatTime(new Date(2026, 2, 3, 14, 5).getTime(), now)).toBe('3 Mar 14:05');
    expect(formatTime(new Date(2025, 2, 3, 14, 5).getTime(), now)).toBe('3 Mar 2025');
    expect(formatRelative(now + 3 * 86_400_000, now)).toBe('in 3 days');
    expect(formatRelative(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(formatRelative(now - 10_000, now)).toBe('just now');
  });

  it('formats sizes, percentages, durations and fingerprints', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(percent(50, 200)).toBe(25);
    expect(percent(5, 0)).toBe(0);
    expect(percent(300, 200)).toBe(100);
    expect(formatDuration(30 * 60_000)).toBe('30 minutes');
    expect(formatDuration(2000)).toBe('2 seconds');
    expect(groupFingerprint('a1b2c3d4e5')).toBe('A1B2 C3D4 E5');
  });
});

describe('hash routes', () => {
  it('parses and builds every route', () => {
    expect(parseRoute('#/enrol/abc_DEF-123')).toEqual({ name: 'enrol', token: 'abc_DEF-123' });
    expect(parseRoute('#/channels/c1')).toEqual({ name: 'channels', channelId: 'c1' });
    expect(parseRoute('#/admin/audit')).toEqual({ name: 'admin', tab: 'audit' });
    expect(parseRoute('#/admin/bogus')).toEqual({ name: 'admin', tab: 'officers' });
    expect(parseRoute('')).toEqual({ name: 'home' });
    for (const r of [parseRoute('#/directory/e1'), parseRoute('#/agreements'), parseRoute('#/account')]) expect(parseRoute(href(r))).toEqual(r);
  });
});

describe('receipts', () => {
  it('folds live receipts into per-recipient states', () => {
    let rows = applyReceipt([], { officerId: 'b', kind: 'delivered', at: 1 });
    rows = applyReceipt(rows, { officerId: 'c', kind: 'read', at: 2 });
    expect(rows.map(recipientState).map((r) => r.state)).toEqual(['delivered', 'read']);
    expect(rows.find((r) => r.officerId === 'c')!.delivered).toBe(2);
    expect(overallState(rows)).toBe('delivered');
    rows = applyReceipt(rows, { officerId: 'b', kind: 'acknowledged', at: 3 });
    expect(recipientState(rows[0]!)).toEqual({ officerId: 'b', state: 'acknowledged', at: 3 });
    expect(overallState(rows)).toBe('read');
    expect(overallState([])).toBe('sent');
  });
});

describe('passwords and passphrases', () => {
  it('checks locally before the server does', () => {
    expect(passwordProblem('short', 'short', 'ana')).toMatch(/12/);
    expect(passwordProblem('ana.silva is my password', 'ana.silva is my password', 'ana.silva')).toMatch(/username/);
    expect(passwordProblem('violet harbour lantern', 'violet harbour lanter', 'ana')).toMatch(/differ/);
    expect(passwordProblem('violet harbour lantern', 'violet harbour lantern', 'ana')).toBeNull();
    expect(passphraseProblem('same password here', 'same password here', 'same password here')).toMatch(/different/);
    expect(strengthLabel({ score: 4, warning: null, suggestions: [] }, 'short').level).toBe('bad');
    expect(strengthLabel({ score: 3, warning: null, suggestions: [] }, 'long enough password').label).toBe('strong');
    expect(feedbackText('topTen')).toMatch(/common/);
    expect(feedbackText('unknownKey')).toBeNull();
  });
});

describe('error messages', () => {
  it('maps API and SDK codes to human text', () => {
    expect(errorText(new LiaisonApiError(401, 'invalid_credentials', 'x'))).toBe('Wrong username, password or authentication code.');
    // account_locked is no longer sent (sign-in back-off replaced the lockout): no dead sentence for it.
    expect(errorText(new LiaisonApiError(423, 'account_locked', 'The server explains.'))).toBe('The server explains.');
    // Codes mapped to null show the server's own sentence.
    expect(errorText(new LiaisonApiError(409, 'stale_event', 'The channel chain moved on'))).toBe('The channel chain moved on');
    expect(errorText(new LiaisonApiError(400, 'weak_password', 'Password must be at least 12 characters long'))).toBe('Password must be at least 12 characters long');
    expect(errorText(new LiaisonClientError('backup/wrong-secret', 'x'))).toBe('Wrong key-backup passphrase.');
    expect(errorText(new LiaisonApiError(409, 'some_new_code', 'The server explains.'))).toBe('The server explains.');
    expect(errorText(null)).toMatch(/went wrong/);
  });

  it('explains the device errors of Account → Devices and of a revoked device sending', () => {
    expect(errorText(new LiaisonApiError(409, 'device_revoked', 'device abc is revoked'))).toBe('That device has been revoked: it is signed out and can no longer send.');
    expect(errorText(new LiaisonApiError(403, 'envelope_device_revoked', 'the sending device was revoked'))).toMatch(/^This device has been revoked, so it can no longer send/);
    expect(errorText(new LiaisonApiError(404, 'not_found', 'no such device'))).toBe('Not found, or you do not have access to it.');
    expect(errorText(new LiaisonClientError('keys/locked', 'locked'))).toMatch(/keys are locked/);
  });

  it('sign-in errors tell the officer how many tries remain and how long a back-off lasts', () => {
    expect(errorText(new LiaisonApiError(401, 'invalid_credentials', 'x', { details: { triesRemaining: 2 } }))).toMatch(/2 tries left/);
    expect(errorText(new LiaisonApiError(401, 'invalid_credentials', 'x', { details: { triesRemaining: 0 } }))).toMatch(/delayed/);
    expect(errorText(new LiaisonApiError(429, 'login_throttled', 'x', { details: { retryAfterSeconds: 30 } }))).toMatch(/Wait 30 seconds/);
    expect(errorText(new LiaisonApiError(429, 'login_throttled', 'x', { details: { retryAfterSeconds: 900 } }))).toMatch(/Wait 15 minutes/);
  });
});
