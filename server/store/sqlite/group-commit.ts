import type Database from 'better-sqlite3';
import { GroupCommitQueue, type Outcome, type Pending } from '../group-commit-queue.ts';
import type { Repositories, Tx } from '../store.ts';
import { WriterLock } from './writer-lock.ts';

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
export class GroupCommit<J, R> extends GroupCommitQueue<J, R> {
  /** One transaction handle for every job: the writer's repositories, onCommit into `hooks`. */
  private readonly tx: Tx;
  private readonly s: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;

  constructor(
    private readonly sqlite: Database.Database,
    repos: Repositories,
    private readonly applyJob: (tx: Tx, job: J) => Promise<R>,
    afterCommit: (committed: R[]) => void,
    around: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
    lock: WriterLock = new WriterLock(),
  ) {
    super(afterCommit, around, lock);
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

  /**
   * BEGIN IMMEDIATE; per job SAVEPOINT, apply, RELEASE (or ROLLBACK TO + RELEASE: the job alone
   * fails); COMMIT. Any failure outside a job (BEGIN, a savepoint statement, COMMIT) rolls the whole
   * batch back and rejects, so every job rejects and nothing of the batch is stored.
   */
  protected async runBatch(batch: Pending<J, R>[]): Promise<Outcome<R>[]> {
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
