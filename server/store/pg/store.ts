import type pg from 'pg';
import { AppError } from '../../errors.ts';
import { CommitThenThrow, type GroupCommitter, type Repositories, type Store, type Tx } from '../store.ts';
import { WriterLock } from '../sqlite/writer-lock.ts';
import { applyMigrations, createPool, migrationsUpToDate, prepareSchema, schemaName, type PgOptions } from './client.ts';
import { PgGroupCommit, type BatchTransaction } from './group-commit.ts';
import { FEED_CHANNEL, PgCluster } from './cluster.ts';
import { pgRepositories, type PgRepositories } from './repositories.ts';

/**
 * Transaction-scoped advisory lock key taken by EVERY write transaction (docs/CLUSTER.md "One write
 * lock"): write transactions are serial across all nodes, as on SQLite, so per-channel seq, the feed
 * position, the audit chain and the key-transparency log are assigned in commit order.
 */
export const WRITE_LOCK_KEY = 0x4c69_7772; // 'Liwr'

/**
 * The PostgreSQL implementation of the storage port (docs/CLUSTER.md). A `pg.Pool`; a unit of work is
 * one pooled client: BEGIN, `pg_advisory_xact_lock(WRITE_LOCK_KEY)`, body, COMMIT, then the onCommit
 * hooks in order. Writers of this node first queue on an in-process WriterLock (as on SQLite), so at
 * most one pooled client waits for the global lock per node and the pool never starves the lock
 * holder's reads. `read` runs on the pool, outside any transaction (committed state).
 */
export class PgStore implements Store {
  readonly accounts;
  readonly sessions;
  readonly agreements;
  readonly channels;
  readonly directory;
  readonly desks;
  readonly keys;
  readonly messages;
  readonly access;
  readonly attachments;
  readonly feed;
  readonly audit;
  readonly alerting;
  readonly paging;
  readonly intake;
  readonly requests;
  readonly stats;
  private readonly lock = new WriterLock();
  /** Bumped when a write transaction of this node begins and ends: the access caches' stamp (AccessRepository.changeStamp). */
  private writes = 0;
  private open = true;
  private readonly poolRepos: PgRepositories;
  /** Several nodes on one database: fan-out from the feed, session notices, one-node-at-a-time jobs (docs/CLUSTER.md). */
  readonly cluster: PgCluster;
  private readonly readonly: boolean;

  private constructor(
    /** Tests and tools only: the pool (production code uses the repositories). */
    readonly pool: pg.Pool,
    /** The PostgreSQL schema the store lives in (DATABASE_SCHEMA, default public). */
    readonly schema: string,
    opts: PgOptions & { nodeId?: string },
  ) {
    this.readonly = opts.readonly ?? false;
    this.cluster = new PgCluster(pool, { ...opts, schema }, opts.nodeId ?? `node-${process.pid}`);
    const r = (this.poolRepos = this.repositories(pool));
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
  }

  /** Connects, creates the schema if missing and (unless told otherwise) applies pending migrations. */
  static async open(opts: PgOptions & { migrate?: boolean; nodeId?: string }): Promise<PgStore> {
    const schema = schemaName(opts.schema);
    const pool = createPool(opts);
    try {
      // Read-only (verification tools): no schema creation, no migrations, and PostgreSQL refuses any write.
      if (!opts.readonly) {
        await prepareSchema(pool, schema);
        if (opts.migrate ?? true) await applyMigrations(pool, schema);
      }
      return new PgStore(pool, schema, opts);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
  }

  private repositories(executor: pg.Pool | pg.PoolClient): PgRepositories {
    // Other nodes' commits count too (their feed notifications), so access caches see them.
    return pgRepositories(executor, { changeStamp: () => `${this.writes}:${this.cluster.remoteChanges}` });
  }

  write<T>(fn: (tx: Tx) => T | CommitThenThrow | Promise<T | CommitThenThrow>): Promise<T> {
    return this.lock.run(async () => {
      const hooks: (() => void)[] = [];
      const out = await this.transaction(async ({ repos }) => fn({ ...repos, onCommit: (hook) => void hooks.push(hook) }));
      for (const hook of hooks) hook();
      if (out instanceof CommitThenThrow) throw out.error;
      return out;
    });
  }

  /**
   * BEGIN, the global write lock, `body`, COMMIT on one pooled client (the caller holds the node's
   * WriterLock); ROLLBACK when anything throws. A client whose connection broke is destroyed, not reused.
   */
  private async transaction<T>(body: (t: BatchTransaction) => Promise<T>): Promise<T> {
    if (!this.open) throw new AppError(503, 'unavailable', 'The store is closed');
    const client = await this.pool.connect();
    let broken: Error | undefined;
    this.writes++;
    try {
      // One round trip: a simple query may hold several statements (the key is a constant and the token
      // a random UUID, neither is input). `liaison.writer` names this store in the notifications the
      // tables' triggers send (migrations/pg/0004_change_notify.sql).
      await client.query(`BEGIN; SET LOCAL liaison.writer = '${this.cluster.writerToken}'; SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`);
      try {
        const out = await body({ client, repos: this.repositories(client) });
        // The notification is queued by the transaction and delivered only if it commits: every node's
        // feed reader (PgCluster) then reads what this transaction appended. Its payload names this
        // store (a random UUID, safe as a literal), so its own listener keeps the access caches.
        await client.query(`NOTIFY ${FEED_CHANNEL}, '${this.cluster.writerToken}'; COMMIT`);
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: unknown) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
        throw err;
      }
    } finally {
      this.writes++;
      client.release(broken);
    }
  }

  async read<T>(fn: (repos: Repositories) => T | Promise<T>): Promise<T> {
    return fn(this.poolRepos);
  }

  groupCommit<J, R>(
    apply: (tx: Tx, job: J) => Promise<R>,
    afterCommit: (committed: R[]) => void,
    around?: <T>(run: () => Promise<T>) => Promise<T>,
  ): GroupCommitter<J, R> {
    return new PgGroupCommit((body) => this.transaction(body), apply, afterCommit, around, this.lock);
  }

  /** True while a write transaction of this node is open or queued to open. */
  get inTransaction(): boolean {
    return this.lock.held;
  }

  get isOpen(): boolean {
    return this.open;
  }

  get writable(): boolean {
    return !this.readonly;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  migrationsUpToDate(): Promise<boolean> {
    return migrationsUpToDate(this.pool, this.schema);
  }

  async backup(_file?: string): Promise<void> {
    throw new AppError(
      400,
      'bad_request',
      'The PostgreSQL store is backed up with PostgreSQL tools (pg_dump, or pg_basebackup with WAL archiving), not `liaison backup`; see docs/CLUSTER.md "Backups"',
    );
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    // Writes in flight finish first (the writer lock hands over in order).
    await this.lock.run(async () => {});
    await this.pool.end();
  }
}
