import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useChat, useSession } from '../app-context.ts';
import { useObservable } from '../state/observable.ts';
import type { Route } from '../lib/router.ts';
import { pagesText } from '../lib/pages.ts';
import { statsText, statsViewFor } from '../lib/stats.ts';
import { pagesStateOf } from '../state/pages.ts';
import { requestsNavLabel } from './requests.tsx';
import { ConnectionBanner } from '../components/connection-banner.tsx';
import { UnreadBadge } from '../components/unread-badge.tsx';

const SECURITY_TEXT: Record<string, string> = {
  key_changed: 'An officer’s identity key changed. Compare safety numbers before trusting new messages from them.',
  certificate_superseded: 'The server offered an officer’s old certificate instead of their newest one (possible server misbehaviour). The action was refused.',
  keylog_foreign_entry: 'Someone registered keys for your account that this device did not create. Tell your administrator now.',
  keylog_equivocation: 'The server showed inconsistent key logs (possible server misbehaviour). Tell your administrator.',
  keylog_invalid: 'The server’s key log failed verification (possible server misbehaviour).',
  chain_invalid: 'A channel’s membership history failed verification (possible server misbehaviour). Sending to it is disabled.',
  key_envelope_invalid: 'A channel key from the server failed verification and was ignored.',
  message_rejected: 'A message failed verification and was not shown.',
  message_replayed: 'The server delivered a message again that was already received (a replay); the copy was not shown.',
  message_time_skew: 'A message’s own timestamp disagrees with the server’s; it is shown at the server’s time and marked “sender clock differs”.',
};

export function Shell({ route, children }: { route: Route; children: ComponentChildren }) {
  const session = useSession();
  const { me } = useObservable(session.state);
  const security = useObservable(session.security);
  const connection = useObservable(session.connection);
  if (!me) return null;
  const admin = me.officer.role !== 'officer';
  const link = (name: Route['name'], to: string, label: string) => (
    <a href={to} aria-current={route.name === name ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <strong class="brand">Liaison</strong>
        <nav aria-label="Main">
          {link('channels', '#/channels', 'Channels')}
          <UnreadBadge />
          {link('directory', '#/directory', 'Directory')}
          {link('agreements', '#/agreements', 'Agreements')}
          {link('desks', '#/desks', 'Desks')}
          {link('requests', '#/requests', requestsNavLabel)}
          <PagesLink current={route.name === 'pages'} />
          {admin && link('admin', '#/admin/officers', 'Administration')}
          {statsViewFor(me.officer.role, me.agency.id) && link('stats', '#/stats', statsText.navLabel)}
          {link('account', '#/account', 'Account')}
        </nav>
        <div class="who">
          <span class={`conn conn-${connection}`} title={`Realtime: ${connection}`} aria-label={`Realtime ${connection}`} />
          <span>
            {me.officer.displayName} · {me.agency.name}
          </span>
          <button type="button" onClick={() => session.lock('Locked. Enter your key-backup passphrase to continue.')}>
            Lock
          </button>
          <button type="button" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      {security.length > 0 && (
        <section class="security" role="alert" aria-label="Security warnings">
          <ul>
            {security.map((s, i) => (
              <li key={i} data-kind={s.kind}>
                <strong>Security warning:</strong> {SECURITY_TEXT[s.kind] ?? s.message}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => session.security.set([])}>
            Dismiss
          </button>
        </section>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** "Pages" with a badge of my open pages (polled while the app is visible). */
function PagesLink({ current }: { current: boolean }) {
  const chat = useChat();
  const state = pagesStateOf(chat.api);
  const count = useObservable(state.count);
  useEffect(() => state.watch(), [state]);
  return (
    <a href="#/pages" aria-current={current ? 'page' : undefined} data-testid="nav-pages">
      {pagesText.navLabel}
      {count > 0 && (
        <span class="badge" data-testid="pages-badge">
          <span aria-hidden="true">{count}</span>
          <span class="sr-only">, {pagesText.navCount(count)}</span>
        </span>
      )}
    </a>
  );
}
