import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RoutedFeedItem } from '../../feed/feed.ts';
import type { FeedRow } from '../../feed/repository.ts';
import { toItem } from '../../feed/sync.ts';
import type { ClusterFeedItem, ClusterFollower, ClusterHandlers, ClusterPort, DeskBroadcast, SessionNotice } from '../cluster.ts';
import { withDefaultUser, type PgOptions } from './client.ts';
import { PgFeedRepository } from './feed-repository.ts';
import { STORED_MESSAGE_COLUMNS } from './stored-message-columns.ts';

/** NOTIFY channel every write transaction signals before COMMIT (delivered only if it commits). */
export const FEED_CHANNEL = 'liaison_feed';
/** NOTIFY channel of session revocations (payload: SessionNotice as JSON), sent by the revoking transaction. */
export const SESSION_CHANNEL = 'liaison_session';
/** NOTIFY channel of desk notices (payload: DeskBroadcast as JSON), sent after the change committed. */
export const DESK_CHANNEL = 'liaison_desk';
/** Officers per desk notification: keeps the payload far below PostgreSQL's 8,000-byte NOTIFY limit. */
const DESK_OFFICERS_PER_NOTIFY = 100;
/** Safety poll: a lost notification (LISTEN connection down) delays delivery by at most this. */
const POLL_MS = 2_000;
const PAGE = 500;
const RECONNECT_MS = 500;

interface SpanRow {
  channelId: string;
  officerId: string;
  fromPos: number;
  untilPos: number | null;
}

/**
 * Fan-out across nodes from the feed (docs/CLUSTER.md): one dedicated LISTEN connection per node;
 * on a notification, on a 2 s poll and after every (re)connect it reads `feed WHERE pos > last ORDER
 * BY pos` and hands the items, with their recipients from the membership spans, to the handlers.
 * Every write transaction holds the global write lock, so commit order is position order and a read
 * sees a prefix of the feed: `last` never skips a row that commits later.
 */
