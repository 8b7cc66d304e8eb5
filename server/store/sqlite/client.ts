import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database_ {
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');
export const DB_FILE_NAME = 'liaison.db';
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens the SQLite database with the durability settings Liaison depends on:
 * WAL, synchronous=FULL (an acknowledged write survives power loss), busy timeout, foreign keys.
 */
export function openDatabase(dataDir: string, opts: { readonly?: boolean } = {}): Database_ {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DB_FILE_NAME);
  const sqlite = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    // Metadata and ciphertext only, but still nobody else's business on a shared host.
    fs.chmodSync(file, 0o600);
    sqlite.pragma('journal_mode = WAL');
  }
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  return {
    sqlite,
    db,
    close() {
      if (!sqlite.open) return;
      // Checkpoint so the main file is self-contained after a clean shutdown.
      if (!sqlite.readonly) sqlite.pragma('wal_checkpoint(TRUNCATE)');
      sqlite.close();
    },
  };
}

export function applyMigrations(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}

interface Journal {
  entries: { tag: string }[];
}

/** True when every migration shipped with this build has been applied to the database. */
export function migrationsUpToDate(sqlite: Database.Database): boolean {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as Journal;
  const table = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return journal.entries.length === 0;
  const row = sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
  return row.n >= journal.entries.length;
}
