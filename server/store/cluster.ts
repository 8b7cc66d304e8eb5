import type { RoutedFeedItem } from '../feed/feed.ts';

/**
 * What several nodes on one database share beyond the repositories (docs/CLUSTER.md "Several
 * nodes"). Only the PostgreSQL store implements it; on SQLite (one node) `Store.cluster` is undefined
 * and realtime delivers from the in-process `feed.appended` event as before.
 */

/** A committed feed item with its recipients: the officer for a personal item, else the channel's members at that position. */
export interface ClusterFeedItem {
  item: RoutedFeedItem;
  /** Officers whose membership span covers the item's position (channel-wide items); the recipient for personal ones. */
  officerIds: string[];
}

/** Sessions revoked by some node's committed transaction (logout, revocation, suspension, refresh-token reuse). */
export interface SessionNotice {
  officerId: string;
  sessionIds: string[];
  reason: string;
}

export interface ClusterHandlers {
  /** Every committed feed item of every node, in position order, each exactly once per node. */
  feed(items: ClusterFeedItem[]): void;
  sessions(notice: SessionNotice): void;
}

export interface ClusterPort {
  /** This node's id (NODE_ID): names its blob temp folder and its log lines. */
  readonly nodeId: string;
  /**
   * Starts following the database (one dedicated LISTEN connection, a safety poll, re-reads after a
   * reconnect) from the end of the feed at the first connect, in the background (reconnecting until
   * it succeeds). The returned function stops.
   */
  follow(handlers: ClusterHandlers): () => Promise<void>;
  /**
   * Runs `fn` only if no other node is running work under `key` (a session advisory lock held for
   * the duration); false when another node holds it (the caller skips this round).
   */
  runExclusive(key: number, fn: () => Promise<void>): Promise<boolean>;
}

/** Advisory-lock keys of the jobs that run on one node at a time (PostgreSQL; docs/CLUSTER.md). */
export const JOB_LOCK = {
  retention: 0x4c69_7274, // 'Lirt'
  paging: 0x4c69_7067, // 'Lipg'
  reachability: 0x4c69_7263, // 'Lirc'
  requestReminders: 0x4c69_7271, // 'Lirq'
} as const;

/**
 * A scheduler tick that runs on one node at a time when several share the database (the others skip
 * the round; the next tick tries again), and as it is on a single node. Never rejects: a database
 * that cannot be reached for the lock skips the round.
 */
export function oneNodeAtATime(cluster: ClusterPort | undefined, key: number, tick: () => unknown): () => Promise<void> {
  if (!cluster) return async () => void (await tick());
  return async () => {
    await cluster.runExclusive(key, async () => void (await tick())).catch(() => false);
  };
}
