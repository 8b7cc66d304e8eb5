import type Database from 'better-sqlite3';
import { CommitThenThrow, type GroupCommitter, type Repositories, type Store, type Tx } from '../store.ts';
import { SqliteAccessRepository } from './access-repository.ts';
import { SqliteAlertingRepository } from './alerting-repository.ts';
import { SqliteAccountsRepository } from './accounts-repository.ts';
import { SqliteAgreementsRepository } from './agreements-repository.ts';
import { SqliteAttachmentsRepository } from './attachments-repository.ts';
import { SqliteAuditRepository } from './audit-repository.ts';
import { SqliteChannelsRepository } from './channels-repository.ts';
import { applyMigrations, migrationsUpToDate, openDatabase, type Database_, type Db } from './client.ts';
import { SqliteDesksRepository } from './desks-repository.ts';
import { SqliteDirectoryRepository } from './directory-repository.ts';
import { SqliteFeedRepository } from './feed-repository.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteKeysRepository } from './keys-repository.ts';
import { SqliteMessagesRepository } from './messages-repository.ts';
import { SqlitePagingRepository } from './paging-repository.ts';
import { SqliteIntakeRepository } from './intake-repository.ts';
import { SqliteRequestsRepository } from './requests-repository.ts';
import { SqliteSessionRepository } from './sessions-repository.ts';
import { SqliteStatsRepository } from './stats-repository.ts';
import { WriterLock } from './writer-lock.ts';

/** Builds every repository on one connection (statements are prepared per connection). */
// Inferred return type: the store's own fields keep the concrete classes (tests reach into them).
function repositories(database: Database_) {
  const { sqlite, db } = database;
  return {
    accounts: new SqliteAccountsRepository(db),
    sessions: new SqliteSessionRepository(db),
    agreements: new SqliteAgreementsRepository(db),
    channels: new SqliteChannelsRepository(db),
    directory: new SqliteDirectoryRepository(db, sqlite),
    desks: new SqliteDesksRepository(db, sqlite),
    keys: new SqliteKeysRepository(db),
    messages: new SqliteMessagesRepository(sqlite),
    access: new SqliteAccessRepository(sqlite),
    attachments: new SqliteAttachmentsRepository(sqlite),
    feed: new SqliteFeedRepository(sqlite),
    audit: new SqliteAuditRepository(sqlite),
    alerting: new SqliteAlertingRepository(db),
    paging: new SqlitePagingRepository(db),
    intake: new SqliteIntakeRepository(db),
    requests: new SqliteRequestsRepository(db),
    stats: new SqliteStatsRepository(sqlite),
  };
}

/**
 * The SQLite implementation of the storage port. One writer connection, used by one unit of work
 * at a time (WriterLock; BEGIN IMMEDIATE … COMMIT), and a reader connection for `read`, which in
 * WAL mode sees the last committed state without waiting for the writer. Statements are prepared
 * once per connection.
 */
export class SqliteStore implements Store {
  readonly accounts: SqliteAccountsRepository;
  readonly sessions: SqliteSessionRepository;
  readonly agreements: SqliteAgreementsRepository;
  readonly channels: SqliteChannelsRepository;
  readonly directory: SqliteDirectoryRepository;
  readonly desks: SqliteDesksRepository;
  readonly keys: SqliteKeysRepository;
  readonly messages: SqliteMessagesRepository;
  readonly access: SqliteAccessRepository;
  readonly attachments: SqliteAttachmentsRepository;
  readonly feed: SqliteFeedRepository;
  readonly audit: SqliteAuditRepository;
  readonly alerting: SqliteAlertingRepository;
  readonly paging: SqlitePagingRepository;
  readonly intake: SqliteIntakeRepository;
  readonly requests: SqliteRequestsRepository;
  readonly stats: SqliteStatsRepository;
  /** Tests and tools only: the raw connection and drizzle handle (production code uses the repositories). */
  readonly sqlite: Database.Database;
  readonly db: Db;
  private readonly lock = new WriterLock();
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readerRepos: Repositories | undefined;
  private reader: Database_ | undefined;

