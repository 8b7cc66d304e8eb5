import { AppError } from '../errors.ts';

export type QuotaScope = 'officer' | 'channel';

export class QuotaExceededError extends AppError {
  override name = 'QuotaExceededError';
  constructor(scope: QuotaScope, quota: number, used: number, needed: number | null) {
    const whose = scope === 'officer' ? 'Your attachment storage' : "This channel's attachment storage";
    const need = needed === null ? '' : ` and this file needs ${formatBytes(needed)}`;
    super(
      413,
      `${scope}_quota_exceeded`,
      `${whose} is full: ${formatBytes(used)} of ${formatBytes(quota)} used${need}. Space is freed when messages with attachments expire; nothing was stored.`,
    );
  }
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Bytes promised to uploads still streaming, per officer and per channel: an upload is admitted only
 * if stored + promised + its own size fit, so concurrent uploads cannot together overshoot a quota
 * (and the commit re-checks what is stored, for anything written past these counters).
 */
export class InFlightBytes {
  private readonly byKey = new Map<string, number>();

  get(scope: QuotaScope, id: string): number {
    return this.byKey.get(`${scope}:${id}`) ?? 0;
  }

  /** Adds the reservation; the returned function releases it (once). */
  reserve(officerId: string, channelId: string, bytes: number): () => void {
    const keys = [`officer:${officerId}`, `channel:${channelId}`];
    for (const k of keys) this.byKey.set(k, (this.byKey.get(k) ?? 0) + bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const left = (this.byKey.get(k) ?? 0) - bytes;
        if (left > 0) this.byKey.set(k, left);
        else this.byKey.delete(k);
      }
    };
  }
}
