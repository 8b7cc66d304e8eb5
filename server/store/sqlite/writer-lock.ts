/**
 * One writer at a time: units of work queue here, so an `await` inside one transaction can never
 * interleave another writer's statements on the shared connection. A free lock starts the task
 * synchronously (no extra turn on the uncontended path, which the send path depends on).
 */
export class WriterLock {
  private busy = false;
  private readonly waiters: (() => void)[] = [];

  run<T>(task: () => Promise<T>): Promise<T> {
    if (!this.busy) {
      this.busy = true;
      return this.hold(task);
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.hold(task));
  }

  /** True while a unit of work holds or is being handed the lock. */
  get held(): boolean {
    return this.busy;
  }

  private async hold<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      // Hand over on the next turn of the event loop, the lock staying busy so nobody can overtake the next
      // waiter: a queue of writers (each COMMIT an fsync) must not starve I/O — sockets, timers — until it drains.
      const next = this.waiters.shift();
      if (next) setImmediate(next);
      else this.busy = false;
    }
  }
}
