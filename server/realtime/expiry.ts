import type { RealtimeSocket } from './types.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Token-expiry disconnects for every socket on ONE timer: sockets are grouped by due time (the access
 * token's `exp`, so one group per second of issue), and a single unref'd timer is armed for the
 * earliest group. Per socket this costs a set entry instead of a Timeout, its closure and a map entry.
 * A socket is due at exactly the instant its own timer used to fire: connect time + the token's
 * remaining lifetime, capped at the longest timer Node supports.
 */
export class ExpirySchedule {
  private readonly due = new Map<number, Set<RealtimeSocket>>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(private readonly onExpired: (socket: RealtimeSocket) => void) {}

  /** Schedules the socket; returns its due time, to pass to delete(). */
  add(socket: RealtimeSocket, expSeconds: number): number {
    const now = Date.now();
    const at = now + Math.min(MAX_TIMER_MS, Math.max(0, expSeconds * 1000 - now));
    let group = this.due.get(at);
    if (!group) this.due.set(at, (group = new Set()));
    group.add(socket);
    if (at < this.armedFor) this.arm(at);
    return at;
  }

  delete(socket: RealtimeSocket, at: number): void {
    const group = this.due.get(at);
    if (!group) return;
    group.delete(socket);
    // The timer may stay armed for an emptied group: it then finds nothing due and re-arms.
    if (group.size === 0) this.due.delete(at);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.due.clear();
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()))).unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    const expired: RealtimeSocket[] = [];
    let next = Infinity;
    for (const [at, group] of this.due) {
      if (at <= now) {
        expired.push(...group);
        this.due.delete(at);
      } else if (at < next) {
        next = at;
      }
    }
    if (next < Infinity) this.arm(next);
    for (const socket of expired) this.onExpired(socket);
  }
}
