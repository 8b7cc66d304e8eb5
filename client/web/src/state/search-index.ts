import type { LiaisonClient, ReceivedMessage } from '../../../sdk/index.ts';
import type { Payload } from '../../../../shared/crypto/index.ts';

/**
 * Local search over decrypted history (docs/WEB.md "Local search"). One bucket per channel,
 * `search:<channelId>`, stored through the SDK's `appSealed` (sealed with the device's local store key,
 * entry name bound as AD) in the officer's IndexedDB database; nothing in clear, and the server never sees
 * a query. Buckets fill as messages are decrypted (live or from history) and are written after a short delay.
 * Matching folds case and diacritics and cuts the query into words with Intl.Segmenter (Chinese, Japanese…
 * have no spaces); every query word must occur in the message text.
 */

export interface IndexedMessage {
  messageId: string;
  channelId: string;
  seq: number;
  senderId: string;
  sentAt: number;
  /** The searchable text as shown (for snippets). */
  text: string;
}

interface Bucket {
  v: 1;
  messages: Record<string, Omit<IndexedMessage, 'channelId' | 'messageId'>>;
}

export interface SearchHit extends IndexedMessage {
  /** [start, end) ranges of `text` that matched, for highlighting. */
  ranges: [number, number][];
}

const PREFIX = 'search:';
const FLUSH_MS = 400;

/** Lower case without diacritics, one code unit per input code unit where possible (ranges map back). */
export function fold(s: string): string {
  let out = '';
  for (const ch of s) {
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
    // Keep the folded text aligned with the original: one output character per input character.
    out += base.length === ch.length ? base : base.length > 0 ? base[0]!.padEnd(ch.length, base[0]) : ch;
  }
  return out;
}

/** The query's words (folded): Intl.Segmenter where available, else whitespace. */
export function queryWords(q: string): string[] {
  const folded = fold(q.trim());
  if (!folded) return [];
  const Seg = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  const words = Seg
    ? Array.from(new Seg(undefined, { granularity: 'word' }).segment(folded))
        .filter((s) => s.isWordLike)
        .map((s) => s.segment)
    : folded.split(/\s+/);
  return [...new Set(words.filter(Boolean))];
}

/** The human text of a payload: message text, captions, file names, structured fields. */
export function searchableText(p: Payload): string {
  const parts: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (!SKIP_FIELDS.has(key) && v.trim()) parts.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(p, '');
  return parts.join(' · ');
}
const SKIP_FIELDS = new Set(['kind', 'fileId', 'mimeType', 'sourceMessageId', 'requestRef', 'deskId', 'intakeId', 'granteeAgencyId', 'decision', 'purpose', 'step', 'ground', 'completeness']);

export function match(m: IndexedMessage, words: string[]): SearchHit | null {
  if (!words.length) return null;
  const folded = fold(m.text);
  const ranges: [number, number][] = [];
  for (const w of words) {
    let at = folded.indexOf(w);
    if (at < 0) return null;
    while (at >= 0) {
      ranges.push([at, at + w.length]);
      at = folded.indexOf(w, at + w.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return { ...m, ranges };
}

export class SearchIndex {
  private readonly buckets = new Map<string, Promise<Bucket>>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(private readonly client: LiaisonClient) {}

  private bucket(channelId: string): Promise<Bucket> {
    let b = this.buckets.get(channelId);
    if (!b) {
      b = this.client.appSealed
        .get<Bucket>(PREFIX + channelId)
        .then((v) => v ?? { v: 1 as const, messages: {} })
        .catch(() => ({ v: 1 as const, messages: {} }));
      this.buckets.set(channelId, b);
    }
    return b;
  }

  /** Adds decrypted messages (idempotent). */
  async add(messages: ReceivedMessage[]): Promise<void> {
    for (const m of messages) {
      if (this.disposed) return;
      const text = searchableText(m.payload);
      if (!text) continue;
      const b = await this.bucket(m.channelId);
      const prev = b.messages[m.messageId];
      if (prev && prev.text === text && prev.seq === m.seq) continue;
      b.messages[m.messageId] = { seq: m.seq, senderId: m.senderId, sentAt: m.sentAt, text };
      this.markDirty(m.channelId);
    }
  }

  /** A redacted or expired message leaves the index. */
  async remove(channelId: string, messageIds: string[]): Promise<void> {
    if (!messageIds.length) return;
    const b = await this.bucket(channelId);
    for (const id of messageIds) delete b.messages[id];
    this.markDirty(channelId);
  }

  /** Client-side retention: every entry of the channel sent before `before` leaves. */
  async removeBefore(channelId: string, before: number): Promise<void> {
    const b = await this.bucket(channelId);
    await this.remove(
      channelId,
      Object.entries(b.messages)
        .filter(([, m]) => m.sentAt < before)
        .map(([id]) => id),
    );
  }

  /** Hits over every indexed channel, newest first. */
  async search(query: string, limit = 50): Promise<SearchHit[]> {
    const words = queryWords(query);
    if (!words.length) return [];
    const names = await this.client.appSealed.names(PREFIX);
    const channels = new Set([...names.map((n) => n.slice(PREFIX.length)), ...this.buckets.keys()]);
    const hits: SearchHit[] = [];
    for (const channelId of channels) {
      const b = await this.bucket(channelId);
      for (const [messageId, m] of Object.entries(b.messages)) {
        const hit = match({ ...m, channelId, messageId }, words);
        if (hit) hits.push(hit);
      }
    }
    return hits.sort((a, b) => b.sentAt - a.sentAt).slice(0, limit);
  }

  private markDirty(channelId: string): void {
    this.dirty.add(channelId);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes the changed buckets (sealed). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = [...this.dirty];
    this.dirty.clear();
    if (this.disposed) return;
    for (const id of ids) await this.client.appSealed.set(PREFIX + id, await this.bucket(id));
  }

  /** On lock: pending writes are dropped with the decrypted buckets (the keys are gone). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buckets.clear();
    this.dirty.clear();
  }
}
