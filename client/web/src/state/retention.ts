import type { ChatData } from './chat.ts';

const DAY_MS = 24 * 3600 * 1000;
/** How often an unlocked client sweeps (besides once at every unlock). */
export const RETENTION_SWEEP_MS = 3600 * 1000;

/**
 * Client-side retention (docs/WEB.md "Local storage"): every channel's messages older than its retention
 * (`retentionDays`, the server's own rule) leave this browser: the sealed message cache, the search index and
 * the screen. A legal hold on the channel suspends it, as on the server.
 */
export async function applyRetention(chat: ChatData, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const c of chat.channels.get()) {
    if (c.legalHold || !(c.retentionDays > 0)) continue;
    const before = now - c.retentionDays * DAY_MS;
    const ids = await chat.client.forgetMessagesBefore(c.id, before);
    await chat.search.removeBefore(c.id, before);
    chat.messagesOf(c.id).update((list) => list.filter((m) => m.sentAt >= before));
    removed += ids.length;
  }
  return removed;
}

/**
 * Sweeps now, then every RETENTION_SWEEP_MS, and again whenever the channel list shows a channel, or a
 * channel's retention or legal hold, that the sweeps so far have not seen: at unlock the list may still
 * be loading (a newer refresh can supersede the first one), and a sweep over an empty list removes
 * nothing until the next hour. Returns the stop function.
 */
export function startRetention(chat: ChatData): () => void {
  const sweep = () => void applyRetention(chat).catch(() => undefined);
  const key = (c: { id: string; retentionDays: number; legalHold: boolean }) => `${c.id}\n${c.retentionDays}\n${c.legalHold}`;
  const seen = new Set(chat.channels.get().map(key));
  sweep();
  const off = chat.channels.subscribe((list) => {
    const fresh = list.map(key).filter((k) => !seen.has(k));
    if (fresh.length === 0) return;
    for (const k of fresh) seen.add(k);
    sweep();
  });
  const handle = setInterval(sweep, RETENTION_SWEEP_MS);
  return () => {
    clearInterval(handle);
    off();
  };
}
