import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

/** "Queued" / "Sending…" / "Failed — Retry" under a message still in the outbox (docs/WEB.md "Outbox"). */
export function OutboxStatus({ messageId }: { messageId: string }) {
  const chat = useChat();
  const t = useT('sync');
  const entries = useObservable(chat.outbox.entries);
  const entry = entries.find((e) => e.messageId === messageId);
  if (!entry) return null;
  return (
    <p class="outbox-status" role="status" data-testid="outbox-status" data-status={entry.status}>
      {entry.status === 'failed' ? (
        <>
          {t('failed')} —{' '}
          <button type="button" class="link" onClick={() => void chat.outbox.retry(messageId)}>
            {t('retry')}
          </button>
        </>
      ) : (
        t(entry.status === 'sending' ? 'sending' : 'queued')
      )}
    </p>
  );
}