export class PgCluster implements ClusterPort {
  /**
   * Feed notifications of other writers (other nodes, the CLI) and LISTEN reconnects: part of the
   * access caches' change stamp. This store's own commits are already in it (PgStore's write counter),
   * so its own notifications, recognised by `writerToken`, do not clear the caches.
   */
  remoteChanges = 0;
  /** The payload of this store's feed notifications (random per store, so two stores in one process differ). */
  readonly writerToken = randomUUID();

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PgOptions & { schema: string },
    readonly nodeId: string,
  ) {}

  follow(handlers: ClusterHandlers): ClusterFollower {
    let markPositioned!: () => void;
    const positioned = new Promise<void>((resolve) => {
      markPositioned = resolve;
    });
    /** The last position handed to the handlers; read at the first successful connect (the current end of the feed). */
    let last: number | null = null;
    let stopped = false;
    let client: pg.Client | null = null;
    let running: Promise<void> | null = null;
    let again = false;

    const drainOnce = async (): Promise<void> => {
      if (last === null) return;
      for (;;) {
        const after: number = last;
        const rows: (FeedRow & { recipientId: string | null })[] = (await this.pool.query<FeedRow & { recipientId: string | null }>(
          `SELECT f.pos, f.kind, f.channel_id AS "channelId", f.recipient_id AS "recipientId", f.payload, f.created_at AS "createdAt", ${STORED_MESSAGE_COLUMNS}
           FROM feed f LEFT JOIN messages m ON m.pk = f.message_pk AND f.kind = 'message'
           WHERE f.pos > $1 ORDER BY f.pos LIMIT $2`,
          [after, PAGE],
        )).rows;
        if (rows.length === 0 || stopped) return;
        const first = rows[0]!.pos;
        const end: number = rows[rows.length - 1]!.pos;
        const channelIds = [...new Set(rows.filter((r) => r.recipientId === null).map((r) => r.channelId))];
        const spans = channelIds.length === 0 ? [] : (await this.pool.query<SpanRow>(
          `SELECT channel_id AS "channelId", officer_id AS "officerId", from_pos AS "fromPos", until_pos AS "untilPos" FROM channel_members
           WHERE channel_id = ANY($1::text[]) AND from_pos <= $2 AND (until_pos IS NULL OR until_pos > $3)`,
          [channelIds, end, first],
        )).rows;
        const byChannel = new Map<string, SpanRow[]>();
        for (const s of spans) byChannel.set(s.channelId, [...(byChannel.get(s.channelId) ?? []), s]);
        const out: ClusterFeedItem[] = [];
        for (const r of rows) {
          // A message row whose message is gone (retention ran meanwhile) has nothing to deliver.
          if (r.kind === 'message' && (r.mId as string | null) === null) continue;
          const item = { ...toItem(r), recipientId: r.recipientId } as RoutedFeedItem;
          // Spans are [fromPos, untilPos): the same visibility rule as sync (server/feed/sync.ts).
          const officerIds =
            r.recipientId !== null
              ? [r.recipientId]
              : [...new Set((byChannel.get(r.channelId) ?? []).filter((s) => s.fromPos <= r.pos && (s.untilPos === null || s.untilPos > r.pos)).map((s) => s.officerId))];
          out.push({ item, officerIds });
        }
        last = end;
        if (out.length > 0) handlers.feed(out);
        if (rows.length < PAGE) return;
      }
    };
    /** One drain at a time; a request while one runs makes it go round once more. */
    const drain = (): void => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = (async () => {
        do {
          again = false;
          try {
            await drainOnce();
          } catch {
            // Database unreachable: the poll (or the next notification) retries from the same position.
            return;
          }
        } while (again && !stopped);
      })().finally(() => {
        running = null;
      });
    };

    const connect = async (): Promise<void> => {
      while (!stopped) {
        const c = new pg.Client({ connectionString: withDefaultUser(this.opts.url), options: `-c search_path=${this.opts.schema}`, application_name: `liaison-listen-${this.nodeId}` });
        c.on('error', () => {});
        try {
          await c.connect();
          c.on('notification', (n) => {
            if (n.channel === FEED_CHANNEL) {
              if (n.payload !== this.writerToken) this.remoteChanges++;
              drain();
            } else if (n.channel === DESK_CHANNEL && n.payload) {
              try {
                handlers.desk(JSON.parse(n.payload) as DeskBroadcast);
              } catch {
                /* a malformed payload is not ours */
              }
            } else if (n.channel === SESSION_CHANNEL && n.payload) {
              try {
                handlers.sessions(JSON.parse(n.payload) as SessionNotice);
              } catch {
                /* a malformed payload is not ours */
              }
            }
          });
          c.on('end', () => {
            if (client === c) client = null;
            if (!stopped) setTimeout(() => void connect(), RECONNECT_MS).unref();
          });
          await c.query(`LISTEN ${FEED_CHANNEL}`);
          await c.query(`LISTEN ${SESSION_CHANNEL}`);
          await c.query(`LISTEN ${DESK_CHANNEL}`);
          last ??= await new PgFeedRepository(c).head();
          markPositioned();
          client = c;
          // Anything committed while not listening is read now.
          this.remoteChanges++;
          drain();
          return;
        } catch {
          await c.end().catch(() => {});
          await new Promise((r) => setTimeout(r, RECONNECT_MS).unref());
        }
      }
    };
    void connect();
    const poll = setInterval(drain, POLL_MS).unref();
    const stop = async (): Promise<void> => {
      stopped = true;
      clearInterval(poll);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
      await running;
    };
    return { positioned, stop };
  }

  async broadcastDesk({ officerIds, notice }: DeskBroadcast): Promise<void> {
    for (let i = 0; i < officerIds.length; i += DESK_OFFICERS_PER_NOTIFY) {
      const payload: DeskBroadcast = { officerIds: officerIds.slice(i, i + DESK_OFFICERS_PER_NOTIFY), notice };
      await this.pool.query('SELECT pg_notify($1, $2)', [DESK_CHANNEL, JSON.stringify(payload)]);
    }
  }

  async runExclusive(key: number, fn: () => Promise<void>): Promise<boolean> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const got = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key])).rows[0]?.ok === true;
      if (!got) return false;
      try {
        await fn();
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [key]).catch((e: unknown) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
      }
      return true;
    } finally {
      c.release(broken);
    }
  }
}
