import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';

export const PG_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations/pg');
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** Session-level advisory lock key held while migrating: concurrent starts of several nodes migrate one at a time. */
export const MIGRATION_LOCK_KEY = 0x4c69_6d67; // 'Limg'
/** Schema names we accept for DATABASE_SCHEMA (interpolated as an identifier, so kept to a safe alphabet). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgOptions {
  /** postgres://… (DATABASE_URL). */
  url: string;
  /** A schema to create if missing and put first on every connection's search_path (DATABASE_SCHEMA); default public. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Every transaction read-only (default_transaction_read_only on each connection): verification tools. */
  readonly?: boolean;
}

/**
 * int8 (bigint, count(*)) → Number on this pool's connections only (not pg's global parsers): times in
 * ms, ids and positions stay far below 2^53. Everything else keeps pg's defaults.
 */
function poolTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, (value: string) => Number(value));
  return types;
}

/** Like libpq: a URL without a user name connects as PGUSER or the OS user. */
export function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username !== '') return url;
  parsed.username = encodeURIComponent(process.env.PGUSER ?? os.userInfo().username);
  return parsed.toString();
}

export function schemaName(schema: string | undefined): string {
  const name = schema ?? 'public';
  if (!SCHEMA_NAME.test(name)) throw new Error(`DATABASE_SCHEMA must match ${SCHEMA_NAME} (got ${JSON.stringify(name)})`);
  return name;
}

/**
 * A pool whose every connection uses `schema` (search_path set in the startup packet, so no query runs
 * before it applies). The schema itself is created by `prepareSchema`.
 */
export function createPool(opts: PgOptions): pg.Pool {
  const schema = schemaName(opts.schema);
  const pool = new pg.Pool({
    connectionString: withDefaultUser(opts.url),
    max: opts.max ?? 10,
    types: poolTypes(),
    options: `-c search_path=${schema}${opts.readonly ? ' -c default_transaction_read_only=on' : ''}`,
    application_name: 'liaison',
  });
  // An idle client's error (server restart) must not crash the process; the next query gets a fresh one.
  pool.on('error', () => {});
  // A checked-out client has no pool listener: a connection lost between two statements of a
  // transaction would be an unhandled 'error' event (the process exits). Its next query fails instead,
  // and the holder releases it as broken (PgStore.transaction, PgCluster.runExclusive).
  pool.on('connect', (client) => void client.on('error', () => {}));
  return pool;
}

/** Creates the schema when missing (outside public, which always exists). */
export async function prepareSchema(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const name = schemaName(schema);
  if (name !== 'public') await pool.query(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
}

/**
 * Applies pending migrations from migrations/pg under a session advisory lock, on one dedicated
 * connection: drizzle's migrate() reads the last applied migration and then applies the rest, which two
 * starting nodes must not do at the same time. The migrations table lives in the store's own schema
 * (so two schemas in one database migrate independently), and `REFERENCES "public".` that drizzle-kit
 * writes into foreign keys is made unqualified so the tables resolve in that schema.
 */
export async function applyMigrations(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const name = schemaName(schema);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const db = drizzle(client);
      const migrations = readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR }).map((m) => ({
        ...m,
        sql: m.sql.map((stmt) => stmt.replaceAll('REFERENCES "public".', 'REFERENCES ')),
      }));
      // The dialect's migrate is what drizzle-orm/node-postgres/migrator calls after reading the files
      // (dialect and session are marked internal in drizzle's types, hence the cast).
      const internal = db as unknown as { dialect: PgDialect; session: Parameters<PgDialect['migrate']>[1] };
      await internal.dialect.migrate(migrations, internal.session, { migrationsFolder: PG_MIGRATIONS_DIR, migrationsSchema: name, migrationsTable: MIGRATIONS_TABLE });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

interface Journal {
  entries: { tag: string }[];
}

/** True when every migration shipped with this build has been applied in the store's schema. */
export async function migrationsUpToDate(pool: pg.Pool, schema: string | undefined): Promise<boolean> {
  const name = schemaName(schema);
  const journal = JSON.parse(fs.readFileSync(path.join(PG_MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as Journal;
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`"${name}"."${MIGRATIONS_TABLE}"`]);
  if (exists.rows[0]?.t == null) return journal.entries.length === 0;
  const n = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM "${name}"."${MIGRATIONS_TABLE}"`);
  return (n.rows[0]?.n ?? 0) >= journal.entries.length;
}

/** Drops a schema and everything in it (tests: each test app's fresh DATABASE_SCHEMA). Never `public`. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const name = schemaName(schema);
  if (name === 'public') throw new Error('dropSchema: refusing to drop public');
  const pool = createPool({ url, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await pool.end();
  }
}
