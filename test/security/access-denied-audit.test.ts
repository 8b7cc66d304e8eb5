import { afterEach, describe, expect, it } from 'vitest';
import { getSodium, toHex } from '../../shared/crypto/index.ts';
import { bearer, expectError, makeApp, provision, provisionAgency, type TestApp } from '../world/app.ts';
import { closeSockets, connect, connected, listen, makeChannel, makeWorld, sendBody, type ClientSocket } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

interface DeniedRow {
  actor_id: string;
  agency_id: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  details: string;
}

function denials(t: TestApp, action = 'access.denied'): (DeniedRow & { detail: Record<string, unknown> })[] {
  const rows = rawDb(t.app).prepare('SELECT * FROM audit_events WHERE action = ? ORDER BY seq').all(action) as DeniedRow[];
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.details) as Record<string, unknown> }));
}

afterEach(() => closeSockets());

describe('refused access attempts are audited (CJIS 5.4.1.1)', () => {
  it('suspending another agency’s officer: same 404 as a missing officer for the attacker, but audited as access.denied', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const other = await provisionAgency(t, net.admin, { name: 'Guardia Civil', country: 'ES', prefix: 'es-', officers: ['bob'] });
    const victim = other.officers[0]!;
    const foreign = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${victim.id}/suspend`, headers: bearer(net.agencyAdmin.tokens) });
    const missing = await t.app.inject({ method: 'POST', url: `/api/v1/officers/${'x'.repeat(21)}/suspend`, headers: bearer(net.agencyAdmin.tokens) });
    expectError(foreign, 404, 'not_found');
    expect(foreign.body).toBe(missing.body);
    // The victim is untouched.
    expect((await t.app.ctx.accounts.officer(victim.id))?.status).toBe('active');

    const rows = denials(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: net.agencyAdmin.tokens.officer.id, agency_id: net.agency.id, target_type: 'officer', target_id: victim.id, outcome: 'denied' });
    expect(rows[0]!.detail).toEqual({ route: 'POST /api/v1/officers/:id/suspend', reason: 'officer_not_manageable' });
  });

  it('an officer reading a foreign channel (HTTP) or a foreign file, or sending into it over socket.io, is audited', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const blob = Buffer.from(getSodium().randombytes_buf(1000));
    const fileId = toHex(getSodium().crypto_generichash(32, blob, null));
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/attachments`, headers: { ...bearer(w.alice.tokens), 'content-type': 'application/octet-stream' }, payload: blob });
    expect(up.statusCode).toBe(201);

    // Carol (agency A, not a member) probes the channel, its history and the file.
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}`, headers: bearer(w.carol.tokens) }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(w.carol.tokens) }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${fileId}`, headers: bearer(w.carol.tokens) }), 404, 'not_found');
    // A channel that does not exist is a plain 404, not a refusal.
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/channels/no-such-channel', headers: bearer(w.carol.tokens) }), 404, 'not_found');

    const url = await listen(t);
    const s: ClientSocket = connect(url, w.carol.tokens.accessToken);
    await connected(s);
    const ack = (await s.timeout(3000).emitWithAck('send', { channelId: ch.id, ...sendBody(ch, w.alice) })) as { ok: boolean; error?: { code: string } };
    expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const rows = denials(t);
    expect(rows.map((r) => [r.target_type, r.target_id, r.detail.route, r.detail.reason])).toEqual([
      ['channel', ch.id, 'GET /api/v1/channels/:id', 'not_a_member'],
      ['channel', ch.id, 'GET /api/v1/channels/:id/messages', 'not_a_member'],
      ['attachment', fileId, 'GET /api/v1/attachments/:id', 'attachment_not_readable'],
      ['channel', ch.id, 'socket send', 'not_a_member'],
    ]);
    expect(rows.every((r) => r.actor_id === w.carol.id && r.agency_id === w.agencyA && r.outcome === 'denied')).toBe(true);
  });

  it('a 403 (officer reading the audit trail) is audited too', async () => {
    const t = await makeApp();
    const net = await provision(t);
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(net.officer.tokens) }), 403, 'forbidden');
    expect(denials(t).map((r) => [r.actor_id, r.detail.route, r.detail.reason])).toEqual([[net.officer.id, 'GET /api/v1/audit', 'forbidden']]);
  });

  it('flooding refused attempts cannot flood the audit trail: 10 per minute, then one summary with the count', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const other = await provisionAgency(t, net.admin, { name: 'Guardia Civil', country: 'ES', prefix: 'es-', officers: ['bob'] });
    const probe = () => t.app.inject({ method: 'POST', url: `/api/v1/officers/${other.officers[0]!.id}/suspend`, headers: bearer(net.agencyAdmin.tokens) });
    for (let i = 0; i < 50; i++) expectError(await probe(), 404, 'not_found');
    expect(denials(t)).toHaveLength(10);
    expect(denials(t, 'access.denied_suppressed')).toHaveLength(0);
    // The next minute: the summary of the previous one is written first, then the new attempt.
    t.clock.advance(61_000);
    await probe();
    const summary = denials(t, 'access.denied_suppressed');
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ actor_id: net.agencyAdmin.tokens.officer.id, agency_id: net.agency.id });
    expect(summary[0]!.detail).toMatchObject({ suppressed: 40, recorded: 10 });
    expect(denials(t)).toHaveLength(11);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) })).json().ok).toBe(true);
  });
});
