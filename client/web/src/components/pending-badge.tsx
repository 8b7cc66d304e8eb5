import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { usePoll } from './use-poll.ts';

/** How often an administrator's app asks who waits for certification (no realtime notice exists for it). */
export const PENDING_POLL_MS = 10_000;

/**
 * Next to "Administration": how many of my agency's officers wait for their keys to be certified
 * (a number with accessible text), kept current by polling while the app is unlocked.
 */
export function PendingCertBadge() {
  const chat = useChat();
  const t = useT('admin-officers');
  const pending = useObservable(chat.pendingCerts);
  usePoll(() => chat.refreshPendingCerts(), PENDING_POLL_MS);
  if (pending.length === 0) return null;
  return (
    <span class="badge" data-testid="pending-certifications-count">
      <span aria-hidden="true">{pending.length}</span>
      <span class="sr-only">{t('awaiting', { count: pending.length })}</span>
    </span>
  );
}
