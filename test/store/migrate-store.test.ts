/**
 * `liaison migrate-store` (issue 16): a SQLite data directory with messages → an empty PostgreSQL
 * schema, verified by row counts, the audit chain and the key log; an app started on that schema reads
 * the messages and `liaison audit verify` passes on it. A non-empty target is refused, and a copy whose
 * audit chain does not verify exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { dropSchema } from '../../server/store/pg/client.ts';
import { buildEnvelope, removeDir, seedConfig, seedNetwork, tempDir } from '../faults/support.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function cli(dataDir: string, args: string[], env: Record<string, string>) {
  const { STORE: _store, DATABASE_SCHEMA: _schema, ...base } = process.env;
  const res = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli/liaison.ts', ...args], {
    cwd: ROOT,
    env: { ...base, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: URL_PG, ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (res.error) throw res.error;
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('liaison migrate-store', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  const fresh = () => {
    const s = `migrate_${crypto.randomBytes(5).toString('hex')}`;
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await dropSchema(URL_PG, s).catch(() => {});
    for (const d of dirs) removeDir(d);
  });

  it('copies a SQLite data directory with messages, verifies it, and an app on the copy reads them', async () => {
    const dir = tempDir('migrate');
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    const seeded = await seedNetwork(dataDir, 3, [[0, 1, 2]]);
    const ch = seeded.channels[0]!;
    const [a, b] = [seeded.officers[0]!, seeded.officers[1]!];
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = crypto.randomUUID();
      const res = await seeded.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/messages`, headers: { authorization: `Bearer ${a.accessToken}` }, payload: { envelope: buildEnvelope(ch, a, id) } });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(id);
    }
    await seeded.app.close();

    const schema = fresh();
    const moved = cli(dataDir, ['migrate-store'], { DATABASE_SCHEMA: schema });
    expect(moved.code, moved.stdout + moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/^messages\s+6\s+6$/m);
    expect(moved.stdout).toMatch(/audit chain: OK/);
    expect(moved.stdout).toMatch(/key log: OK/);
    expect(moved.stdout).not.toMatch(/MISMATCH/);

    // A second run into the same (now full) schema is refused before writing anything.
    const again = cli(dataDir, ['migrate-store'], { DATABASE_SCHEMA: schema });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty/);

    const app = await buildApp(seedConfig(dataDir, { store: { kind: 'postgres', url: URL_PG, schema } }), { logger: false });
    try {
      const res = await app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}/messages?limit=100`, headers: { authorization: `Bearer ${b.accessToken}` } });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { messages: { messageId: string }[] }).messages.map((m) => m.messageId)).toEqual(ids);
      // New writes continue after the copied positions and sequences.
      const next = await app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/messages`, headers: { authorization: `Bearer ${a.accessToken}` }, payload: { envelope: buildEnvelope(ch, a, crypto.randomUUID()) } });
      expect(next.statusCode, next.body).toBe(201);
      expect((next.json() as { seq: number }).seq).toBe(7);
    } finally {
      await app.close();
    }
    const verify = cli(dataDir, ['audit', 'verify'], { STORE: 'postgres', DATABASE_SCHEMA: schema });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/Audit chain OK/);

    // A source whose audit chain was tampered with copies, but the verification fails: exit 1.
    const tampered = path.join(dir, 'tampered');
    fs.cpSync(dataDir, tampered, { recursive: true });
    const db = new Database(path.join(tampered, 'liaison.db'));
    db.prepare("UPDATE audit_events SET action = 'auth.logout' WHERE seq = 2").run();
    db.close();
    const bad = cli(tampered, ['migrate-store'], { DATABASE_SCHEMA: fresh() });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/audit chain: BROKEN at event 2/);
    expect(bad.stdout).toMatch(/MIGRATION NOT VERIFIED/);
  });
});