  private constructor(
    private readonly database: Database_,
    private readonly dataDir: string,
  ) {
    this.sqlite = database.sqlite;
    this.db = database.db;
    const { sqlite } = database;
    const r = repositories(database);
    this.accounts = r.accounts;
    this.sessions = r.sessions;
    this.agreements = r.agreements;
    this.channels = r.channels;
    this.directory = r.directory;
    this.desks = r.desks;
    this.keys = r.keys;
    this.messages = r.messages;
    this.access = r.access;
    this.attachments = r.attachments;
    this.feed = r.feed;
    this.audit = r.audit;
    this.alerting = r.alerting;
    this.paging = r.paging;
    this.intake = r.intake;
    this.requests = r.requests;
    this.stats = r.stats;
    this.begin = sqlite.prepare('BEGIN IMMEDIATE');
    this.commit = sqlite.prepare('COMMIT');
    this.rollback = sqlite.prepare('ROLLBACK');
  }

  /** Opens (and unless read-only or told otherwise, migrates) the database in `dataDir`. */
  static open(dataDir: string, opts: { readonly?: boolean; migrate?: boolean } = {}): SqliteStore {
    const readonly = opts.readonly ?? false;
    const database = openDatabase(dataDir, { readonly });
    try {
      if (!readonly && (opts.migrate ?? true)) applyMigrations(database.db);
      return new SqliteStore(database, dataDir);
    } catch (err) {
      database.close();
      throw err;
    }
  }

  write<T>(fn: (tx: Tx) => T | CommitThenThrow | Promise<T | CommitThenThrow>): Promise<T> {
    return this.lock.run(() => this.unitOfWork(fn));
  }

  /**
   * BEGIN, body, COMMIT in one synchronous run when the body is synchronous: nothing else (another
   * request's microtask) can slip a statement into this transaction. Only an async body spans turns.
   */
  private unitOfWork<T>(fn: (tx: Tx) => T | CommitThenThrow | Promise<T | CommitThenThrow>): Promise<T> {
    const hooks: (() => void)[] = [];
    const tx: Tx = { ...this.writerRepos(), onCommit: (hook) => void hooks.push(hook) };
    this.begin.run();
    let out: T | CommitThenThrow | Promise<T | CommitThenThrow>;
    try {
      out = fn(tx);
    } catch (err) {
      this.abort();
      return Promise.reject(err);
    }
    if (out instanceof Promise) {
      return out.then(
        (value) => this.finish(value, hooks),
        (err: unknown) => {
          this.abort();
          throw err;
        },
      );
    }
    try {
      return Promise.resolve(this.finish(out, hooks));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** COMMIT (rolling back if the commit itself fails), then the after-commit hooks in order. */
  private finish<T>(out: T | CommitThenThrow, hooks: (() => void)[]): T {
    try {
      this.commit.run();
    } catch (err) {
      this.abort();
      throw err;
    }
    for (const hook of hooks) hook();
    if (out instanceof CommitThenThrow) throw out.error;
    return out;
  }

  private abort(): void {
    if (this.sqlite.inTransaction) this.rollback.run();
  }

  private writerRepos(): Repositories {
    const { accounts, sessions, agreements, channels, directory, desks, keys, messages, access, attachments, feed, audit, alerting, paging, intake, requests, stats } = this;
    return { accounts, sessions, agreements, channels, directory, desks, keys, messages, access, attachments, feed, audit, alerting, paging, intake, requests, stats };
  }

  async read<T>(fn: (repos: Repositories) => T | Promise<T>): Promise<T> {
    return fn(this.readers());
  }

  /** The reader connection's repositories, opened on first use (a read-only store reads on its one connection). */
  private readers(): Repositories {
    if (this.readerRepos) return this.readerRepos;
    if (this.sqlite.readonly) {
      this.readerRepos = this.writerRepos();
    } else {
      this.reader = openDatabase(this.dataDir, { readonly: true });
      this.readerRepos = repositories(this.reader);
    }
    return this.readerRepos;
  }

  groupCommit<J, R>(
    apply: (tx: Tx, job: J) => Promise<R>,
    afterCommit: (committed: R[]) => void,
    around?: <T>(run: () => Promise<T>) => Promise<T>,
  ): GroupCommitter<J, R> {
    return new GroupCommit(this.sqlite, this.writerRepos(), apply, afterCommit, around, this.lock);
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

  async ping(): Promise<void> {
    this.sqlite.prepare('SELECT 1').get();
  }

  async migrationsUpToDate(): Promise<boolean> {
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

  /** Synchronous underneath (better-sqlite3); `closeSync` for callers that cannot await. */
  async close(): Promise<void> {
    this.closeSync();
  }

  closeSync(): void {
    this.reader?.close();
    this.database.close();
  }
}
