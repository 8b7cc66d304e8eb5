/**
 * Desk intake routes (docs/DESKS.md "Desk intake"): who may call each one, what the server refuses and
 * what it stores. Statements and requests are made by real SDK clients; refusals go through app.inject.
 */
import { describe, expect, it } from 'vitest';
import { fromB64, toB64 } from '../../shared/crypto/index.ts';
import type { DeskRequestView, IntakeKeyView, MyDeskRequest } from '../../shared/schemas/intake.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import { expectError } from '../world/app.ts';
import { call, intakeWorld, ok } from '../e2e/desk-intake-world.ts';
import { rawDb } from '../world/db.ts';

function flipLastByte(b64: string): string {
  const bytes = fromB64(b64);
  bytes[bytes.length - 1]! ^= 1;
  return toB64(bytes);
}

describe('desk intake routes', () => {
  it('answer the right statuses for supervisors, members, administrators, outsiders and other agencies, and store nothing on refusal', async () => {
    const { t, c, desk, entry, ana, rui, sam, eva, pt, es, w } = await intakeWorld();
    const stranger = await w.officer(pt, 'tom.dias', 'Tom Dias');
    const keysUrl = `/desks/${desk.id}/intake-keys`;

    // Before any key: the directory says so; a request is refused.
    expectError(await call(t, eva, 'GET', `/directory/${entry.id}/intake`), 404, 'no_intake_key');
    // The contact target says so too (the web app shows "Send a request to the desk" from it, without a 404 probe).
    expect((await ok<{ deskRequests: boolean }>(await call(t, eva, 'GET', `/directory/${entry.id}/contact`))).deskRequests).toBe(false);

    const { channelId } = await c.sam.desks.setupIntake(desk.id);
    const [v1] = (await ok<{ keys: IntakeKeyView[] }>(await call(t, ana, 'GET', keysUrl))).keys;
    expect(v1).toMatchObject({ deskId: desk.id, version: 1, signerId: sam.id });
    expect(v1!.statement).toMatchObject({ channelId, version: 1, deskId: desk.id });
    expect((await ok<{ keys: IntakeKeyView[] }>(await call(t, pt.admin, 'GET', keysUrl))).keys).toHaveLength(1);
    // Not on the desk, or another agency: 404, as if the desk did not exist.
    expectError(await call(t, stranger, 'GET', keysUrl), 404, 'not_found');
    expectError(await call(t, es.admin, 'GET', keysUrl), 404, 'not_found');

    // Publishing: the same v1 again is a version conflict; a member 403; others 404; a bad signature 400.
    const again = { statement: v1!.statement };
    expectError(await call(t, sam, 'POST', keysUrl, again), 409, 'intake_version_conflict');
    expectError(await call(t, ana, 'POST', keysUrl, again), 403, 'forbidden');
    expectError(await call(t, pt.admin, 'POST', keysUrl, again), 403, 'forbidden');
    expectError(await call(t, stranger, 'POST', keysUrl, again), 404, 'not_found');
    expectError(await call(t, es.admin, 'POST', keysUrl, again), 404, 'not_found');
    const forged = { statement: { ...v1!.statement, version: 2, signature: flipLastByte(v1!.statement.signature as string) } };
    expectError(await call(t, sam, 'POST', keysUrl, forged), 400, 'intake_bad_signature');
    // v2 with the v1 signature: the signature covers the version.
    expectError(await call(t, sam, 'POST', keysUrl, { statement: { ...v1!.statement, version: 2 } }), 400, 'intake_bad_signature');
    expect((await ok<{ keys: IntakeKeyView[] }>(await call(t, sam, 'GET', keysUrl))).keys).toHaveLength(1);

    // The directory shows the current statement and its signer's certificate to any officer.
    const intake = await ok<{ statement: Record<string, unknown>; signerCertificate: Record<string, unknown> }>(await call(t, eva, 'GET', `/directory/${entry.id}/intake`));
    expect((await ok<{ deskRequests: boolean }>(await call(t, eva, 'GET', `/directory/${entry.id}/contact`))).deskRequests).toBe(true);
    expect(intake.statement).toEqual(v1!.statement);
    expect(intake.signerCertificate).toMatchObject({ officerId: sam.id });

    // A request: duplicate id 409; another officer's request 403; a tampered one 400.
    const sent = await c.eva.desks.request(entry.id, { text: 'first', requestId: 'req-1' });
    const [stored] = (await ok<{ requests: DeskRequestView[] }>(await call(t, rui, 'GET', `/desks/${desk.id}/requests?state=open`))).requests;
    expect(stored).toMatchObject({ id: sent.id, state: 'open', claimedBy: null, caseChannelId: null, pageId: sent.pageId, receivedAt: sent.receivedAt });
    const wire = stored!.request;
    expectError(await call(t, eva, 'POST', `/directory/${entry.id}/desk-requests`, { request: wire }), 409, 'duplicate_request');
    expectError(await call(t, es.admin, 'POST', `/directory/${entry.id}/desk-requests`, { request: wire }), 403, 'actor_mismatch');
    expectError(await call(t, eva, 'POST', `/directory/${entry.id}/desk-requests`, { request: { ...wire, requestId: 'req-2' } }), 400, 'bad_signature');
    expectError(await call(t, eva, 'POST', `/directory/${entry.id}/desk-requests`, { request: { ...wire, version: 7 } }), 400, 'bad_signature');
    // Another entry (no desk): 404 no_intake_key.
    const plain = await c.ptAdmin.createDirectoryEntry({ title: 'Liaison office', specialisations: ['precursors'], languages: ['en'], availability: { kind: '24/7' } });
    expectError(await call(t, eva, 'POST', `/directory/${plain.id}/desk-requests`, { request: wire }), 404, 'no_intake_key');
    expectError(await call(t, eva, 'GET', `/directory/${plain.id}/intake`), 404, 'no_intake_key');
    expect(rawDb(t.app).prepare('SELECT count(*) AS n FROM desk_requests').get()).toEqual({ n: 1 });
    // The page it opened: urgent, acknowledgement requested, reason desk_request.
    const page = (await ok<{ page: Page }>(await call(t, eva, 'GET', `/pages/${sent.pageId}`))).page;
    expect(page).toMatchObject({ deskId: desk.id, priority: 'urgent', ackRequested: true, reason: 'desk_request', state: 'open' });

    // The desk's requests: staff only.
    expectError(await call(t, stranger, 'GET', `/desks/${desk.id}/requests`), 404, 'not_found');
    expectError(await call(t, eva, 'GET', `/desks/${desk.id}/requests`), 404, 'not_found');
    expectError(await call(t, es.admin, 'GET', `/desks/${desk.id}/requests`), 404, 'not_found');
    expect((await ok<{ requests: DeskRequestView[] }>(await call(t, pt.admin, 'GET', `/desks/${desk.id}/requests`))).requests).toHaveLength(1);

    // Requesters see only their own.
    expect((await ok<{ requests: MyDeskRequest[] }>(await call(t, eva, 'GET', '/desk-requests/mine'))).requests.map((r) => r.requestId)).toEqual(['req-1']);
    expect((await ok<{ requests: MyDeskRequest[] }>(await call(t, es.admin, 'GET', '/desk-requests/mine'))).requests).toEqual([]);

    // Claiming: outsiders 404, administrators 403, first claim wins, the page is acknowledged.
    const claimUrl = `/desks/${desk.id}/requests/${sent.id}/claim`;
    expectError(await call(t, eva, 'POST', claimUrl), 404, 'not_found');
    expectError(await call(t, pt.admin, 'POST', claimUrl), 403, 'forbidden');
    const claimed = (await ok<{ request: DeskRequestView }>(await call(t, rui, 'POST', claimUrl))).request;
    expect(claimed).toMatchObject({ state: 'claimed', claimedBy: rui.id, claimedAt: t.clock.now() });
    expectError(await call(t, ana, 'POST', claimUrl), 409, 'already_claimed');
    expect((await ok<{ page: Page }>(await call(t, eva, 'GET', `/pages/${sent.pageId}`))).page).toMatchObject({ state: 'acknowledged', ackedBy: rui.id });
    expect((await ok<{ requests: DeskRequestView[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/requests?state=open`))).requests).toEqual([]);

    // Only the claimer opens the case channel.
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/requests/${sent.id}/case-channel`, { events: [{}], encryptedMeta: 'x' }), 403, 'not_claimer');

    // Audited without content.
    const audit = rawDb(t.app).prepare("SELECT action, details FROM audit_events WHERE action LIKE 'intake.%' OR action LIKE 'desk_request.%' ORDER BY seq").all() as { action: string; details: string }[];
    expect(audit.map((a) => a.action)).toEqual(['intake.key_published', 'desk_request.received', 'desk_request.claimed']);
    for (const a of audit) expect(a.details).not.toMatch(/first|dhPublicKey|sealed/);
  });
});
