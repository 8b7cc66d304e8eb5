/**
 * Periodic reachability reports per desk (docs/DESKS.md "Reachability reports"), with a ManualClock, a
 * real push service and a real SMTP server: a scripted day of pages gives the numbers expected; the
 * scheduled report for a period is stored, audited and e-mailed once, however many ticks, schedulers
 * or apps on one data directory race for it; the on-demand run and the list answer the right statuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReachabilityService, percentile } from '../../server/alerting/reachability.ts';
import { ManualClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import type { Page, ReachabilityReport, TestPageResult } from '../../shared/schemas/pages.ts';
import { expectError, makeApp, tempDir, type TestApp } from '../world/app.ts';
import { TestPushService } from '../world/push-service.ts';
import { TestSmtpServer } from '../world/smtp.ts';
import { MARKER, auditRows } from './fixtures.ts';
import { DAY_MS, MINUTE_MS, TIME_TRAVEL, TUE_0300, call, deskWorld, ok, subscribe } from './desk-world.ts';
import { rawDb } from '../world/db.ts';

let push: TestPushService | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await push?.close();
  await smtp?.close();
  push = undefined;
  smtp = undefined;
});

/** Tuesday 24 Nov 2026 00:00 UTC (= Lisbon): the day's period, and the next midnight that ends it. */
const TUE_0000 = TUE_0300 - 3 * 3_600_000;
const WED_0000 = TUE_0000 + DAY_MS;

async function openPage(t: TestApp, deskId: string): Promise<string> {
  const { ctx } = t.app;
  const opened = await ctx.store.write((tx) =>
    ctx.paging.openIn(tx, { deskId, priority: 'urgent', ackRequested: true, channelId: null, reason: 'contact_request', requesterId: null }, null),
  );
  await opened.sent;
  return opened.page.id;
}

/**
 * Tuesday at the night desk: four pages (two acknowledged after 2 and 6 minutes, one exhausted, one
 * cancelled), two test pages (one acknowledged), Ana with push, Sam with e-mail, Rui with nothing.
 */
async function scriptedDay(opts: { dataDir?: string; clock?: ManualClock } = {}) {
  push = await TestPushService.start();
  smtp = await TestSmtpServer.start();
  const W = await deskWorld({ smtpUrl: smtp.url, ...opts, keepOpen: opts.dataDir !== undefined });
  const { t, ana, rui, sam, desk } = W;
  const paging = t.app.ctx.paging;
  await subscribe(t, ana, push.subscribe());
  await ok(await call(t, sam, 'PUT', '/notifications/settings', { email: 'sam@pj.example', push: true, emailEnabled: true, quietHours: null }));

  const a = await openPage(t, desk.id); // 03:00
  t.clock.advance(2 * MINUTE_MS);
  await ok(await call(t, ana, 'POST', `/pages/${a}/ack`)); // 2 min
  t.clock.set(TUE_0300 + 10 * MINUTE_MS);
  const b = await openPage(t, desk.id); // 03:10
  t.clock.advance(5 * MINUTE_MS);
  expect(await paging.tick()).toBe(1); // Rui at 03:15
  t.clock.advance(MINUTE_MS);
  await ok(await call(t, rui, 'POST', `/pages/${b}/ack`)); // 6 min
  t.clock.set(TUE_0300 + 30 * MINUTE_MS);
  const c = await openPage(t, desk.id); // 03:30, nobody answers
  for (let i = 0; i < 3; i++) {
    t.clock.advance(5 * MINUTE_MS);
    expect(await paging.tick()).toBe(1);
  }
  expect((await ok<{ page: Page }>(await call(t, sam, 'GET', `/pages/${c}`))).page.state).toBe('exhausted');
  t.clock.set(TUE_0300 + 60 * MINUTE_MS);
  const test1 = await ok<TestPageResult>(await call(t, sam, 'POST', `/desks/${desk.id}/test-page`), 201); // 04:00
  t.clock.advance(MINUTE_MS);
  await ok(await call(t, ana, 'POST', `/pages/${test1.page.id}/ack`));
  const test2 = await ok<TestPageResult>(await call(t, sam, 'POST', `/desks/${desk.id}/test-page`), 201); // 04:01, unanswered
  t.clock.set(TUE_0300 + 120 * MINUTE_MS);
  const d = await openPage(t, desk.id); // 05:00, claimed at once
  expect(await t.app.ctx.store.write((tx) => paging.cancelIn(tx, d, null, 'claimed'))).toBe(true);
  // Mails so far: the page ladder reached Sam by e-mail once (page c, step 2).
  await smtp.waitFor(1);
  return { ...W, test1: test1.page.id, test2: test2.page.id };
}

