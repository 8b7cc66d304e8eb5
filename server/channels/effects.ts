import type { DomainEventBus } from '../events.ts';
import type { FeedWriter, RoutedFeedItem } from '../feed/feed.ts';

/** What a committed channel change announces; collected inside the transaction, published after commit. */
export class Effects {
  readonly items: RoutedFeedItem[] = [];
  readonly changes: { channelId: string; added: string[]; removed: string[] }[] = [];
  readonly channelIds = new Set<string>();

  constructor(
    private readonly feed: FeedWriter,
    private readonly events: DomainEventBus,
  ) {}

  membersChanged(channelId: string, added: string[], removed: string[]): void {
    if (added.length > 0 || removed.length > 0) this.changes.push({ channelId, added, removed });
  }

  publish(): void {
    // Sockets move before the items go out, so a removed officer's socket never receives them.
    for (const c of this.changes) this.events.emit('channel.members_changed', c);
    this.feed.publish(this.items);
  }
}
