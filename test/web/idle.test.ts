import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_MS, IdleTimer, idleTimeoutMs, type TimerApi } from '../../client/web/src/lib/idle.ts';

/** Manual timers: `advance` runs whatever falls due. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const api: TimerApi = {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { api, advance };
}

describe('idle lock', () => {
  it('fires once after the timeout without activity, and activity postpones it', () => {
    const t = manualTimers();
    let fired = 0;
    const timer = new IdleTimer(30 * 60_000, () => fired++, t.api);
    t.advance(29 * 60_000);
    timer.activity();
    t.advance(29 * 60_000);
    expect(fired).toBe(0);
    t.advance(60_000 + 1);
    expect(fired).toBe(1);
    t.advance(60 * 60_000);
    expect(fired).toBe(1);
  });

  it('stops cleanly', () => {
    const t = manualTimers();
    let fired = 0;
    const timer = new IdleTimer(1000, () => fired++, t.api);
    timer.stop();
    t.advance(5000);
    expect(fired).toBe(0);
  });

  it('takes the timeout from ?idleMs= or storage, only ever shorter than 30 minutes', () => {
    expect(idleTimeoutMs('', null)).toBe(DEFAULT_IDLE_MS);
    expect(idleTimeoutMs('?idleMs=2000', null)).toBe(2000);
    expect(idleTimeoutMs('', '5000')).toBe(5000);
    expect(idleTimeoutMs('?idleMs=99999999', null)).toBe(DEFAULT_IDLE_MS);
    expect(idleTimeoutMs('?idleMs=10', null)).toBe(DEFAULT_IDLE_MS);
    expect(idleTimeoutMs('?idleMs=abc', '3000')).toBe(3000);
  });
});
