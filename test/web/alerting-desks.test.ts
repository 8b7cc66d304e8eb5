import { describe, expect, it } from 'vitest';
import { FALLBACK_VIEW, parsePushPayload, pushView } from '../../client/web/src/lib/push-notification.ts';
import { base64UrlToBytes, pushSupport } from '../../client/web/src/lib/push.ts';
import { deliveryText, settingsFromForm, type SettingsForm } from '../../client/web/src/lib/notification-settings.ts';
import { addWeeks, daysText, rowsOf, shiftSpan, weekColumns, weeklyOf, weekStart, zoneDescription, type RotaData } from '../../client/web/src/lib/rota-week.ts';
import { timeZoneOptions, wallClock } from '../../client/web/src/lib/zones.ts';
import { href, parseRoute } from '../../client/web/src/lib/router.ts';
import { pushPayload } from '../../server/alerting/render.ts';

const HOUR = 3_600_000;

describe('the service worker’s notification for a push payload', () => {
  const at = Date.UTC(2026, 11, 7, 3, 0);

  it('says "Urgent: acknowledgement requested" for an urgent page, one tag per channel, staying on screen, opening the page', () => {
    // The very payload the server renders (server/alerting/render.ts).
    const v = pushView(pushPayload({ v: 1, id: 'n1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: 'ch_42', deskId: 'd1', at }));
    expect(v).toMatchObject({ title: 'Urgent: acknowledgement requested', tag: 'liaison-channel:ch_42', requireInteraction: true, hash: '#/pages/n1' });
    // Content-free: the body is a fixed sentence; no id, name or case reference is in it.
    expect(v.body).toBe('Open Liaison to read it. The content is end-to-end encrypted and is not part of this notification.');
    const normal = pushView(pushPayload({ v: 1, id: 'n2', kind: 'page', priority: 'normal', ackRequested: false, deskId: 'desk_7', at }));
    expect(normal).toMatchObject({ title: 'New item waiting', tag: 'liaison-desk:desk_7', requireInteraction: false, hash: '#/pages/n2' });
    expect(pushView(pushPayload({ v: 1, id: 'n3', kind: 'page', priority: 'urgent', ackRequested: false, at })).title).toBe('Urgent item waiting');
    expect(pushView(pushPayload({ v: 1, id: 'n4', kind: 'page', priority: 'normal', ackRequested: true, at })).title).toBe('Acknowledgement requested');
  });

  it('says "Test notification from Liaison" for a test, opening the notification settings', () => {
    const v = pushView(pushPayload({ v: 1, id: 't1', kind: 'test', priority: 'normal', ackRequested: false, at }));
    expect(v).toMatchObject({ title: 'Test notification from Liaison', tag: 'liaison-test', requireInteraction: false, hash: '#/account/notifications' });
  });

  it('shows the generic notice for anything that is not a v1 notification, and never routes outside the app', () => {
    for (const bad of [null, '', 'not json', '[]', '{"v":2,"id":"x","kind":"page","priority":"urgent","ackRequested":true}', '{"v":1,"id":"x","kind":"page","priority":"loud","ackRequested":true}']) {
      expect(pushView(bad)).toEqual(FALLBACK_VIEW);
    }
    // An id that is not an id (a path, a URL) is ignored rather than put into the route.
    const p = parsePushPayload(JSON.stringify({ v: 1, id: 'n1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: '../../evil?x=1', at }));
    expect(p).not.toBeNull();
    expect(p!.channelId).toBeUndefined();
    expect(pushView(JSON.stringify({ v: 1, id: 'n1', kind: 'page', priority: 'urgent', ackRequested: true, channelId: 'https://evil.example/' })).hash).toBe('#/pages/n1');
  });
});

describe('push helpers', () => {
  it('decodes the VAPID key from base64url, padded or not, and refuses other alphabets', () => {
    expect([...base64UrlToBytes('AQID_-8')]).toEqual([1, 2, 3, 255, 239]);
    expect([...base64UrlToBytes('AQID_-8=')]).toEqual([1, 2, 3, 255, 239]);
    expect(base64UrlToBytes('B'.repeat(87))).toHaveLength(65);
    expect(() => base64UrlToBytes('ab+/')).toThrow();
  });

  it('needs a secure context, service workers, the Push API and notifications', () => {
    const all = { isSecureContext: true, hasServiceWorker: true, hasPushManager: true, hasNotification: true };
    expect(pushSupport(all)).toBe('supported');
    expect(pushSupport({ ...all, isSecureContext: false })).toBe('insecure');
    expect(pushSupport({ ...all, hasPushManager: false })).toBe('unsupported');
    expect(pushSupport({ ...all, hasServiceWorker: false })).toBe('unsupported');
  });
});

describe('notification settings form', () => {
  const form: SettingsForm = { push: true, email: '  duty@pj.example ', emailEnabled: true, quiet: true, quietStart: '22:00:00', quietEnd: '07:00', quietZone: 'Europe/Lisbon' };

  it('sends a trimmed address (empty = null) and quiet hours only when kept', () => {
    expect(settingsFromForm(form)).toEqual({ push: true, email: 'duty@pj.example', emailEnabled: true, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Lisbon' } });
    expect(settingsFromForm({ ...form, email: '  ', quiet: false })).toEqual({ push: true, email: null, emailEnabled: true, quietHours: null });
  });

  it('explains each delivery result in words', () => {
    expect(deliveryText({ transport: 'push', ok: true })).toBe('Push: delivered');
    expect(deliveryText({ transport: 'email', ok: false, error: 'timeout' })).toBe('E-mail: failed: no answer in time');
    expect(deliveryText({ transport: 'push', ok: false, error: 'status_410' })).toBe('Push: failed: this subscription no longer exists and was removed');
    expect(deliveryText({ transport: 'webhook', ok: false, error: 'status_500' })).toBe('Operator gateway: failed: the service answered 500');
    expect(deliveryText({ transport: 'webhook', ok: false })).toBe('Operator gateway: failed');
  });

  it('offers every zone plus the browser’s and the current one, sorted, once each', () => {
    expect(timeZoneOptions(['Europe/Lisbon', 'America/New_York'], 'UTC', 'Europe/Lisbon', null)).toEqual(['America/New_York', 'Europe/Lisbon', 'UTC']);
    expect(wallClock(Date.UTC(2026, 6, 1, 12, 0), 'Europe/Lisbon')).toBe('13:00');
  });
});

describe('routes of the new screens', () => {
  it('parses and builds Account → Notifications and the desk routes', () => {
    expect(parseRoute('#/account/notifications')).toEqual({ name: 'account', tab: 'notifications' });
    expect(parseRoute('#/account')).toEqual({ name: 'account', tab: 'overview' });
    expect(parseRoute('#/account/bogus')).toEqual({ name: 'account', tab: 'overview' });
    expect(parseRoute('#/desks')).toEqual({ name: 'desks', deskId: null });
    expect(parseRoute('#/desks/d_1')).toEqual({ name: 'desks', deskId: 'd_1' });
    expect(parseRoute('#/pages')).toEqual({ name: 'pages', pageId: null });
    expect(parseRoute('#/pages/p_1')).toEqual({ name: 'pages', pageId: 'p_1' });
    for (const h of ['#/account/notifications', '#/account', '#/desks', '#/desks/new', '#/desks/d_1', '#/pages', '#/pages/p_1']) expect(href(parseRoute(h))).toBe(h);
  });
});

describe('rota week view', () => {
  const lisbon: RotaData = {
    timeZone: 'Europe/Lisbon',
    weekly: [
      { officerId: 'alice', days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '20:00' },
      { officerId: 'bob', days: [1, 2, 3, 4, 5, 6, 7], start: '20:00', end: '08:00' },
    ],
    overrides: [],
  };

  it('starts weeks on Monday 00:00 in the desk’s zone and steps by calendar weeks', () => {
    const wed = Date.UTC(2026, 11, 9, 15, 0); // Wednesday 9 Dec 2026
    expect(weekStart(wed, 'Europe/Lisbon')).toBe(Date.UTC(2026, 11, 7, 0, 0));
    expect(weekStart(wed, 'Asia/Tokyo')).toBe(Date.UTC(2026, 11, 6, 15, 0)); // Mon 00:00 JST
    // The week of the spring-forward night has 167 hours.
    const before = weekStart(Date.UTC(2026, 2, 25), 'Europe/Lisbon');
    expect(addWeeks(before, 1, 'Europe/Lisbon') - before).toBe(167 * HOUR);
  });

  it('renders seven columns with each shift cut at midnight, overnight shifts on both days, and the viewer’s own times', () => {
    const cols = weekColumns(lisbon, weekStart(Date.UTC(2026, 11, 9), 'Europe/Lisbon'), 'America/New_York');
    expect(cols.map((c) => c.title)).toEqual(['Mon 7 Dec', 'Tue 8 Dec', 'Wed 9 Dec', 'Thu 10 Dec', 'Fri 11 Dec', 'Sat 12 Dec', 'Sun 13 Dec']);
    const mon = cols[0]!.shifts.map((s) => [s.officerId, s.deskLabel, s.viewerLabel]);
    // Sunday night's shift runs into Monday; Monday's night shift into Tuesday. Lisbon is UTC+0, New York UTC−5 in December.
    expect(mon).toEqual([
      ['bob', '00:00–08:00', '19:00–03:00'],
      ['alice', '08:00–20:00', '03:00–15:00'],
      ['bob', '20:00–24:00', '15:00–19:00'],
    ]);
    expect(cols[0]!.shifts[0]!.fromPreviousDay).toBe(true);
    expect(cols[0]!.shifts[2]!.intoNextDay).toBe(true);
    // The same viewer zone as the desk: no second label.
    expect(weekColumns(lisbon, weekStart(Date.UTC(2026, 11, 9), 'Europe/Lisbon'), 'Europe/Lisbon')[0]!.shifts[0]!.viewerLabel).toBeNull();
  });

  it('follows daylight saving: the spring-forward Sunday has 23 hours and the night shift before it lasts 11', () => {
    const cols = weekColumns(lisbon, weekStart(Date.UTC(2026, 2, 25), 'Europe/Lisbon'), 'Europe/Lisbon');
    const sun = cols[6]!;
    expect(sun.title).toBe('Sun 29 Mar');
    expect(sun.end - sun.start).toBe(23 * HOUR);
    const night = sun.shifts.find((s) => s.officerId === 'bob' && s.fromPreviousDay)!;
    expect(night.deskLabel).toBe('00:00–08:00');
    expect(night.end - night.start).toBe(11 * HOUR);
  });

  it('shows a swap instead of the swapped-out part of a weekly shift', () => {
    const monday = Date.UTC(2026, 11, 7);
    const rota: RotaData = { ...lisbon, overrides: [{ id: 'o1', officerId: 'carol', start: monday + 8 * HOUR, end: monday + 20 * HOUR, replaces: 'alice' }] };
    const mon = weekColumns(rota, weekStart(monday, 'Europe/Lisbon'), 'Europe/Lisbon')[0]!.shifts;
    expect(mon.map((s) => [s.officerId, s.source, s.deskLabel])).toEqual([
      ['bob', 'weekly', '00:00–08:00'],
      ['carol', 'override', '08:00–20:00'],
      ['bob', 'weekly', '20:00–24:00'],
    ]);
  });

  it('writes zones and spans out', () => {
    expect(zoneDescription('Europe/Lisbon', Date.UTC(2026, 6, 1))).toBe('Europe/Lisbon (UTC+01:00)');
    expect(zoneDescription('America/New_York', Date.UTC(2026, 11, 1))).toBe('America/New_York (EST, UTC-05:00)');
    expect(shiftSpan(Date.UTC(2026, 11, 8, 20), Date.UTC(2026, 11, 9, 8), 'Europe/Lisbon')).toBe('Tue 8 Dec 20:00 – Wed 9 Dec 08:00');
    expect(shiftSpan(Date.UTC(2026, 11, 8, 8), Date.UTC(2026, 11, 8, 20), 'Europe/Lisbon')).toBe('Tue 8 Dec 08:00–20:00');
  });
});

describe('rota editor rows', () => {
  it('round-trips weekly shifts, sorting days and dropping seconds', () => {
    const rows = rowsOf([{ officerId: 'a', days: [5, 1, 3], start: '09:00', end: '17:00' }]);
    expect(weeklyOf([{ ...rows[0]!, start: '09:00:00' }])).toEqual([{ officerId: 'a', days: [1, 3, 5], start: '09:00', end: '17:00' }]);
  });

  it('names day sets compactly', () => {
    expect(daysText([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(daysText([6, 7])).toBe('Sat, Sun');
    expect(daysText([1, 3, 4, 5])).toBe('Mon, Wed–Fri');
    expect(daysText([7, 1, 2, 3, 4, 5, 6])).toBe('every day');
  });
});
