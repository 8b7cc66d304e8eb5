import os from 'node:os';
import pg from 'pg';
import { buildTemplate, TEMPLATE_ENV } from './pg-template.ts';

/** Schemas the test apps create: t_<ms since the epoch in base 36>_<random> (test/world/app.ts pgTestStore). */
const TEST_SCHEMA = /^t_([0-9a-z]+)_[0-9a-f]+$/;
const STALE_MS = 60 * 60 * 1000;

/**
 * Global setup of the PostgreSQL test run (vitest.postgres.config.ts): each test app drops its schema
 * on close, but a crashed or killed run leaves its schemas behind. Drop test schemas created more than
 * an hour ago (a concurrent run's fresh schemas are younger and stay). Then migrate the run's template
 * schema once (test/world/pg-template.ts) and name it to the test workers: each test app's schema is a
 * clone of it instead of a fresh migration.
 */
export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
  const parsed = new URL(url);
  // Like libpq: without a user name in the URL, PGUSER or the OS user.
  if (parsed.username === '') parsed.username = encodeURIComponent(process.env.PGUSER ?? os.userInfo().username);
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 't\\_%'");
    const cutoff = Date.now() - STALE_MS;
    let dropped = 0;
    for (const { name } of rows) {
      const m = TEST_SCHEMA.exec(name);
      if (!m || parseInt(m[1]!, 36) > cutoff) continue;
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      dropped++;
    }
    if (dropped > 0) console.log(`pg-global-setup: dropped ${dropped} test schema(s) older than an hour`);
  } finally {
    await client.end();
  }
  // The workers are started after the global setup and inherit this process's environment.
  process.env[TEMPLATE_ENV] = await buildTemplate(url);
}
