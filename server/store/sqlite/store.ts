import type Database from 'better-sqlite3';
import type { AppError } from '../../errors.ts';
import type { GroupCommitter, Store } from '../store.ts';
import { SqliteAccessRepository } from './access-repository.ts';
import { SqliteAccountsRepository } from './accounts-repository.ts';
import { SqliteAgreementsRepository } from './agreements-repository.ts';
import { SqliteAttachmentsRepository } from './attachments-repository.ts';
import { SqliteAuditRepository } from './audit-repository.ts';
import { SqliteChannelsRepository } from './channels-repository.ts';
import { applyMigrations, migrationsUpToDate, openDatabase, type Database_, type Db } from './client.ts';
import { SqliteDirectoryRepository } from './directory-repository.ts';
import { SqliteFeedRepository } from './feed-repository.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteKeysRepository } from './keys-repository.ts';
import { SqliteMessagesRepository } from './messages-repository.ts';
import { SqliteSessionRepository } from './sessions-repository.ts';
import { transact } from './tx.ts';

/** The SQLite implementation of the storage port: one connection (WAL), statements prepared once. */
export class SqliteStore implements Store {
  readonly accounts: SqliteAccountsRepository;
  readonly sessions: SqliteSessionRepository;
  readonly agreements: SqliteAgreementsRepository;
  readonly channels: SqliteChannelsRepository;
  readonly directory: SqliteDirectoryRepository;
  readonly keys: SqliteKeysRepository;
  readonly messages: SqliteMessagesRepository;
  readonly access: SqliteAccessRepository;
  readonly attachments: SqliteAttachmentsRepository;
  readonly feed: SqliteFeedRepository;
  readonly audit: SqliteAuditRepository;
  /** Tests and tools only: the raw connection and drizzle handle (production code uses the repositories). */
  readonly sqlite: Database.Database;
  readonly db: Db;

  private constructor(private readonly database: Database_) {
    this.sqlite = database.sqlite;
    this.db = database.db;
    const { sqlite, db } = database;
    this.accounts = new SqliteAccountsRepository(db);
    this.sessions = new SqliteSessionRepository(db);
    this.agreements = new SqliteAgreementsRepository(db);
    this.channels = new SqliteChannelsRepository(db);
    this.directory = new SqliteDirectoryRepository(db, sqlite);
    this.keys = new SqliteKeysRepository(db);
    this.messages = new SqliteMessagesRepository(sqlite);
    this.access = new SqliteAccessRepository(sqlite);
    this.attachments = new SqliteAttachmentsRepository(sqlite);
    this.feed = new SqliteFeedRepository(sqlite);
    this.audit = new SqliteAuditRepository(sqlite);
  }

  /** Opens (and unless read-only or told otherwise, migrates) the database in `dataDir`. */
  static open(dataDir: string, opts: { readonly?: boolean; migrate?: boolean } = {}): SqliteStore {
    const readonly = opts.readonly ?? false;
    const database = openDatabase(dataDir, { readonly });
    try {
      if (!readonly && (opts.migrate ?? true)) applyMigrations(database.db);
      return new SqliteStore(database);
    } catch (err) {
      database.close();
      throw err;
    }
  }

  transact<T>(fn: () => T | AppError): T {
    return transact(this.sqlite, fn);
  }

  groupCommit<J, R>(apply: (job: J) => R, afterCommit: (committed: R[]) => void, around?: <T>(run: () => T) => T): GroupCommitter<J, R> {
    return new GroupCommit(this.sqlite, apply, afterCommit, around);
  }

  get inTransaction(): boolean {
    return this.sqlite.inTransaction;
  }

  get isOpen(): boolean {
    return this.sqlite.open;
  }

  get writable(): boolean {
    return !this.sqlite.readonly;
  }

  ping(): void {
    this.sqlite.prepare('SELECT 1').get();
  }

  migrationsUpToDate(): boolean {
    return migrationsUpToDate(this.sqlite);
  }

  async backup(file: string, onProgress?: (info: { totalPages: number; remainingPages: number }) => void): Promise<void> {
    await this.sqlite.backup(file, {
      progress: (info) => {
        onProgress?.(info);
        return 100;
      },
    });
  }

  close(): void {
    this.database.close();
  }
}
