/**
 * `page_latency_ms` (issue 13): from the commit of a page to the moment the push service receives the
 * Web Push request (RFC 8291-encrypted, VAPID-signed) for the officer on duty, with N desks paged at once.
 * Real components: the app on SQLite, its PagingService and AlertingService, and the loopback RFC 8030 push
 * service of the tests (test/world/push-service.ts), which verifies and decrypts every request.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/app.ts';
import { ManualClock } from '../../server/clock.ts';
import { defaultConfig } from '../../server/config.ts';
import { TestPushService } from '../world/push-service.ts';
import { bearer, World, type Account } from '../world/world.ts';

export interface PagingBenchResult {
  desks: number;
  page_latency_p50_ms: number;
  page_latency_p99_ms: number;
  page_latency_max_ms: number;
  pushes_failed: number;
}

/** Tuesday 24 Nov 2026, 03:00 UTC (03:00 in Lisbon): inside every desk's 22:00–06:00 night shift. */
const TUE_0300 = Date.UTC(2026, 10, 24, 3, 0);

type Method = 'POST' | 'PUT';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function runPagingBench(opts: { quick?: boolean } = {}): Promise<PagingBenchResult> {
  const desks = opts.quick ? 20 : 100;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-paging-'));
  const push = await TestPushService.start({ deferChecks: true });
  const clock = new ManualClock(TUE_0300);
  const config = defaultConfig({
    dataDir,
    logLevel: 'silent',
    publicUrl: 'http://127.0.0.1:8080',
    argon2: { memoryCost: 8_192, timeCost: 1, parallelism: 1 },
    rateLimit: { max: 10_000_000, windowMs: 60_000 },
    // 100 officers enrol from one address: the per-IP credential throttle is not what is measured.
    login: { ...defaultConfig({ dataDir }).login, ipMaxPerWindow: 1_000_000 },
  });
  const app = await buildApp(config, { logger: false, clock });
  try {
    const call = (who: Account, method: Method, url: string, payload: object) => app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), payload });
    const w = World.of(app, clock);
    const agency = await w.agency({ name: 'Policia Judiciaria', country: 'PT', admin: 'bench-pt-admin' });
    const deskIds: string[] = [];
    const subscriptionOfDesk = new Map<string, string>();
    for (let i = 0; i < desks; i++) {
      const officer = await w.officer(agency, `bench-night-${i}`, `Night officer ${i}`);
      const sub = push.subscribe();
      const subscribed = await call(officer, 'POST', '/notifications/subscriptions', { ...sub.json, label: 'phone' });
      if (subscribed.statusCode !== 201) throw new Error(`subscribe: ${subscribed.statusCode} ${subscribed.body}`);
      const created = await call(agency.admin, 'POST', '/desks', { name: `Night desk ${i}`, phone: '+351 21 000 0000', timeZone: 'Europe/Lisbon', members: [officer.id], supervisors: [] });
      if (created.statusCode !== 201) throw new Error(`desk: ${created.statusCode} ${created.body}`);
      const deskId = (created.json() as { desk: { id: string } }).desk.id;
      const rota = await call(agency.admin, 'PUT', `/desks/${deskId}/rota`, {
        timeZone: 'Europe/Lisbon',
        weekly: [{ officerId: officer.id, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }],
        overrides: [],
      });
      if (rota.statusCode !== 200) throw new Error(`rota: ${rota.statusCode} ${rota.body}`);
      deskIds.push(deskId);
      subscriptionOfDesk.set(deskId, sub.id);
    }
    // Every desk paged at once: one write per page (the store's group commit batches them), timed from its commit.
    const committedAt = new Map<string, number>();
    const { ctx } = app;
    const opened = await Promise.all(
      deskIds.map((deskId) =>
        ctx.store.write(async (tx) => {
          const out = await ctx.paging.openIn(tx, { deskId, priority: 'urgent', ackRequested: true, channelId: null, reason: 'message', requesterId: null }, null);
          tx.onCommit(() => committedAt.set(deskId, performance.now()));
          return out;
        }),
      ),
    );
    await Promise.all(opened.map((o) => o.sent));
    await push.waitFor(desks, 30_000);
    // Only now does the push service verify each VAPID JWT and decrypt each payload (RFC 8291).
    push.checkDeferred();
    const latencies: number[] = [];
    let failed = 0;
    for (const deskId of deskIds) {
      const got = push.deliveredTo(subscriptionOfDesk.get(deskId)!);
      const payload = got.length === 1 && got[0]!.status === 201 ? (JSON.parse(got[0]!.plaintext ?? 'null') as { priority?: string } | null) : null;
      if (payload?.priority !== 'urgent') {
        failed++;
        continue;
      }
      latencies.push(got[0]!.arrivedAt - committedAt.get(deskId)!);
    }
    latencies.sort((a, b) => a - b);
    return {
      desks,
      page_latency_p50_ms: quantile(latencies, 0.5),
      page_latency_p99_ms: quantile(latencies, 0.99),
      page_latency_max_ms: latencies[latencies.length - 1] ?? NaN,
      pushes_failed: failed,
    };
  } finally {
    await app.close();
    await push.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
