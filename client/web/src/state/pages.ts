import type { Page } from '../../../../shared/schemas/pages.ts';
import { openCount, withPage } from '../lib/pages.ts';
import type { Api } from './api.ts';
import { Observable } from './observable.ts';

/** How often the open pages are re-read while the app is visible (the server sends no realtime notice for pages). */
export const PAGES_POLL_MS = 30_000;

/**
 * The caller's open pages (`GET /pages/mine`), shared by the navigation's count badge and the pages
 * view. Polled every 30 s while the document is visible, and at once when it becomes visible again.
 * Pages acknowledged here stay in the list (as acknowledged) until the next refresh, so the officer
 * sees the outcome of the click.
 */
export class PagesState {
  readonly list = new Observable<Page[] | null>(null);
  readonly count = new Observable<number>(0);
  private timer: ReturnType<typeof setInterval> | null = null;
  private users = 0;

  constructor(private readonly api: Api) {}

  async refresh(): Promise<void> {
    const fresh = await this.api.myPages();
    // Keep what was acknowledged here on screen; the server lists open pages only.
    const acked = (this.list.get() ?? []).filter((p) => p.state !== 'open' && !fresh.some((f) => f.id === p.id));
    this.set([...fresh, ...acked]);
  }

  /** Puts a page (answered by GET /pages/:id or an acknowledgement) into the list. */
  put(page: Page): void {
    this.set(withPage(this.list.get() ?? [], page));
  }

  async acknowledge(id: string): Promise<Page> {
    const page = await this.api.ackPage(id);
    this.put(page);
    return page;
  }

  /** Starts polling while someone shows the badge or the list; the returned function stops it. */
  watch(): () => void {
    if (this.users++ === 0) {
      const tick = () => {
        if (document.visibilityState === 'visible') void this.refresh().catch((err: unknown) => console.warn('pages refresh failed', err));
      };
      document.addEventListener('visibilitychange', tick);
      this.timer = setInterval(tick, PAGES_POLL_MS);
      this.stopVisibility = () => document.removeEventListener('visibilitychange', tick);
      tick();
    }
    return () => {
      if (--this.users > 0) return;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.stopVisibility();
    };
  }

  private stopVisibility: () => void = () => {};

  private set(list: Page[]): void {
    this.list.set(list);
    this.count.set(openCount(list));
  }
}

const byApi = new WeakMap<Api, PagesState>();

/** One pages state per unlocked data layer (a lock drops the Api, and with it this state). */
export function pagesStateOf(api: Api): PagesState {
  let s = byApi.get(api);
  if (!s) byApi.set(api, (s = new PagesState(api)));
  return s;
}
