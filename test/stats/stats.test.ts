/**
 * Statistics without content (docs/STATS.md): a scripted year of requests between PT, ES and FR whose figures are
 * counted by hand below, with small counts suppressed at k = 2; permissions, the CSV export, and the report signed
 * with the audit key. The rows are stored through the requests repository as the send path stores them (the send
 * path itself is test/e2e/requests.test.ts), so each outcome and instant is exactly the one counted here.
 */
import { describe, expect, it } from 'vitest';
import { verifyStatsReport } from '../../shared/crypto/stats-report.ts';
import { verifyCheckpointSignature } from '../../shared/crypto/audit-head.ts';
import { fromHex } from '../../shared/crypto/encoding.ts';
import type { AgencyStats, NetworkStats } from '../../shared/schemas/stats.ts';
import type { RequestRow } from '../../server/requests/repository.ts';
import { percentile, suppress } from '../../server/stats/figures.ts';
import { ManualClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { bearer, expectError, login, makeApp, provision, worldOf, type TestApp } from '../world/app.ts';
import { rawDb } from '../world/db.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const shown = (value: number) => ({ value, suppressed: false });
const hidden = { value: null, suppressed: true };

interface Script {
  from: 'PT' | 'ES' | 'FR';
  to: 'PT' | 'ES' | 'FR';
  urgency: 'urgent' | 'non-urgent';
  state: string;
  /** Milliseconds from receipt to the first answer. */
  answerAfter?: number;
  ground?: string;
  receivedAt?: number;
}

// Row n is received on 2026-03-n at 09:00 UTC; urgent deadlines are 8 h, non-urgent 7 days.
const SCRIPT: Script[] = [
  /* 1 */ { from: 'ES', to: 'PT', urgency: 'urgent', state: 'answered-full', answerAfter: 4 * HOUR },
  /* 2 */ { from: 'ES', to: 'PT', urgency: 'urgent', state: 'answered-full', answerAfter: 10 * HOUR }, // late
  /* 3 */ { from: 'ES', to: 'PT', urgency: 'non-urgent', state: 'answered-full', answerAfter: 2 * DAY },
  /* 4 */ { from: 'FR', to: 'PT', urgency: 'non-urgent', state: 'answered-partial', answerAfter: 3 * DAY }, // running, deadline passed
  /* 5 */ { from: 'FR', to: 'PT', urgency: 'non-urgent', state: 'refused', ground: 'f' },
  /* 6 */ { from: 'ES', to: 'PT', urgency: 'non-urgent', state: 'refused', ground: 'a' },
  /* 7 */ { from: 'FR', to: 'PT', urgency: 'urgent', state: 'withdrawn' },
  /* 8 */ { from: 'ES', to: 'PT', urgency: 'non-urgent', state: 'open' }, // overdue
  /* 9 */ { from: 'ES', to: 'PT', urgency: 'non-urgent', state: 'judicial-pending' },
  /* 10 */ { from: 'PT', to: 'ES', urgency: 'urgent', state: 'answered-full', answerAfter: 2 * HOUR },
  /* 11 */ { from: 'PT', to: 'FR', urgency: 'non-urgent', state: 'refused', ground: 'f' },
  /* 12 */ { from: 'ES', to: 'FR', urgency: 'urgent', state: 'answered-full', answerAfter: 1 * HOUR },
  /* out of the period */ { from: 'ES', to: 'PT', urgency: 'urgent', state: 'answered-full', answerAfter: HOUR, receivedAt: Date.UTC(2025, 5, 1) },
];

async function seededYear(t: TestApp) {
  const net = await provision(t);
  const w = worldOf(t);
  const es = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
  const fr = await w.agency({ name: 'Police nationale', country: 'FR', admin: 'fr-admin' });
  const bob = await w.officer(es, 'bob');
  const pt = net.agency.id;
  w.root(pt);
  w.root(es.id);
  const agreementId = w.agreement([pt, es.id], { id: 'mou-pt-es', proposedBy: net.officer.id, validFromMs: 1000 });
  const channel = w.channel(w.keys({ id: net.officer.id, agencyId: pt, tokens: net.officer.tokens }), [w.keys(bob)], { agreementId });
  const agencyOf = { PT: pt, ES: es.id, FR: fr.id };
  await t.app.ctx.store.write(async (tx) => {
    for (const [i, s] of SCRIPT.entries()) {
      const receivedAt = s.receivedAt ?? Date.UTC(2026, 2, i + 1, 9);
      const deadline = receivedAt + (s.urgency === 'urgent' ? 8 * HOUR : 7 * DAY);
      const firstAnswerAt = s.answerAfter !== undefined ? receivedAt + s.answerAfter : null;
      const terminal = ['answered-full', 'refused', 'withdrawn'].includes(s.state);
      const row: RequestRow = {
        id: `rq-${i}`,
        channelId: channel.id,
        ref: `ref-${i}`,
        messageId: `msg-${i}`,
        template: 'eu-2023-977',
        urgency: s.urgency,
        directAccess: false,
        requesterId: net.officer.id,
        requesterAgencyId: agencyOf[s.from],
        requesterCountry: s.from,
        requestedAgencyId: agencyOf[s.to],
        requestedCountry: s.to,
        agreementId: null,
        deskId: null,
        timeZone: 'UTC',
        state: s.state,
        resumeState: null,
        receivedAt,
        deadline,
        suspendedMs: 0,
        clarificationSince: null,
        judicialPendingSince: s.state === 'judicial-pending' ? receivedAt + HOUR : null,
        firstAnswerAt,
        closedAt: terminal ? (firstAnswerAt ?? receivedAt + DAY) : null,
        refusalGround: s.ground ?? null,
        caseIndex: null,
        remindedEarlyAt: null,
        remindedDueAt: null,
        updatedAt: receivedAt,
      };
      await tx.requests.insert(row);
    }
  });
  const officer = await w.officer({ id: pt, admin: net.agencyAdmin }, 'pt-clerk');
  return { net, pt, es, fr, officer };
}

async function get(t: TestApp, tokens: { accessToken: string }, url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { ...bearer(tokens), ...headers } });
}

