import type pg from 'pg';
import { GroupCommitQueue, type Outcome, type Pending } from '../group-commit-queue.ts';
import type { Repositories, Tx } from '../store.ts';
import type { WriterLock } from '../sqlite/writer-lock.ts';

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
export class PgGroupCommit<J, R> extends GroupCommitQueue<J, R> {

  constructor(
    /** Runs `body` inside BEGIN … COMMIT (ROLLBACK on throw) under the write locks. */
    private readonly transaction: <T>(body: (t: BatchTransaction) => Promise<T>) => Promise<T>,
    private readonly applyJob: (tx: Tx, job: J) => Promise<R>,
    afterCommit: (committed: R[]) => void,
    around: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
    lock: WriterLock,
  ) {
    super(afterCommit, around, lock);
  }

  protected runBatch(batch: Pending<J, R>[]): Promise<Outcome<R>[]> {
    return this.transaction((t) => this.runJobs(t, batch));
  }

  /**
   * Per job: a savepoint, the job, and on failure ROLLBACK TO it (the job alone fails). Round trips are
   * what a send costs here while the global lock is held (docs/CLUSTER.md "Where a send's time goes"):
   * a batch of one job takes no savepoint (its failure rolls back the whole transaction, which rejects
   * just that job, as the queue does when a batch fails); between jobs, RELEASE and the next SAVEPOINT
   * go in one simple query; the last savepoint is not released (COMMIT keeps what it holds).
   */
  private async runJobs({ client, repos }: BatchTransaction, batch: Pending<J, R>[]): Promise<Outcome<R>[]> {
    const tx: Tx = { ...repos, onCommit: (hook) => void this.hooks.push(hook) };
    const savepoints = batch.length > 1;
    const outcomes: Outcome<R>[] = new Array<Outcome<R>>(batch.length);
    try {
      for (let i = 0; i < batch.length; i++) {
        const hooksBefore = this.hooks.length;
        if (savepoints) await client.query(i === 0 ? 'SAVEPOINT group_commit_job' : 'RELEASE SAVEPOINT group_commit_job; SAVEPOINT group_commit_job');
        try {
          outcomes[i] = { ok: true, value: await this.applyJob(tx, batch[i]!.job) };
        } catch (error) {
          if (!savepoints) throw error;
          await client.query('ROLLBACK TO SAVEPOINT group_commit_job');
          this.hooks.length = hooksBefore;
          outcomes[i] = { ok: false, error };
        }
      }
    } catch (error) {
      this.hooks.length = 0;
      throw error;
    }
    return outcomes;
  }
}
