/** Shared by every bucket: a per-instance default arrow would be one more closure per socket. */
const monotonicNow = (): number => performance.now();

/** Token bucket: `rate` tokens per second up to `burst`; take() is false when empty. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Events refused since the bucket was last non-empty (sustained floods get disconnected). */
  refusedInRow = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInRow = 0;
      return true;
    }
    this.refusedInRow += 1;
    return false;
  }
}
