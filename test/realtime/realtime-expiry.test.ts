import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpirySchedule } from '../../server/realtime/expiry.ts';
import type { RealtimeSocket } from '../../server/realtime/types.ts';

const sock = (id: string) => ({ id }) as unknown as RealtimeSocket;

describe('realtime token-expiry schedule (one timer for all sockets)', () => {
  afterEach(() => vi.useRealTimers());

  it('ends each socket exactly when its token expires, in order, and not after it left', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const ended: string[] = [];
    const s = new ExpirySchedule((socket) => ended.push(socket.id));
    const a = sock('a');
    const b = sock('b');
    const c = sock('c');
    const d = sock('d');
    s.add(b, 1_020); // due at 1,020,000
    s.add(a, 1_010);
    const atC = s.add(c, 1_010);
    s.add(d, 900); // already expired: due now
    vi.advanceTimersByTime(0);
    expect(ended).toEqual(['d']);
    s.delete(c, atC);
    vi.advanceTimersByTime(9_999);
    expect(ended).toEqual(['d']);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(['d', 'a']);
    vi.advanceTimersByTime(10_000);
    expect(ended).toEqual(['d', 'a', 'b']);
    s.add(sock('e'), 1_050);
    s.clear();
    vi.advanceTimersByTime(60_000);
    expect(ended).toEqual(['d', 'a', 'b']);
  });

  it('caps the delay at the longest Node timer, like a per-socket setTimeout', () => {
    vi.useFakeTimers({ now: 0 });
    const ended: string[] = [];
    const s = new ExpirySchedule((socket) => ended.push(socket.id));
    s.add(sock('far'), 10 ** 10);
    vi.advanceTimersByTime(2 ** 31 - 2);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(['far']);
  });
});
