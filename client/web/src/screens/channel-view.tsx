import { useEffect, useRef, useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { readOnlyText } from '../lib/contact.ts';
import { useObservable } from '../state/observable.ts';
import { Composer } from './composer.tsx';
import { MembersPanel } from './members-panel.tsx';
import { MessageItem } from './message-item.tsx';
import { RequestComposer } from './request-composer.tsx';

export function ChannelView({ channelId }: { channelId: string }) {
  const chat = useChat();
  const t = useT('channel-view');
  const channels = useObservable(chat.channels);
  const agreements = useObservable(chat.agreements);
  const messages = useObservable(chat.messagesOf(channelId));
  const [showMembers, setShowMembers] = useState(false);
  const [requesting, setRequesting] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const [load, loading, loadError] = useAction(() => chat.openChannel(channelId));
  const channel = channels.find((c) => c.id === channelId);
  // The "new messages" divider: before the first message from someone else that was unseen when the channel opened
  // (fixed until the channel closes, however the list grows).
  const seenAtOpen = useRef<number>(chat.marks.get().seen[channelId] ?? 0);
  const firstNew = useRef<string | null | undefined>(undefined);
  if (firstNew.current === undefined && messages.length > 0 && !loading) {
    const first = messages.find((m) => m.seq > seenAtOpen.current && m.senderId !== chat.me.officer.id);
    firstNew.current = first && first !== messages[0] ? first.messageId : null;
  }

  useEffect(() => {
    void load();
    return () => chat.closeChannel(channelId);
  }, [channelId]);
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, showMembers]);

  if (!channel) return <p class="empty">{loading ? t('loading') : t('notAvailable')}</p>;
  const agreement = channel.agreementId ? agreements.find((a) => a.id === channel.agreementId) : null;
  const canSend = !channel.readOnly && !channel.untrusted;
  return (
    <div class={`channel ${showMembers ? 'show-members' : ''}`}>
      <header class="channel-head">
        <a class="back" href="#/channels" aria-label={t('backToChannels')}>
          <span aria-hidden="true" class="back-arrow">←</span>
        </a>
        <div>
          <h2>{chat.titleOf(channel) ?? t('titleUnreadable')}</h2>
          <p class="meta">
            {channel.kind}
            {channel.caseRef ? ` · ${t('metaCase', { caseRef: channel.caseRef })}` : ''}
            {' · '}
            {agreement
              ? t('metaUnder', { title: agreement.title })
              : channel.agreementId
                ? t('metaUnderAgreement')
                : channel.contactRequest
                  ? t('metaContactRequest')
                  : t('metaOwnAgency')}
            {` · ${t('metaMembers', { count: channel.members.length })}`}
          </p>
        </div>
        <div class="channel-actions">
          {canSend && (
            <button type="button" class="secondary" aria-pressed={requesting} onClick={() => setRequesting(!requesting)}>
              {t('newRequest')}
            </button>
          )}
          <button type="button" class="secondary" aria-expanded={showMembers} aria-controls="members-panel" onClick={() => setShowMembers(!showMembers)}>
            {t('members')}
          </button>
        </div>
      </header>
      {readOnlyText(channel) && (
        <p class="notice notice-warn" role="status" data-testid="read-only">
          {readOnlyText(channel)}
        </p>
      )}
      {channel.untrusted && (
        <p class="notice notice-danger" role="alert">
          {t('untrusted', { reason: channel.untrusted })}
        </p>
      )}
      {showMembers && <MembersPanel channel={channel} onClose={() => setShowMembers(false)} />}
      <ErrorBox error={loadError} />
      {/* The log is a region holding the list, so the list keeps its items (axe: an <ol role="log"> orphans them). */}
      <div class="messages" ref={logRef} role="log" aria-live="polite" aria-label={t('messages')} tabIndex={0}>
        {loading && messages.length === 0 && <p class="empty">{t('loadingMessages')}</p>}
        {messages.length === 0 && !loading && <p class="empty">{canSend ? t('noMessages') : t('noMessagesReadOnly')}</p>}
        {messages.length > 0 && (
          <ol class="message-list">
            {/* One flat keyed list: nested arrays would be unkeyed fragments matched by index, so a message
                loaded above would make every row's DOM node show another message (a search jump then marked
                the wrong one). */}
            {messages.flatMap((m) => {
              const item = <MessageItem key={m.messageId} message={m} />;
              return m.messageId === firstNew.current
                ? [
                    <li key="new-divider" class="new-divider" data-testid="new-divider">
                      <span>{t('newMessages')}</span>
                    </li>,
                    item,
                  ]
                : [item];
            })}
          </ol>
        )}
      </div>
      <TypingLine channelId={channelId} />
      {canSend && (requesting ? <RequestComposer channelId={channelId} onClose={() => setRequesting(false)} /> : <Composer channelId={channelId} />)}
    </div>
  );
}

/** "<name> is typing…" above the composer (polite: read out when it changes, never interrupting). */
function TypingLine({ channelId }: { channelId: string }) {
  const chat = useChat();
  const tc = useT('corrections');
  const names = useObservable(chat.names);
  const typing = useObservable(chat.typing)[channelId] ?? {};
  const who = Object.keys(typing).map((id) => names[id] ?? chat.nameOf(id));
  return (
    <p class="typing-line hint" aria-live="polite" data-testid="typing">
      {who.length === 0 ? '' : who.length === 1 ? tc('typingOne', { name: who[0] }) : tc('typingMany', { names: who.join(', ') })}
    </p>
  );
}
