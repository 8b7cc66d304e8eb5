import type { DeskNotice } from '../../shared/realtime.ts';
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

/** A desk notice (content-free, not durable) for the sockets of `officerIds` on every node. */
export interface DeskBroadcast {
  officerIds: string[];
  notice: DeskNotice;
}

export interface ClusterHandlers {
  /** Every committed feed item of every node, in position order, each exactly once per node. */
  feed(items: ClusterFeedItem[]): void;
  sessions(notice: SessionNotice): void;
  /** A desk notice published by any node (this one included) with `broadcastDesk`. */
  desk(broadcast: DeskBroadcast): void;
}

export interface ClusterFollower {
  /**
   * Settles once the follower knows its start position (the end of the feed at its first connect):
   * every item committed later reaches `feed`. Sockets are let in only after it (docs/CLUSTER.md
   * "Fan-out from the feed"), so what a client's sync on connect does not see reaches it live.
   */
  positioned: Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterPort {
  /** This node's id (NODE_ID): names its blob temp folder and its log lines. */
  readonly nodeId: string;
  /**
   * Starts following the database (one dedicated LISTEN connection, a safety poll, re-reads after a
   * reconnect) from the end of the feed at the first connect, in the background (reconnecting until
   * it succeeds).
   */
  follow(handlers: ClusterHandlers): ClusterFollower;
  /**
   * Runs `fn` only if no other node is running work under `key` (a session advisory lock held for
   * the duration); false when another node holds it (the caller skips this round).
   */
  runExclusive(key: number, fn: () => Promise<void>): Promise<boolean>;
  /**
   * Sends a desk notice to every node's `desk` handler, this node's included (after the change
   * committed; like presence it is not durable: a node not listening at that moment misses it, and
   * the desk's request list has the rest). Rejects when the database cannot be reached.
   */
  broadcastDesk(broadcast: DeskBroadcast): Promise<void>;
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
