/**
 * A night desk for the paging tests (message pages, reachability reports): PT's Ana on nights
 * (22:00–06:00 every day), Rui on weekday office hours, Sam supervising; Pedro, a PT officer off the
 * desk, and ES's Eva. The clock starts at 03:00 in Lisbon on a Tuesday. Everyone's name carries MARKER.
 */
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { ManualClock } from '../../server/clock.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import { bearer, makeApp, totpCode, worldOf, type TestApp } from '../world/app.ts';
import type { TestSubscription } from '../world/push-service.ts';
import type { Account } from '../world/world.ts';
import { MARKER } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
/** Tuesday 24 Nov 2026, 03:00 in Lisbon (WET = UTC in November). */
export const TUE_0300 = Date.UTC(2026, 10, 24, 3, 0);
export const TIME_TRAVEL = { session: { idleTimeoutMs: 10_000 * DAY_MS, absoluteTimeoutMs: 10_000 * DAY_MS } };
export const PASSPHRASE = 'liaison paging passphrase 2026';

type Who = { tokens: { accessToken: string } };

export function call(t: TestApp, who: Who, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), ...(payload === undefined ? {} : { payload: payload as object }) });
}

export async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

export async function deskWorld(opts: { clock?: ManualClock; dataDir?: string; smtpUrl?: string; keepOpen?: boolean; config?: object } = {}) {
  const t = await makeApp({
    clock: opts.clock ?? new ManualClock(TUE_0300),
    config: { ...TIME_TRAVEL, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), alerting: { timeoutMs: 5_000, ...(opts.smtpUrl ? { smtpUrl: opts.smtpUrl } : {}) }, ...opts.config },
    keepOpen: opts.keepOpen ?? false,
  });
  const w = worldOf(t);
  const pt = await w.agency({ name: `Policia ${MARKER}`, country: 'PT', admin: 'pt-admin', adminDisplayName: `Admin ${MARKER}` });
  const ana = await w.officer(pt, 'ana.silva', `Ana ${MARKER}`);
  const rui = await w.officer(pt, 'rui.costa', `Rui ${MARKER}`);
  const sam = await w.officer(pt, 'sam.reis', `Sam ${MARKER}`);
  const pedro = await w.officer(pt, 'pedro.alves', `Pedro ${MARKER}`);
  const es = await w.agency({ name: `Guardia ${MARKER}`, country: 'ES', admin: 'es-admin', adminDisplayName: `ES Admin ${MARKER}` });
  const eva = await w.officer(es, 'eva.ruiz', `Eva ${MARKER}`);
  const desk = await ok<{ desk: Desk }>(
    await call(t, pt.admin, 'POST', '/desks', {
      name: `Night desk ${MARKER}`,
      phone: '+351 21 864 5150',
      timeZone: 'Europe/Lisbon',
      members: [ana.id, rui.id],
      supervisors: [sam.id],
      escalation: { ackMinutes: 5 },
    }),
    201,
  );
  await ok(
    await call(t, pt.admin, 'PUT', `/desks/${desk.desk.id}/rota`, {
      timeZone: 'Europe/Lisbon',
      weekly: [
        { officerId: ana.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
        { officerId: rui.id, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      ],
      overrides: [],
    }),
  );
  return { t, w, pt, ana, rui, sam, pedro, es, eva, desk: desk.desk };
}

export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

export async function sdk(t: TestApp, baseUrl: string, who: Account): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 3, baseDelayMs: 10 } });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()), deviceLabel: 'paging' });
  t.clock.advance(30_000);
  return client;
}

export async function subscribe(t: TestApp, who: Account, sub: TestSubscription): Promise<void> {
  await ok(await call(t, who, 'POST', '/notifications/subscriptions', { ...sub.json, label: 'phone' }), 201);
}

export function deliveries(t: TestApp, pageId: string): { step: number; officerId: string; outcomes: string | null }[] {
  return rawDb(t.app)
    .prepare('SELECT step, officer_id AS officerId, outcomes FROM page_deliveries WHERE page_id = ? ORDER BY step, officer_id')
    .all(pageId) as { step: number; officerId: string; outcomes: string | null }[];
}
