/**
 * The PostgreSQL repositories for directory, desks, alerting, paging, intake, requests, stats and
 * attachments give what the SQLite ones give: every call runs against both engines (a fresh SQLite
 * store and a fresh PostgreSQL schema migrated from migrations/pg) and the results must be equal.
 * Rows of other domains the queries join against are plain INSERTs, the same in both.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate, SearchFilters } from '../../server/directory/repository.ts';
import { ftsMatchQuery } from '../../server/directory/fts-query.ts';
import { applyMigrations, createPool, prepareSchema } from '../../server/store/pg/client.ts';
import { PgAlertingRepository } from '../../server/store/pg/alerting-repository.ts';
import { PgAttachmentsRepository } from '../../server/store/pg/attachments-repository.ts';
import { PgDesksRepository } from '../../server/store/pg/desks-repository.ts';
import { PgMessagesRepository } from '../../server/store/pg/messages-repository.ts';
import { PgDirectoryRepository } from '../../server/store/pg/directory-repository.ts';
import { PgIntakeRepository } from '../../server/store/pg/intake-repository.ts';
import { PgPagingRepository } from '../../server/store/pg/paging-repository.ts';
import { PgRequestsRepository } from '../../server/store/pg/requests-repository.ts';
import { PgStatsRepository } from '../../server/store/pg/stats-repository.ts';
import type { Repositories } from '../../server/store/store.ts';
import { WALK_THRESHOLD } from '../../server/store/sqlite/directory-repository.ts';
import { SqliteStore } from '../../server/store/sqlite/store.ts';
import type { DeskRow } from '../../server/desks/repository.ts';
import type { PageRow } from '../../server/alerting/paging-repository.ts';
import type { RequestRow } from '../../server/requests/repository.ts';
import type { DeskRequestRow } from '../../server/intake/repository.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
/** Beyond 32 bits, as every millisecond time is: bigint columns must come back as numbers. */
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

type Repos = Pick<Repositories, 'directory' | 'desks' | 'alerting' | 'paging' | 'intake' | 'requests' | 'stats' | 'attachments' | 'messages'>;

let dir: string;
let sqlite: SqliteStore;
let pool: pg.Pool;
let schema: string;
let P: Repos;

/** Runs `call` on the SQLite repositories, then on the PostgreSQL ones; both must give the same result. */
async function both<T>(call: (r: Repos) => Promise<T>, normalise: (v: T) => unknown = (v) => v): Promise<T> {
  const expected = await call(sqlite);
  const actual = await call(P);
  expect(normalise(actual)).toStrictEqual(normalise(expected));
  return actual;
}

/** Both engines reject the call. */
async function bothReject(call: (r: Repos) => Promise<unknown>): Promise<void> {
  await expect(call(sqlite)).rejects.toThrow();
  await expect(call(P)).rejects.toThrow();
}

/** The same plain SQL (`?` parameters) in both databases: rows of other domains the queries join against. */
async function exec(text: string, ...params: unknown[]): Promise<void> {
  sqlite.sqlite.prepare(text).run(...params);
  let n = 0;
  await pool.query(
    text.replace(/\?/g, () => `$${++n}`),
    params,
  );
}

async function agency(id: string, name: string, country: string, kind = 'police', sponsor: string | null = null): Promise<void> {
  await exec('INSERT INTO agencies (id, name, country, kind, status, sponsor_agency_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', id, name, country, kind, 'active', sponsor, T0, T0);
}

async function officer(id: string, agencyId: string, name: string, withKeys = false): Promise<void> {
  await exec(
    'INSERT INTO officers (id, agency_id, username, display_name, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    id,
    agencyId,
    id,
    name,
    'officer',
    'active',
    T0,
    T0,
  );
  if (withKeys) {
    await exec(
      'INSERT INTO officer_keys (officer_id, agency_id, sign_public_key, dh_public_key, enrol_event, prekey, backup, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      id,
      agencyId,
      `sign-${id}`,
      `dh-${id}`,
      '{}',
      '{}',
      '{}',
      T0,
      T0,
    );
  }
}

async function channel(id: string): Promise<void> {
  await exec(
    'INSERT INTO channels (id, kind, created_by, created_at, encrypted_meta, policy, head_seq, head_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    id,
    'case',
    'o1',
    T0,
    'meta',
    '{}',
    0,
    'hash',
  );
}

function deskRow(id: string, agencyId: string, name: string, patch: Partial<DeskRow> = {}): DeskRow {
  return {
    id,
    agencyId,
    name,
    specialisations: '["precursors"]',
    languages: '["en"]',
    phone: '+351 000',
    timeZone: 'Europe/Lisbon',
    supervisors: '[]',
    members: '[]',
    backupDeskId: null,
    rota: '{}',
    ackMinutes: 5,
    channelId: null,
    createdAt: T0,
    updatedAt: T0,
    createdBy: 'o1',
    ...patch,
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-pgrepos-'));
  sqlite = SqliteStore.open(dir);
  schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  pool = createPool({ url: DATABASE_URL, schema, max: 2 });
  await prepareSchema(pool, schema);
  await applyMigrations(pool, schema);
  P = {
    directory: new PgDirectoryRepository(pool),
    desks: new PgDesksRepository(pool),
    alerting: new PgAlertingRepository(pool),
    paging: new PgPagingRepository(pool),
    intake: new PgIntakeRepository(pool),
    requests: new PgRequestsRepository(pool),
    stats: new PgStatsRepository(pool),
    attachments: new PgAttachmentsRepository(pool),
    messages: new PgMessagesRepository(pool),
  };
  // The world the domains join against: three agencies (one sponsored, one suspended later), officers, channels.
  await agency('A1', 'Polícia Judiciária', 'PT', 'police');
  await agency('A2', 'Guardia Civil', 'ES', 'police', 'A1');
  await agency('A3', 'Aduanas', 'ES', 'customs');
  await agency('A4', 'Zoll', 'DE', 'customs');
  await officer('o1', 'A1', 'Ana Sousa', true);
  await officer('o2', 'A1', 'José Álvares');
  await officer('o3', 'A2', 'Marta Ruiz', true);
  await officer('o4', 'A3', 'Pablo Gil');
  await channel('c1');
  await channel('c2');
  await channel('c3');
});

