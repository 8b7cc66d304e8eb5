import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { bearer, expectError, login, makeApp, provision, runCli, type TestApp } from '../world/app.ts';
import { rawDb, withClosedAppDb, type RawDb } from '../world/db.ts';

interface Verification {
  ok: boolean;
  eventsChecked: number;
  checkpointsChecked: number;
  lastSeq: number;
  problem: { seq: number; kind: string; message: string } | null;
}

interface Row {
  seq: number;
  [col: string]: unknown;
}

/** Provisions a network with checkpoints every 5 events, signs in once more, closes the app (sealing the head). */
async function sealedNetwork(): Promise<{ t: TestApp; lastSeq: number }> {
  const t = await makeApp({ keepOpen: true, config: { audit: { checkpointEvery: 5 } } });
  const net = await provision(t);
  await login(t, net.officer);
  const lastSeq = (rawDb(t.app).prepare('SELECT max(seq) AS n FROM audit_events').get() as { n: number }).n;
  await t.app.close();
  return { t, lastSeq };
}

/** Edits the closed app's database (the SQLite file or its PostgreSQL schema) as an intruder would. */
function tamper(t: TestApp, fn: (db: RawDb) => void): void {
  withClosedAppDb(t.app, fn);
}

function verifyCli(dataDir: string): { code: number | null; result: Verification } {
  const res = runCli(dataDir, ['audit', 'verify', '--json']);
  let result: Verification;
  try {
    result = JSON.parse(res.stdout) as Verification;
  } catch {
    throw new Error(`audit verify printed no JSON (exit ${res.code}): ${res.stdout} ${res.stderr}`);
  }
  return { code: res.code, result };
}