describe('statistics without content', () => {
  it('small counts: 1..k−1 suppressed, zero and k shown; nearest-rank percentiles', () => {
    expect(suppress(0, 5)).toEqual(shown(0));
    expect(suppress(1, 5)).toEqual(hidden);
    expect(suppress(4, 5)).toEqual(hidden);
    expect(suppress(5, 5)).toEqual(shown(5));
    expect(suppress(1, 1)).toEqual(shown(1));
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.9)).toBe(4);
    expect(percentile([7], 0.9)).toBe(7);
    expect(loadConfig({}).stats?.minCount).toBe(5);
    expect(loadConfig({ STATS_MIN_COUNT: '3' }).stats?.minCount).toBe(3);
    expect(() => loadConfig({ STATS_MIN_COUNT: '0' })).toThrow(/STATS_MIN_COUNT/);
  });

  it("an agency's Art. 18 figures match the hand count (k = 2), for its administrators only", { timeout: 120_000 }, async () => {
    const t = await makeApp({ config: { stats: { minCount: 2 } } });
    const { net, pt, es, officer } = await seededYear(t);

    const res = await get(t, net.agencyAdmin.tokens, `/stats/agency/${pt}?year=2026`);
    expect(res.statusCode).toBe(200);
    const s = res.json() as AgencyStats;
    expect(s).toMatchObject({ scope: 'agency', agencyId: pt, year: 2026, from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1), minCount: 2 });
    // Received by PT: rows 1–9.
    expect(s.asRequested).toEqual({
      total: shown(9),
      answered: { full: shown(3), partial: hidden },
      answeredByUrgency: { urgent: { full: shown(2), partial: shown(0) }, 'non-urgent': { full: hidden, partial: hidden } },
      answeredByCountry: { ES: { full: shown(3), partial: shown(0) }, FR: { full: shown(0), partial: hidden } },
      refusals: {
        total: shown(2),
        byGround: { a: hidden, b: shown(0), c: shown(0), d: shown(0), e: shown(0), f: hidden, g: shown(0), h: shown(0) },
      },
      withdrawn: hidden,
      deadline: { answeredLate: hidden, overdueOpen: shown(2) },
      judicialPending: hidden,
    });
    // Sent by PT: rows 10 and 11.
    expect(s.asRequesting.total).toEqual(shown(2));
    expect(s.asRequesting.answered).toEqual({ full: hidden, partial: shown(0) });
    expect(s.asRequesting.answeredByCountry).toEqual({ ES: { full: hidden, partial: shown(0) } });
    expect(s.asRequesting.refusals.total).toEqual(hidden);
    // Row 12 (ES→FR) is not PT's; the 2025 row is outside the year.
    expect(s.countryPairs).toEqual([
      { from: 'ES', to: 'PT', requests: shown(6) },
      { from: 'FR', to: 'PT', requests: shown(3) },
      { from: 'PT', to: 'ES', requests: hidden },
      { from: 'PT', to: 'FR', requests: hidden },
    ]);
    // Answered by PT: 4 h, 10 h (late), 2 d, 3 d.
    expect(s.responseTimes).toEqual({
      all: { answered: shown(4), medianMs: shown(10 * HOUR), p90Ms: shown(3 * DAY), withinDeadline: shown(3), withinDeadlineShare: shown(0.75) },
      urgent: { answered: shown(2), medianMs: shown(4 * HOUR), p90Ms: shown(10 * HOUR), withinDeadline: hidden, withinDeadlineShare: shown(0.5) },
      'non-urgent': { answered: shown(2), medianMs: shown(2 * DAY), p90Ms: shown(3 * DAY), withinDeadline: shown(2), withinDeadlineShare: shown(1) },
    });
    expect(s.directoryHealth).toEqual({ staleEntries: shown(0), desksTestUnacknowledged: shown(0), exhaustedPages: shown(0) });
    // Another year: nothing.
    const empty = (await get(t, net.agencyAdmin.tokens, `/stats/agency/${pt}?year=2024`)).json() as AgencyStats;
    expect(empty.asRequested.total).toEqual(shown(0));
    expect(empty.responseTimes.all).toEqual({ answered: shown(0), medianMs: { value: null, suppressed: false }, p90Ms: { value: null, suppressed: false }, withinDeadline: shown(0), withinDeadlineShare: { value: null, suppressed: false } });

    // Permissions: an officer of PT 403; another agency's administrator and the platform administrator 404; no token 401.
    expectError(await get(t, officer.tokens, `/stats/agency/${pt}`), 403, 'forbidden');
    expectError(await get(t, es.admin.tokens, `/stats/agency/${pt}`), 404, 'not_found');
    expectError(await get(t, net.admin.tokens, `/stats/agency/${pt}`), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/stats/agency/${pt}` }), 401, 'unauthorized');
    expectError(await get(t, net.agencyAdmin.tokens, `/stats/agency/${pt}?year=1999`), 400, 'validation_failed');
  });

  it('the network view for the secretariat, its CSV export and the report signed with the audit key', { timeout: 120_000 }, async () => {
    const t = await makeApp({ config: { stats: { minCount: 2 } } });
    const { net, pt, es, fr } = await seededYear(t);

    expectError(await get(t, net.agencyAdmin.tokens, '/stats/network?year=2026'), 403, 'forbidden');
    expectError(await get(t, net.agencyAdmin.tokens, '/stats/network/report?year=2026'), 403, 'forbidden');
    const res = await get(t, net.admin.tokens, '/stats/network?year=2026');
    expect(res.statusCode).toBe(200);
    const n = res.json() as NetworkStats;
    expect(n.requests.total).toEqual(shown(12));
    expect(n.requests.answered).toEqual({ full: shown(5), partial: hidden });
    expect(n.requests.answeredByUrgency).toEqual({ urgent: { full: shown(4), partial: shown(0) }, 'non-urgent': { full: hidden, partial: hidden } });
    expect(n.requests.answeredByCountry).toEqual({ ES: { full: shown(4), partial: shown(0) }, FR: { full: shown(0), partial: hidden }, PT: { full: hidden, partial: shown(0) } });
    expect(n.requests.refusals.total).toEqual(shown(3));
    expect(n.requests.refusals.byGround).toMatchObject({ a: hidden, f: shown(2), b: shown(0) });
    expect(n.requests.deadline).toEqual({ answeredLate: hidden, overdueOpen: shown(2) });
    expect(n.agencies).toEqual(
      [
        { agencyId: pt, sent: shown(2), received: shown(9) },
        { agencyId: es.id, sent: shown(7), received: hidden },
        { agencyId: fr.id, sent: shown(3), received: shown(2) },
      ].sort((a, b) => a.agencyId.localeCompare(b.agencyId)),
    );
    expect(n.countryPairs.map((p) => [p.from, p.to, p.requests.value])).toEqual([
      ['ES', 'FR', null],
      ['ES', 'PT', 6],
      ['FR', 'PT', 3],
      ['PT', 'ES', null],
      ['PT', 'FR', null],
    ]);
    // 1 h, 2 h, 4 h, 10 h (late), 2 d, 3 d.
    expect(n.responseTimes.all).toEqual({ answered: shown(6), medianMs: shown(4 * HOUR), p90Ms: shown(3 * DAY), withinDeadline: shown(5), withinDeadlineShare: shown(5 / 6) });

    // CSV, by query and by Accept: one row per figure, suppressed cells empty.
    for (const csvRes of [await get(t, net.admin.tokens, '/stats/network?year=2026&format=csv'), await get(t, net.admin.tokens, '/stats/network?year=2026', { accept: 'text/csv' })]) {
      expect(csvRes.statusCode).toBe(200);
      expect(csvRes.headers['content-type']).toMatch(/^text\/csv/);
      expect(csvRes.headers['content-disposition']).toBe('attachment; filename="liaison-stats-network-2026.csv"');
      const lines = csvRes.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('figure,value,suppressed');
      expect(lines).toContain('requests.total,12,false');
      expect(lines).toContain('requests.answered.partial,,true');
      expect(lines).toContain('requests.refusals.byGround.f,2,false');
      expect(lines).toContain(`agencies.${pt}.received,9,false`);
      expect(lines).toContain('countryPairs.ES>PT.requests,6,false');
      expect(lines).toContain(`responseTimes.all.medianMs,${4 * HOUR},false`);
      expect(lines).toContain('directoryHealth.staleEntries,0,false');
    }
    const agencyCsv = await get(t, net.agencyAdmin.tokens, `/stats/agency/${pt}?year=2026&format=csv`);
    expect(agencyCsv.body.split('\r\n')).toContain('asRequested.total,9,false');

    // The signed report: the audit key's signature over the exact text; it verifies, and fails once a figure is changed.
    const rep = await get(t, net.admin.tokens, '/stats/network/report?year=2026');
    expect(rep.statusCode).toBe(200);
    const signed = rep.json() as { report: string; signature: string; publicKey: string; label: string; algorithm: string };
    expect(signed).toMatchObject({ label: 'liaison/stats-report/v1', algorithm: 'ed25519' });
    expect(JSON.parse(signed.report)).toEqual(n);
    const { head } = (await get(t, net.admin.tokens, '/audit/head')).json() as { head: { seq: number; hash: string; at: number; signature: string; publicKey: string } };
    expect(verifyCheckpointSignature(fromHex(head.publicKey), head.seq, head.hash, head.at, head.signature)).toBe(true);
    expect(signed.publicKey).toBe(head.publicKey);
    expect(verifyStatsReport(signed, head.publicKey)).toBe(true);
    const tampered = signed.report.replace('"total":{"value":12', '"total":{"value":13');
    expect(tampered).not.toBe(signed.report);
    expect(verifyStatsReport({ ...signed, report: tampered }, head.publicKey)).toBe(false);
    expect(verifyStatsReport(signed, '00'.repeat(32))).toBe(false);
    expect(verifyStatsReport({ ...signed, signature: 'zz' }, head.publicKey)).toBe(false);

    // Audited without figures.
    const audited = rawDb(t.app)
      .prepare("SELECT action, details FROM audit_events WHERE action LIKE 'stats.%' ORDER BY seq")
      .all() as { action: string; details: string }[];
    expect(audited.map((a) => [a.action, JSON.parse(a.details)])).toEqual([
      ['stats.viewed', { scope: 'network', year: 2026 }],
      ['stats.exported', { scope: 'network', year: 2026, format: 'csv' }],
      ['stats.exported', { scope: 'network', year: 2026, format: 'csv' }],
      ['stats.exported', { scope: 'agency', year: 2026, format: 'csv' }],
      ['stats.exported', { scope: 'network', year: 2026, format: 'signed-json' }],
    ]);
  });

  it('directory health: stale entries and desks whose last test page is unacknowledged, per agency and network-wide', { timeout: 120_000 }, async () => {
    const t = await makeApp({ clock: new ManualClock(Date.UTC(2026, 0, 5, 9)) });
    const net = await provision(t);
    const es = await worldOf(t).agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    const post = async (url: string, payload: Record<string, unknown>) => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(net.agencyAdmin.tokens), payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as Record<string, { id: string }>;
    };
    await post('/directory', { title: 'Cyber drugs desk', specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' } });
    // 200 days later the entry, never confirmed again, is stale.
    t.clock.set(Date.UTC(2026, 6, 24, 9));
    net.agencyAdmin.tokens = await login(t, net.agencyAdmin);
    net.admin.tokens = await login(t, net.admin);
    es.admin.tokens = await login(t, es.admin);
    const { desk } = await post('/desks', { name: 'Night desk', phone: '+351 21 864 1000', timeZone: 'Europe/Lisbon', members: [net.officer.id] });
    await post(`/desks/${desk!.id}/test-page`, {});

    const pt = (await get(t, net.agencyAdmin.tokens, `/stats/agency/${net.agency.id}`)).json() as AgencyStats;
    expect(pt.year).toBe(2026);
    // Operational counts are not suppressed (k = 5 here).
    expect(pt.directoryHealth).toEqual({ staleEntries: shown(1), desksTestUnacknowledged: shown(1), exhaustedPages: shown(0) });
    const other = (await get(t, es.admin.tokens, `/stats/agency/${es.id}`)).json() as AgencyStats;
    expect(other.directoryHealth).toEqual({ staleEntries: shown(0), desksTestUnacknowledged: shown(0), exhaustedPages: shown(0) });
    const all = (await get(t, net.admin.tokens, '/stats/network')).json() as NetworkStats;
    expect(all.minCount).toBe(5);
    expect(all.directoryHealth).toEqual({ staleEntries: shown(1), desksTestUnacknowledged: shown(1), exhaustedPages: shown(0) });
  });
});
