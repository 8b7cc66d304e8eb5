import { useEffect } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

const BRAND = 'Liaison';

/** The tab title with the unread count: `(3) Liaison`. */
export function unreadTitle(count: number): string {
  return count > 0 ? `(${count}) ${BRAND}` : BRAND;
}

/**
 * The unread count over every channel, next to "Channels" in the navigation (a number with accessible text,
 * not colour only), and in the tab title. Counted from the server's read markers (docs/WEB.md "Notifications").
 */
export function UnreadBadge() {
  const chat = useChat();
  const t = useT('sync');
  useObservable(chat.channels);
  useObservable(chat.marks);
  const count = chat.totalUnread();
  useEffect(() => {
    document.title = unreadTitle(count);
  }, [count]);
  useEffect(
    () => () => {
      document.title = BRAND;
    },
    [],
  );
  if (count === 0) return null;
  return (
    <span class="badge" data-testid="unread-total">
      <span aria-hidden="true">{count}</span>
      <span class="sr-only">{t('navUnread', { count })}</span>
    </span>
  );
}
