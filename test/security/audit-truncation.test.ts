import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiaisonClientError } from '../../client/sdk/index.ts';
import { initPlatform, signIn } from '../world/network.ts';
import { bearer, expectError, login, makeApp, provision, runCli, tempDir, type TestApp } from '../world/app.ts';
import { securityLog, startHost } from '../e2e/host.ts';
import { rawDb, withClosedAppDb, type RawDb } from '../world/db.ts';

interface Verification {
  ok: boolean;
  lastSeq: number;
  externalHeadsChecked?: number;
  problem: { seq: number; kind: string; message: string } | null;
}

/** A network with checkpoints every 5 events, closed (the head is sealed and appended to the heads file). */
async function sealedNetwork(headsFile?: string): Promise<{ t: TestApp; lastSeq: number }> {
  const t = await makeApp({ keepOpen: true, config: { audit: { checkpointEvery: 5, ...(headsFile ? { headsFile } : {}) } } });
  const net = await provision(t);
  await login(t, net.officer);
  const lastSeq = (rawDb(t.app).prepare('SELECT max(seq) AS n FROM audit_events').get() as { n: number }).n;
  await t.app.close();
  return { t, lastSeq };
}

/** What an attacker with write access to the database file does: drop the newest events and every checkpoint covering them. */
function truncateTail(db: Pick<RawDb, 'prepare'>, lastSeq: number): number {
  const keep = (db.prepare('SELECT max(seq) AS s FROM audit_checkpoints WHERE seq <= ?').get(lastSeq - 3) as { s: number | null }).s;
  if (keep === null) throw new Error('truncateTail: no checkpoint to cut back to');
  db.prepare('DELETE FROM audit_events WHERE seq > ?').run(keep);
  db.prepare('DELETE FROM audit_checkpoints WHERE seq > ?').run(keep);
  return keep;
}

/** Edits the closed app's database (the SQLite file or its PostgreSQL schema) as an intruder would. */
function tamper(t: TestApp, fn: (db: RawDb) => number): number {
  return withClosedAppDb(t.app, fn);
}

function verifyCli(dataDir: string, env: Record<string, string> = {}): { code: number | null; result: Verification; stdout: string } {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const res = runCli(dataDir, ['audit', 'verify', '--json']);
    return { code: res.code, result: JSON.parse(res.stdout) as Verification, stdout: res.stdout };
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe('audit tail truncation is detected against the external heads file', () => {
  it('deleting the newest events together with their checkpoints makes `liaison audit verify` (real process) fail, naming the missing events', async () => {
    const { t, lastSeq } = await sealedNetwork();
    const headsFile = path.join(t.config.dataDir, 'audit-heads.log');
    const heads = fs.readFileSync(headsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(heads.at(-1)?.seq).toBe(lastSeq);
    expect(verifyCli(t.config.dataDir)).toMatchObject({ code: 0, result: { ok: true, externalHeadsChecked: heads.length } });

    const keep = tamper(t, (db) => truncateTail(db, lastSeq));
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ seq: keep + 1, kind: 'truncated' });
    expect(result.problem?.message).toContain(`events ${keep + 1}..${lastSeq} are missing`);
    const human = runCli(t.config.dataDir, ['audit', 'verify']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`event ${keep + 1}\\b.*truncated`));
  });

  it('AUDIT_HEADS_FILE on another disk: verify reads it there; deleting the heads file as well is reported, not silently accepted', async () => {
    const elsewhere = path.join(tempDir('liaison-worm-'), 'heads', 'audit-heads.log');
    const { t, lastSeq } = await sealedNetwork(elsewhere);
    expect(fs.existsSync(path.join(t.config.dataDir, 'audit-heads.log'))).toBe(false);
    expect(verifyCli(t.config.dataDir, { AUDIT_HEADS_FILE: elsewhere }).code).toBe(0);
    const keep = tamper(t, (db) => truncateTail(db, lastSeq));
    const truncated = verifyCli(t.config.dataDir, { AUDIT_HEADS_FILE: elsewhere });
    expect(truncated.code).toBe(1);
    expect(truncated.result.problem).toMatchObject({ seq: keep + 1, kind: 'truncated' });
    // Without the heads file the chain cannot be vouched for: that is a failure too.
    const missing = verifyCli(t.config.dataDir);
    expect(missing.code).toBe(1);
    expect(missing.result.problem?.kind).toBe('external_heads_missing');
  });

  it('GET /audit/verify reports a truncated tail of a running server; GET /audit/head serves the signed head to administrators only', async () => {
    const t = await makeApp({ config: { audit: { checkpointEvery: 5 } } });
    const net = await provision(t);
    for (let i = 0; i < 3; i++) await login(t, net.officer);
    const head = await t.app.inject({ method: 'GET', url: '/api/v1/audit/head', headers: bearer(net.agencyAdmin.tokens) });
    expect(head.statusCode).toBe(200);
    const served = head.json().head as { seq: number; hash: string };
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/audit/head', headers: bearer(net.officer.tokens) }), 403, 'forbidden');
    const keep = truncateTail(rawDb(t.app), served.seq);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: false, problem: { seq: keep + 1, kind: 'truncated' } });
  });
});

describe('SDK: administrators’ clients remember the highest audit head', () => {
  it('raises an audit/rollback alarm when the server later shows a shorter chain', async () => {
    const host = await startHost({ config: { audit: { checkpointEvery: 5 } } });
    const creds = await initPlatform(host, { username: 'admin', displayName: 'Platform Admin', country: 'FR', password: 'correct horse battery staple 42' });
    const admin = await signIn(host, creds);
    const alarms = securityLog(admin);
    const first = await admin.checkAuditHead();
    expect(first.head?.seq).toBeGreaterThan(0);
    await signIn(host, creds); // more audit events
    const second = await admin.checkAuditHead();
    expect(second.highest?.seq).toBeGreaterThan(first.head!.seq);
    expect(alarms).toEqual([]);

    // The operator (or an intruder) deletes the newest events and their checkpoints.
    rawDb(host.app).prepare('DELETE FROM audit_events WHERE seq > ?').run(first.head!.seq);
    rawDb(host.app).prepare('DELETE FROM audit_checkpoints WHERE seq > ?').run(first.head!.seq);
    const err = await admin.checkAuditHead().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiaisonClientError);
    expect((err as LiaisonClientError).code).toBe('audit/rollback');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: 'audit_rollback', code: 'audit/rollback' });
    expect(alarms[0]!.message).toContain(`event ${second.highest!.seq}`);
  });
});