describe('audit trail through the API', () => {
  it('platform admin sees everything, agency admin only their agency, officer 403; verify is ok', async () => {
    const t = await makeApp({ config: { audit: { checkpointEvery: 5 } } });
    const net = await provision(t);
    await login(t, net.officer);

    const all = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: bearer(net.admin.tokens) });
    expect(all.statusCode).toBe(200);
    const events = all.json().events as { seq: number; action: string; agencyId: string | null }[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const actions = events.map((e) => e.action);
    for (const a of ['platform.initialised', 'enrolment.completed', 'agency.created', 'officer.created', 'auth.login']) {
      expect(actions).toContain(a);
    }
    expect(new Set(events.map((e) => e.agencyId)).size).toBeGreaterThan(1);

    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: bearer(net.agencyAdmin.tokens) });
    expect(mine.statusCode).toBe(200);
    const own = mine.json().events as { agencyId: string | null }[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThan(events.length);
    expect(own.every((e) => e.agencyId === net.agency.id)).toBe(true);
    expect(own.length).toBe(events.filter((e) => e.agencyId === net.agency.id).length);

    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(net.officer.tokens) }), 403, 'forbidden');

    // Paging.
    const page = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=3', headers: bearer(net.admin.tokens) });
    expect(page.json().events).toHaveLength(3);
    expect(page.json().nextAfterSeq).toBe(3);

    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(verify.statusCode).toBe(200);
    // One more than listed above: the officer's refused read is audited as access.denied.
    expect(verify.json()).toMatchObject({ ok: true, problem: null, eventsChecked: events.length + 1, lastSeq: events.length + 1 });
    expect(verify.json().checkpointsChecked).toBe(Math.floor((events.length + 1) / 5));
  });

  it('never records secrets in audit details', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const tokens = await login(t, net.officer);
    const rows = rawDb(t.app).prepare('SELECT details FROM audit_events').all() as { details: string }[];
    const text = rows.map((r) => r.details).join('\n');
    for (const secret of [net.officer.password, net.officer.totpSecret, tokens.refreshToken, tokens.accessToken]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('audit tamper detection (CLI, real process)', () => {
  it('an untouched chain verifies with exit 0', async () => {
    const { t, lastSeq } = await sealedNetwork();
    const { code, result } = verifyCli(t.config.dataDir);
    expect(result).toMatchObject({ ok: true, problem: null, lastSeq, eventsChecked: lastSeq });
    expect(result.checkpointsChecked).toBeGreaterThanOrEqual(Math.floor(lastSeq / 5));
    expect(code).toBe(0);
  });

  it('(a) a modified details field is reported as tampered at that seq', async () => {
    const { t } = await sealedNetwork();
    tamper(t, (db) => {
      const r = db.prepare("UPDATE audit_events SET details = '{\"username\":\"someone-else\"}' WHERE seq = 4").run();
      expect(r.changes).toBe(1);
    });
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ seq: 4, kind: 'tampered' });
  });

  it('(a\') a modified row whose hash was recomputed by the attacker still breaks the chain', async () => {
    const { t } = await sealedNetwork();
    // Without the chain code, an attacker who also rewrites `hash` breaks the next row's prev_hash link.
    tamper(t, (db) => {
      db.prepare("UPDATE audit_events SET details = '{}', hash = ? WHERE seq = 3").run('ab'.repeat(32));
    });
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.problem?.seq).toBe(3);
    expect(['tampered', 'chain_broken']).toContain(result.problem?.kind);
  });

  it('(b) a deleted middle row is reported as missing', async () => {
    const { t } = await sealedNetwork();
    tamper(t, (db) => db.prepare('DELETE FROM audit_events WHERE seq = 6').run());
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.problem).toMatchObject({ seq: 6, kind: 'missing' });
  });

  it('(c) swapping the contents of two rows (keeping seq) is reported', async () => {
    const { t } = await sealedNetwork();
    tamper(t, (db) => {
      const get = db.prepare('SELECT * FROM audit_events WHERE seq = ?');
      const a = get.get(7) as Row;
      const b = get.get(8) as Row;
      const cols = Object.keys(a).filter((c) => c !== 'seq');
      const set = db.prepare(`UPDATE audit_events SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`);
      db.transaction(() => {
        set.run(...cols.map((c) => b[c]), 7);
        set.run(...cols.map((c) => a[c]), 8);
      })();
    });
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.problem?.seq).toBe(7);
    expect(['chain_broken', 'tampered']).toContain(result.problem?.kind);
  });

  it('(f) deleting every checkpoint and rewriting the chain with recomputed hashes is reported (events are signed)', async () => {
    const { t } = await sealedNetwork();
    await sodium.ready;
    tamper(t, (db) => {
      db.prepare('DELETE FROM audit_checkpoints').run();
      // The attacker edits event 2 and recomputes every hash after it with the public chain formula.
      db.prepare("UPDATE audit_events SET details = '{\"username\":\"nobody\"}' WHERE seq = 2").run();
    });
    // Recompute hashes with the server's own (unkeyed) formula, as an attacker with the source could.
    const { hashAuditEvent } = await import('../../server/audit/chain.ts');
    const { initSodium } = await import('../../shared/crypto/sodium.ts');
    await initSodium();
    tamper(t, (db) => {
      const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Record<string, unknown>[];
      let prev = '0'.repeat(64);
      const upd = db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?');
      for (const r of rows) {
        const hash = hashAuditEvent({
          seq: r.seq as number,
          at: r.at as number,
          actorId: r.actor_id as string | null,
          agencyId: r.agency_id as string | null,
          action: r.action as string,
          targetType: r.target_type as string | null,
          targetId: r.target_id as string | null,
          outcome: r.outcome as string,
          ip: r.ip as string | null,
          details: r.details as string,
          prevHash: prev,
        });
        upd.run(prev, hash, r.seq);
        prev = hash;
      }
    });
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.problem).toMatchObject({ seq: 2, kind: 'signature' });
  });

  it('audit verify does not write to the database it verifies', async () => {
    const { t } = await sealedNetwork();
    const count = () => withClosedAppDb(t.app, (db) => (db.prepare('SELECT count(*) AS n FROM audit_checkpoints').get() as { n: number }).n);
    const before = count();
    expect(verifyCli(t.config.dataDir).code).toBe(0);
    expect(count()).toBe(before);
  });

  it('(d) deleting the last rows covered by a signed checkpoint is reported as truncated', async () => {
    const { t, lastSeq } = await sealedNetwork();
    let keep = 0;
    tamper(t, (db) => {
      const cp = db.prepare('SELECT max(seq) AS s FROM audit_checkpoints').get() as { s: number };
      expect(cp.s).toBe(lastSeq); // close() sealed the head
      keep = lastSeq - 3;
      db.prepare('DELETE FROM audit_events WHERE seq > ?').run(keep);
    });
    const { code, result } = verifyCli(t.config.dataDir);
    expect(code).toBe(1);
    expect(result.problem).toMatchObject({ seq: keep + 1, kind: 'truncated' });
    expect(result.lastSeq).toBe(keep);
  });

  it('(e) a forged checkpoint signature, or a checkpoint re-signed with another key, is reported', async () => {
    const { t, lastSeq } = await sealedNetwork();
    let original = '';
    tamper(t, (db) => {
      const cp = db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = 5').get() as { signature: string };
      original = cp.signature;
      const flipped = (cp.signature.startsWith('0') ? '1' : '0') + cp.signature.slice(1);
      db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 5').run(flipped);
    });
    const first = verifyCli(t.config.dataDir);
    expect(first.code).toBe(1);
    expect(first.result.problem).toMatchObject({ seq: 5, kind: 'checkpoint_signature' });

    // Undo that, then swap in an attacker's key (with a signature by that key) on the head checkpoint.
    await sodium.ready;
    const kp = sodium.crypto_sign_keypair();
    tamper(t, (db) => {
      db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 5').run(original);
      const r = db
        .prepare('UPDATE audit_checkpoints SET public_key = ?, signature = ? WHERE seq = ?')
        .run(sodium.to_hex(kp.publicKey), sodium.to_hex(sodium.crypto_sign_detached('x', kp.privateKey)), lastSeq);
      expect(r.changes).toBe(1);
    });
    const second = verifyCli(t.config.dataDir);
    expect(second.code).toBe(1);
    expect(second.result.problem).toMatchObject({ seq: lastSeq, kind: 'checkpoint_key' });
  });

  it('the human-readable CLI output names the seq and the problem', async () => {
    const { t } = await sealedNetwork();
    tamper(t, (db) => db.prepare("UPDATE audit_events SET ip = '10.0.0.1' WHERE seq = 2").run());
    const res = runCli(t.config.dataDir, ['audit', 'verify']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/event 2\b.*tampered/);
  });
});
