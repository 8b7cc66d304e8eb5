import type { DomainEventBus } from '../events.ts';
import type { FeedData, FeedItem, FeedKind } from '../../shared/schemas/channels.ts';
import type { FeedRepository } from './repository.ts';

export type { FeedKind };

/** A feed item plus its routing: null recipient = the channel's members at that position. */
export type RoutedFeedItem = FeedItem & { recipientId: string | null };

/**
 * The ordered log every sync cursor and realtime event is based on. `append` runs inside the
 * caller's transaction; `publish` must be called only after that transaction committed, so nothing
 * is announced that could still roll back.
 */
export class FeedWriter {
  constructor(
    private readonly repo: FeedRepository,
    private readonly events: DomainEventBus,
  ) {}

  /** Appends inside the caller's transaction: `repo` is that transaction's feed repository (`tx.feed`). */
  async append<K extends FeedKind>(
    item: {
      channelId: string;
      kind: K;
      data: FeedData<K>;
      createdAt: number;
      /** Set for messages (joined at read time) and for rows that must vanish with a message (receipts). */
      messagePk?: number;
      recipientId?: string | null;
    },
    repo: FeedRepository,
  ): Promise<RoutedFeedItem> {
    const recipientId = item.recipientId ?? null;
    // Messages are joined from `messages` at read time; other kinds keep their JSON here.
    const payload = item.kind === 'message' ? null : JSON.stringify(item.data);
    const pos = await repo.insert(item.channelId, item.kind, item.messagePk ?? null, recipientId, payload, item.createdAt);
    // TS cannot correlate a generic kind with its data; the signature above already did.
    return { pos, kind: item.kind, channelId: item.channelId, data: item.data, createdAt: item.createdAt, recipientId } as RoutedFeedItem;
  }

  /**
   * Takes the next feed position without writing a row (AUTOINCREMENT never hands it out again):
   * gives a record that nobody is told about, like a receipt whose sender left, its place in the
   * order that membership spans are measured in. Runs inside the caller's transaction.
   */
  reservePos(repo: FeedRepository): Promise<number> {
    return repo.reservePos();
  }

  publish(items: readonly RoutedFeedItem[]): void {
    for (const item of items) this.events.emit('feed.appended', item);
  }
}
