import { describe, expect, it } from 'vitest';
import type { LiaisonClient, ReceivedMessage, SecurityNotice } from '../../client/sdk/index.ts';
import type { RequestPayload } from '../../shared/crypto/index.ts';
import { RequestsService } from '../../server/requests/service.ts';
import { ManualClock } from '../../server/clock.ts';
import { makeApp } from '../world/app.ts';
import { DAY_MS, listen, openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { databaseFiles, scan } from './scan.ts';
import { rawDb } from '../world/db.ts';

const HOUR_MS = 3600_000;
/** Lisbon and Madrid move their clocks forward at 01:00 UTC on Sunday 28 March 2027. */
const SATURDAY_BEFORE_DST = Date.UTC(2027, 2, 27, 8, 0);
const MARKER = 'REQ-PLAINTEXT-MARKER-7f3a';

/** A host whose sessions outlive the days these tests move the clock through. */
async function host() {
  const clock = new ManualClock(SATURDAY_BEFORE_DST);
  const t = await makeApp({ clock, config: { session: { idleTimeoutMs: 60 * DAY_MS, absoluteTimeoutMs: 90 * DAY_MS } } });
  return { t, app: t.app, clock, baseUrl: await listen(t.app) };
}

/** Bob (Guardia Civil, ES) asks Alice (Policia Judiciaria, PT): PJ counts its deadlines in Lisbon, GC in Madrid. */
async function setup(prefix: string) {
  const h = await host();
  const net = await twoAgencyNetwork(h, { prefix });
  const ch = await openCaseChannel(net, { title: 'Operation Tide' });
  await net.adminA.requests.setTimeZone(net.a.agencyId, 'Europe/Lisbon');
  await net.adminB.requests.setTimeZone(net.b.agencyId, 'Europe/Madrid');
  return { h, net, ch };
}

function fields(urgency: 'urgent' | 'non-urgent', extra: Partial<RequestPayload> = {}) {
  return {
    template: 'eu-2023-977' as const,
    urgency,
    ...(urgency === 'urgent' ? { urgencyReasons: `Threat to life ${MARKER}` } : {}),
    purpose: `Identify a suspect ${MARKER}`,
    legalBasis: 'Directive (EU) 2023/977 Art. 4',
    dataCategories: ['subscriber data'],
    requestedInformation: `Holder of +351 900 000 000 ${MARKER}`,
    ...extra,
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'sent';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

async function received(client: LiaisonClient, channelId: string, messageId: string): Promise<ReceivedMessage | undefined> {
  return (await client.history(channelId)).find((m) => m.messageId === messageId);
}

describe('requests with legal deadlines (SDK, real server)', () => {
  it('urgent request → clarification asked and given → partial then full answer; refusal with its ground; withdrawal; wrong sides and transitions refused', { timeout: 120_000 }, async () => {
    const { h, net, ch } = await setup('rq1-');
    // 22:00 UTC on Saturday: the 8 hours (urgent, directly accessible information, Art. 5(1)(a)) run across the spring-forward night.
    h.clock.set(Date.UTC(2027, 2, 27, 22, 0));
    const sent = await net.bob.requests.send(ch.id, { ...fields('urgent', { caseRef: 'ES-2027/77' }), dataAccess: 'direct' });
    expect(sent.request).toMatchObject({ state: 'open', deadline: Date.UTC(2027, 2, 28, 6, 0) });
    const id = sent.request!.id;
    const ref = sent.requestRef;
    const { request } = await net.bob.requests.get(id);
    expect(request).toMatchObject({ requesterCountry: 'ES', requestedCountry: 'PT', requestedAgencyId: net.a.agencyId, agreementId: net.agreement.id, timeZone: 'Europe/Lisbon', urgency: 'urgent' });
    expect(await net.bob.requests.deadlines(request)).toEqual({
      deadline: Date.UTC(2027, 2, 28, 6, 0),
      requested: { zone: 'Europe/Lisbon', text: '2027-03-28 07:00 Europe/Lisbon (UTC+01:00)' },
      requester: { zone: 'Europe/Madrid', text: '2027-03-28 08:00 Europe/Madrid (UTC+02:00)' },
    });

    // Alice reads it with its declared metadata, checked against the signed payload.
    const got = await waitFor(() => received(net.alice, ch.id, sent.messageId), 'alice reads the request');
    expect(got.payload).toMatchObject({ kind: 'request', requestRef: ref, urgency: 'urgent' });
    expect(got.request).toEqual({ ref, kind: 'request', template: 'eu-2023-977', urgency: 'urgent', directAccess: true });

    // Wrong sides and transitions.
    expect(await code(net.bob.requests.answer(ch.id, ref, { completeness: 'full', text: 'x' }))).toBe('request_wrong_side');
    expect(await code(net.alice.requests.withdraw(ch.id, ref, { text: 'x' }))).toBe('request_wrong_side');
    expect(await code(net.bob.requests.clarify(ch.id, ref, { step: 'asked', text: 'x' }))).toBe('request_wrong_side');
    expect(await code(net.bob.requests.clarify(ch.id, ref, { step: 'given', text: 'x' }))).toBe('invalid_request_transition');
    expect(await code(net.alice.requests.answer(ch.id, 'no-such-ref', { completeness: 'full', text: 'x' }))).toBe('not_found');

    // Clarification suspends the clock (Art. 6(3)): two hours asked → the deadline moves two hours.
    h.clock.advance(HOUR_MS);
    expect((await net.alice.requests.clarify(ch.id, ref, { step: 'asked', text: 'Which period?' })).request).toMatchObject({ state: 'clarification-asked' });
    expect(await code(net.alice.requests.answer(ch.id, ref, { completeness: 'partial', text: 'x' }))).toBe('invalid_request_transition');
    h.clock.advance(2 * HOUR_MS);
    const given = await net.bob.requests.clarify(ch.id, ref, { step: 'given', text: 'March 2027.' });
    expect(given.request).toMatchObject({ state: 'open', deadline: Date.UTC(2027, 2, 28, 8, 0) });
    expect((await net.alice.requests.answer(ch.id, ref, { completeness: 'partial', text: 'Holder: J. D.' })).request).toMatchObject({ state: 'answered-partial' });
    expect((await net.alice.requests.answer(ch.id, ref, { completeness: 'full', text: 'Address follows.' })).request).toMatchObject({ state: 'answered-full' });
    expect(await code(net.alice.requests.refuse(ch.id, ref, { ground: 'a', text: 'x' }))).toBe('request_closed');
    expect(await code(net.bob.requests.withdraw(ch.id, ref, { text: 'x' }))).toBe('request_closed');
    const detail = await net.alice.requests.get(id);
    expect(detail.request).toMatchObject({ state: 'answered-full', suspendedMs: 2 * HOUR_MS, overdue: false });
    expect(detail.timeline.map((e) => [e.kind, e.detail, e.state])).toEqual([
      ['request', null, 'open'],
      ['clarification', 'asked', 'clarification-asked'],
      ['clarification', 'given', 'open'],
      ['answer', 'partial', 'answered-partial'],
      ['answer', 'full', 'answered-full'],
    ]);
    expect(detail.timeline.map((e) => e.agencyId)).toEqual([net.b.agencyId, net.a.agencyId, net.b.agencyId, net.a.agencyId, net.a.agencyId]);

    // Refusal with its Art. 6(1) ground; a second open request of the same case is hinted as a duplicate.
    const second = await net.bob.requests.send(ch.id, fields('non-urgent', { caseRef: 'ES 2027/77' }));
    expect(second.request!.possibleDuplicates).toBeUndefined();
    const third = await net.bob.requests.send(ch.id, fields('non-urgent', { caseRef: ' es_2027/77 ' }));
    expect(third.request!.possibleDuplicates).toEqual([second.request!.id]);
    expect((await net.alice.requests.refuse(ch.id, second.requestRef, { ground: 'g', text: 'Not an offence here.' })).request).toMatchObject({ state: 'refused' });
    expect((await net.alice.requests.get(second.request!.id)).request).toMatchObject({ state: 'refused', refusalGround: 'g' });
    expect((await net.bob.requests.withdraw(ch.id, third.requestRef, { text: 'Arrested.' })).request).toMatchObject({ state: 'withdrawn' });
    expect(await code(net.bob.requests.send(ch.id, { ...fields('non-urgent'), requestRef: third.requestRef }))).toBe('request_ref_taken');

    // Listings by side; the server never held the content.
    expect((await net.bob.requests.list({ role: 'sent' })).map((r) => r.state).sort()).toEqual(['answered-full', 'refused', 'withdrawn']);
    expect(await net.bob.requests.list({ role: 'received' })).toEqual([]);
    expect((await net.alice.requests.list({ role: 'received', state: 'refused' })).map((r) => r.id)).toEqual([second.request!.id]);
    rawDb(h.t.app).walCheckpoint();
    expect(scan(databaseFiles(h.t.config.dataDir), [MARKER, 'Not an offence here', 'Which period?'])).toEqual([]);
  });

  it('7 calendar days across the DST change in Lisbon, 3 days for an urgent request for indirectly accessible information; the overdue board lists and clears; reminders fire once', { timeout: 120_000 }, async () => {
    const { h, net, ch } = await setup('rq2-');
    // Saturday 10:00 in Lisbon (UTC+0); the deadline is the next Saturday 10:00 in Lisbon, then UTC+1.
    h.clock.set(Date.UTC(2027, 2, 27, 10, 0));
    const week = await net.bob.requests.send(ch.id, fields('non-urgent'));
    expect(week.request!.deadline).toBe(Date.UTC(2027, 3, 3, 9, 0));
    expect(week.request!.deadline - Date.UTC(2027, 2, 27, 10, 0)).toBe(7 * DAY_MS - HOUR_MS);
    // Art. 5(1)(b): urgent, indirectly accessible information → 3 calendar days, also across the DST change.
    const direct = await net.bob.requests.send(ch.id, { ...fields('urgent'), dataAccess: 'indirect' });
    expect(direct.request!.deadline).toBe(Date.UTC(2027, 2, 30, 9, 0));
    const { request: weekView } = await net.alice.requests.get(week.request!.id);
    expect((await net.alice.requests.deadlines(weekView)).requested.text).toBe('2027-04-03 10:00 Europe/Lisbon (UTC+01:00)');

    // Nothing overdue yet; a minute after the 3-day deadline the board lists it, and only it.
    expect(await net.adminA.requests.agencyOverdue(net.a.agencyId)).toEqual([]);
    h.clock.set(Date.UTC(2027, 2, 30, 9, 1));
    const board = await net.adminA.requests.agencyOverdue(net.a.agencyId);
    expect(board.map((r) => [r.id, r.overdue])).toEqual([[direct.request!.id, true]]);
    expect((await net.alice.requests.list({ role: 'received', overdue: true })).map((r) => r.id)).toEqual([direct.request!.id]);
    expect(await code(net.adminB.requests.agencyOverdue(net.a.agencyId))).toBe('not_found');
    expect(await code(net.alice.requests.agencyOverdue(net.a.agencyId))).toBe('forbidden');
    // Judicial authorisation pending (Art. 5(2)) takes it off the board; the full answer closes it.
    await net.alice.requests.judicialPending(ch.id, direct.requestRef, { text: 'Court order needed.' });
    expect(await net.adminA.requests.agencyOverdue(net.a.agencyId)).toEqual([]);
    await net.alice.requests.answer(ch.id, direct.requestRef, { completeness: 'full', text: 'Here.' });
    expect(await net.adminA.requests.agencyOverdue(net.a.agencyId)).toEqual([]);

    // Reminders: at 75 % of the 7-day period, then at the deadline; each once across ticks and a second scheduler.
    const reminders = () =>
      (rawDb(h.t.app).prepare("SELECT details FROM audit_events WHERE action = 'request.reminded' AND target_id = ? ORDER BY seq").pluck().all(week.request!.id) as string[]).map(
        (d) => (JSON.parse(d) as { which?: unknown }).which,
      );
    const ctx = h.t.app.ctx;
    const second = new RequestsService({ store: ctx.store, clock: h.clock, audit: ctx.audit, accounts: ctx.accounts, access: ctx.messages.access, desks: ctx.desks, lookup: { deskOf: async () => null }, paging: ctx.paging, intake: ctx.intake });
    h.clock.set(Date.UTC(2027, 2, 27, 10, 0) + 5 * DAY_MS - HOUR_MS); // under 75 % of 7 d − 1 h
    await ctx.requests.tick();
    expect(reminders()).toEqual([]);
    h.clock.set(Date.UTC(2027, 2, 27, 10, 0) + 5.5 * DAY_MS);
    await Promise.all([ctx.requests.tick(), second.tick()]);
    await ctx.requests.tick();
    expect(reminders()).toEqual(['early']);
    h.clock.set(Date.UTC(2027, 3, 3, 9, 0) + 1);
    await second.tick();
    await ctx.requests.tick();
    await second.tick();
    expect(reminders()).toEqual(['early', 'due']);
    expect((await net.alice.requests.list({ overdue: true })).map((r) => r.id)).toEqual([week.request!.id]);
  });

  it("the receiving SDK refuses a request message whose declared metadata differs from the signed payload", { timeout: 120_000 }, async () => {
    const { net, ch } = await setup('rq3-');
    const notices: SecurityNotice[] = [];
    net.alice.on('security', (n) => notices.push(n));
    const payload: RequestPayload = { kind: 'request', requestRef: 'forged-1', dataAccess: 'indirect', ...fields('urgent') };
    // Declared non-urgent (a 7-day clock on the server) while the signed payload says urgent.
    const forged = await net.bob.send(ch.id, payload, { request: { ref: 'forged-1', kind: 'request', template: 'eu-2023-977', urgency: 'non-urgent' } });
    expect(forged.request).toMatchObject({ state: 'open' });
    // A request payload without any declared metadata: the server tracks nothing, so the receiver refuses it too.
    const bare = await net.bob.send(ch.id, { ...payload, requestRef: 'bare-1' });
    const honest = await net.bob.requests.send(ch.id, fields('urgent'));
    const seen = await waitFor(async () => {
      const list = await net.alice.history(ch.id);
      return list.some((m) => m.messageId === honest.messageId) ? list : undefined;
    }, 'alice reads the honest request');
    expect(seen.map((m) => m.messageId)).not.toContain(forged.messageId);
    expect(seen.map((m) => m.messageId)).not.toContain(bare.messageId);
    const refused = notices.filter((n) => n.code === 'request/metadata-mismatch');
    expect(refused.map((n) => n.kind)).toEqual(expect.arrayContaining(['message_rejected']));
    expect(refused.some((n) => n.message.includes(forged.messageId) && n.message.includes('urgency'))).toBe(true);
    expect(refused.some((n) => n.message.includes(bare.messageId))).toBe(true);
  });
});

