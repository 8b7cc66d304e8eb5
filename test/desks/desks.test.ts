import { describe, expect, it } from 'vitest';
import type { Desk, MyShift, OnDuty } from '../../shared/schemas/desks.ts';
import type { DirectoryEntry } from '../../shared/schemas/directory.ts';
import { bearer, expectError, makeApp, provision, provisionAgency, worldOf, type TestApp } from '../world/app.ts';
import { rawDb } from '../world/db.ts';

const DAY_MS = 86_400_000;
/** Sessions never idle out: the clock moves to "03:00" on another day. */
const TIME_TRAVEL = { session: { idleTimeoutMs: 10_000 * DAY_MS, absoluteTimeoutMs: 10_000 * DAY_MS } };
/** Tuesday 24 Nov 2026, 03:00 in Lisbon (WET = UTC in November). */
const TUE_0300 = Date.UTC(2026, 10, 24, 3, 0);
/** A marker that must never reach the audit log (desk names and numbers are not ids). */
const NAME = 'Night desk ZEBRA-7731';
const PHONE = '+351 21 864 7731';

type Who = { tokens: { accessToken: string } };

async function world() {
  const t = await makeApp({ config: TIME_TRAVEL });
  const net = await provision(t);
  const w = worldOf(t);
  const pt = { id: net.agency.id, admin: net.agencyAdmin };
  const admin = { ...net.agencyAdmin, id: net.agencyAdmin.tokens.officer.id };
  const ana = net.officer;
  const rui = await w.officer(pt, 'rui.costa', 'Rui Costa');
  const zoe = await w.officer(pt, 'zoe.reis', 'Zoe Reis');
  const sam = await w.officer(pt, 'sam.supervisor', 'Sam Supervisor');
  const es = await provisionAgency(t, net.admin, { name: 'Policia Nacional', country: 'ES', prefix: 'es-', officers: ['eva'] });
  return { t, net, admin, ana, rui, zoe, sam, es: { admin: es.agencyAdmin, eva: es.officers[0]!, agencyId: es.agency.id } };
}

