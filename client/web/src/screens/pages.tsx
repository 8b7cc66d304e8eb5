import { useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../../../../shared/schemas/pages.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { LiaisonApiError } from '../../../sdk/errors.ts';
import { absoluteTime, pagesText as text, PRIORITY_TEXT, REASON_TEXT, sinceText, STATE_TEXT, stepText } from '../lib/pages.ts';
import { browserTimeZone } from '../lib/zones.ts';
import { useObservable } from '../state/observable.ts';
import { pagesStateOf } from '../state/pages.ts';

/** Desk id → name, for the desks the caller may see (their own agency's desks and the desks they are on). */
function useDeskNames(): Record<string, string> {
  const chat = useChat();
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    void chat.api.desks().then(
      (list) => setNames(Object.fromEntries(list.map((d) => [d.id, d.name]))),
      () => undefined,
    );
  }, [chat]);
  return names;
}

/**
 * `#/pages`: the open pages that reached me, newest first, with Acknowledge and Open channel;
 * `#/pages/<id>` (where a page's notification or e-mail leads) shows that page first and focuses it,
 * whoever may see it: the officers it reached, the desk's people, and the requester, who is shown the
 * desk's 24/7 number once nobody answered.
 */
export function PagesScreen({ pageId }: { pageId: string | null }) {
  const chat = useChat();
  const state = pagesStateOf(chat.api);
  const list = useObservable(state.list);
  const deskNames = useDeskNames();
  const [focused, setFocused] = useState<Page | null>(null);
  const focusRef = useRef<HTMLElement>(null);

  useEffect(() => state.watch(), [state]);

  const [refresh, refreshing, refreshError] = useAction(() => state.refresh());
  const [loadOne, , oneError] = useAction(async () => {
    setFocused(null);
    if (!pageId) return;
    // Opened from a notification or e-mail: something new is waiting, so the list (and badge) are re-read too.
    void state.refresh().catch((err: unknown) => console.warn('pages refresh failed', err));
    setFocused(await chat.api.page(pageId));
    // The page the notification was about: focus it, so keyboard and screen-reader users start there.
    setTimeout(() => {
      focusRef.current?.focus();
      focusRef.current?.scrollIntoView({ block: 'start' });
    }, 0);
  });
  useEffect(() => void loadOne(), [pageId]);

  // The focused page as the list knows it now (an acknowledgement here updates the list).
  const current = focused ? (list?.find((p) => p.id === focused.id) ?? focused) : null;
  const others = (list ?? []).filter((p) => p.id !== current?.id);
  const notFound = oneError instanceof LiaisonApiError && oneError.status === 404;

  return (
    <section class="card" aria-labelledby="pages-title">
      <h1 id="pages-title">{text.title}</h1>
      <p class="hint">{text.intro}</p>
      {pageId && notFound && <p class="notice notice-warn">{text.notFound}</p>}
      {pageId && !notFound && <ErrorBox error={oneError} />}
      {current && (
        <section aria-labelledby="focused-page-title">
          <h2 id="focused-page-title" class="sr-only">
            {text.focused}
          </h2>
          <PageCard page={current} deskName={deskNames[current.deskId]} cardRef={focusRef} onChange={setFocused} />
        </section>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void refresh()} disabled={refreshing}>
          {text.refresh}
        </button>
      </div>
      <ErrorBox error={refreshError} />
      {list === null && <p aria-busy="true">{text.loading}</p>}
      {list !== null && others.length === 0 && !current && <p data-testid="no-pages">{text.none}</p>}
      {others.length > 0 && (
        <h2 id="open-pages-title" class={current ? undefined : 'sr-only'}>
          {current ? text.others : text.open}
        </h2>
      )}
      {others.length > 0 && (
        <ul class="page-list" data-testid="page-list" aria-labelledby="open-pages-title">
          {others.map((p) => (
            <li key={p.id}>
              <PageCard page={p} deskName={deskNames[p.deskId]} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PageCard({ page, deskName, cardRef, onChange }: { page: Page; deskName: string | undefined; cardRef?: { current: HTMLElement | null }; onChange?: (p: Page) => void }) {
  const chat = useChat();
  const state = pagesStateOf(chat.api);
  const zone = browserTimeZone();
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const [ack, acking, ackError] = useAction(async () => {
    const p = await state.acknowledge(page.id);
    onChange?.(p);
    setStatus(text.acknowledgedNotice);
    setTimeout(() => statusRef.current?.focus(), 0);
  });
  const titleId = `page-${page.id}-title`;
  const urgent = page.priority === 'urgent';
  return (
    <article class={`page-card page-${page.state}${urgent ? ' page-urgent' : ''}`} aria-labelledby={titleId} data-page-id={page.id} tabIndex={cardRef ? -1 : undefined} ref={cardRef as never}>
      <h3 id={titleId}>
        {PRIORITY_TEXT[page.priority]} · {REASON_TEXT[page.reason]}
      </h3>
      {page.state === 'exhausted' && page.deskPhone && (
        <div class="notice notice-danger desk-phone" role="alert" data-testid="desk-phone">
          <strong>{text.exhaustedTitle}.</strong> {text.exhaustedHint}{' '}
          <a class="button" href={`tel:${page.deskPhone}`}>
            {text.exhaustedCall(page.deskPhone)}
          </a>
        </div>
      )}
      <dl class="page-facts">
        <dt>{text.field.desk}</dt>
        <dd>{deskName ? <a href={`#/desks/${encodeURIComponent(page.deskId)}`}>{deskName}</a> : text.deskUnknown}</dd>
        <dt>{text.field.priority}</dt>
        <dd>{PRIORITY_TEXT[page.priority]}</dd>
        <dt>{text.field.reason}</dt>
        <dd>{REASON_TEXT[page.reason]}</dd>
        <dt>{text.field.since}</dt>
        <dd>
          <time dateTime={new Date(page.createdAt).toISOString()}>{sinceText(page.createdAt, Date.now(), zone)}</time>
        </dd>
        <dt>{text.field.step}</dt>
        <dd>{stepText(page.step)}</dd>
        <dt>{text.field.state}</dt>
        <dd data-testid="page-state">{STATE_TEXT[page.state]}</dd>
        {page.state === 'open' && page.nextFireAt !== null && (
          <>
            <dt>{text.field.next}</dt>
            <dd>{sinceText(page.nextFireAt, Date.now(), zone)}</dd>
          </>
        )}
      </dl>
      {page.state === 'acknowledged' && page.ackedAt !== null && (
        <p class="notice notice-ok">{text.acknowledgedBy(page.ackedBy ? chat.nameOf(page.ackedBy) : '—', absoluteTime(page.ackedAt, zone))}</p>
      )}
      <div class="actions">
        {page.state === 'open' && (
          <button type="button" onClick={() => void ack()} disabled={acking} aria-describedby={titleId}>
            {acking ? text.acknowledging : text.acknowledge}
          </button>
        )}
        {page.channelId && (
          <a class="button secondary" href={`#/channels/${encodeURIComponent(page.channelId)}`}>
            {text.openChannel}
          </a>
        )}
      </div>
      <ErrorBox error={ackError} />
      <div role="status" aria-live="polite" tabIndex={-1} ref={statusRef}>
        {status && <p class="notice notice-ok">{status}</p>}
      </div>
    </article>
  );
}
