import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { App } from '../../server/app.ts';
import { SqliteStore } from '../../server/store/sqlite/store.ts';
import { PgStore } from '../../server/store/pg/store.ts';

/** True when this run's test apps store on PostgreSQL (STORE=postgres, the PostgreSQL test matrix). */
export const isPostgres = process.env.STORE === 'postgres';

type Params = unknown[];

/** The subset of a better-sqlite3 statement tests use, on either engine. */
export interface RawStatement {
  run(...params: Params): { changes: number };
  get(...params: Params): unknown;
  all(...params: Params): unknown[];
  /** Rows as their first column's value (like better-sqlite3's pluck()). */
  pluck(): RawStatement;
}

/**
 * Raw SQL on the store a test app opened, synchronously on both engines: SQLite's own connection, or
 * on PostgreSQL a dedicated connection (on a worker thread the test thread waits for) to the app's
 * schema. For seeding and inspecting rows the way an operator with database access would; write
 * portable SQL (`?` placeholders, no SQLite-only functions). Statements are not under the store's
 * write lock, exactly as direct writes to the SQLite file are not.
 */
export interface RawDb {
  readonly engine: 'sqlite' | 'postgres';
  prepare(sql: string): RawStatement;
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK when it throws). */
  transaction<T>(fn: () => T): () => T;
  /** SQLite: folds the WAL into the database file (so a scan of the data directory sees the file's final bytes); PostgreSQL: nothing to do. */
  walCheckpoint(): void;
}

/**
 * Runs `fn` on the database of a closed app, as an operator (or intruder) with access to it would:
 * SQLite's file in the data directory, or the app's PostgreSQL schema.
 */
export function withClosedAppDb<T>(app: Pick<App, 'ctx'>, fn: (db: RawDb) => T): T {
  if (isPostgres) return fn(rawDb(app));
  const db = new SqliteDatabase(path.join(app.ctx.config.dataDir, 'liaison.db'));
  try {
    return fn(sqliteRaw(db));
  } finally {
    db.close();
  }
}

export function rawDb(app: Pick<App, 'ctx'>): RawDb {
  const store = app.ctx.store;
  if (store instanceof SqliteStore) return sqliteRaw(store.sqlite);
  const cfg = app.ctx.config.store;
  if (cfg.kind !== 'postgres') throw new Error('rawDb: unknown store');
  // What the tables' triggers notify (migrations/pg/0004_change_notify.sql) reaches the app's feed reader
  // a moment later; counted at once here, so a test's next request sees the change as on SQLite, where
  // the access caches see another connection's commit synchronously (data_version).
  const seen = store instanceof PgStore ? () => void store.cluster.remoteChanges++ : () => {};
  return pgRaw(withDefaultUser(cfg.url), cfg.schema ?? 'public', seen);
}

/** Like libpq (and the store's pool): a URL without a user name connects as PGUSER or the OS user. */
function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username !== '') return url;
  parsed.username = encodeURIComponent(process.env.PGUSER ?? os.userInfo().username);
  return parsed.toString();
}

/** RawDb over an open better-sqlite3 connection (e.g. the SQLite file of a closed app). */
export function sqliteRaw(db: Database.Database): RawDb {
  const wrap = (sql: string, pluck: boolean): RawStatement => {
    const stmt = () => (pluck ? db.prepare(sql).pluck() : db.prepare(sql));
    return {
      run: (...p) => ({ changes: db.prepare(sql).run(...p).changes }),
      get: (...p) => stmt().get(...p),
      all: (...p) => stmt().all(...p),
      pluck: () => wrap(sql, true),
    };
  };
  return { engine: 'sqlite', prepare: (sql) => wrap(sql, false), transaction: (fn) => db.transaction(fn), walCheckpoint: () => void db.pragma('wal_checkpoint(TRUNCATE)') };
}

/**
 * Portable test SQL → PostgreSQL: `?` placeholders (outside string literals) → `$1, $2, …`, and
 * mixed-case aliases (`AS officerId`) quoted, since PostgreSQL folds unquoted names to lower case.
 */
export function toPgPlaceholders(sql: string): string {
  sql = sql.replace(/\bAS\s+([a-z_][a-z0-9_]*[A-Z][A-Za-z0-9_]*)\b/g, 'AS "$1"');
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

let worker: { worker: Worker; port: MessagePort; flag: Int32Array } | null = null;

function pgWorker() {
  if (worker) return worker;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(new URL('./pg-sync-worker.mjs', import.meta.url), { workerData: { port: port2, flag }, transferList: [port2] });
  w.unref();
  worker = { worker: w, port: port1, flag };
  return worker;
}

interface Reply {
  ok: boolean;
  rows?: unknown[];
  rowCount?: number;
  message?: string;
}

function pgCall(msg: Record<string, unknown>): Reply {
  const w = pgWorker();
  Atomics.store(w.flag, 0, 0);
  w.port.postMessage(msg);
  if (Atomics.wait(w.flag, 0, 0, 60_000) === 'timed-out') throw new Error(`rawDb (PostgreSQL): no answer after 60 s to ${String(msg.sql)}`);
  const reply = receiveMessageOnPort(w.port)?.message as Reply | undefined;
  if (!reply) throw new Error('rawDb (PostgreSQL): no reply');
  if (!reply.ok) throw new Error(`rawDb (PostgreSQL): ${reply.message} in ${String(msg.sql)}`);
  return reply;
}

function pgRaw(url: string, schema: string, seen: () => void = () => {}): RawDb {
  const exec = (sql: string, params: Params, array = false) => {
    const reply = pgCall({ url, schema, sql: toPgPlaceholders(sql), params: params.map((p) => (typeof p === 'boolean' ? Number(p) : p)), array });
    seen();
    return reply;
  };
  const wrap = (sql: string, pluck: boolean): RawStatement => ({
    run: (...p) => ({ changes: exec(sql, p).rowCount ?? 0 }),
    get: (...p) => {
      const rows = exec(sql, p, pluck).rows ?? [];
      return pluck ? (rows[0] as unknown[] | undefined)?.[0] : rows[0];
    },
    all: (...p) => {
      const rows = exec(sql, p, pluck).rows ?? [];
      return pluck ? rows.map((r) => (r as unknown[])[0]) : rows;
    },
    pluck: () => wrap(sql, true),
  });
  return {
    engine: 'postgres',
    walCheckpoint: () => {},
    prepare: (sql) => wrap(sql, false),
    transaction: <T>(fn: () => T) => () => {
      exec('BEGIN', []);
      try {
        const out = fn();
        exec('COMMIT', []);
        return out;
      } catch (err) {
        exec('ROLLBACK', []);
        throw err;
      }
    },
  };
}
