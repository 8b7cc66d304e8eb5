import { useEffect, useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { absoluteTime, sinceText } from '../lib/pages.ts';
import { browserTimeZone } from '../lib/zones.ts';
import { fixedT, useLanguage } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('my-requests')(key, values);

/** User-visible strings of "My requests": each property reads the `my-requests` namespace in the current language when accessed. */
export const myRequestsText = Object.assign(
  Object.defineProperties(
    {} as Record<'title' | 'hint' | 'none' | 'refresh' | 'desk' | 'sent' | 'state' | 'waiting' | 'openCase' | 'casePending' | 'page' | 'unknownDesk', string>,
    Object.fromEntries(
      (['title', 'hint', 'none', 'refresh', 'desk', 'sent', 'state', 'waiting', 'openCase', 'casePending', 'page', 'unknownDesk'] as const).map((k) => [k, { enumerable: true, get: () => t(k) }]),
    ),
  ),
  { takenBy: (who: string, when: string) => t('takenBy', { who, when }) },
);

/**
 * My desk requests (client.desks.myRequests): state, who took it, the case channel once it exists. Listing them
 * also co-signs the claimer's case-channel invitation (the SDK checks it), so the requester joins without a click.
 */
export function MyRequests({ headingLevel = 2 }: { headingLevel?: 1 | 2 }) {
  const chat = useChat();
  useLanguage(); // myRequestsText reads the current language: re-render on a switch
  const zone = browserTimeZone();
  const channels = useObservable(chat.channels);
  // Re-read by the app on every invitation too (ChatData.onInvitation), which co-signs a case channel's.
  const requests = useObservable(chat.myRequests);
  const [deskNames, setDeskNames] = useState<Record<string, string>>({});
  const [load, loading, error] = useAction(async () => {
    await chat.refreshMyRequests();
    await chat.refreshChannels();
    // Another agency's desk is known only through its directory entry.
    const dir = await chat.api.directory({ limit: 100 }).catch(() => null);
    setDeskNames(Object.fromEntries((dir?.entries ?? []).filter((e) => e.deskId).map((e) => [e.deskId!, e.title])));
  });
  useEffect(() => void load(), []);
  const H = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section aria-labelledby="my-requests-title" data-testid="my-requests">
      <H id="my-requests-title">{myRequestsText.title}</H>
      <p class="hint">{myRequestsText.hint}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void load()} disabled={loading}>
          {myRequestsText.refresh}
        </button>
      </div>
      <ErrorBox error={error} />
      {requests && requests.length === 0 && <p class="meta">{myRequestsText.none}</p>}
      {requests && requests.length > 0 && (
        <ul class="inbox-list">
          {[...requests]
            .sort((a, b) => b.receivedAt - a.receivedAt)
            .map((r) => {
              const joined = r.caseChannelId !== null && channels.some((c) => c.id === r.caseChannelId);
              return (
                <li key={r.id} class="inbox-item" data-request-id={r.id}>
                  <dl class="page-facts">
                    <dt>{myRequestsText.desk}</dt>
                    <dd>{deskNames[r.deskId] ?? myRequestsText.unknownDesk}</dd>
                    <dt>{myRequestsText.sent}</dt>
                    <dd>{sinceText(r.receivedAt, Date.now(), zone)}</dd>
                    <dt>{myRequestsText.state}</dt>
                    <dd data-testid="my-request-state">
                      {r.state === 'open' ? myRequestsText.waiting : myRequestsText.takenBy(r.claimedBy ? chat.nameOf(r.claimedBy) : '—', r.claimedAt ? absoluteTime(r.claimedAt, zone) : '')}
                    </dd>
                  </dl>
                  <div class="actions">
                    {joined && (
                      <a class="button" href={`#/channels/${encodeURIComponent(r.caseChannelId!)}`}>
                        {myRequestsText.openCase}
                      </a>
                    )}
                    {r.state === 'claimed' && !joined && <span class="meta">{myRequestsText.casePending}</span>}
                    {r.pageId && r.state === 'open' && (
                      <a class="secondary" href={`#/pages/${encodeURIComponent(r.pageId)}`}>
                        {myRequestsText.page}
                      </a>
                    )}
                  </div>
                </li>
              );
            })}
        </ul>
      )}
    </section>
  );
}
