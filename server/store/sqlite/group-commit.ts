import type Database from 'better-sqlite3';
import type { GroupCommitter } from '../store.ts';
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
 * lock like any unit of work (immediately when it is free, as it is unless a write is in flight).
 */
export class GroupCommit<J, R> implements GroupCommitter<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled = false;
  private readonly runJob: Database.Transaction<(job: J) => R>;
  private readonly runBatch: Database.Transaction<(batch: Pending<J, R>[]) => Outcome<R>[]>;

  constructor(
    private readonly sqlite: Database.Database,
    apply: (job: J) => R,
    private readonly afterCommit: (committed: R[]) => void,
    /** Wraps the batch transaction (the send path keeps its access caches across its own writes). */
    private readonly around: <T>(run: () => T) => T = (run) => run(),
    private readonly lock: WriterLock = new WriterLock(),
  ) {
    // Nested better-sqlite3 transactions are savepoints.
    this.runJob = sqlite.transaction(apply);
    this.runBatch = sqlite.transaction((batch: Pending<J, R>[]) =>
      batch.map((p): Outcome<R> => {
        try {
          return { ok: true, value: this.runJob(p.job) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Number of jobs waiting for the next flush (metrics, tests). */
  get pending(): number {
    return this.queue.length;
  }

  private flush(): void {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.scheduled = false;
    if (batch.length === 0) return;
    void this.lock.run(async () => this.apply(batch));
  }

  /** Applies one batch (holding the writer lock) and settles its jobs; never throws. */
  private apply(batch: Pending<J, R>[]): void {
    let outcomes: Outcome<R>[];
    try {
      outcomes = this.around(() => (this.sqlite.inTransaction ? this.runBatch(batch) : this.runBatch.immediate(batch)));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    const committed: R[] = [];
    outcomes.forEach((o, i) => {
      const p = batch[i]!;
      if (o.ok) {
        committed.push(o.value);
        p.resolve(o.value);
      } else {
        p.reject(o.error);
      }
    });
    if (committed.length > 0) setImmediate(() => this.afterCommit(committed));
  }
}
