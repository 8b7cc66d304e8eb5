export const DEFAULT_IDLE_MS = 30 * 60 * 1000;
/** Shortest accepted override (tests use ~2 s); anything below is ignored. */
const MIN_IDLE_MS = 1000;

/**
 * The idle timeout: `?idleMs=` in the page URL, then `localStorage['liaison:idleMs']`, else 30 min.
 * An override may only shorten the lock delay, never extend it past the 30-minute policy.
 */
export function idleTimeoutMs(search: string, stored: string | null): number {
  const fromQuery = new URLSearchParams(search).get('idleMs');
  for (const raw of [fromQuery, stored]) {
    if (raw && /^\d+$/.test(raw)) {
      const n = Number(raw);
      if (n >= MIN_IDLE_MS && n <= DEFAULT_IDLE_MS) return n;
    }
  }
  return DEFAULT_IDLE_MS;
}

export interface TimerApi {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Fires `onIdle` once after `timeoutMs` without `activity()`. Activity only records a time; the
 * timer re-arms itself lazily, so a mouse move costs nothing.
 */
export class IdleTimer {
  private last: number;
  private handle: unknown = null;
  private stopped = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
    private readonly timers: TimerApi = realTimers,
  ) {
    this.last = timers.now();
    this.arm(timeoutMs);
  }

  activity(): void {
    this.last = this.timers.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private arm(ms: number): void {
    this.handle = this.timers.setTimeout(() => this.check(), ms);
  }

  private check(): void {
    if (this.stopped) return;
    const idle = this.timers.now() - this.last;
    if (idle >= this.timeoutMs) {
      this.stopped = true;
      this.handle = null;
      this.onIdle();
    } else {
      this.arm(this.timeoutMs - idle);
    }
  }
}
