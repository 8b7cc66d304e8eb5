/**
 * Escalation fires once across real processes (issue 13: "the escalation timers survive a restart and
 * fire once, no duplicate pages after kill -9"). Process 1 takes an urgent message to a desk's channel
 * (ackMinutes 1), which opens a page and pushes step 0 to the on-duty officer; process 1 is then
 * SIGKILLed. Processes 2 and 3 start on the same SQLite data directory, and their schedulers (every
 * 15 s, real time) race for each remaining step. The loopback RFC 8030/8291 push service (which
 * verifies VAPID and decrypts every payload) must receive exactly one push per (page, step, officer).
 * Step 1 is reached in real time (≤ 75 s after the page opened); step 2's deadline is then moved to
 * now in the database, as if the minute had passed, so the test stays bounded.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import { bearer } from '../world/app.ts';
import { TestPushService, type TestSubscription } from '../world/push-service.ts';
import { seedConfig, seedWorld, type SeedOfficer } from '../world/seed.ts';
import type { Account } from '../world/world.ts';
import { buildEnvelope, freePort, http, integrityCheck, removeDir, ServerProcess, sleep, tempDir, withDb } from './support.ts';

const TICK_MS = 15_000;

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('paging across processes: kill -9, then two schedulers on one data directory', () => {
  const dir = tempDir('paging2p');
  const dataDir = path.join(dir, 'data');
  const servers: ServerProcess[] = [];
  let push: TestPushService | undefined;

  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await push?.close();
    removeDir(dir);
  });

  it('each remaining step is pushed exactly once per officer', async () => {
    push = await TestPushService.start();
    const subs = { ana: push.subscribe(), rui: push.subscribe(), sam: push.subscribe() };

    // Seed in-process on the system clock, then close: a desk (Ana on duty around the clock, Rui a
    // member, Sam its supervisor, one minute per step), its directory entry, and Pedro's channel with
    // Ana opened from that entry.
    const app = await buildApp(seedConfig(dataDir), { logger: false });
    const w = seedWorld(app);
    await w.platform();
    const pt = await w.agency({ name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    w.root(pt.id);
    const [ana, rui, sam, pedro] = await Promise.all(['ana', 'rui', 'sam', 'pedro'].map((u) => w.officer(pt, u)));
    const inject = async (who: Account, method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await app.inject({ method, url: `/api/v1${url}`, headers: bearer(who.tokens), payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- loosely read test JSON
    };
    const { desk } = await inject(pt.admin, 'POST', '/desks', {
      name: 'Night desk',
      phone: '+351 21 864 1000',
      timeZone: 'Europe/Lisbon',
      members: [ana!.id, rui!.id],
      supervisors: [sam!.id],
      escalation: { ackMinutes: 1 },
    });
    await inject(pt.admin, 'PUT', `/desks/${desk.id}/rota`, {
      timeZone: 'Europe/Lisbon',
      weekly: [{ officerId: ana!.id, days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }],
      overrides: [],
    });
    const { entry } = await inject(pt.admin, 'POST', '/directory', {
      title: 'Night desk',
      specialisations: ['internet-drug-crime'],
      languages: ['en'],
      availability: { kind: '24/7' },
      deskId: desk.id,
    });
    for (const [who, sub] of [[ana!, subs.ana], [rui!, subs.rui], [sam!, subs.sam]] as [Account, TestSubscription][]) {
      await inject(who, 'POST', '/notifications/subscriptions', { ...sub.json, label: 'phone' });
    }
    const pedroKeys: SeedOfficer = { ...w.keys(pedro!), accessToken: pedro!.tokens.accessToken };
    const anaKeys: SeedOfficer = { ...w.keys(ana!), accessToken: ana!.tokens.accessToken };
    const channel = w.channel(pedroKeys, [anaKeys], { id: 'desk-contact-1' });
    // As "Reach them" stores it (server/directory/contact.ts): the channel remembers its directory entry.
    app.ctx.sqliteStore.sqlite.prepare('UPDATE channels SET contact_entry_id = ? WHERE id = ?').run(entry.id, channel.id);
    await app.close();

    // Process 1 takes the urgent message: the page and step 0 commit with it, Ana's push follows.
    const start = async () => {
      const s = new ServerProcess({ dataDir, port: await freePort(), logFile: path.join(dir, `server-${servers.length + 1}.log`) });
      servers.push(s);
      await s.start();
      return s;
    };
    const p1 = await start();
    const sent = await http(`${p1.url}/api/v1/channels/${channel.id}/messages`, {
      token: pedro!.tokens.accessToken,
      body: { envelope: buildEnvelope(channel, pedroKeys, 'urgent-1'), urgent: true },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const openedAt = Date.now();
    await until('step 0 at Ana', 10_000, () => push!.deliveredTo(subs.ana.id).length === 1);
    expect(await p1.stop('SIGKILL')).toBe('SIGKILL');
    expect(integrityCheck(dataDir)).toBe('ok');
    const [page] = withDb(dataDir, (db) => db.prepare("SELECT id, step, state, next_fire_at AS nextFireAt FROM pages WHERE reason = 'message'").all()) as {
      id: string;
      step: number;
      state: string;
      nextFireAt: number;
    }[];
    expect(page).toMatchObject({ step: 0, state: 'open' });

    // Processes 2 and 3 on the same data directory: step 1 (Rui, the remaining member) once, in real time.
    await Promise.all([start(), start()]);
    await until('step 1 at Rui', 75_000 + TICK_MS - (Date.now() - openedAt), () => push!.deliveredTo(subs.rui.id).length >= 1);

    // Step 2's deadline moved to now (the minute "passed"): both schedulers see it due; Sam is pushed once.
    const db = new Database(path.join(dataDir, 'liaison.db'));
    db.pragma('busy_timeout = 5000');
    try {
      expect(db.prepare("UPDATE pages SET next_fire_at = ? WHERE id = ? AND step = 1 AND state = 'open'").run(Date.now(), page!.id).changes).toBe(1);
    } finally {
      db.close();
    }
    await until('step 2 at Sam', TICK_MS + 5_000, () => push!.deliveredTo(subs.sam.id).length >= 1);
    // One more tick of each scheduler after the last step: a duplicate would arrive now.
    await sleep(TICK_MS + 1_000);

    const payloads = (sub: TestSubscription) => push!.deliveredTo(sub.id).map((r) => JSON.parse(r.plaintext!) as ContentFreeNotification);
    for (const sub of Object.values(subs)) {
      expect(payloads(sub).map((p) => [p.id, p.kind, p.priority])).toEqual([[page!.id, 'page', 'urgent']]);
      expect(push.deliveredTo(sub.id).every((r) => r.vapid.ok)).toBe(true);
    }
    expect(push.received).toHaveLength(3);
    withDb(dataDir, (d) => {
      const rows = d.prepare('SELECT step, officer_id AS officerId FROM page_deliveries WHERE page_id = ? ORDER BY step').all(page!.id);
      expect(rows).toEqual([
        { step: 0, officerId: ana!.id },
        { step: 1, officerId: rui!.id },
        { step: 2, officerId: sam!.id },
      ]);
      const escalated = d.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'page.escalated' AND target_id = ?").get(page!.id) as { n: number };
      expect(escalated.n).toBe(2);
    });
    for (const s of servers.slice(1)) expect(s.alive).toBe(true);
  });
});