function call(t: TestApp, who: Who, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function createDesk(t: TestApp, who: Who, body: Record<string, unknown>): Promise<Desk> {
  const res = await call(t, who, 'POST', '/desks', { name: NAME, phone: PHONE, timeZone: 'Europe/Lisbon', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { desk: Desk }).desk;
}

async function putRota(t: TestApp, who: Who, desk: Desk, rota: Record<string, unknown>): Promise<Desk> {
  const res = await call(t, who, 'PUT', `/desks/${desk.id}/rota`, { timeZone: desk.timeZone, overrides: [], ...rota });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { desk: Desk }).desk;
}

/** The standard desk: Ana on nights every day, Rui on weekday office hours; Zoe staffs the backup desk round the clock. */
async function staffed(W: Awaited<ReturnType<typeof world>>) {
  const { t, admin, ana, rui, zoe, sam } = W;
  const backup = await createDesk(t, admin, { name: 'Duty office', members: [zoe.id] });
  await putRota(t, admin, backup, { weekly: [{ officerId: zoe.id, days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }] });
  const desk = await createDesk(t, admin, { members: [ana.id, rui.id, zoe.id], supervisors: [sam.id], languages: ['pt', 'en-GB'], specialisations: ['internet-drug-crime'] });
  const rota = await putRota(t, sam, desk, {
    weekly: [
      { officerId: ana.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
      { officerId: rui.id, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    ],
  });
  return { desk: rota, backup };
}

const onDutyOf = async (t: TestApp, who: Who, deskId: string, at?: number): Promise<OnDuty> => {
  const res = await call(t, who, 'GET', `/desks/${deskId}/on-duty${at === undefined ? '' : `?at=${at}`}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as OnDuty;
};

describe('desks: roles', () => {
  it('administrators create and delete, supervisors edit, members read; another agency sees nothing (404)', async () => {
    const W = await world();
    const { t, admin, ana, rui, sam, es } = W;
    expectError(await call(t, ana, 'POST', '/desks', { name: 'Mine', phone: PHONE, timeZone: 'Europe/Lisbon' }), 403, 'forbidden');
    const { desk } = await staffed(W);
    expect(desk).toMatchObject({ name: NAME, phone: '+351218647731', languages: ['en-GB', 'pt'], supervisors: [sam.id], backupDeskId: null });

    // A member reads, and lists the desk, but may not edit it.
    expect((await call(t, ana, 'GET', `/desks/${desk.id}`)).statusCode).toBe(200);
    const mine = (await call(t, ana, 'GET', '/desks')).json() as { desks: Desk[] };
    expect(mine.desks.map((d) => d.id)).toEqual([desk.id]);
    expectError(await call(t, ana, 'PATCH', `/desks/${desk.id}`, { name: 'Renamed' }), 403, 'forbidden');
    expectError(await call(t, ana, 'PUT', `/desks/${desk.id}/rota`, desk.rota), 403, 'forbidden');
    expectError(await call(t, ana, 'DELETE', `/desks/${desk.id}`), 403, 'forbidden');

    // A supervisor edits fields, members and the rota, but not the supervisors, and cannot delete.
    const renamed = await call(t, sam, 'PATCH', `/desks/${desk.id}`, { name: 'Cyber night desk', members: [ana.id, rui.id, W.zoe.id, sam.id] });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((renamed.json() as { desk: Desk }).desk.members).toContain(sam.id);
    expectError(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { supervisors: [sam.id, ana.id] }), 403, 'forbidden');
    expectError(await call(t, sam, 'DELETE', `/desks/${desk.id}`), 403, 'forbidden');

    // Another agency's administrator and officer: every route answers as if the desk did not exist.
    for (const outsider of [es.admin, es.eva]) {
      expectError(await call(t, outsider, 'GET', `/desks/${desk.id}`), 404, 'not_found');
      expectError(await call(t, outsider, 'PATCH', `/desks/${desk.id}`, { name: 'Hijacked' }), 404, 'not_found');
      expectError(await call(t, outsider, 'PUT', `/desks/${desk.id}/rota`, desk.rota), 404, 'not_found');
      expectError(await call(t, outsider, 'POST', `/desks/${desk.id}/rota/overrides`, { officerId: es.eva.id, start: TUE_0300, end: TUE_0300 + 3_600_000 }), 404, 'not_found');
      expectError(await call(t, outsider, 'GET', `/desks/${desk.id}/on-duty`), 404, 'not_found');
      expectError(await call(t, outsider, 'DELETE', `/desks/${desk.id}`), 404, 'not_found');
      expect(((await call(t, outsider, 'GET', '/desks')).json() as { desks: Desk[] }).desks).toEqual([]);
    }
    expect(((await call(t, admin, 'GET', `/desks/${desk.id}`)).json() as { desk: Desk }).desk.name).toBe('Cyber night desk');

    // The administrator deletes; it is gone for everyone.
    expect((await call(t, admin, 'DELETE', `/desks/${desk.id}`)).statusCode).toBe(200);
    expectError(await call(t, admin, 'GET', `/desks/${desk.id}`), 404, 'not_found');
    expectError(await call(t, ana, 'GET', `/desks/${desk.id}`), 404, 'not_found');
  });
});

describe('desks: validation', () => {
  it('refuses bad desks and rotas with the right status and code, storing nothing', async () => {
    const W = await world();
    const { t, admin, ana, rui, sam, es } = W;
    const base = { name: 'Desk', phone: PHONE, timeZone: 'Europe/Lisbon' };
    const count = () => (rawDb(t.app).prepare('SELECT count(*) FROM desks').pluck().get() as number);
    const refused: [Record<string, unknown>, number, string][] = [
      [{ ...base, timeZone: 'Mars/Olympus' }, 400, 'invalid_time_zone'],
      [{ ...base, timeZone: 'Etc/GMT+5' }, 400, 'invalid_time_zone'],
      [{ ...base, phone: '0800 123 456' }, 400, 'invalid_phone'],
      [{ ...base, languages: ['not a tag!'] }, 400, 'invalid_language'],
      [{ ...base, members: [es.eva.id] }, 400, 'invalid_member'],
      [{ ...base, supervisors: ['no-such-officer'] }, 400, 'invalid_member'],
      [{ ...base, backupDeskId: 'no-such-desk' }, 400, 'invalid_backup_desk'],
      [{ ...base, extra: true }, 400, 'validation_failed'],
      [{ name: 'Desk', timeZone: 'Europe/Lisbon' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of refused) expectError(await call(t, admin, 'POST', '/desks', body), status, code);
    expect(count()).toBe(0);

    const { desk, backup } = await staffed(W);
    const esDesk = await createDesk(t, es.admin, { name: 'Guardia', timeZone: 'Europe/Madrid' });
    expectError(await call(t, admin, 'PATCH', `/desks/${desk.id}`, { backupDeskId: desk.id }), 400, 'invalid_backup_desk');
    expectError(await call(t, admin, 'PATCH', `/desks/${desk.id}`, { backupDeskId: esDesk.id }), 400, 'invalid_backup_desk');
    expect((await call(t, admin, 'PATCH', `/desks/${desk.id}`, { backupDeskId: backup.id })).statusCode).toBe(200);
    // backup → desk while desk → backup: a cycle of two.
    expectError(await call(t, admin, 'PATCH', `/desks/${backup.id}`, { backupDeskId: desk.id }), 400, 'invalid_backup_desk');
    // Ana is on the rota: she cannot stop being a member.
    expectError(await call(t, sam, 'PATCH', `/desks/${desk.id}`, { members: [rui.id] }), 400, 'invalid_member');

    const rota = (patch: Record<string, unknown>) => ({ timeZone: 'Europe/Lisbon', weekly: [], overrides: [], ...patch });
    const shift = { officerId: ana.id, days: [1], start: '09:00', end: '17:00' };
    const override = { id: 'o1', officerId: ana.id, start: TUE_0300, end: TUE_0300 + 3_600_000 };
    const badRotas: [Record<string, unknown>, number, string, RegExp?][] = [
      [rota({ timeZone: 'Mars/Olympus' }), 400, 'invalid_rota', /rota\.timeZone: "Mars\/Olympus" is not an IANA time zone/],
      [rota({ timeZone: 'America/New_York' }), 400, 'invalid_rota', /must be the desk's time zone "Europe\/Lisbon"/],
      [rota({ weekly: [{ ...shift, officerId: sam.id }] }), 400, 'invalid_rota', /not members of the desk/],
      [rota({ weekly: [{ ...shift, start: '25:00' }] }), 400, 'validation_failed'],
      [rota({ weekly: [{ ...shift, days: [0] }] }), 400, 'validation_failed'],
      [rota({ overrides: [override, { ...override, officerId: rui.id }] }), 400, 'invalid_rota', /rota\.overrides\[1\]\.id: id "o1" is already used by overrides\[0\]/],
      [rota({ overrides: [{ ...override, end: override.start }] }), 400, 'invalid_rota', /rota\.overrides\[0\]\.end: end must be after start/],
      [
        rota({ weekly: Array.from({ length: 150 }, () => shift), overrides: Array.from({ length: 51 }, (_, i) => ({ ...override, id: `o${i}` })) }),
        400,
        'invalid_rota',
        /at most 200 entries/,
      ],
    ];
    for (const [body, status, code, message] of badRotas) {
      const res = await call(t, sam, 'PUT', `/desks/${desk.id}/rota`, body);
      expectError(res, status, code);
      if (message) expect((res.json() as { error: { message: string } }).error.message).toMatch(message);
    }
    const stored = ((await call(t, sam, 'GET', `/desks/${desk.id}`)).json() as { desk: Desk }).desk;
    expect(stored.rota).toEqual(desk.rota);
  });
});

describe('desks: who is on duty', () => {
  it('at "03:00" local (injected clock): the night officer; a swap hands it over; nobody → the backup desk, flagged', async () => {
    const W = await world();
    const { t, admin, ana, rui, zoe, sam } = W;
    const { desk, backup } = await staffed(W);
    t.clock.set(TUE_0300);
    expect(await onDutyOf(t, ana, desk.id)).toEqual({ at: TUE_0300, officerIds: [ana.id], fromBackupDesk: false });
    // Tuesday 10:00: Rui's office hours.
    expect((await onDutyOf(t, ana, desk.id, TUE_0300 + 7 * 3_600_000)).officerIds).toEqual([rui.id]);
    // Tuesday 18:00: nobody, and no backup desk yet.
    const evening = TUE_0300 + 15 * 3_600_000;
    expect(await onDutyOf(t, ana, desk.id, evening)).toEqual({ at: evening, officerIds: [], fromBackupDesk: false });
    expect((await call(t, admin, 'PATCH', `/desks/${desk.id}`, { backupDeskId: backup.id })).statusCode).toBe(200);
    expect(await onDutyOf(t, ana, desk.id, evening)).toEqual({ at: evening, officerIds: [zoe.id], fromBackupDesk: true });

    // Ana swaps 02:00–05:00 of her Tuesday-morning shift to Rui.
    const swap = { officerId: rui.id, start: TUE_0300 - 3_600_000, end: TUE_0300 + 2 * 3_600_000, replaces: ana.id };
    const added = await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, swap);
    expect(added.statusCode, added.body).toBe(201);
    expect(await onDutyOf(t, ana, desk.id)).toEqual({ at: TUE_0300, officerIds: [rui.id], fromBackupDesk: false });
    expect((await onDutyOf(t, ana, desk.id, TUE_0300 + 2 * 3_600_000)).officerIds).toEqual([ana.id]);

    // Members swap only their own shift, and only inside it.
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, { ...swap, replaces: rui.id, officerId: ana.id }), 403, 'not_your_shift');
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, { officerId: rui.id, start: TUE_0300, end: TUE_0300 + 3_600_000 }), 403, 'not_your_shift');
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, { ...swap, start: evening, end: evening + 3_600_000 }), 403, 'not_your_shift');
    expectError(await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, { ...swap, officerId: sam.id }), 400, 'invalid_rota');
    // A supervisor adds an extra shift for anyone on the desk; overrides come in list order (the swap was first).
    const extra = await call(t, sam, 'POST', `/desks/${desk.id}/rota/overrides`, { officerId: zoe.id, start: TUE_0300, end: TUE_0300 + 60_000 });
    expect(extra.statusCode, extra.body).toBe(201);
    expect((await onDutyOf(t, ana, desk.id)).officerIds).toEqual([rui.id, zoe.id]);

    // Rui may not remove Ana's swap; Ana may; the supervisor removes the extra shift.
    const overrides = ((extra.json() as { desk: Desk }).desk.rota.overrides);
    const [swapId, extraId] = overrides.map((o) => o.id);
    expectError(await call(t, rui, 'DELETE', `/desks/${desk.id}/rota/overrides/${swapId}`), 403, 'not_your_shift');
    expect((await call(t, ana, 'DELETE', `/desks/${desk.id}/rota/overrides/${swapId}`)).statusCode).toBe(200);
    expect((await call(t, sam, 'DELETE', `/desks/${desk.id}/rota/overrides/${extraId}`)).statusCode).toBe(200);
    expectError(await call(t, sam, 'DELETE', `/desks/${desk.id}/rota/overrides/${extraId}`), 404, 'not_found');
    expect((await onDutyOf(t, ana, desk.id)).officerIds).toEqual([ana.id]);

    // A suspended officer is never on duty: the backup desk answers instead.
    const suspended = await call(t, admin, 'POST', `/officers/${ana.id}/suspend`, {});
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(await onDutyOf(t, sam, desk.id)).toEqual({ at: TUE_0300, officerIds: [zoe.id], fromBackupDesk: true });
    expectError(await call(t, sam, 'GET', `/desks/${desk.id}/on-duty?at=-5`), 400, 'validation_failed');
  });

  it("my shifts: across desks, swaps split, at most 31 days", async () => {
    const W = await world();
    const { t, admin, ana, rui, sam } = W;
    const { desk } = await staffed(W);
    const other = await createDesk(t, admin, { name: 'Weekend desk', members: [ana.id] });
    await putRota(t, admin, other, { weekly: [{ officerId: ana.id, days: [6], start: '10:00', end: '14:00' }] });
    const swap = { officerId: rui.id, start: TUE_0300 - 3_600_000, end: TUE_0300, replaces: ana.id };
    expect((await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, swap)).statusCode).toBe(201);

    const from = Date.UTC(2026, 10, 23); // Monday 00:00
    const to = from + 7 * DAY_MS;
    const res = await call(t, ana, 'GET', `/desks/me/shifts?from=${from}&to=${to}`);
    expect(res.statusCode, res.body).toBe(200);
    const shifts = (res.json() as { shifts: MyShift[] }).shifts;
    // Sunday night into Monday, seven nights (Monday night split by the swap into two pieces), one Saturday.
    expect(shifts.map((s) => [s.deskName, new Date(s.start).toISOString().slice(5, 16), new Date(s.end).toISOString().slice(5, 16)])).toEqual([
      [NAME, '11-22T22:00', '11-23T06:00'],
      [NAME, '11-23T22:00', '11-24T02:00'],
      [NAME, '11-24T03:00', '11-24T06:00'],
      [NAME, '11-24T22:00', '11-25T06:00'],
      [NAME, '11-25T22:00', '11-26T06:00'],
      [NAME, '11-26T22:00', '11-27T06:00'],
      [NAME, '11-27T22:00', '11-28T06:00'],
      ['Weekend desk', '11-28T10:00', '11-28T14:00'],
      [NAME, '11-28T22:00', '11-29T06:00'],
      [NAME, '11-29T22:00', '11-30T06:00'],
    ]);
    const ruis = (await call(t, rui, 'GET', `/desks/me/shifts?from=${from}&to=${to}`)).json() as { shifts: MyShift[] };
    expect(ruis.shifts.filter((s) => s.source === 'override')).toEqual([{ deskId: desk.id, deskName: NAME, start: swap.start, end: swap.end, source: 'override', overrideId: expect.any(String) }]);
    // A supervisor who is not a member has no shifts.
    expect(((await call(t, sam, 'GET', `/desks/me/shifts?from=${from}&to=${to}`)).json() as { shifts: MyShift[] }).shifts).toEqual([]);
    expectError(await call(t, ana, 'GET', `/desks/me/shifts?from=${from}&to=${from + 32 * DAY_MS}`), 400, 'invalid_window');
    expectError(await call(t, ana, 'GET', `/desks/me/shifts?from=${to}&to=${from}`), 400, 'invalid_window');
    expectError(await call(t, ana, 'GET', `/desks/me/shifts?from=${from}`), 400, 'validation_failed');
  });
});

describe('desks: audit and directory', () => {
  it('every change is audited with ids and counts only', async () => {
    const W = await world();
    const { t, admin, ana, rui } = W;
    const { desk, backup } = await staffed(W);
    await call(t, ana, 'POST', `/desks/${desk.id}/rota/overrides`, { officerId: rui.id, start: TUE_0300 - 3_600_000, end: TUE_0300, replaces: ana.id });
    await call(t, admin, 'PATCH', `/desks/${desk.id}`, { phone: '+351 21 864 7732', backupDeskId: backup.id });
    await call(t, admin, 'DELETE', `/desks/${backup.id}`);
    const rows = rawDb(t.app)
      .prepare(`SELECT action, actor_id AS actor, target_id AS target, agency_id AS agency, details FROM audit_events WHERE action LIKE 'desk.%' ORDER BY seq`)
      .all() as { action: string; actor: string; target: string; agency: string; details: string }[];
    expect(rows.map((r) => r.action)).toEqual([
      'desk.created',
      'desk.rota_replaced',
      'desk.created',
      'desk.rota_replaced',
      'desk.override_added',
      'desk.updated',
      'desk.deleted',
    ]);
    expect(rows.every((r) => r.agency === W.net.agency.id)).toBe(true);
    expect(rows.filter((r) => r.target === desk.id).map((r) => r.actor)).toEqual([admin.id, W.sam.id, ana.id, admin.id]);
    expect(JSON.parse(rows[5]!.details)).toEqual({ fields: ['backupDeskId', 'phone'] });
    const all = JSON.stringify(rows);
    for (const marker of ['ZEBRA', '7731', '7732', 'Duty office']) expect(all).not.toContain(marker);
    // The deleted backup is unlinked, not left dangling.
    expect(((await call(t, admin, 'GET', `/desks/${desk.id}`)).json() as { desk: Desk }).desk.backupDeskId).toBeNull();
  });

  it('a directory entry linked to a desk is available now iff someone is on duty there (or at its backup)', async () => {
    const W = await world();
    const { t, admin, ana, es } = W;
    const { desk, backup } = await staffed(W);
    const officeHours = { kind: 'schedule', timeZone: 'Europe/Lisbon', slots: [0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' })) };
    const entryBody = { specialisations: ['internet-drug-crime'], languages: ['pt'], availability: officeHours };
    const create = (body: Record<string, unknown>) => call(t, admin, 'POST', '/directory', { ...entryBody, ...body });
    const linked = await create({ title: 'Linked night desk', deskId: desk.id });
    expect(linked.statusCode, linked.body).toBe(201);
    expect((linked.json() as { entry: DirectoryEntry }).entry.deskId).toBe(desk.id);
    expect((await create({ title: 'Plain office' })).statusCode).toBe(201);
    const esDesk = await createDesk(t, es.admin, { name: 'Guardia', timeZone: 'Europe/Madrid' });
    expectError(await create({ title: 'Foreign desk', deskId: esDesk.id }), 400, 'invalid_desk');
    expectError(await create({ title: 'Missing desk', deskId: 'nope' }), 400, 'invalid_desk');

    const available = async (at: number) => {
      t.clock.set(at);
      const page = await t.app.inject({ method: 'GET', url: '/api/v1/directory?availableNow=true&limit=100', headers: bearer(es.eva.tokens) });
      expect(page.statusCode, page.body).toBe(200);
      return (page.json() as { entries: DirectoryEntry[] }).entries.map((e) => e.title);
    };
    // 03:00: Ana is on the desk's night shift (the entry's own schedule says closed); the plain entry is closed.
    expect(await available(TUE_0300)).toEqual(['Linked night desk']);
    // 10:00: both (Rui on the desk, office hours on the plain entry).
    expect(await available(TUE_0300 + 7 * 3_600_000)).toEqual(['Linked night desk', 'Plain office']);
    // 18:00: nobody on the desk and no backup → not available; with the backup desk → available.
    expect(await available(TUE_0300 + 15 * 3_600_000)).toEqual([]);
    expect((await call(t, admin, 'PATCH', `/desks/${desk.id}`, { backupDeskId: backup.id })).statusCode).toBe(200);
    expect(await available(TUE_0300 + 15 * 3_600_000)).toEqual(['Linked night desk']);
    const id = (linked.json() as { entry: DirectoryEntry }).entry.id;
    const detail = (await call(t, es.eva, 'GET', `/directory/${id}`)).json() as { entry: DirectoryEntry; nextChange: unknown };
    expect(detail).toMatchObject({ entry: { availableNow: true, deskId: desk.id }, nextChange: null });
    // Another agency's officer still cannot read the desk itself.
    expectError(await call(t, es.eva, 'GET', `/desks/${desk.id}`), 404, 'not_found');

    // Deleting the desk unlinks the entry, which falls back to its own schedule (closed at 18:00).
    expect((await call(t, admin, 'DELETE', `/desks/${desk.id}`)).statusCode).toBe(200);
    expect(await available(TUE_0300 + 15 * 3_600_000)).toEqual([]);
    expect(((await call(t, ana, 'GET', `/directory/${id}`)).json() as { entry: DirectoryEntry }).entry.deskId).toBeNull();
  });
});