afterAll(async () => {
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
  sqlite?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL repositories give what the SQLite ones give', () => {
  it('messages: read markers move forward only, per channel and officer', async () => {
    await channel('rm-c1');
    await channel('rm-c2');
    expect(await both((r) => r.messages.readMarker('rm-c1', 'o1'))).toBe(0);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c1', 'o1', 3, T0))).toBe(true);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c1', 'o1', 2, T0 + 1))).toBe(false);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c1', 'o1', 3, T0 + 1))).toBe(false);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c1', 'o1', 5, T0 + 2))).toBe(true);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c2', 'o1', 1, T0 + 3))).toBe(true);
    expect(await both((r) => r.messages.raiseReadMarker('rm-c1', 'o2', 4, T0 + 3))).toBe(true);
    expect(await both((r) => r.messages.readMarker('rm-c1', 'o1'))).toBe(5);
    expect([...(await both((r) => r.messages.readMarkersOf('o1'), (m) => [...m].sort()))].sort()).toEqual([
      ['rm-c1', 5],
      ['rm-c2', 1],
    ]);
    expect(await both((r) => r.messages.acknowledgedBy('rm-c1', 'o1', 0, 10))).toEqual([]);
  });

  it('alerting: push subscriptions and notification settings', async () => {
    const sub = (id: string, officerId: string, at: number, label: string | null = null) => ({
      id,
      officerId,
      endpoint: `https://push.example/${id}`,
      p256dh: `k-${id}`,
      auth: `a-${id}`,
      label,
      createdAt: at,
      updatedAt: at,
    });
    // Two at the same instant: the id breaks the tie ("B" < "a" byte-wise).
    for (const s of [sub('s-a', 'o1', T0 + 2), sub('s-B', 'o1', T0 + 2, 'phone'), sub('s-0', 'o1', T0 + 1), sub('s-x', 'o3', T0)]) {
      await both((r) => r.alerting.insertSubscription(s));
    }
    expect((await both((r) => r.alerting.subscriptions('o1'))).map((s) => s.id)).toEqual(['s-0', 's-B', 's-a']);
    await both((r) => r.alerting.subscriptions('nobody'));
    expect(await both((r) => r.alerting.subscriptionByEndpoint('https://push.example/s-B'))).toMatchObject({ id: 's-B', label: 'phone', createdAt: T0 + 2 });
    expect(await both((r) => r.alerting.subscriptionByEndpoint('https://push.example/none'))).toBeUndefined();
    await both((r) => r.alerting.subscription('s-x'));
    expect(await both((r) => r.alerting.subscription('none'))).toBeUndefined();
    expect(await both((r) => r.alerting.countSubscriptions('o1'))).toBe(3);
    expect(await both((r) => r.alerting.countSubscriptions('o2'))).toBe(0);
    await both((r) => r.alerting.updateSubscription('s-a', { p256dh: 'k2', auth: 'a2', label: 'laptop', updatedAt: T0 + 9 }));
    expect(await both((r) => r.alerting.subscription('s-a'))).toMatchObject({ p256dh: 'k2', label: 'laptop', updatedAt: T0 + 9 });
    // A unique endpoint: the second insert fails in both.
    await bothReject((r) => r.alerting.insertSubscription({ ...sub('s-dup', 'o1', T0), endpoint: 'https://push.example/s-a' }));
    expect(await both((r) => r.alerting.deleteSubscription('s-0'))).toBe(true);
    expect(await both((r) => r.alerting.deleteSubscription('s-0'))).toBe(false);

    expect(await both((r) => r.alerting.settings('o1'))).toBeUndefined();
    await both((r) => r.alerting.putSettings({ officerId: 'o1', email: 'ana@pj.pt', push: true, emailEnabled: false, quietHours: null, updatedAt: T0 }));
    expect(await both((r) => r.alerting.settings('o1'))).toStrictEqual({ officerId: 'o1', email: 'ana@pj.pt', push: true, emailEnabled: false, quietHours: null, updatedAt: T0 });
    await both((r) => r.alerting.putSettings({ officerId: 'o1', email: null, push: false, emailEnabled: true, quietHours: '{"start":"22:00"}', updatedAt: T0 + 1 }));
    expect(await both((r) => r.alerting.settings('o1'))).toMatchObject({ email: null, push: false, emailEnabled: true, quietHours: '{"start":"22:00"}' });
  });

  it('desks: rows, the officer index, visibility and deletion', async () => {
    await both((r) => r.desks.insert(deskRow('d1', 'A1', 'Night desk', { supervisors: '["o1"]', members: '["o2","o3"]', channelId: 'c1' })));
    await both((r) => r.desks.insert(deskRow('d2', 'A2', 'Drugs', { members: '["o1"]', backupDeskId: 'd1' })));
    // Same name as d1: the id breaks the tie; "night owls" (lower case) sorts after upper case, byte-wise.
    await both((r) => r.desks.insert(deskRow('d0', 'A1', 'Night desk')));
    await both((r) => r.desks.insert(deskRow('d3', 'A3', 'night owls', { members: '["o4","o4"]' })));
    expect(await both((r) => r.desks.byId('d1'))).toMatchObject({ id: 'd1', ackMinutes: 5, createdAt: T0, channelId: 'c1' });
    expect(await both((r) => r.desks.byId('none'))).toBeUndefined();
    expect(await both((r) => r.desks.byChannel('c1'))).toMatchObject({ id: 'd1' });
    expect(await both((r) => r.desks.byChannel('c9'))).toBeUndefined();
    expect((await both((r) => r.desks.visibleTo('A1', 'o1'))).map((d) => d.id)).toEqual(['d2', 'd0', 'd1']);
    expect((await both((r) => r.desks.visibleTo(null, 'o1'))).map((d) => d.id)).toEqual(['d2', 'd1']);
    expect((await both((r) => r.desks.visibleTo(null, 'o4'))).map((d) => d.id)).toEqual(['d3']);
    expect((await both((r) => r.desks.memberOf('o1'))).map((d) => d.id)).toEqual(['d2']);
    expect((await both((r) => r.desks.memberOf('o2'))).map((d) => d.id)).toEqual(['d1']);

    // Re-indexing: o2 leaves d1, o1 becomes a member of it too.
    await both((r) => r.desks.update('d1', { members: '["o1","o3"]', updatedAt: T0 + 1 }));
    expect((await both((r) => r.desks.memberOf('o2'))).map((d) => d.id)).toEqual([]);
    expect((await both((r) => r.desks.memberOf('o1'))).map((d) => d.id)).toEqual(['d2', 'd1']);
    await both((r) => r.desks.update('d1', { name: 'A desk', ackMinutes: 10, channelId: null }));
    expect(await both((r) => r.desks.byId('d1'))).toMatchObject({ name: 'A desk', ackMinutes: 10, channelId: null, members: '["o1","o3"]' });
    await bothReject((r) => r.desks.update('d1', {}));

    // Deleting a desk unlinks the desks that named it as backup and its officers.
    await both((r) => r.desks.insert(deskRow('dx', 'A4', 'Doomed', { members: '["o3"]' })));
    await both((r) => r.desks.update('d2', { backupDeskId: 'dx' }));
    await both((r) => r.desks.delete('dx'));
    expect(await both((r) => r.desks.byId('dx'))).toBeUndefined();
    expect(await both((r) => r.desks.byId('d2'))).toMatchObject({ backupDeskId: null });
    expect((await both((r) => r.desks.visibleTo(null, 'o3'))).map((d) => d.id)).toEqual(['d1']);
  });

  it('paging: pages, the fire-once updates, deliveries and reachability reports', async () => {
    const page = (id: string, deskId: string, at: number, patch: Partial<PageRow> = {}): PageRow => ({
      id,
      deskId,
      priority: 'normal',
      ackRequested: false,
      channelId: 'c1',
      reason: 'message',
      requesterId: null,
      createdAt: at,
      step: 0,
      state: 'open',
      nextFireAt: at + 60_000,
      ackedAt: null,
      ackedBy: null,
      ...patch,
    });
    const rows = [
      page('p1', 'd1', T0),
      page('p2', 'd1', T0, { priority: 'urgent', ackRequested: true }),
      page('p3', 'd1', T0 + 10, { channelId: 'c2', reason: 'test', requesterId: 'o3' }),
      page('p4', 'd2', T0 + 20, { channelId: null, reason: 'test', nextFireAt: null }),
      page('p5', 'd2', T0 + 30, { reason: 'deadline' }),
    ];
    for (const row of rows) await both((r) => r.paging.insertPage(row));
    expect(await both((r) => r.paging.page('p2'))).toStrictEqual(rows[1]);
    expect(await both((r) => r.paging.page('none'))).toBeUndefined();

    expect(await both((r) => r.paging.advance('p1', 0, { step: 1, state: 'open', nextFireAt: T0 + 120_000 }))).toBe(true);
    expect(await both((r) => r.paging.advance('p1', 0, { step: 1, state: 'open', nextFireAt: T0 + 120_000 }))).toBe(false);
    expect(await both((r) => r.paging.raise('p1', { priority: 'urgent', ackRequested: false }))).toBe(true);
    expect(await both((r) => r.paging.raise('p1', { priority: 'urgent', ackRequested: false }))).toBe(false);
    expect(await both((r) => r.paging.raise('p1', { priority: 'urgent', ackRequested: true }))).toBe(true);
    expect(await both((r) => r.paging.page('p1'))).toMatchObject({ step: 1, priority: 'urgent', ackRequested: true, nextFireAt: T0 + 120_000 });

    expect((await both((r) => r.paging.openPagesOfChannel('c1'))).map((p) => p.id)).toEqual(['p1', 'p2', 'p5']);
    expect(await both((r) => r.paging.openPageOfChannel('d1', 'c1'))).toMatchObject({ id: 'p1' });
    expect(await both((r) => r.paging.openPageOfChannel('d2', 'c2'))).toBeUndefined();
    expect((await both((r) => r.paging.due(T0 + 60_000, 10))).map((p) => p.id)).toEqual(['p2']);
    expect((await both((r) => r.paging.due(T0 + 200_000, 2))).map((p) => p.id)).toEqual(['p2', 'p3']);

    expect(await both((r) => r.paging.acknowledge('p2', 'o1', T0 + 5))).toBe(true);
    expect(await both((r) => r.paging.acknowledge('p2', 'o2', T0 + 6))).toBe(false);
    expect(await both((r) => r.paging.cancel('p2'))).toBe(false);
    expect(await both((r) => r.paging.cancel('p5'))).toBe(true);
    expect(await both((r) => r.paging.advance('p4', 0, { step: 1, state: 'exhausted', nextFireAt: null }))).toBe(true);
    expect(await both((r) => r.paging.page('p2'))).toMatchObject({ state: 'acknowledged', ackedBy: 'o1', ackedAt: T0 + 5, nextFireAt: null });

    expect((await both((r) => r.paging.pagesOpenedBetween('d1', T0, T0 + 10))).map((p) => p.id)).toEqual(['p1', 'p2']);
    expect((await both((r) => r.paging.pagesOfDesk('d1', undefined, 10))).map((p) => p.id)).toEqual(['p3', 'p2', 'p1']);
    expect((await both((r) => r.paging.pagesOfDesk('d1', 'open', 1))).map((p) => p.id)).toEqual(['p3']);
    expect((await both((r) => r.paging.pagesOfDesk('d2', 'cancelled', 10))).map((p) => p.id)).toEqual(['p5']);

    const delivery = { pageId: 'p1', step: 0, officerId: 'o1', outcomes: null, at: T0 + 1 };
    expect(await both((r) => r.paging.insertDelivery(delivery))).toBe(true);
    expect(await both((r) => r.paging.insertDelivery({ ...delivery, at: T0 + 2 }))).toBe(false);
    expect(await both((r) => r.paging.insertDelivery({ ...delivery, step: 1, at: T0 + 3 }))).toBe(true);
    expect(await both((r) => r.paging.insertDelivery({ ...delivery, pageId: 'p3', officerId: 'o2' }))).toBe(true);
    expect(await both((r) => r.paging.insertDelivery({ ...delivery, pageId: 'p2' }))).toBe(true);
    await both((r) => r.paging.setOutcomes('p1', 1, 'o1', '[{"channel":"push","ok":true}]'));
    expect(await both((r) => r.paging.deliveries('p1'))).toStrictEqual([delivery, { ...delivery, step: 1, at: T0 + 3, outcomes: '[{"channel":"push","ok":true}]' }]);
    expect(await both((r) => r.paging.deliveries('none'))).toStrictEqual([]);
    // p2 reached o1 but is acknowledged: only open pages.
    expect((await both((r) => r.paging.openPagesFor('o1', 10))).map((p) => p.id)).toEqual(['p1']);
    expect((await both((r) => r.paging.openPagesFor('o2', 10))).map((p) => p.id)).toEqual(['p3']);

    const report = (id: string, deskId: string, end: number, scheduled: boolean, at = end) => ({
      id,
      deskId,
      periodStart: end - 7 * DAY,
      periodEnd: end,
      scheduled,
      report: '{"pages":1}',
      createdAt: at,
      createdBy: scheduled ? null : 'o1',
    });
    expect(await both((r) => r.paging.insertReport(report('r1', 'd1', T0 + DAY, true)))).toBe(true);
    expect(await both((r) => r.paging.insertReport(report('r2', 'd1', T0 + DAY, true)))).toBe(false);
    expect(await both((r) => r.paging.insertReport(report('r3', 'd1', T0 + DAY, false, T0 + DAY + 1)))).toBe(true);
    expect(await both((r) => r.paging.insertReport(report('r4', 'd1', T0 + DAY, false, T0 + DAY + 1)))).toBe(true);
    expect(await both((r) => r.paging.insertReport(report('r5', 'd1', T0 + 2 * DAY, true)))).toBe(true);
    expect(await both((r) => r.paging.insertReport(report('r6', 'd2', T0 + DAY, false)))).toBe(true);
    expect((await both((r) => r.paging.reports('d1', T0, T0 + 3 * DAY, 10))).map((x) => x.id)).toEqual(['r5', 'r4', 'r3', 'r1']);
    expect((await both((r) => r.paging.reports('d1', T0 + DAY, T0 + 3 * DAY, 10))).map((x) => x.id)).toEqual(['r5']);
    expect((await both((r) => r.paging.reports('d1', T0, T0 + DAY, 2))).map((x) => x.id)).toEqual(['r4', 'r3']);
    expect((await both((r) => r.paging.reports('d1', T0, T0 + DAY, 1)))[0]).toMatchObject({ scheduled: false, createdBy: 'o1' });
    // d2's report was on demand: it still has no scheduled one. d1 has; all desks were created at T0.
    expect(await both((r) => r.paging.desksWithoutReport(T0 + DAY, 10))).toEqual(['d0', 'd2', 'd3']);
    expect(await both((r) => r.paging.desksWithoutReport(T0 + DAY, 1))).toEqual(['d0']);
    expect(await both((r) => r.paging.desksWithoutReport(T0, 10))).toEqual([]);
  });

  it('intake: keys and sealed desk requests, first claim wins', async () => {
    for (const version of [2, 1, 3]) {
      await both((r) => r.intake.insertKey({ deskId: 'd1', version, statement: `{"v":${version}}`, signerId: 'o1', createdAt: T0 + version }));
    }
    await bothReject((r) => r.intake.insertKey({ deskId: 'd1', version: 1, statement: '{}', signerId: 'o1', createdAt: T0 }));
    expect((await both((r) => r.intake.keys('d1'))).map((k) => k.version)).toEqual([1, 2, 3]);
    expect(await both((r) => r.intake.keys('d2'))).toStrictEqual([]);
    expect(await both((r) => r.intake.key('d1', 2))).toStrictEqual({ deskId: 'd1', version: 2, statement: '{"v":2}', signerId: 'o1', createdAt: T0 + 2 });
    expect(await both((r) => r.intake.key('d1', 9))).toBeUndefined();
    expect(await both((r) => r.intake.latestKey('d1'))).toMatchObject({ version: 3 });
    expect(await both((r) => r.intake.latestKey('d2'))).toBeUndefined();

    const request = (id: string, requesterId: string, requestId: string, at: number, deskId = 'd1'): DeskRequestRow => ({
      id,
      deskId,
      requesterId,
      requestId,
      version: 3,
      request: '{"sealed":"…"}',
      receivedAt: at,
      pageId: null,
      state: 'open',
      claimedBy: null,
      claimedAt: null,
      caseChannelId: null,
      copyOf: null,
    });
    for (const row of [request('q1', 'o3', 'r-1', T0), request('q2', 'o3', 'r-2', T0), request('q3', 'o4', 'r-1', T0 + 5), request('q4', 'o4', 'r-2', T0 + 6, 'd2')]) {
      await both((r) => r.intake.insertRequest(row));
    }
    await bothReject((r) => r.intake.insertRequest(request('q9', 'o3', 'r-1', T0)));
    expect(await both((r) => r.intake.request('q1'))).toStrictEqual(request('q1', 'o3', 'r-1', T0));
    expect(await both((r) => r.intake.request('none'))).toBeUndefined();
    expect(await both((r) => r.intake.requestByRequester('o4', 'r-1'))).toMatchObject({ id: 'q3' });
    expect(await both((r) => r.intake.requestByRequester('o4', 'r-9'))).toBeUndefined();
    expect(await both((r) => r.intake.claim('q2', 'o1', T0 + 10))).toBe(true);
    expect(await both((r) => r.intake.claim('q2', 'o2', T0 + 11))).toBe(false);
    await both((r) => r.intake.setCaseChannel('q2', 'c2'));
    expect(await both((r) => r.intake.request('q2'))).toMatchObject({ state: 'claimed', claimedBy: 'o1', claimedAt: T0 + 10, caseChannelId: 'c2' });
    expect((await both((r) => r.intake.requestsOfDesk('d1', undefined, 10))).map((q) => q.id)).toEqual(['q3', 'q2', 'q1']);
    expect((await both((r) => r.intake.requestsOfDesk('d1', 'open', 1))).map((q) => q.id)).toEqual(['q3']);
    expect((await both((r) => r.intake.requestsOfDesk('d1', 'claimed', 10))).map((q) => q.id)).toEqual(['q2']);
    expect((await both((r) => r.intake.requestsOf('o4', 10))).map((q) => q.id)).toEqual(['q4', 'q3']);
    expect((await both((r) => r.intake.requestsOf('o3', 1))).map((q) => q.id)).toEqual(['q2']);
  });

  it('requests: rows, timelines, listings, reminders and the agency time zone', async () => {
    const request = (id: string, channelId: string, ref: string, patch: Partial<RequestRow> = {}): RequestRow => ({
      id,
      channelId,
      ref,
      messageId: `m-${id}`,
      template: 'information',
      urgency: 'non-urgent',
      directAccess: false,
      requesterId: 'o1',
      requesterAgencyId: 'A1',
      requesterCountry: 'PT',
      requestedAgencyId: 'A2',
      requestedCountry: 'ES',
      agreementId: null,
      deskId: null,
      timeZone: 'Europe/Madrid',
      state: 'open',
      resumeState: null,
      receivedAt: T0,
      deadline: T0 + 14 * DAY,
      suspendedMs: 0,
      clarificationSince: null,
      judicialPendingSince: null,
      firstAnswerAt: null,
      closedAt: null,
      refusalGround: null,
      caseIndex: null,
      remindedEarlyAt: null,
      remindedDueAt: null,
      updatedAt: T0,
      ...patch,
    });
    const rows = [
      request('r1', 'c1', 'ref-1', { caseIndex: 'case-x', urgency: 'urgent', directAccess: true, deadline: T0 + 8 * 3_600_000 }),
      request('r2', 'c1', 'ref-2', { caseIndex: 'case-x', deskId: 'd2', receivedAt: T0 + 1, deadline: T0 + 7 * DAY + 1 }),
      request('r3', 'c2', 'ref-1', { caseIndex: 'case-x', state: 'refused', receivedAt: T0 + 2, closedAt: T0 + DAY, refusalGround: 'art-14', deadline: T0 + 7 * DAY + 1 }),
      request('r4', 'c2', 'ref-2', { requesterAgencyId: 'A2', requesterCountry: 'ES', requestedAgencyId: 'A3', requestedCountry: 'ES', receivedAt: T0 + 3, suspendedMs: 3 }),
      request('r5', 'c3', 'ref-1', { requesterAgencyId: 'A3', requestedAgencyId: 'A1', requestedCountry: 'PT', receivedAt: T0 + 10 * DAY, deadline: T0 + 24 * DAY + 7 }),
    ];
    for (const row of rows) await both((r) => r.requests.insert(row));
    await bothReject((r) => r.requests.insert(request('r9', 'c1', 'ref-1')));
    expect(await both((r) => r.requests.byId('r1'))).toStrictEqual(rows[0]);
    expect(await both((r) => r.requests.byId('none'))).toBeUndefined();
    expect(await both((r) => r.requests.byRef('c2', 'ref-1'))).toMatchObject({ id: 'r3' });
    expect(await both((r) => r.requests.byRef('c3', 'ref-2'))).toBeUndefined();

    await both((r) => r.requests.update('r2', { state: 'clarification', resumeState: 'open', clarificationSince: T0 + 5, updatedAt: T0 + 5 }));
    await both((r) => r.requests.update('r2', { state: 'open', resumeState: null, clarificationSince: null, suspendedMs: 100, deadline: T0 + 7 * DAY + 101, updatedAt: T0 + 105 }));
    expect(await both((r) => r.requests.byId('r2'))).toMatchObject({ state: 'open', resumeState: null, suspendedMs: 100, deadline: T0 + 7 * DAY + 101 });
    await bothReject((r) => r.requests.update('r2', {}));

    const event = (requestId: string, kind: string, at: number, detail: string | null = null) => ({ requestId, messageId: `m-${kind}-${at}`, kind, detail, state: 'open', actorId: 'o1', agencyId: 'A1', at });
    // Inserted out of time order: the timeline is in insertion order (pk).
    for (const e of [event('r2', 'request', T0 + 1), event('r2', 'clarification', T0 + 5, 'asked'), event('r2', 'answer', T0 + 2, 'partial'), event('r1', 'request', T0)]) {
      await both((r) => r.requests.insertEvent(e));
    }
    expect((await both((r) => r.requests.events('r2'))).map((e) => e.kind)).toEqual(['request', 'clarification', 'answer']);
    expect(await both((r) => r.requests.events('r5'))).toStrictEqual([]);

    const ids = (list: RequestRow[]) => list.map((x) => x.id);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A1', role: 'sent', limit: 10 })))).toEqual(['r1', 'r3', 'r2']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A1', role: 'received', limit: 10 })))).toEqual(['r5']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'both', limit: 10 })))).toEqual(['r1', 'r3', 'r2', 'r4']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'both', limit: 2 })))).toEqual(['r1', 'r3']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'both', states: ['open'], limit: 10 })))).toEqual(['r1', 'r2', 'r4']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'both', states: [], limit: 10 })))).toEqual([]);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'received', deadlineBefore: T0 + 7 * DAY + 1, limit: 10 })))).toEqual(['r1']);
    expect(ids(await both((r) => r.requests.list({ agencyId: 'A2', role: 'received', deskId: 'd2', states: ['open', 'refused'], limit: 10 })))).toEqual(['r2']);

    expect(ids(await both((r) => r.requests.openWithCaseIndex('case-x', 'A1', 'A2')))).toEqual(['r1', 'r2']);
    expect(ids(await both((r) => r.requests.openWithCaseIndex('case-y', 'A1', 'A2')))).toEqual([]);

    // early = receivedAt + suspendedMs + (deadline − receivedAt − suspendedMs) * 3 / 4 in integer arithmetic.
    // r4: 3 + 3 + (14 days − 6) * 3 / 4 truncates (.5); one ms before it r4 is not due, at it it is.
    const r4Early = T0 + 3 + 3 + Math.trunc(((14 * DAY - 6) * 3) / 4);
    expect(ids(await both((r) => r.requests.dueReminders('early', ['open'], r4Early - 1, 10)))).not.toContain('r4');
    expect(ids(await both((r) => r.requests.dueReminders('early', ['open'], r4Early, 10)))).toContain('r4');
    expect(ids(await both((r) => r.requests.dueReminders('early', ['open', 'refused'], T0 + 30 * DAY, 10)))).toEqual(['r1', 'r3', 'r2', 'r4', 'r5']);
    expect(ids(await both((r) => r.requests.dueReminders('due', ['open'], T0 + 8 * 3_600_000, 10)))).toEqual(['r1']);
    expect(ids(await both((r) => r.requests.dueReminders('due', [], T0 + 30 * DAY, 10)))).toEqual([]);
    expect(await both((r) => r.requests.claimReminder('r1', 'due', T0 + 9))).toBe(true);
    expect(await both((r) => r.requests.claimReminder('r1', 'due', T0 + 10))).toBe(false);
    expect(await both((r) => r.requests.claimReminder('r1', 'early', T0 + 10))).toBe(true);
    expect(ids(await both((r) => r.requests.dueReminders('due', ['open'], T0 + 30 * DAY, 10)))).toEqual(['r2', 'r4', 'r5']);
    expect(await both((r) => r.requests.byId('r1'))).toMatchObject({ remindedDueAt: T0 + 9, remindedEarlyAt: T0 + 10 });

    expect(await both((r) => r.requests.timeZoneOf('A1'))).toBeUndefined();
    await both((r) => r.requests.setTimeZone('A1', 'Europe/Lisbon', T0, 'o1'));
    await both((r) => r.requests.setTimeZone('A1', 'Atlantic/Azores', T0 + 1, 'o2'));
    await both((r) => r.requests.setTimeZone('A2', 'Europe/Madrid', T0, 'o3'));
    expect(await both((r) => r.requests.timeZoneOf('A1'))).toBe('Atlantic/Azores');
    // The SPOC desk keeps the zone, and a first setting of the desk alone starts from the default zone.
    expect(await both((r) => r.requests.spocDeskOf('A1'))).toBeNull();
    await both((r) => r.requests.setSpocDesk('A1', 'd1', 'UTC', T0 + 2, 'o1'));
    await both((r) => r.requests.setSpocDesk('A3', 'd3', 'UTC', T0 + 2, 'o1'));
    expect(await both((r) => r.requests.spocDeskOf('A1'))).toBe('d1');
    expect(await both((r) => r.requests.timeZoneOf('A1'))).toBe('Atlantic/Azores');
    expect(await both((r) => r.requests.timeZoneOf('A3'))).toBe('UTC');
    await both((r) => r.requests.setSpocDesk('A1', null, 'UTC', T0 + 3, 'o1'));
    expect(await both((r) => r.requests.spocDeskOf('A1'))).toBeNull();
  });

  it('stats: request metadata, stale entries, unacknowledged test pages, exhausted pages', async () => {
    const sorted = (rows: { receivedAt: number; requesterAgencyId: string }[]) => [...rows].sort((a, b) => a.receivedAt - b.receivedAt || (a.requesterAgencyId < b.requesterAgencyId ? -1 : 1));
    expect((await both((r) => r.stats.requestsIn(T0, T0 + DAY, null), sorted)).length).toBe(4);
    expect((await both((r) => r.stats.requestsIn(T0, T0 + 11 * DAY, 'A1'), sorted)).length).toBe(4);
    expect((await both((r) => r.stats.requestsIn(T0 + 1, T0 + 3, 'A3'), sorted)).length).toBe(0);
    await both((r) => r.stats.requestsIn(T0, T0 + 30 * DAY, 'A3'), sorted);

    // Pages so far: d1 has the test page p3 (open); d2 has p4 (test, exhausted).
    expect(await both((r) => r.stats.desksWithUnacknowledgedTest(null))).toBe(2);
    expect(await both((r) => r.stats.desksWithUnacknowledgedTest('A1'))).toBe(1);
    expect(await both((r) => r.stats.desksWithUnacknowledgedTest('A4'))).toBe(0);
    // A later test page of d1, acknowledged: d1's most recent test is answered.
    await both((r) => r.paging.insertPage({ id: 'p6', deskId: 'd1', priority: 'urgent', ackRequested: true, channelId: null, reason: 'test', requesterId: null, createdAt: T0 + 40, step: 0, state: 'acknowledged', nextFireAt: null, ackedAt: T0 + 41, ackedBy: 'o1' }));
    expect(await both((r) => r.stats.desksWithUnacknowledgedTest(null))).toBe(1);
    expect(await both((r) => r.stats.desksWithUnacknowledgedTest('A1'))).toBe(0);

    expect(await both((r) => r.stats.exhaustedPages(T0, T0 + DAY, null))).toBe(1);
    expect(await both((r) => r.stats.exhaustedPages(T0, T0 + DAY, 'A2'))).toBe(1);
    expect(await both((r) => r.stats.exhaustedPages(T0, T0 + DAY, 'A1'))).toBe(0);
    expect(await both((r) => r.stats.exhaustedPages(T0 + 21, T0 + DAY, null))).toBe(0);
    // staleEntries is exercised with the directory below (it needs entries).
  });

  it('attachments: rows, quotas, references and who may see them', async () => {
    expect(await both((r) => r.attachments.insert('b1', 'c1', 5_000_000_000, 'o1', T0))).toBe(true);
    expect(await both((r) => r.attachments.insert('b1', 'c2', 7, 'o2', T0))).toBe(false);
    expect(await both((r) => r.attachments.insert('b2', 'c1', 300, 'o3', T0))).toBe(true);
    expect(await both((r) => r.attachments.insert('b3', 'c2', 20, 'o1', T0))).toBe(true);
    expect(await both((r) => r.attachments.byId('b1'))).toStrictEqual({ id: 'b1', channelId: 'c1', size: 5_000_000_000, uploadedBy: 'o1' });
    expect(await both((r) => r.attachments.byId('none'))).toBeUndefined();
    expect(await both((r) => r.attachments.usedByOfficer('o1'))).toBe(5_000_000_020);
    expect(await both((r) => r.attachments.usedByOfficer('o4'))).toBe(0);
    expect(await both((r) => r.attachments.usedByChannel('c1'))).toBe(5_000_000_300);
    expect(await both((r) => r.attachments.usedByChannel('c3'))).toBe(0);

    // b1 is in a message at feed position 10 of c1. o1's span covers it, o2 joined after it, o3 left.
    await exec(
      `INSERT INTO messages (pk, id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      1, 'm1', 'c1', 1, 'o1', 'dev', 1, 'H1', '{}', 10, 0, T0, T0 + 365 * DAY,
    );
    await exec('INSERT INTO message_attachments (message_pk, attachment_id) VALUES (?, ?)', 1, 'b1');
    await exec('INSERT INTO feed (pos, channel_id, kind, message_pk, created_at) VALUES (?, ?, ?, ?, ?)', 10, 'c1', 'message', 1, T0);
    const member = 'INSERT INTO channel_members (channel_id, officer_id, agency_id, role, from_epoch, until_epoch, from_pos, until_pos) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
    await exec(member, 'c1', 'o1', 'A1', 'owner', 1, null, 1, null);
    await exec(member, 'c1', 'o2', 'A1', 'member', 2, null, 11, null);
    await exec(member, 'c1', 'o3', 'A2', 'member', 1, 2, 1, 12);
    expect(await both((r) => r.attachments.referenced('b1'))).toBe(true);
    expect(await both((r) => r.attachments.referenced('b2'))).toBe(false);
    expect(await both((r) => r.attachments.memberCanSee('o1', 'b1'))).toBe(true);
    expect(await both((r) => r.attachments.memberCanSee('o2', 'b1'))).toBe(false);
    expect(await both((r) => r.attachments.memberCanSee('o3', 'b1'))).toBe(false);
    expect(await both((r) => r.attachments.memberCanSee('o1', 'b2'))).toBe(false);
    await both((r) => r.attachments.delete('b3'));
    expect(await both((r) => r.attachments.byId('b3'))).toBeUndefined();
    expect(await both((r) => r.attachments.usedByOfficer('o1'))).toBe(5_000_000_000);
  });

  it('directory: entries, facets, search in order with keyset pages, stale lists', async () => {
    type Entry = { id: string; agencyId: string; country: string; title: string; notes?: string; officerId?: string | null; deskId?: string | null; specs: string[]; langs: string[]; confirmed: number };
    const entries: Entry[] = [
      { id: 'e01', agencyId: 'A1', country: 'PT', title: 'Drug trafficking desk', notes: 'Precursors and darknet vendors', officerId: 'o1', specs: ['precursors', 'darknet-markets'], langs: ['pt', 'en'], confirmed: T0 },
      { id: 'e02', agencyId: 'A1', country: 'PT', title: 'Drug trafficking desk', notes: 'same title, id breaks the tie', specs: ['precursors'], langs: ['pt'], confirmed: T0 - 200 * DAY },
      { id: 'e03', agencyId: 'A2', country: 'ES', title: 'Unidad de análisis', notes: 'Análisis de blanqueo', officerId: 'o3', specs: ['money-laundering'], langs: ['es', 'en'], confirmed: T0 },
      { id: 'e04', agencyId: 'A3', country: 'ES', title: 'Control de contenedores', notes: 'Puerto de Algeciras', deskId: 'd3', specs: ['controlled-delivery'], langs: ['es'], confirmed: T0 },
      { id: 'e05', agencyId: 'A3', country: 'ES', title: 'aduana nocturna', notes: 'Turno de noche', specs: ['precursors'], langs: ['es', 'fr'], confirmed: T0 },
      { id: 'e06', agencyId: 'A4', country: 'DE', title: 'Zollfahndung', notes: 'Traffickers at the border', officerId: 'o2', specs: ['new-psychoactive-substances'], langs: ['de', 'en'], confirmed: T0 },
      { id: 'e07', agencyId: 'A4', country: 'DE', title: 'Zollfahndung', notes: 'retired below', specs: ['precursors'], langs: ['de'], confirmed: T0 },
      { id: 'e08', agencyId: 'A1', country: 'PT', title: 'Cibercrime', notes: 'Tráfico online', specs: ['internet-drug-crime'], langs: ['pt', 'en'], confirmed: T0 - 400 * DAY },
    ];
    const pkOf = new Map<string, number>();
    for (const e of entries) {
      const row = {
        id: e.id,
        country: e.country,
        createdAt: e.confirmed,
        updatedAt: e.confirmed,
        agencyId: e.agencyId,
        createdBy: 'o1',
        title: e.title,
        specialisations: JSON.stringify(e.specs),
        languages: JSON.stringify(e.langs),
        availability: '{"kind":"24/7"}',
        lastConfirmedAt: e.confirmed,
        ...(e.notes !== undefined && { notes: e.notes }),
        ...(e.officerId !== undefined && { officerId: e.officerId }),
        ...(e.deskId !== undefined && { deskId: e.deskId }),
        phone: e.id === 'e01' ? '+351 1' : null,
      };
      pkOf.set(e.id, await both((r) => r.directory.insert(row, e.specs, e.langs)));
    }
    const e01 = await both((r) => r.directory.byId('e01'));
    expect(e01).toMatchObject({ agencyName: 'Polícia Judiciária', agencyKind: 'police', officerName: 'Ana Sousa', signPublicKey: 'sign-o1', sponsorId: null, notes: 'Precursors and darknet vendors', lastConfirmedAt: T0 });
    expect(await both((r) => r.directory.byId('e03'))).toMatchObject({ sponsorId: 'A1', sponsorName: 'Polícia Judiciária', officerName: 'Marta Ruiz' });
    expect(await both((r) => r.directory.byId('e04'))).toMatchObject({ deskId: 'd3', officerId: null, notes: 'Puerto de Algeciras', phone: null });
    expect(await both((r) => r.directory.byId('none'))).toBeUndefined();
    const byPk = (rows: { id: string }[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect((await both((r) => r.directory.byPks([pkOf.get('e03')!, pkOf.get('e01')!, 999]), byPk)).length).toBe(2);
    expect(await both((r) => r.directory.byPks([]))).toStrictEqual([]);

    // Retire e07, rename e08, rewrite e06's and e05's filter rows.
    await both((r) => r.directory.update(pkOf.get('e07')!, { retiredAt: T0 + 1, updatedAt: T0 + 1 }));
    await both((r) => r.directory.update(pkOf.get('e08')!, { title: 'Cybercrime unit', notes: 'Dark web', updatedAt: T0 + 1 }));
    await both((r) => r.directory.replaceFacets(pkOf.get('e06')!, ['precursors', 'controlled-delivery'], null));
    await both((r) => r.directory.replaceFacets(pkOf.get('e05')!, null, ['fr']));
    await bothReject((r) => r.directory.update(pkOf.get('e08')!, {}));

    const staleBefore = T0 - 30 * DAY;
    const filters = (patch: Partial<SearchFilters>): SearchFilters => ({ match: null, country: null, specialisation: null, language: null, agencyKind: null, after: null, ...patch });
    const keyOf = (c: Candidate) => [c.stale, c.country, c.agencyName, c.title, c.id] as SearchFilters['after'];
    /** Every page of a search (limit 2), compared page by page; returns the ids in order. */
    async function searchAll(patch: Partial<SearchFilters>): Promise<string[]> {
      const out: string[] = [];
      let after: SearchFilters['after'] = null;
      for (;;) {
        const page = await both((r) => r.directory.candidates(filters({ ...patch, after }), staleBefore, 2));
        out.push(...page.map((c) => c.id));
        if (page.length < 2) return out;
        after = keyOf(page[page.length - 1]!);
      }
    }
    const searches: [Partial<SearchFilters>, string[]][] = [
      // Fresh first, then stale; within each by country, agency name, title, id (byte order: "Z" < "a").
      // "Control…" before "aduana…" (upper case first), the title sort within one agency.
      [{}, ['e06', 'e04', 'e05', 'e03', 'e01', 'e08', 'e02']],
      [{ country: 'ES' }, ['e04', 'e05', 'e03']],
      [{ agencyKind: 'customs' }, ['e06', 'e04', 'e05']],
      [{ specialisation: 'precursors' }, ['e06', 'e05', 'e01', 'e02']],
      [{ language: 'en' }, ['e06', 'e03', 'e01', 'e08']],
      [{ language: 'es' }, ['e04', 'e03']],
      [{ country: 'PT', specialisation: 'precursors', language: 'pt', agencyKind: 'police' }, ['e01', 'e02']],
      [{ match: ftsMatchQuery('traffick') }, ['e06', 'e01', 'e02']],
      [{ match: ftsMatchQuery('drug desk') }, ['e01', 'e02']],
      // Diacritics fold both ways; the officer's name and the agency name are indexed.
      [{ match: ftsMatchQuery('analisis') }, ['e03']],
      [{ match: ftsMatchQuery('ANÁLISIS de') }, ['e03']],
      [{ match: ftsMatchQuery('jose') }, ['e06']],
      [{ match: ftsMatchQuery('policia') }, ['e01', 'e08', 'e02']],
      [{ match: ftsMatchQuery('guardia marta') }, ['e03']],
      [{ match: ftsMatchQuery('cibercrime') }, []],
      [{ match: ftsMatchQuery('cyber dark') }, ['e08']],
      [{ match: ftsMatchQuery('retired') }, []],
      [{ match: ftsMatchQuery('d') }, []],
      [{ match: ftsMatchQuery('de'), country: 'ES' }, ['e04', 'e05', 'e03']],
      // With text, the filters are the index's facet tokens, written from the entry's JSON columns (which
      // replaceFacets leaves alone): e05 is still "es", e06 not yet "precursors" — in both engines.
      [{ match: ftsMatchQuery('de'), agencyKind: 'customs', language: 'es' }, ['e04', 'e05']],
      [{ match: ftsMatchQuery('traffick'), specialisation: 'precursors', language: 'de' }, []],
      [{ match: ftsMatchQuery('traffick'), specialisation: 'darknet-markets' }, ['e01']],
      [{ match: ftsMatchQuery('drug'), country: 'DE' }, []],
    ];
    for (const [patch, expected] of searches) {
      expect([JSON.stringify(patch), await searchAll(patch)]).toEqual([JSON.stringify(patch), expected]);
    }
    // SQLite's index walk (large match sets) gives the same pages as PostgreSQL too.
    sqlite.directory.walkThreshold = 0;
    try {
      for (const [patch, expected] of searches.filter(([p]) => p.match != null)) expect(await searchAll(patch)).toEqual(expected);
    } finally {
      sqlite.directory.walkThreshold = WALK_THRESHOLD;
    }
    // A limit larger than the set; a key past the end.
    expect((await both((r) => r.directory.candidates(filters({}), staleBefore, 50))).length).toBe(7);
    expect(await both((r) => r.directory.candidates(filters({ after: [1, 'ZZ', '', '', ''] }), staleBefore, 50))).toStrictEqual([]);

    // A suspended agency's entries drop out of search; a renamed agency re-sorts and re-indexes its entries.
    await exec("UPDATE agencies SET status = 'suspended' WHERE id = ?", 'A4');
    expect(await searchAll({})).toEqual(['e04', 'e05', 'e03', 'e01', 'e08', 'e02']);
    await exec('UPDATE agencies SET name = ? WHERE id = ?', 'Zona Franca', 'A3');
    expect(await searchAll({ country: 'ES' })).toEqual(['e03', 'e04', 'e05']);
    expect(await searchAll({ match: ftsMatchQuery('zona') })).toEqual(['e04', 'e05']);
    expect(await searchAll({ match: ftsMatchQuery('aduanas') })).toEqual([]);

    // Stale lists: every live entry confirmed before the instant, oldest first, in keyset pages.
    const ids = (rows: { id: string }[]) => rows.map((x) => x.id);
    expect(ids(await both((r) => r.directory.stale(null, staleBefore, null, 10)))).toEqual(['e08', 'e02']);
    expect(ids(await both((r) => r.directory.stale(null, staleBefore, { lastConfirmedAt: T0 - 200 * DAY, id: 'e02' }, 10)))).toEqual([]);
    expect(ids(await both((r) => r.directory.stale(null, staleBefore, { lastConfirmedAt: T0 - 200 * DAY, id: 'e01' }, 10)))).toEqual(['e02']);
    expect(ids(await both((r) => r.directory.stale('A1', staleBefore, null, 1)))).toEqual(['e08']);
    expect(ids(await both((r) => r.directory.stale('A1', staleBefore, { lastConfirmedAt: T0 - 400 * DAY, id: 'e08' }, 5)))).toEqual(['e02']);
    expect(await both((r) => r.directory.stale('A2', staleBefore, null, 5))).toStrictEqual([]);
    expect(await both((r) => r.stats.staleEntries(null, staleBefore))).toBe(2);
    expect(await both((r) => r.stats.staleEntries('A3', staleBefore))).toBe(0);
    expect(await both((r) => r.stats.staleEntries('A1', staleBefore))).toBe(2);
    expect(await both((r) => r.stats.staleEntries(null, T0 + 1))).toBe(7);

    // Deleting a desk unlinks the directory entries that named it.
    await both((r) => r.desks.delete('d3'));
    expect(await both((r) => r.directory.byId('e04'))).toMatchObject({ deskId: null });
  });
});

describe('PostgreSQL: the fire-once guards hold between concurrent transactions (two nodes)', () => {
  /**
   * Two transactions on two connections race the same guarded write: the second blocks on the
   * first's row (or unique index entry) and, once the first commits, re-checks its condition and
   * changes nothing. Returns [first, second] results.
   */
  async function race<T>(write: (r: Repos, which: 0 | 1) => Promise<T>): Promise<[T, T]> {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      const first = await write(repos(a), 0);
      let settled = false;
      const second = write(repos(b), 1).finally(() => (settled = true));
      // The second is blocked on the first's uncommitted row until the first commits.
      await a.query('SELECT pg_sleep(0.2)');
      expect(settled).toBe(false);
      await a.query('COMMIT');
      const out: [T, T] = [first, await second];
      await b.query('COMMIT');
      return out;
    } catch (err) {
      await a.query('ROLLBACK').catch(() => {});
      await b.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      a.release();
      b.release();
    }
  }
  const repos = (q: pg.PoolClient): Repos => ({
    directory: new PgDirectoryRepository(q),
    desks: new PgDesksRepository(q),
    alerting: new PgAlertingRepository(q),
    paging: new PgPagingRepository(q),
    intake: new PgIntakeRepository(q),
    requests: new PgRequestsRepository(q),
    stats: new PgStatsRepository(q),
    attachments: new PgAttachmentsRepository(q),
    messages: new PgMessagesRepository(q),
  });

  it('advance, acknowledge, claim, claimReminder, insertReport and insertDelivery succeed once', async () => {
    const page: PageRow = { id: 'race-p', deskId: 'd1', priority: 'urgent', ackRequested: true, channelId: null, reason: 'test', requesterId: null, createdAt: T0, step: 0, state: 'open', nextFireAt: T0, ackedAt: null, ackedBy: null };
    await P.paging.insertPage(page);
    expect(await race((r) => r.paging.advance('race-p', 0, { step: 1, state: 'open', nextFireAt: T0 + 1 }))).toEqual([true, false]);
    expect(await race((r) => r.paging.acknowledge('race-p', 'o1', T0 + 2))).toEqual([true, false]);
    expect(await race((r) => r.paging.insertDelivery({ pageId: 'race-p', step: 1, officerId: 'o1', outcomes: null, at: T0 }))).toEqual([true, false]);
    const report = { id: '', deskId: 'd0', periodStart: T0, periodEnd: T0 + 5 * DAY, scheduled: true, report: '{}', createdAt: T0, createdBy: null };
    expect(await race((r, which) => r.paging.insertReport({ ...report, id: `race-r${which}` }))).toEqual([true, false]);
    expect(await race((r, which) => r.intake.claim('q1', ['o1', 'o2'][which]!, T0 + which))).toEqual([true, false]);
    expect(await P.intake.request('q1')).toMatchObject({ state: 'claimed', claimedBy: 'o1', claimedAt: T0 });
    expect(await race((r, which) => r.requests.claimReminder('r4', 'due', T0 + which))).toEqual([true, false]);
    expect(await P.requests.byId('r4')).toMatchObject({ remindedDueAt: T0 });
    expect(await race((r) => r.attachments.insert('race-b', 'c1', 1, 'o1', T0))).toEqual([true, false]);
  });
});
