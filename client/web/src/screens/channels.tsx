import { useEffect, useState } from 'preact/hooks';
import type { InvitationView } from '../../../sdk/index.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { MessageSearch } from '../components/message-search.tsx';
import { contactRequestLabel } from '../lib/contact.ts';
import { groupFingerprint } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';
import { useT, type TFunction } from '../i18n/i18n.ts';
import { ChannelView } from './channel-view.tsx';
import { NewChannel } from './new-channel.tsx';

/** Channel list with unread counts and pending invitations, and the open channel. */
export function ChannelsScreen({ channelId }: { channelId: string | null }) {
  const chat = useChat();
  const t = useT('channels');
  const channels = useObservable(chat.channels);
  const allInvitations = useObservable(chat.invitations);
  const invitations = allInvitations.filter((i) => !i.contactRequest);
  const contactRequests = allInvitations.filter((i) => i.contactRequest);
  useObservable(chat.marks);
  const mentioned = useObservable(chat.mentioned);
  const names = useObservable(chat.names);
  useObservable(chat.profiles);
  const [accept, accepting, acceptError] = useAction(async (id: string) => {
    const ch = await chat.client.acceptInvitation(id);
    await Promise.all([chat.refreshInvitations(), chat.refreshChannels()]);
    location.hash = `#/channels/${ch.id}`;
  });
  const [decline, , declineError] = useAction(async (id: string) => {
    await chat.client.declineInvitation(id);
    await chat.refreshInvitations();
  });
  return (
    <div class={`split ${channelId ? 'has-detail' : ''}`}>
      <aside class="list-pane" aria-label={t('title')}>
        <div class="pane-head">
          <h1>{t('title')}</h1>
          <a class="button" href="#/channels/new">
            {t('newChannel')}
          </a>
        </div>
        <MessageSearch />
        {contactRequests.length > 0 && (
          <section aria-label={t('contactRequests')} class="invitations">
            <h2>{t('contactRequests')}</h2>
            <p class="hint">{t('contactRequestsHint')}</p>
            <ul>
              {contactRequests.map((inv) => (
                <ContactRequestItem key={inv.id} invitation={inv} />
              ))}
            </ul>
          </section>
        )}
        {invitations.length > 0 && (
          <section aria-label={t('invitations')} class="invitations">
            <h2>{t('invitations')}</h2>
            <ul>
              {invitations.map((inv) => (
                <li key={inv.id} data-testid="invitation">
                  <span>{inviteText(t, names[inv.createdBy], chat.agencyNameOf(inv.createdBy))}</span>
                  <span class="actions">
                    <button type="button" disabled={accepting} onClick={() => void accept(inv.id)}>
                      {t('accept')}
                    </button>
                    <button type="button" class="secondary" onClick={() => void decline(inv.id)}>
                      {t('decline')}
                    </button>
                  </span>
                </li>
              ))}
            </ul>
            <ErrorBox error={acceptError ?? declineError} />
          </section>
        )}
        {channels.length === 0 ? (
          <p class="empty">
            {t('emptyBefore')} <a href="#/channels/new">{t('emptyStart')}</a> {t('emptyOr')} {t('emptyDirectory')}
          </p>
        ) : (
          <ul class="channel-list">
            {channels.map((c) => {
              const unread = chat.unread(c);
              return (
                <li key={c.id}>
                  <a href={`#/channels/${c.id}`} aria-current={c.id === channelId ? 'page' : undefined} data-testid="channel-link">
                    <span class="title">{chat.titleOf(c) ?? t('titleUnreadable')}</span>
                    <span class="meta">
                      {c.kind}
                      {c.caseRef ? ` · ${c.caseRef}` : ''}
                      {contactRequestLabel(c) ? ` · ${contactRequestLabel(c)}` : c.readOnly ? ` · ${t('readOnly')}` : ''}
                    </span>
                    {unread > 0 && (
                      <span class="unread" aria-label={t('unread', { count: unread })} data-testid="unread">
                        {unread}
                      </span>
                    )}
                    {mentioned[c.id] ? (
                      <span class="mention-badge" aria-label={t('mentioned')} title={t('mentioned')} data-testid="mentioned">
                        @
                      </span>
                    ) : null}
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      </aside>
      <section class="detail-pane">
        {channelId === 'new' ? (
          <NewChannel />
        ) : channelId ? (
          <ChannelView key={channelId} channelId={channelId} />
        ) : (
          <p class="empty">{channels.length === 0 ? t('chooseNone') : t('choose')}</p>
        )}
      </section>
    </div>
  );
}

/** "Ana Silva (Policia Judiciaria) invites you to a channel.", with what is known of the inviter. */
function inviteText(t: TFunction, name: string | undefined, agency: string | undefined): string {
  if (name && agency) return t('invitesFrom', { name, agency });
  if (agency) return t('invitesFrom', { name: t('anOfficer'), agency });
  return t('invites', { name: name ?? t('anOfficer') });
}

/** A contact request addressed to me: who asks (name, agency, key fingerprint), Accept / Decline. */
function ContactRequestItem({ invitation: inv }: { invitation: InvitationView }) {
  const chat = useChat();
  const t = useT('channels');
  const names = useObservable(chat.names);
  const agencies = useObservable(chat.agencies);
  const [who, setWho] = useState<{ agencyId: string; fingerprint: string } | null>(null);
  const [load, , loadError] = useAction(async () => setWho(await chat.requester(inv.createdBy)));
  const [answer, answering, answerError] = useAction(async (accept: boolean) => {
    const channelId = await chat.answerContactRequest(inv.id, accept);
    if (channelId) location.hash = `#/channels/${channelId}`;
  });
  useEffect(() => void load(), [inv.createdBy]);
  const agency = who ? (agencies[who.agencyId]?.name ?? t('anotherAgency')) : '…';
  const name = names[inv.createdBy] ?? t('officerId', { id: inv.createdBy.slice(0, 6) });
  return (
    <li data-testid="contact-request" class="contact-request">
      <span>
        <strong data-testid="requester">{name}</strong> {t('asksToContact', { agency })}
      </span>
      <span class="meta">
        {t('fingerprint')} <code class="fingerprint">{who ? groupFingerprint(who.fingerprint) : '…'}</code>
      </span>
      <span class="actions">
        <button type="button" disabled={answering} onClick={() => void answer(true)}>
          {t('accept')}
        </button>
        <button type="button" class="secondary" disabled={answering} onClick={() => void answer(false)}>
          {t('decline')}
        </button>
      </span>
      <ErrorBox error={answerError ?? loadError} />
    </li>
  );
}
