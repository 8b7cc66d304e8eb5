import type Database from 'better-sqlite3';
import type { GroupCommitter, Repositories, Tx } from '../store.ts';
import { WriterLock } from './writer-lock.ts';

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<J, R> {
  job: J;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/** Upper bound per transaction, so one flush cannot hold the write lock for long. */
const MAX_BATCH = 512;

/**
 * Group commit: jobs submitted in the same event-loop turn are applied in ONE immediate transaction
 * (one fsync with synchronous=FULL), flushed on setImmediate. Each job runs in its own savepoint, so
 * a failing job rolls back alone and rejects alone; if the commit itself fails, every job rejects
 * and nothing of the batch is stored. Promises settle only after the commit, then `afterCommit`
 * runs on the next turn, so acknowledgements leave before fan-out. A batch takes the store's writer
 * lock like any unit of work (immediately when it is free, as it is unless a write is in flight), so
 * `apply` may await between its statements: nothing else writes on the connection meanwhile, and the
 * savepoint of a job is released (or rolled back) only once its promise settled.
 */
export class GroupCommit<J, R> implements GroupCommitter<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled = false;
  /** One transaction handle for every job: the writer's repositories, onCommit into `hooks`. */
  private readonly tx: Tx;
  /** The current batch's after-commit hooks (a job that rolls back drops its own). */
  private hooks: (() => void)[] = [];
  private readonly s: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;
  private readonly flushNext = () => this.flush();

  constructor(
    private readonly sqlite: Database.Database,
    repos: Repositories,
    private readonly applyJob: (tx: Tx, job: J) => Promise<R>,
    private readonly afterCommit: (committed: R[]) => void,
    /** Wraps the batch transaction (the send path keeps its access caches across its own writes). */
    private readonly around: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
    private readonly lock: WriterLock = new WriterLock(),
  ) {
    this.tx = { ...repos, onCommit: (hook) => void this.hooks.push(hook) };
    this.s = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      savepoint: sqlite.prepare('SAVEPOINT group_commit_job'),
      release: sqlite.prepare('RELEASE group_commit_job'),
      rollbackTo: sqlite.prepare('ROLLBACK TO group_commit_job'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
    };
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushNext);
      }
    });
  }

  /** Number of jobs waiting for the next flush (metrics, tests). */
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

  /** Applies one batch (holding the writer lock) and settles its jobs; never rejects. */
  private async apply(batch: Pending<J, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.around(() => this.runBatch(batch));
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

  /**
   * BEGIN IMMEDIATE; per job SAVEPOINT, apply, RELEASE (or ROLLBACK TO + RELEASE: the job alone
   * fails); COMMIT. Any failure outside a job (BEGIN, a savepoint statement, COMMIT) rolls the whole
   * batch back and rejects, so every job rejects and nothing of the batch is stored.
   */
  private async runBatch(batch: Pending<J, R>[]): Promise<Outcome<R>[]> {
    const s = this.s;
    s.begin.run();
    try {
      const outcomes: Outcome<R>[] = new Array<Outcome<R>>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const hooksBefore = this.hooks.length;
        s.savepoint.run();
        try {
          outcomes[i] = { ok: true, value: await this.applyJob(this.tx, batch[i]!.job) };
        } catch (error) {
          s.rollbackTo.run();
          this.hooks.length = hooksBefore;
          outcomes[i] = { ok: false, error };
        }
        s.release.run();
      }
      s.commit.run();
      return outcomes;
    } catch (error) {
      this.hooks.length = 0;
      if (this.sqlite.inTransaction) s.rollback.run();
      throw error;
    }
  }
}
