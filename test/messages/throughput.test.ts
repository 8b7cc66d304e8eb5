import { describe, expect, it } from 'vitest';
import { makeApp } from '../world/app.ts';
import { makeChannel, makeWorld, sendBody } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

describe('send throughput (group commit)', () => {
  it('commits concurrent sends in batches, durable, and reports sends/s against a plain non-durable insert (on either engine)', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const actorOf = (p: typeof w.alice) => ({ officerId: p.id, agencyId: p.agencyId, role: 'officer' as const, sessionId: 's', ip: null });
    const senders = [w.alice, w.bob];
    // Each sender's chain has a per-epoch message budget: alternate two senders.
    const N = 1600;
    // Envelopes are client work: build them before timing the server path.
    const bodies = Array.from({ length: N }, (_, i) => sendBody(ch, senders[i % 2]!));
    const started = performance.now();
    const results = await Promise.all(bodies.map((b, i) => t.app.ctx.messages.sendMessage(actorOf(senders[i % 2]!), ch.id, b)));
    const sendMs = performance.now() - started;
    expect(new Set(results.map((r) => r.seq)).size).toBe(N);

    // The baseline: plain inserts without durability (SQLite synchronous = OFF, PostgreSQL synchronous_commit = off).
    const db = rawDb(t.app);
    const durable = (on: boolean) =>
      db.engine === 'sqlite' ? void t.app.ctx.sqliteStore.sqlite.pragma(`synchronous = ${on ? 'FULL' : 'OFF'}`) : void db.prepare(`SET synchronous_commit = ${on ? 'on' : 'off'}`).run();
    durable(false);
    const insert = db.prepare(
      `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, created_at, expires_at)
       VALUES (?, ?, ?, ?, 'd', 1, 'TLP:AMBER', ?, 100, 0, 0)`,
    );
    const env = JSON.stringify(bodies[0]!.envelope);
    const plainStart = performance.now();
    for (let i = 0; i < N; i++) insert.run(`plain-${i}`, ch.id, N + 1 + i, w.alice.id, env);
    const plainMs = performance.now() - plainStart;
    durable(true);
    const sendRate = (N / sendMs) * 1000;
    const plainRate = (N / plainMs) * 1000;
    console.log(`sendMessage: ${sendRate.toFixed(0)}/s (verify + group commit, FULL); plain non-durable insert: ${plainRate.toFixed(0)}/s; ratio ${(sendRate / plainRate).toFixed(2)}`);
  });
});
