import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

/** Whether the browser says it is online (the `online` / `offline` events). */
function useOnline(): boolean {
  const [online, setOnline] = useState(globalThis.navigator?.onLine ?? true);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    globalThis.addEventListener('online', on);
    globalThis.addEventListener('offline', off);
    return () => {
      globalThis.removeEventListener('online', on);
      globalThis.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The connection state in words, not a coloured dot only: offline, or reconnecting to the realtime channel. */
export function ConnectionBanner() {
  const session = useSession();
  const t = useT('sync');
  const connection = useObservable(session.connection);
  const online = useOnline();
  const text = !online ? t('offline') : connection === 'connecting' || connection === 'disconnected' ? t('reconnecting') : null;
  if (!text) return null;
  return (
    <div class="connection-banner" role="status" data-testid="connection-banner">
      {text}
    </div>
  );
}