describe('reachability reports', () => {
  it('after the day, one scheduled report with the scripted numbers, stored, audited and e-mailed once with numbers only, however many ticks and schedulers', async () => {
    const S = await scriptedDay();
    const { t, desk, rui, sam } = S;
    const { ctx } = t.app;
    // Before the period ends there is nothing to report for it (the day before: the desk did not exist).
    expect(await ctx.reachability.tick()).toBe(0);
    expect((await ok<{ reports: ReachabilityReport[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/reachability`))).reports).toEqual([]);

    t.clock.set(WED_0000 + 30_000);
    const other = new ReachabilityService({ store: ctx.store, clock: t.clock, audit: ctx.audit, desks: ctx.desks, alerting: ctx.alerting });
    const counts = await Promise.all([ctx.reachability.tick(), other.tick(), ctx.reachability.tick(), other.tick()]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(1);
    t.clock.advance(10 * MINUTE_MS);
    expect(await ctx.reachability.tick()).toBe(0);

    const { reports } = await ok<{ reports: ReachabilityReport[] }>(await call(t, S.ana, 'GET', `/desks/${desk.id}/reachability`));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ deskId: desk.id, periodStart: TUE_0000, periodEnd: WED_0000, scheduled: true });
    expect(reports[0]!.numbers).toEqual({
      pagesOpened: 4,
      acknowledged: 2,
      exhausted: 1,
      cancelled: 1,
      stillOpen: 0,
      medianAckMs: 2 * MINUTE_MS,
      p90AckMs: 6 * MINUTE_MS,
      testPages: [
        { pageId: S.test1, createdAt: TUE_0300 + 60 * MINUTE_MS, acknowledged: true, ackMs: MINUTE_MS },
        { pageId: S.test2, createdAt: TUE_0300 + 61 * MINUTE_MS, acknowledged: false, ackMs: null },
      ],
      officersWithoutTransport: [rui.id],
      // Tuesday: Ana 00:00–06:00 and 22:00–24:00, Rui 09:00–17:00; nobody 06:00–09:00 and 17:00–22:00.
      uncoveredHours: 8,
    });

    // E-mailed once to Sam (the only supervisor), numbers and a link only.
    await smtp!.waitFor(2);
    await new Promise((r) => setTimeout(r, 200));
    const mails = smtp!.received.filter((m) => m.raw.includes('reachability report'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['sam@pj.example']);
    expect(mails[0]!.text).toContain('Pages opened: 4');
    expect(mails[0]!.text).toContain('Hours with nobody on duty: 8');
    expect(mails[0]!.text).toContain(`http://liaison.test/#/desks/${desk.id}`);
    expect(mails[0]!.raw).not.toContain(MARKER);
    expect(mails[0]!.raw).not.toContain('8645150');

    const audited = auditRows(t, 'desk.reachability_reported');
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]!.details)).toEqual({
      reportId: reports[0]!.id,
      periodStart: TUE_0000,
      periodEnd: WED_0000,
      scheduled: true,
      pagesOpened: 4,
      acknowledged: 2,
      exhausted: 1,
      supervisors: 1,
    });
    expect(audited[0]!.details).not.toContain(MARKER);
  });

  it('two apps on one data directory store the period\'s report once', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(TUE_0300);
    const S = await scriptedDay({ dataDir, clock });
    const second = await makeApp({ clock, config: { ...TIME_TRAVEL, dataDir, alerting: { timeoutMs: 5_000, smtpUrl: smtp!.url } } });
    clock.set(WED_0000 + 1_000);
    const [a, b] = await Promise.all([S.t.app.ctx.reachability.tick(), second.app.ctx.reachability.tick()]);
    expect(a + b).toBe(1);
    expect(await second.app.ctx.reachability.tick()).toBe(0);
    const rows = rawDb(second.app).prepare('SELECT period_end AS periodEnd, scheduled FROM reachability_reports').all();
    expect(rows).toEqual([{ periodEnd: WED_0000, scheduled: 1 }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp!.received.filter((m) => m.raw.includes('reachability report'))).toHaveLength(1);
    await S.t.app.close();
  });

  it('runs on demand for supervisors and administrators (members 403, others 404, rate-limited); lists by window', async () => {
    const S = await scriptedDay();
    const { t, desk, pt, ana, sam, eva } = S;
    t.clock.set(TUE_0300 + 6 * 3_600_000); // 09:00: the last 24 h reach back into Monday
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/reachability/run`), 403, 'forbidden');
    expectError(await call(t, eva, 'POST', `/desks/${desk.id}/reachability/run`), 404, 'not_found');
    expectError(await call(t, eva, 'GET', `/desks/${desk.id}/reachability`), 404, 'not_found');
    const run = (await ok<{ report: ReachabilityReport }>(await call(t, sam, 'POST', `/desks/${desk.id}/reachability/run`), 201)).report;
    expect(run).toMatchObject({ scheduled: false, periodEnd: t.clock.now(), periodStart: t.clock.now() - DAY_MS });
    expect(run.numbers).toMatchObject({ pagesOpened: 4, acknowledged: 2, testPages: [expect.anything(), expect.anything()] });
    const again = (await ok<{ report: ReachabilityReport }>(await call(t, pt.admin, 'POST', `/desks/${desk.id}/reachability/run`), 201)).report;
    expect(again.id).not.toBe(run.id);
    await ok(await call(t, pt.admin, 'POST', `/desks/${desk.id}/reachability/run`), 201);
    expectError(await call(t, pt.admin, 'POST', `/desks/${desk.id}/reachability/run`), 429, 'rate_limited');

    const all = (await ok<{ reports: ReachabilityReport[] }>(await call(t, ana, 'GET', `/desks/${desk.id}/reachability`))).reports;
    expect(all).toHaveLength(3);
    const none = (await ok<{ reports: ReachabilityReport[] }>(await call(t, ana, 'GET', `/desks/${desk.id}/reachability?to=${t.clock.now() - 1}`))).reports;
    expect(none).toEqual([]);
    expectError(await call(t, ana, 'GET', `/desks/${desk.id}/reachability?from=10&to=5`), 400, 'invalid_window');
    expect(auditRows(t, 'desk.reachability_reported').map((a) => JSON.parse(a.details).scheduled)).toEqual([false, false, false]);
  });

  it('REACHABILITY_REPORT_HOURS sets the period (1–744, default 24); a 6-hour period reports at 06:00 UTC', async () => {
    expect(loadConfig({}).alerting.reachabilityReportHours).toBeUndefined();
    expect(loadConfig({ REACHABILITY_REPORT_HOURS: '6' }).alerting.reachabilityReportHours).toBe(6);
    expect(() => loadConfig({ REACHABILITY_REPORT_HOURS: '0' })).toThrow(/REACHABILITY_REPORT_HOURS/);
    expect(() => loadConfig({ REACHABILITY_REPORT_HOURS: '745' })).toThrow(/REACHABILITY_REPORT_HOURS/);
    const { t, desk, sam } = await deskWorld({ config: { alerting: { timeoutMs: 5_000, reachabilityReportHours: 6 } } });
    expect(t.app.ctx.reachability.periodMs).toBe(6 * 3_600_000);
    t.clock.set(TUE_0000 + 6 * 3_600_000 + 1_000);
    expect(await t.app.ctx.reachability.tick()).toBe(1);
    const [report] = (await ok<{ reports: ReachabilityReport[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/reachability`))).reports;
    // 00:00–06:00 Tuesday: Ana's night shift covers it all.
    expect(report).toMatchObject({ periodStart: TUE_0000, periodEnd: TUE_0000 + 6 * 3_600_000, scheduled: true });
    expect(report!.numbers.uncoveredHours).toBe(0);
  });

  it('percentiles are nearest-rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });
});
