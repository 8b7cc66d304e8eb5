import { Observable } from './observable.ts';

export type OutboxStatus = 'queued' | 'sending' | 'failed';

export interface OutboxEntry<T> {
  /** The message's client id: the SDK's idempotency key, the same on every attempt. */
  messageId: string;
  channelId: string;
  /** What to send (kept in memory only, while unlocked). */
  item: T;
  status: OutboxStatus;
  queuedAt: number;
}

/**
 * Sends made offline (or failing on the network) wait here with their client ids and go out when the
 * connection returns, in order (docs/WEB.md "Outbox"). A network failure while flushing stops the flush
 * and leaves the entry queued; any other failure marks it `failed` until the officer retries it. Entries
 * live in memory only: nothing is written in plaintext to the browser's storage.
 */
export class Outbox<T> {
  readonly entries = new Observable<OutboxEntry<T>[]>([]);
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly send: (entry: OutboxEntry<T>) => Promise<void>,
    private readonly isNetworkError: (err: unknown) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  enqueue(channelId: string, messageId: string, item: T): OutboxEntry<T> {
    const entry: OutboxEntry<T> = { messageId, channelId, item, status: 'queued', queuedAt: this.now() };
    this.entries.update((list) => [...list, entry]);
    return entry;
  }

  get(messageId: string): OutboxEntry<T> | undefined {
    return this.entries.get().find((e) => e.messageId === messageId);
  }

  /** A failed entry goes back into the queue, and the queue is flushed. */
  retry(messageId: string): Promise<void> {
    this.set(messageId, 'queued');
    return this.flush();
  }

  /** Sends the queued entries in order; one flush at a time (a second call waits for the running one). */
  flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = this.entries.get().find((e) => e.status === 'queued');
      if (!next) return;
      this.set(next.messageId, 'sending');
      try {
        await this.send(next);
        this.entries.update((list) => list.filter((e) => e.messageId !== next.messageId));
      } catch (err) {
        if (this.isNetworkError(err)) {
          // Still offline: keep it (and everything after it) queued for the next flush, in order.
          this.set(next.messageId, 'queued');
          return;
        }
        this.set(next.messageId, 'failed');
      }
    }
  }

  private set(messageId: string, status: OutboxStatus): void {
    this.entries.update((list) => list.map((e) => (e.messageId === messageId ? { ...e, status } : e)));
  }
}
