import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { formatDateTime } from '../lib/format.ts';
import { browserTimeZone, zoneAbbreviation } from '../lib/zones.ts';
import { useObservable } from '../state/observable.ts';
import type { SearchHit } from '../state/search-index.ts';

const SNIPPET_CHARS = 140;

/**
 * The search box above the channel list: searches this browser's sealed index of decrypted history
 * (state/search-index.ts); the query never leaves the browser. A result opens its channel and scrolls to the message.
 */
export function MessageSearch() {
  const chat = useChat();
  const t = useT('search');
  const channels = useObservable(chat.channels);
  const names = useObservable(chat.names);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const seq = useRef(0);
  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (!q) {
      setHits(null);
      return;
    }
    const timer = setTimeout(() => {
      void chat.search.search(q).then((list) => {
        if (mine === seq.current) setHits(list);
      });
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);
  const zone = browserTimeZone();
  return (
    <div class="message-search">
      <form role="search" aria-label={t('label')} onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label={t('label')}
          placeholder={t('placeholder')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
          data-testid="search-input"
        />
      </form>
      {hits !== null && (
        <section class="search-results" aria-label={t('results')} data-testid="search-results">
          <p class="meta" role="status">
            {hits.length === 0 ? t('none') : t('count', { count: hits.length })}
          </p>
          {hits.length > 0 && (
            <ul>
              {hits.map((h) => {
                const channel = channels.find((c) => c.id === h.channelId);
                return (
                  <li key={h.messageId}>
                    <a
                      href={`#/channels/${encodeURIComponent(h.channelId)}`}
                      data-testid="search-hit"
                      onClick={(e) => {
                        e.preventDefault();
                        setQuery('');
                        jumpToMessage(h.channelId, h.messageId);
                      }}
                    >
                      <span class="title">{channel?.title ?? t('unknownChannel')}</span>
                      <span class="meta">
                        {names[h.senderId] ?? t('anOfficer')} · <time dateTime={new Date(h.sentAt).toISOString()}>{`${formatDateTime(h.sentAt)} ${zoneAbbreviation(h.sentAt, zone)}`}</time>
                      </span>
                      <span class="snippet">
                        <Snippet hit={h} />
                      </span>
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

/** The text around the first match, matches in <mark>. */
function Snippet({ hit }: { hit: SearchHit }) {
  const first = hit.ranges[0]?.[0] ?? 0;
  const start = Math.max(0, first - SNIPPET_CHARS / 3);
  const end = Math.min(hit.text.length, start + SNIPPET_CHARS);
  const out: (string | JSX.Element)[] = [start > 0 ? '…' : ''];
  let at = start;
  for (const [a, b] of hit.ranges) {
    if (b <= at || a >= end) continue;
    const from = Math.max(a, at);
    out.push(hit.text.slice(at, from), <mark key={from}>{hit.text.slice(from, Math.min(b, end))}</mark>);
    at = Math.min(b, end);
  }
  out.push(hit.text.slice(at, end), end < hit.text.length ? '…' : '');
  return <>{out}</>;
}

/** Opens the channel and brings the message into view once it is on screen (marked and focused). */
export function jumpToMessage(channelId: string, messageId: string): void {
  location.hash = `#/channels/${encodeURIComponent(channelId)}`;
  const deadline = Date.now() + 15_000;
  const tick = () => {
    const find = () => document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (!find()) {
      if (Date.now() < deadline) setTimeout(tick, 100);
      return;
    }
    // After the channel's own scroll-to-bottom on load; looked up again, as the list may have re-rendered.
    setTimeout(() => {
      const el = find();
      if (!el) return;
      document.querySelectorAll('.jump-target').forEach((x) => x.classList.remove('jump-target'));
      el.classList.add('jump-target');
      el.tabIndex = -1;
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }, 150);
  };
  tick();
}
