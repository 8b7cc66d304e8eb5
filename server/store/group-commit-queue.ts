import type { GroupCommitter } from './store.ts';
import type { WriterLock } from './sqlite/writer-lock.ts';

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface Pending<J, R> {
  job: J;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/** Upper bound per transaction, so one flush cannot hold the write lock for long. */
const MAX_BATCH = 512;

/**
 * The engine-neutral half of group commit (both stores' `groupCommit`): jobs submitted in the same
 * event-loop turn are flushed together on setImmediate, at most MAX_BATCH per batch, each batch under
 * the store's writer lock. The engine runs a batch (`runBatch`: one transaction, a savepoint per job,
 * after-commit hooks pushed to `hooks`); here its jobs settle only after the commit, the hooks run in
 * order, and `afterCommit` runs on the next turn, so acknowledgements leave before fan-out.
 */
export abstract class GroupCommitQueue<J, R> implements GroupCommitter<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled = false;
  /** The current batch's after-commit hooks (a job that rolls back drops its own). */
  protected hooks: (() => void)[] = [];
  private readonly flushNext = () => this.flush();

  constructor(
    private readonly afterCommit: (committed: R[]) => void,
    /** Wraps the batch transaction (the send path keeps its access caches across its own writes). */
    private readonly around: <T>(run: () => Promise<T>) => Promise<T>,
    private readonly lock: WriterLock,
  ) {}

  /** Runs one batch in one transaction; rejects (every job then rejects) when the transaction failed. */
  protected abstract runBatch(batch: Pending<J, R>[]): Promise<Outcome<R>[]>;

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
}
