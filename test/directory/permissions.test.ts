import { describe, expect, it } from 'vitest';
import { bearer, expectError } from '../world/app.ts';
import { baseEntry, createEntry, directoryWorld } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

const MISSING = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('directory: permission matrix', () => {
  it('officers read but cannot create or change entries (403)', async () => {
    const w = await directoryWorld();
    const entry = await createEntry(w.t, w.pt.admin, {});
    const h = bearer(w.net.officer.tokens);
    const inject = w.t.app.inject.bind(w.t.app);
    expect((await inject({ method: 'GET', url: '/api/v1/directory', headers: h })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: `/api/v1/directory/${entry.id}`, headers: h })).statusCode).toBe(200);
    expectError(await inject({ method: 'POST', url: '/api/v1/directory', headers: h, payload: baseEntry }), 403, 'forbidden');
    expectError(await inject({ method: 'PATCH', url: `/api/v1/directory/${entry.id}`, headers: h, payload: { title: 'Mine now' } }), 403, 'forbidden');
    expectError(await inject({ method: 'POST', url: `/api/v1/directory/${entry.id}/confirm`, headers: h }), 403, 'forbidden');
    expectError(await inject({ method: 'DELETE', url: `/api/v1/directory/${entry.id}`, headers: h }), 403, 'forbidden');
    const after = await inject({ method: 'GET', url: `/api/v1/directory/${entry.id}`, headers: h });
    expect(after.json()).toMatchObject({ entry: { title: baseEntry.title, lastConfirmedAt: entry.lastConfirmedAt } });
  });

  it("an agency admin cannot touch another agency's entry: 404, exactly as if it did not exist", async () => {
    const w = await directoryWorld();
    const entry = await createEntry(w.t, w.pt.admin, {});
    const h = bearer(w.esNcb.admin.tokens);
    const inject = w.t.app.inject.bind(w.t.app);
    for (const [method, suffix, payload] of [
      ['PATCH', '', { title: 'Hijacked' }],
      ['POST', '/confirm', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      const foreign = await inject({ method, url: `/api/v1/directory/${entry.id}${suffix}`, headers: h, ...(payload && { payload }) });
      const missing = await inject({ method, url: `/api/v1/directory/${MISSING}${suffix}`, headers: h, ...(payload && { payload }) });
      expectError(foreign, 404, 'not_found');
      expect(foreign.body).toBe(missing.body);
    }
    // Nor create one in the other agency's name.
    expectError(await inject({ method: 'POST', url: '/api/v1/directory', headers: h, payload: { ...baseEntry, agencyId: w.pt.id } }), 404, 'not_found');
    const unchanged = await inject({ method: 'GET', url: `/api/v1/directory/${entry.id}`, headers: h });
    expect(unchanged.json()).toMatchObject({ entry: { title: baseEntry.title } });
  });

  it('a platform admin maintains any agency\'s entries', async () => {
    const w = await directoryWorld();
    const h = bearer(w.net.admin.tokens);
    const created = await createEntry(w.t, w.net.admin, { agencyId: w.esCustoms.id, title: 'Seeded by the secretariat' });
    expect(created.agency.id).toBe(w.esCustoms.id);
    const ptEntry = await createEntry(w.t, w.pt.admin, {});
    const res = await w.t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${ptEntry.id}`, headers: h, payload: { phone: '+34 91 000 0000' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ entry: { phone: '+34910000000' } });
    expect((await w.t.app.inject({ method: 'DELETE', url: `/api/v1/directory/${ptEntry.id}`, headers: h })).statusCode).toBe(200);
    expectError(await w.t.app.inject({ method: 'POST', url: '/api/v1/directory', headers: h, payload: { ...baseEntry, agencyId: MISSING } }), 404, 'not_found');
  });

  it('a suspended officer cannot search or read (401); no token at all is 401 too', async () => {
    const w = await directoryWorld();
    const entry = await createEntry(w.t, w.pt.admin, {});
    const suspend = await w.t.app.inject({ method: 'POST', url: `/api/v1/officers/${w.net.officer.id}/suspend`, headers: bearer(w.pt.admin.tokens) });
    expect(suspend.statusCode, suspend.body).toBe(200);
    const h = bearer(w.net.officer.tokens);
    expect((await w.t.app.inject({ method: 'GET', url: '/api/v1/directory', headers: h })).statusCode).toBe(401);
    expect((await w.t.app.inject({ method: 'GET', url: `/api/v1/directory/${entry.id}`, headers: h })).statusCode).toBe(401);
    expectError(await w.t.app.inject({ method: 'GET', url: '/api/v1/directory' }), 401, 'unauthorized');
  });

  it('retired entries are gone for everyone, including their own admin', async () => {
    const w = await directoryWorld();
    const entry = await createEntry(w.t, w.pt.admin, {});
    const h = bearer(w.pt.admin.tokens);
    expect((await w.t.app.inject({ method: 'DELETE', url: `/api/v1/directory/${entry.id}`, headers: h })).statusCode).toBe(200);
    expectError(await w.t.app.inject({ method: 'GET', url: `/api/v1/directory/${entry.id}`, headers: h }), 404, 'not_found');
    expectError(await w.t.app.inject({ method: 'DELETE', url: `/api/v1/directory/${entry.id}`, headers: h }), 404, 'not_found');
    expectError(await w.t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${entry.id}`, headers: h, payload: { title: 'Back' } }), 404, 'not_found');
  });

  it('audits every change in the same transaction, with actor, target and agency', async () => {
    const w = await directoryWorld();
    const entry = await createEntry(w.t, w.pt.admin, {});
    const h = bearer(w.pt.admin.tokens);
    await w.t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${entry.id}`, headers: h, payload: { notes: 'Ring twice', languages: ['pt'] } });
    await w.t.app.inject({ method: 'POST', url: `/api/v1/directory/${entry.id}/confirm`, headers: h });
    await w.t.app.inject({ method: 'DELETE', url: `/api/v1/directory/${entry.id}`, headers: h });
    // Refused attempts change nothing and leave no success event.
    await w.t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${entry.id}`, headers: bearer(w.esNcb.admin.tokens), payload: { notes: 'x' } });
    const events = rawDb(w.t.app)
      .prepare(`SELECT action, actor_id AS actor, target_type AS type, target_id AS target, agency_id AS agency, outcome, details FROM audit_events WHERE action LIKE 'directory.%' ORDER BY seq`)
      .all() as { action: string; actor: string; type: string; target: string; agency: string; outcome: string; details: string }[];
    const adminId = w.pt.admin.tokens.officer.id;
    expect(events.map(({ details: _d, ...e }) => e)).toEqual(
      ['directory.entry_created', 'directory.entry_updated', 'directory.entry_confirmed', 'directory.entry_retired'].map((action) => ({
        action,
        actor: adminId,
        type: 'directory_entry',
        target: entry.id,
        agency: w.pt.id,
        outcome: 'success',
      })),
    );
    expect(JSON.parse(events[1]!.details)).toEqual({ fields: ['languages', 'notes'] });
  });
});

