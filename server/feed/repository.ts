import type { FeedItem } from '../../shared/schemas/channels.ts';
import type { StoredMessageRow } from '../messages/stored-message.ts';

/** Storage port for the feed (the ordered log behind sync and realtime). SQL lives in server/store/sqlite/. */

/** A feed row with the message it carries joined in (message columns are null for other kinds). */
export interface FeedRow extends StoredMessageRow {
  pos: number;
  kind: FeedItem['kind'];
  channelId: string;
  payload: string | null;
  createdAt: number;
}

export interface SpanRow {
  channelId: string;
  fromPos: number;
  untilPos: number | null;
}

/** Every method returns a promise (the port is asynchronous for engines with real I/O). */
export interface FeedRepository {
  /** Appends a row and returns its position. */
  insert(channelId: string, kind: FeedItem['kind'], messagePk: number | null, recipientId: string | null, payload: string | null, createdAt: number): Promise<number>;
  /**
   * Takes the next position without writing a row; positions are never handed out twice. Runs
   * inside the caller's transaction.
   */
  reservePos(): Promise<number>;
  /** The officer's membership spans that end after `afterPos` (or are open). */
  spansOf(officerId: string, afterPos: number): Promise<SpanRow[]>;
  /** Channel-wide positions of the channel in (after, until), ascending, at most `limit`. */
  channelWalk(channelId: string, after: number, until: number, limit: number): Promise<number[]>;
  /** Positions addressed to the officer in (after, until), ascending, at most `limit`. */
  personalWalk(officerId: string, after: number, until: number, limit: number): Promise<number[]>;
  /** The highest committed position (0 when the feed is empty). */
  head(): Promise<number>;
  /** The full rows at the given positions, ascending. */
  rowsAt(positions: readonly number[]): Promise<FeedRow[]>;
}
