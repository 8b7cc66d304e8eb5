import { useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../../../../shared/schemas/pages.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { LiaisonApiError } from '../../../sdk/errors.ts';
import { useT } from '../i18n/i18n.ts';
import { absoluteTime, priorityText, reasonText, sinceText, stateText, stepText } from '../lib/pages.ts';
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
  const t = useT('pages');

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
      <h1 id="pages-title">{t('title')}</h1>
      <p class="hint">{t('intro')}</p>
      {pageId && notFound && <p class="notice notice-warn">{t('notFound')}</p>}
      {pageId && !notFound && <ErrorBox error={oneError} />}
      {current && (
        <section aria-labelledby="focused-page-title">
          <h2 id="focused-page-title" class="sr-only">
            {t('focused')}
          </h2>
          <PageCard page={current} deskName={deskNames[current.deskId]} cardRef={focusRef} onChange={setFocused} />
        </section>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void refresh()} disabled={refreshing}>
          {t('refresh')}
        </button>
      </div>
      <ErrorBox error={refreshError} />
      {list === null && <p aria-busy="true">{t('loading')}</p>}
      {list !== null && others.length === 0 && !current && <p data-testid="no-pages">{t('none')}</p>}
      {others.length > 0 && (
        <h2 id="open-pages-title" class={current ? undefined : 'sr-only'}>
          {current ? t('others') : t('open')}
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
  const t = useT('pages');
  const [ack, acking, ackError] = useAction(async () => {
    const p = await state.acknowledge(page.id);
    onChange?.(p);
    setStatus(t('acknowledgedNotice'));
    setTimeout(() => statusRef.current?.focus(), 0);
  });
  const titleId = `page-${page.id}-title`;
  const urgent = page.priority === 'urgent';
  return (
    <article class={`page-card page-${page.state}${urgent ? ' page-urgent' : ''}`} aria-labelledby={titleId} data-page-id={page.id} tabIndex={cardRef ? -1 : undefined} ref={cardRef as never}>
      <h3 id={titleId}>
        {priorityText(page.priority)} · {reasonText(page.reason)}
      </h3>
      {page.state === 'exhausted' && page.deskPhone && (
        <div class="notice notice-danger desk-phone" role="alert" data-testid="desk-phone">
          <strong>{t('exhaustedTitle')}.</strong> {t('exhaustedHint')}{' '}
          <a class="button" href={`tel:${page.deskPhone}`}>
            {t('exhaustedCall', { phone: page.deskPhone })}
          </a>
        </div>
      )}
      <dl class="page-facts">
        <dt>{t('fieldDesk')}</dt>
        <dd>{deskName ? <a href={`#/desks/${encodeURIComponent(page.deskId)}`}>{deskName}</a> : t('deskUnknown')}</dd>
        <dt>{t('fieldPriority')}</dt>
        <dd>{priorityText(page.priority)}</dd>
        <dt>{t('fieldReason')}</dt>
        <dd>{reasonText(page.reason)}</dd>
        <dt>{t('fieldSince')}</dt>
        <dd>
          <time dateTime={new Date(page.createdAt).toISOString()}>{sinceText(page.createdAt, Date.now(), zone)}</time>
        </dd>
        <dt>{t('fieldStep')}</dt>
        <dd>{stepText(page.step)}</dd>
        <dt>{t('fieldState')}</dt>
        <dd data-testid="page-state">{stateText(page.state)}</dd>
        {page.state === 'open' && page.nextFireAt !== null && (
          <>
            <dt>{t('fieldNext')}</dt>
            <dd>{sinceText(page.nextFireAt, Date.now(), zone)}</dd>
          </>
        )}
      </dl>
      {page.state === 'acknowledged' && page.ackedAt !== null && (
        <p class="notice notice-ok">{t('acknowledgedBy', { who: page.ackedBy ? chat.nameOf(page.ackedBy) : '—', when: absoluteTime(page.ackedAt, zone) })}</p>
      )}
      <div class="actions">
        {page.state === 'open' && (
          <button type="button" onClick={() => void ack()} disabled={acking} aria-describedby={titleId}>
            {acking ? t('acknowledging') : t('acknowledge')}
          </button>
        )}
        {page.channelId && (
          <a class="button secondary" href={`#/channels/${encodeURIComponent(page.channelId)}`}>
            {t('openChannel')}
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
