import type { FeedItem } from '../../shared/schemas/channels.ts';
import { storedMessageJson, toStoredMessage } from '../messages/stored-message.ts';
import type { FeedRepository, FeedRow } from './repository.ts';

export interface SyncPage {
  items: FeedItem[];
  cursor: number;
  hasMore: boolean;
}

/**
 * One ordered source of visible positions: a membership span [fromPos, untilPos) of one channel
 * (channel-wide items only), or the officer's personal items. Positions are fetched lazily in
 * chunks that double on every refill, so a page reads about what it returns.
 */
interface Stream {
  /** null = the officer's personal items. */
  channelId: string | null;
  /** Last position fetched (exclusive lower bound of the next fetch). */
  after: number;
  /** Exclusive upper bound (the span's untilPos). */
  until: number;
  buffer: number[];
  next: number;
  chunk: number;
  exhausted: boolean;
}

const NO_END = Number.MAX_SAFE_INTEGER;
const MIN_CHUNK = 4;

/**
 * Reads the feed for one officer: items after the cursor addressed to them, or in a channel during
 * one of their membership spans, in `pos` order. Each span (feed_channel_idx) and the personal items
 * (feed_recipient_idx) are walked as separate index ranges with the LIMIT pushed into each walk and
 * merged here, so a page costs about its own size (plus a few rows per span), not the whole backlog
 * after the cursor; then only the page's rows are read in full.
 */
export class FeedReader {
  /** `repo` is the feed repository to read through: committed state (`store.read`) for sync. */
  async read(repo: FeedRepository, officerId: string, cursor: number, limit: number): Promise<SyncPage> {
    const { rows, hasMore } = await this.pageRows(repo, officerId, cursor, limit);
    const items = rows.map(toItem);
    return { items, cursor: items.length > 0 ? items[items.length - 1]!.pos : cursor, hasMore };
  }

  /**
   * The same page as read(), as the JSON the sync route sends: stored JSON (envelopes, payloads) is
   * embedded as it is rather than parsed into objects and serialised again, which is most of a
   * page's cost. JSON.parse(readJson(…)) deep-equals read(…).
   */
  async readJson(repo: FeedRepository, officerId: string, cursor: number, limit: number): Promise<string> {
    const { rows, hasMore } = await this.pageRows(repo, officerId, cursor, limit);
    let items = '';
    for (const r of rows) {
      const data = r.kind === 'message' ? storedMessageJson(r) : (r.payload ?? 'null');
      items += `${items ? ',' : ''}{"pos":${r.pos},"kind":${JSON.stringify(r.kind)},"channelId":${JSON.stringify(r.channelId)},"data":${data},"createdAt":${r.createdAt}}`;
    }
    const next = rows.length > 0 ? rows[rows.length - 1]!.pos : cursor;
    return `{"items":[${items}],"cursor":${next},"hasMore":${hasMore}}`;
  }

  private async pageRows(repo: FeedRepository, officerId: string, cursor: number, limit: number): Promise<{ rows: FeedRow[]; hasMore: boolean }> {
    const positions = await this.positions(repo, officerId, cursor, limit + 1);
    const hasMore = positions.length > limit;
    if (hasMore) positions.length = limit;
    const rows = positions.length > 0 ? await repo.rowsAt(positions) : [];
    return { rows, hasMore };
  }

  /**
   * The first `want` visible positions after `cursor`, ascending, without duplicates, up to the feed's
   * head as it stood when the read began. The walks below are separate statements, each on the
   * committed state of its own moment (on PostgreSQL each its own snapshot; on SQLite a commit can
   * land between two awaits): without the bound, a channel walked after a commit could return a
   * position above one that another stream, walked before that commit, did not see yet — the client's
   * cursor would then move past it for good. Commit order is position order (one writer at a time),
   * so every position at or below the head read first is already committed and seen by every walk.
   */
  private async positions(repo: FeedRepository, officerId: string, cursor: number, want: number): Promise<number[]> {
    const head = await repo.head();
    if (head <= cursor) return [];
    const end = head + 1;
    const spans = await repo.spansOf(officerId, cursor + 1);
    const chunk = Math.max(MIN_CHUNK, Math.ceil(want / (spans.length + 1)) + 1);
    const streams: Stream[] = [{ channelId: null, after: cursor, until: end, buffer: [], next: 0, chunk, exhausted: false }];
    for (const s of spans) {
      const until = Math.min(s.untilPos ?? NO_END, end);
      const after = Math.max(cursor, s.fromPos - 1);
      if (until > after + 1) streams.push({ channelId: s.channelId, after, until, buffer: [], next: 0, chunk, exhausted: false });
    }
    const out: number[] = [];
    let last = cursor;
    while (out.length < want) {
      let best: Stream | undefined;
      let bestPos = NO_END;
      for (const s of streams) {
        // Only a stream whose buffer ran out awaits its next chunk; buffered heads are read synchronously.
        if (s.next >= s.buffer.length && !s.exhausted) await this.refill(repo, officerId, s);
        const head = s.next < s.buffer.length ? s.buffer[s.next] : undefined;
        if (head !== undefined && head < bestPos) {
          bestPos = head;
          best = s;
        }
      }
      if (!best) break;
      best.next++;
      // Overlapping spans of one channel would yield a position twice.
      if (bestPos > last) {
        out.push(bestPos);
        last = bestPos;
      }
    }
    return out;
  }

  /** Fetches the stream's next chunk of positions (its buffer ran out). */
  private async refill(repo: FeedRepository, officerId: string, s: Stream): Promise<void> {
    const rows = s.channelId === null ? await repo.personalWalk(officerId, s.after, s.until, s.chunk) : await repo.channelWalk(s.channelId, s.after, s.until, s.chunk);
    s.exhausted = rows.length < s.chunk;
    s.buffer = rows;
    s.next = 0;
    s.chunk *= 2;
    if (rows.length > 0) s.after = rows[rows.length - 1]!;
  }
}

export function toItem(r: FeedRow): FeedItem {
  const data: unknown = r.kind === 'message' ? toStoredMessage(r) : JSON.parse(r.payload ?? 'null');
  // The payload is what FeedWriter.append (typed per kind) stored for this kind.
  return { pos: r.pos, kind: r.kind, channelId: r.channelId, data, createdAt: r.createdAt } as FeedItem;
}
