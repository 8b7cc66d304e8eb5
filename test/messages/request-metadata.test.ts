import { describe, expect, it } from 'vitest';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { envelope, makeChannel, makeWorld, postMessage } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

function count(t: TestApp, sql: string): number {
  return rawDb(t.app).prepare(sql).pluck().get() as number;
}

const REQUEST = { ref: 'r-1', kind: 'request', template: 'liaison', urgency: 'non-urgent' } as const;

/** The server's side of PROTOCOL.md §9.2: declared request metadata checked on the send path, with app.inject. */
describe('declared request metadata on the send path', () => {
  it('refuses malformed declarations and wrong targets and stores nothing', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const own = makeChannel(t, w, w.alice, [w.carol]);
    const cases: [unknown, number, string][] = [
      [{ ref: 'r', kind: 'request' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'request', template: 'liaison', urgency: 'urgent', state: 'full' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'answer' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'answer', state: 'asked' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'clarification', state: 'full' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'refusal' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'withdrawal', ground: 'a' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'answer', state: 'full', caseIndex: 'abc' }, 400, 'invalid_request_metadata'],
      [{ ref: 'r', kind: 'bogus' }, 400, 'validation_failed'],
      [{ ref: '', kind: 'withdrawal' }, 400, 'validation_failed'],
      [{ ...REQUEST, requestedAgencyId: w.agencyA }, 400, 'request_target_required'],
      [{ ...REQUEST, requestedAgencyId: 'no-such-agency' }, 400, 'request_target_required'],
      [{ ref: 'nope', kind: 'answer', state: 'full' }, 404, 'not_found'],
    ];
    for (const [request, status, code] of cases) expectError(await postMessage(t, ch, w.alice, { envelope: envelope(ch, w.alice), request }), status, code);
    // A channel with no other agency has nobody to ask.
    expectError(await postMessage(t, own, w.alice, { envelope: envelope(own, w.alice), request: REQUEST }), 400, 'request_target_required');
    expect(count(t, 'SELECT COUNT(*) FROM messages')).toBe(0);
    expect(count(t, 'SELECT COUNT(*) FROM requests')).toBe(0);
  });

  it('records a request once, serves its declaration with the message (without the case index), and enforces the sides', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob, w.carol]);
    const body = { envelope: envelope(ch, w.alice), request: { ...REQUEST, directAccess: true, caseIndex: 'idx-1' } };
    const first = await postMessage(t, ch, w.alice, body);
    expect(first.statusCode, first.body).toBe(201);
    const sent = first.json() as { request: { id: string; state: string; deadline: number } };
    expect(sent.request).toEqual({ id: expect.any(String), state: 'open', deadline: t.clock.now() + 7 * 86_400_000 });
    // The same message again is an idempotent duplicate: no second request.
    const again = await postMessage(t, ch, w.alice, body);
    expect((again.json() as { duplicate: boolean }).duplicate).toBe(true);
    expect(count(t, 'SELECT COUNT(*) FROM requests')).toBe(1);
    // The requestRef is taken in this channel.
    expectError(await postMessage(t, ch, w.carol, { envelope: envelope(ch, w.carol), request: REQUEST }), 409, 'request_ref_taken');

    const history = await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.bob.tokens) });
    const [stored] = (history.json() as { messages: { request?: unknown }[] }).messages;
    expect(stored?.request).toEqual({ ref: 'r-1', kind: 'request', template: 'liaison', urgency: 'non-urgent', directAccess: true });

    // Carol, of the requesting agency, cannot answer; Bob, asked, cannot withdraw; Bob answers.
    expectError(await postMessage(t, ch, w.carol, { envelope: envelope(ch, w.carol), request: { ref: 'r-1', kind: 'answer', state: 'full' } }), 403, 'request_wrong_side');
    expectError(await postMessage(t, ch, w.bob, { envelope: envelope(ch, w.bob), request: { ref: 'r-1', kind: 'withdrawal' } }), 403, 'request_wrong_side');
    const answered = await postMessage(t, ch, w.bob, { envelope: envelope(ch, w.bob), request: { ref: 'r-1', kind: 'answer', state: 'full' } });
    expect((answered.json() as { request: { state: string } }).request.state).toBe('answered-full');
    expectError(await postMessage(t, ch, w.carol, { envelope: envelope(ch, w.carol), request: { ref: 'r-1', kind: 'withdrawal' } }), 409, 'request_closed');
    expect(count(t, 'SELECT COUNT(*) FROM request_events')).toBe(2);
    expect(count(t, "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'request.%'")).toBe(2);

    // Reading: a member of the channel sees it and lists it.
    const id = sent.request.id;
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: bearer(w.bob.tokens) })).statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/requests?role=received', headers: bearer(w.bob.tokens) });
    expect((list.json() as { requests: { id: string }[] }).requests.map((r) => r.id)).toEqual([id]);
    // Carol, an officer of the requesting agency outside a channel, does not see its requests.
    const ab = makeChannel(t, w, w.alice, [w.bob]);
    const hidden = (await postMessage(t, ab, w.alice, { envelope: envelope(ab, w.alice), request: REQUEST })).json() as { request: { id: string } };
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/requests/${hidden.request.id}`, headers: bearer(w.carol.tokens) }), 404, 'not_found');
    const carols = await t.app.inject({ method: 'GET', url: '/api/v1/requests', headers: bearer(w.carol.tokens) });
    expect((carols.json() as { requests: { id: string }[] }).requests.map((r) => r.id)).toEqual([id]);
    // The request zone: an officer may not set their agency's, nobody another agency's.
    const put = (agencyId: string) => t.app.inject({ method: 'PUT', url: `/api/v1/agencies/${agencyId}/request-settings`, headers: bearer(w.bob.tokens), payload: { timeZone: 'Europe/Madrid' } });
    expectError(await put(w.agencyB), 403, 'forbidden');
    expectError(await put(w.agencyA), 404, 'not_found');
  });
});
