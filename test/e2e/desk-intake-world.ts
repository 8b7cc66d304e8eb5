/**
 * The desk-intake world (issue 13): PT's night desk with supervisor Sam, Ana on nights (22:00–06:00) and Rui on
 * weekday office hours; ES's Eva requests. Real SDK clients over HTTP, a ManualClock at 03:00 Lisbon, and
 * optionally the loopback push service and SMTP server of the escalation tests.
 */
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { ManualClock } from '../../server/clock.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import { bearer, makeApp, totpCode, worldOf, type TestApp } from '../world/app.ts';
import type { Account } from '../world/world.ts';

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
/** Tuesday 24 Nov 2026, 03:00 in Lisbon (WET = UTC in November). */
export const TUE_0300 = Date.UTC(2026, 10, 24, 3, 0);
const TIME_TRAVEL = { session: { idleTimeoutMs: 10_000 * DAY_MS, absoluteTimeoutMs: 10_000 * DAY_MS } };
export const PASSPHRASE = 'liaison desk intake passphrase 2026';

type Who = { tokens: { accessToken: string } };

export function call(t: TestApp, who: Who, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), ...(payload === undefined ? {} : { payload: payload as object }) });
}

export async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

export async function sdk(t: TestApp, baseUrl: string, who: Account, opts: { syncDesksOnUnlock?: boolean; fetch?: typeof fetch } = {}): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 3, baseDelayMs: 10 }, ...opts });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()), deviceLabel: 'desk-intake' });
  t.clock.advance(30_000);
  return client;
}

export async function intakeWorld(opts: { smtpUrl?: string; rateLimitPerMinute?: number } = {}) {
  const t = await makeApp({
    clock: new ManualClock(TUE_0300),
    config: {
      ...TIME_TRAVEL,
      alerting: { timeoutMs: 5_000, ...(opts.smtpUrl ? { smtpUrl: opts.smtpUrl } : {}) },
      ...(opts.rateLimitPerMinute ? { rateLimit: { max: opts.rateLimitPerMinute, windowMs: 60_000 } } : {}),
    },
  });
  const w = worldOf(t);
  const pt = await w.agency({ name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin', adminDisplayName: 'PT Admin' });
  const ana = await w.officer(pt, 'ana.silva', 'Ana Silva');
  const rui = await w.officer(pt, 'rui.costa', 'Rui Costa');
  const sam = await w.officer(pt, 'sam.reis', 'Sam Reis');
  const es = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin', adminDisplayName: 'ES Admin' });
  const eva = await w.officer(es, 'eva.ruiz', 'Eva Ruiz');
  const { desk } = await ok<{ desk: Desk }>(
    await call(t, pt.admin, 'POST', '/desks', { name: 'Night desk', phone: '+351 21 864 5150', timeZone: 'Europe/Lisbon', members: [ana.id, rui.id], supervisors: [sam.id], escalation: { ackMinutes: 5 } }),
    201,
  );
  await ok(
    await call(t, pt.admin, 'PUT', `/desks/${desk.id}/rota`, {
      timeZone: 'Europe/Lisbon',
      weekly: [
        { officerId: ana.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
        { officerId: rui.id, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      ],
      overrides: [],
    }),
  );
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const c = {
    ptAdmin: await sdk(t, baseUrl, pt.admin),
    esAdmin: await sdk(t, baseUrl, es.admin),
    sam: await sdk(t, baseUrl, sam),
    ana: await sdk(t, baseUrl, ana),
    rui: await sdk(t, baseUrl, rui),
    eva: await sdk(t, baseUrl, eva),
  };
  for (const client of Object.values(c)) await client.createIdentity(PASSPHRASE);
  await c.ptAdmin.certifyPending();
  await c.esAdmin.certifyPending();
  const entry = await c.ptAdmin.createDirectoryEntry({ title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' }, deskId: desk.id });
  return { t, w, pt, es, ana, rui, sam, eva, desk, entry, c, baseUrl };
}
