import type { LiaisonClient } from '../../../sdk/index.ts';
import type { RequestView } from '../../../../shared/schemas/requests.ts';
import { isRequestPayload } from '../lib/requests.ts';
import { Observable } from './observable.ts';

/**
 * How often request screens re-read while visible. A step sent in a channel I am a member of refreshes them at once
 * (the SDK's `message` event); the poll covers what has no realtime event: a deadline passing, and steps in channels
 * an agency administrator is not a member of.
 */
export const REQUESTS_POLL_MS = 15_000;

/**
 * The requests my agency sent or received that I may see (`client.requests.list()`), shared by the channel's request
 * cards, the requests screen and the overdue boards. `changed` ticks on every refresh so boards re-read too.
 */
export class RequestsState {
  readonly list = new Observable<RequestView[] | null>(null);
  readonly changed = new Observable<number>(0);
  private users = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stop: () => void = () => {};
  private pending: Promise<void> | null = null;

  constructor(private readonly client: LiaisonClient) {}

  refresh(): Promise<void> {
    this.pending ??= (async () => {
      try {
        this.list.set(await this.client.requests.list());
        this.changed.update((n) => n + 1);
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  /** The request a channel message names (channel and ref), if my agency is a party and I may see it. */
  find(channelId: string, ref: string): RequestView | undefined {
    return this.list.get()?.find((r) => r.channelId === channelId && r.ref === ref);
  }

  /** Live while someone shows requests: refresh on request messages, on becoming visible and every REQUESTS_POLL_MS. */
  watch(): () => void {
    if (this.users++ === 0) {
      const tick = () => {
        if (document.visibilityState === 'visible') void this.refresh().catch((err: unknown) => console.warn('requests refresh failed', err));
      };
      const off = this.client.on('message', (m) => {
        if (isRequestPayload(m.payload)) tick();
      });
      document.addEventListener('visibilitychange', tick);
      this.timer = setInterval(tick, REQUESTS_POLL_MS);
      this.stop = () => {
        off();
        document.removeEventListener('visibilitychange', tick);
      };
      tick();
    }
    return () => {
      if (--this.users > 0) return;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.stop();
    };
  }
}

const states = new WeakMap<LiaisonClient, RequestsState>();

export function requestsStateOf(client: LiaisonClient): RequestsState {
  let s = states.get(client);
  if (!s) states.set(client, (s = new RequestsState(client)));
  return s;
}