describe('directory: input validation', () => {
  it('rejects every malformed field with a clear error and stores nothing', async () => {
    const w = await directoryWorld();
    const post = (body: Record<string, unknown>) =>
      w.t.app.inject({ method: 'POST', url: '/api/v1/directory', headers: bearer(w.pt.admin.tokens), payload: { ...baseEntry, ...body } });
    const schedule = (timeZone: string, slots: unknown[] = [{ day: 0, start: '09:00', end: '17:00' }]) => ({
      availability: { kind: 'schedule', timeZone, slots },
    });
    expectError(await post({ languages: ['xx'] }), 400, 'invalid_language');
    expectError(await post({ languages: ['en', 'en'] }), 400, 'validation_failed');
    expectError(await post({ languages: [] }), 400, 'validation_failed');
    expectError(await post({ specialisations: ['hacking'] }), 400, 'validation_failed');
    expectError(await post(schedule('Mars/Olympus_Mons')), 400, 'invalid_time_zone');
    expectError(await post(schedule('+01:00')), 400, 'invalid_time_zone');
    expectError(await post(schedule('Europe/Lisbon', [{ day: 7, start: '09:00', end: '17:00' }])), 400, 'validation_failed');
    expectError(await post(schedule('Europe/Lisbon', [{ day: 0, start: '25:00', end: '17:00' }])), 400, 'validation_failed');
    expectError(await post(schedule('Europe/Lisbon', [{ day: 0, start: '24:00', end: '17:00' }])), 400, 'validation_failed');
    expectError(await post(schedule('Europe/Lisbon', [{ day: 0, start: '09:00', end: '09:00' }])), 400, 'invalid_schedule');
    expectError(await post(schedule('Europe/Lisbon', [])), 400, 'validation_failed');
    expectError(await post({ availability: { kind: 'sometimes' } }), 400, 'validation_failed');
    expectError(await post({ phone: 'call the front desk' }), 400, 'invalid_phone');
    expectError(await post({ phone: '0044 20 7230 1212' }), 400, 'invalid_phone');
    expectError(await post({ phone: '+44 20' }), 400, 'validation_failed');
    expectError(await post({ title: ' ' }), 400, 'validation_failed');
    expectError(await post({ title: '    ' }), 400, 'invalid_title');
    expectError(await post({ notes: 'x'.repeat(2001) }), 400, 'validation_failed');
    expectError(await post({ country: 'PT' }), 400, 'validation_failed'); // country comes from the agency
    expectError(await post({ officerId: w.esNcb.admin.tokens.officer.id }), 400, 'invalid_officer'); // another agency's officer
    expectError(await post({ officerId: MISSING }), 400, 'invalid_officer');
    expectError(
      await w.t.app.inject({ method: 'PATCH', url: `/api/v1/directory/${MISSING}`, headers: bearer(w.pt.admin.tokens), payload: {} }),
      400,
      'validation_failed',
    );
    const count = rawDb(w.t.app).prepare('SELECT count(*) AS n FROM directory_entries').get() as { n: number };
    expect(count.n).toBe(0);

    // The accepted forms: overnight slots, '24:00' ends, a time-zone name in any case (stored canonically).
    const ok = await post(schedule('europe/lisbon', [{ day: 6, start: '22:00', end: '06:00' }, { day: 0, start: '12:00', end: '24:00' }]));
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ entry: { availability: { kind: 'schedule', timeZone: 'Europe/Lisbon' } } });
  });

  it('refuses to link a suspended officer (409)', async () => {
    const w = await directoryWorld();
    await w.t.app.inject({ method: 'POST', url: `/api/v1/officers/${w.net.officer.id}/suspend`, headers: bearer(w.pt.admin.tokens) });
    const res = await w.t.app.inject({
      method: 'POST',
      url: '/api/v1/directory',
      headers: bearer(w.pt.admin.tokens),
      payload: { ...baseEntry, officerId: w.net.officer.id },
    });
    expectError(res, 409, 'officer_suspended');
  });

  it('is documented in the OpenAPI description', async () => {
    const w = await directoryWorld();
    const spec = w.t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(spec.paths['/api/v1/directory'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(spec.paths['/api/v1/directory/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(spec.paths['/api/v1/directory/{id}/confirm']).toHaveProperty('post');
    expect(spec.paths['/api/v1/directory/stale']).toHaveProperty('get');
  });
});
