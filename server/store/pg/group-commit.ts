import type pg from 'pg';
import type { GroupCommitter, Repositories, Tx } from '../store.ts';
import type { WriterLock } from '../sqlite/writer-lock.ts';

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<J, R> {
  job: J;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/** Upper bound per transaction, so one flush cannot hold the write lock for long. */
const MAX_BATCH = 512;

/** What the store lends a batch: a client inside BEGIN + the global write lock, and its repositories. */
export interface BatchTransaction {
  client: pg.PoolClient;
  repos: Repositories;
}

/**
 * Group commit on PostgreSQL, with the SQLite version's semantics (server/store/sqlite/group-commit.ts):
 * jobs submitted in the same event-loop turn are applied in ONE transaction (one WAL flush), flushed on
 * setImmediate; each job runs in its own SAVEPOINT, so a failing job rolls back alone and rejects
 * alone; if BEGIN, a savepoint statement or COMMIT fails, every job rejects and nothing of the batch is
 * stored. Promises settle only after the commit, then `afterCommit` runs on the next turn. A batch
 * takes the node's writer lock and, inside the transaction, the global write lock (PgStore.transaction).
 */
export class PgGroupCommit<J, R> implements GroupCommitter<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled = false;
  private hooks: (() => void)[] = [];
  private readonly flushNext = () => this.flush();

  constructor(
    /** Runs `body` inside BEGIN … COMMIT (ROLLBACK on throw) under the write locks. */
    private readonly transaction: <T>(body: (t: BatchTransaction) => Promise<T>) => Promise<T>,
    private readonly applyJob: (tx: Tx, job: J) => Promise<R>,
    private readonly afterCommit: (committed: R[]) => void,
    private readonly around: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
    private readonly lock: WriterLock,
  ) {}

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushNext);
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private flush(): void {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) setImmediate(this.flushNext);
    else this.scheduled = false;
    if (batch.length === 0) return;
    void this.lock.run(() => this.apply(batch));
  }

  /** Applies one batch and settles its jobs; never rejects. */
  private async apply(batch: Pending<J, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.around(() => this.transaction((t) => this.runBatch(t, batch)));
    } catch (error) {
      this.hooks.length = 0;
      for (const p of batch) p.reject(error);
      return;
    }
    if (this.hooks.length > 0) {
      const hooks = this.hooks;
      this.hooks = [];
      for (const hook of hooks) hook();
    }
    const committed: R[] = [];
    for (let i = 0; i < batch.length; i++) {
      const o = outcomes[i]!;
      const p = batch[i]!;
      if (o.ok) {
        committed.push(o.value);
        p.resolve(o.value);
      } else {
        p.reject(o.error);
      }
    }
    if (committed.length > 0) setImmediate(() => this.afterCommit(committed));
  }

  /** Per job: SAVEPOINT, apply, RELEASE (or ROLLBACK TO + RELEASE: the job alone fails). */
  private async runBatch({ client, repos }: BatchTransaction, batch: Pending<J, R>[]): Promise<Outcome<R>[]> {
    const tx: Tx = { ...repos, onCommit: (hook) => void this.hooks.push(hook) };
    const outcomes: Outcome<R>[] = new Array<Outcome<R>>(batch.length);
    try {
      for (let i = 0; i < batch.length; i++) {
        const hooksBefore = this.hooks.length;
        await client.query('SAVEPOINT group_commit_job');
        try {
          outcomes[i] = { ok: true, value: await this.applyJob(tx, batch[i]!.job) };
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT group_commit_job');
          this.hooks.length = hooksBefore;
          outcomes[i] = { ok: false, error };
        }
        await client.query('RELEASE SAVEPOINT group_commit_job');
      }
    } catch (error) {
      this.hooks.length = 0;
      throw error;
    }
    return outcomes;
  }
}
