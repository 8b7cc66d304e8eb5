/**
 * SQLite → PostgreSQL data move (`liaison migrate-store`, docs/CLUSTER.md "Moving a SQLite node to
 * PostgreSQL"): copies every table of a data directory's liaison.db into an empty PostgreSQL schema,
 * column for column (test/store/schema-parity.test.ts keeps the two schemas identical), then compares
 * the row counts per table. The audit chain and the key log are verified on the target by the caller.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { withDefaultUser } from './client.ts';
import { PgStore } from './store.ts';
import { SqliteStore } from '../sqlite/store.ts';

/** Tables the migrations own or triggers rebuild; never copied nor counted. */
const NOT_COPIED = ['__drizzle_migrations', 'directory_fts'];
const CHUNK = 200;

export class MigrateStoreError extends Error {
  override name = 'MigrateStoreError';
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

function pgClient(url: string, schema: string): pg.Client {
  return new pg.Client({ connectionString: withDefaultUser(url), options: `-c search_path=${schema}` });
}

async function tablesOf(client: pg.Client, schema: string): Promise<string[]> {
  const rows = await client.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> ALL($2::text[]) ORDER BY table_name COLLATE "C"`,
    [schema, NOT_COPIED],
  );
  return rows.rows.map((r) => r.t);
}

/** Tables of `schema` holding at least one row (a target must have none). */
export async function nonEmptyTables(url: string, schema: string): Promise<string[]> {
  const client = pgClient(url, schema);
  await client.connect();
  try {
    const out: string[] = [];
    for (const t of await tablesOf(client, schema)) {
      if ((await client.query(`SELECT 1 FROM "${schema}"."${t}" LIMIT 1`)).rowCount) out.push(t);
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * Creates `schema` with Liaison's migrations and copies every table of `dataDir/liaison.db` into it in
 * one transaction, then moves the identity sequences past the copied keys and rebuilds the directory
 * search index. Foreign keys and triggers are off during the copy (session_replication_role).
 * `refuseNonEmpty`: fail before writing anything when a table of the target already holds rows.
 */
export async function copySqliteToPostgres(dataDir: string, url: string, schema: string, opts: { refuseNonEmpty?: boolean } = {}): Promise<void> {
  const file = path.join(dataDir, 'liaison.db');
  const source = SqliteStore.open(dataDir, { readonly: true, migrate: false });
  try {
    if (!(await source.migrationsUpToDate())) {
      throw new MigrateStoreError(`${file} is behind this build's migrations: run "liaison migrate" on it first`);
    }
  } finally {
    await source.close();
  }
  if (opts.refuseNonEmpty) {
    const full = await nonEmptyTables(url, schema);
    if (full.length > 0) throw new MigrateStoreError(`the target schema "${schema}" is not empty (rows in ${full.join(', ')}); give an empty DATABASE_SCHEMA`);
  }
  const store = await PgStore.open({ url, schema });
  await store.close();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const client = pgClient(url, schema);
  await client.connect();
  try {
    const tables = await tablesOf(client, schema);
    await client.query('BEGIN');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    for (const t of tables) {
      const cols = (await client.query<{ c: string; type: string }>(
        'SELECT column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, t],
      )).rows;
      const sqliteCols = new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((r) => r.name));
      const shared = cols.filter((c) => sqliteCols.has(c.c));
      if (shared.length === 0) continue;
      const names = shared.map((c) => `"${c.c}"`).join(', ');
      const rows = db.prepare(`SELECT ${names} FROM "${t}"`).raw().all() as unknown[][];
      for (let i = 0; i < rows.length; i += CHUNK) {
        const params: unknown[] = [];
        const values = rows.slice(i, i + CHUNK).map((row) => `(${row.map((v, k) => {
          params.push(shared[k]!.type === 'boolean' && typeof v === 'number' ? v !== 0 : v);
          return `$${params.length}`;
        }).join(', ')})`);
        await client.query(`INSERT INTO "${t}" (${names}) OVERRIDING SYSTEM VALUE VALUES ${values.join(', ')}`, params);
      }
    }
    // Identity columns continue after the copied values.
    const identities = (await client.query<{ t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND is_identity = 'YES'",
      [schema],
    )).rows;
    for (const { t, c } of identities) {
      const max = (db.prepare(`SELECT max("${c}") AS m FROM "${t}"`).get() as { m: number | null }).m ?? 0;
      // SQLite AUTOINCREMENT may have handed out positions without rows (reserved feed positions).
      const seq = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(t) as { seq: number } | undefined;
      const next = Math.max(max, seq?.seq ?? 0);
      if (next > 0) await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3)', [t, c, next]);
    }
    // The search index is kept by triggers, which were off: built once from the copied entries.
    await client.query('SELECT directory_fts_refresh(pk) FROM directory_entries');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
    db.close();
  }
}

/** Rows per table on both sides (every table of the target but the migrations' own). */
export async function compareCounts(dataDir: string, url: string, schema: string): Promise<TableCount[]> {
  const db = new Database(path.join(dataDir, 'liaison.db'), { readonly: true, fileMustExist: true });
  const client = pgClient(url, schema);
  await client.connect();
  try {
    const out: TableCount[] = [];
    for (const t of await tablesOf(client, schema)) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
      const source = exists ? (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n : 0;
      const target = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n ?? 0);
      out.push({ table: t, source, target });
    }
    return out;
  } finally {
    await client.end();
    db.close();
  }
}
