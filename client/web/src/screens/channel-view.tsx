import { useEffect, useRef, useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { readOnlyText } from '../lib/contact.ts';
import { useObservable } from '../state/observable.ts';
import { Composer } from './composer.tsx';
import { MembersPanel } from './members-panel.tsx';
import { MessageItem } from './message-item.tsx';
import { RequestComposer } from './request-composer.tsx';

const text = { newRequest: 'New request' };


export function ChannelView({ channelId }: { channelId: string }) {
  const chat = useChat();
  const channels = useObservable(chat.channels);
  const agreements = useObservable(chat.agreements);
  const messages = useObservable(chat.messagesOf(channelId));
  const [showMembers, setShowMembers] = useState(false);
  const [requesting, setRequesting] = useState(false);
  const logRef = useRef<HTMLOListElement>(null);
  const [load, loading, loadError] = useAction(() => chat.openChannel(channelId));
  const channel = channels.find((c) => c.id === channelId);

  useEffect(() => {
    void load();
    return () => chat.closeChannel(channelId);
  }, [channelId]);
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  if (!channel) return <p class="empty">{loading ? 'Loading…' : 'This channel is not available to you.'}</p>;
  const agreement = channel.agreementId ? agreements.find((a) => a.id === channel.agreementId) : null;
  return (
    <div class="channel">
      <header class="channel-head">
        <a class="back" href="#/channels" aria-label="Back to channels">
          ←
        </a>
        <div>
          <h2>{channel.title ?? '(title not yet readable)'}</h2>
          <p class="meta">
            {channel.kind}
            {channel.caseRef ? ` · case ${channel.caseRef}` : ''}
            {agreement
              ? ` · under “${agreement.title}”`
              : channel.agreementId
                ? ' · under an agreement'
                : channel.contactRequest
                  ? ' · contact request (no agreement)'
                  : ' · own agency'}
            {` · ${channel.members.length} members`}
          </p>
        </div>
        {!channel.readOnly && !channel.untrusted && (
          <button type="button" aria-pressed={requesting} onClick={() => setRequesting(!requesting)}>
            {text.newRequest}
          </button>
        )}
        <button type="button" aria-expanded={showMembers} aria-controls="members-panel" onClick={() => setShowMembers(!showMembers)}>
          Members
        </button>
      </header>
      {readOnlyText(channel) && (
        <p class="notice notice-warn" role="status" data-testid="read-only">
          {readOnlyText(channel)}
        </p>
      )}
      {channel.untrusted && (
        <p class="notice notice-danger" role="alert">
          This channel’s membership history failed verification ({channel.untrusted}). The server may be misbehaving; sending is disabled.
        </p>
      )}
      {showMembers && <MembersPanel channel={channel} />}
      <ErrorBox error={loadError} />
      <ol class="messages" ref={logRef} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        {messages.length === 0 && !loading && <li class="empty">No messages yet.</li>}
        {messages.map((m) => (
          <MessageItem key={m.messageId} message={m} />
        ))}
      </ol>
      {!channel.readOnly && !channel.untrusted && (requesting ? <RequestComposer channelId={channelId} onClose={() => setRequesting(false)} /> : <Composer channelId={channelId} />)}
    </div>
  );
}
