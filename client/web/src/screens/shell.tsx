import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useChat, useSession } from '../app-context.ts';
import { useObservable } from '../state/observable.ts';
import type { Route } from '../lib/router.ts';
import { pagesText } from '../lib/pages.ts';
import { statsText, statsViewFor } from '../lib/stats.ts';
import { pagesStateOf } from '../state/pages.ts';
import { useT } from '../i18n/i18n.ts';
import { ConnectionBanner } from '../components/connection-banner.tsx';
import { UnreadBadge } from '../components/unread-badge.tsx';
import { PendingCertBadge } from '../components/pending-badge.tsx';

/** Security warnings the shell words itself (namespace `shell`, key `security` + the kind in camel case); others show the SDK's message. */
const SECURITY_KINDS = new Set([
  'key_changed',
  'certificate_superseded',
  'keylog_foreign_entry',
  'keylog_equivocation',
  'keylog_invalid',
  'chain_invalid',
  'key_envelope_invalid',
  'message_rejected',
  'message_replayed',
  'message_time_skew',
]);
const securityKey = (kind: string) => `security${kind.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`;

/** Moves focus into the open channel's composer (its message box, else its first control). */
function focusComposer(): void {
  const composer = document.getElementById('composer');
  const target = composer?.querySelector<HTMLElement>('textarea') ?? composer?.querySelector<HTMLElement>('input:not([type="file"]), select, button') ?? document.getElementById('main');
  target?.focus();
}

export function Shell({ route, children }: { route: Route; children: ComponentChildren }) {
  const session = useSession();
  const { me } = useObservable(session.state);
  const security = useObservable(session.security);
  const connection = useObservable(session.connection);
  const t = useT('shell');
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
        {t('skipToContent')}
      </a>
      {route.name === 'channels' && route.channelId && route.channelId !== 'new' && (
        <a class="skip" href="#composer" onClick={(e) => (e.preventDefault(), focusComposer())}>
          {t('skipToComposer')}
        </a>
      )}
      <header class="topbar">
        <strong class="brand">Liaison</strong>
        <nav aria-label={t('mainNav')}>
          {link('channels', '#/channels', t('navChannels'))}
          <UnreadBadge />
          {link('directory', '#/directory', t('navDirectory'))}
          {link('agreements', '#/agreements', t('navAgreements'))}
          {link('desks', '#/desks', t('navDesks'))}
          {link('requests', '#/requests', t('navRequests'))}
          <PagesLink current={route.name === 'pages'} />
          {admin && link('admin', '#/admin/officers', t('navAdmin'))}
          {admin && <PendingCertBadge />}
          {statsViewFor(me.officer.role, me.agency.id) && link('stats', '#/stats', statsText.navLabel)}
          {link('account', '#/account', t('navAccount'))}
        </nav>
        <div class="who">
          <span class={`conn conn-${connection}`} role="img" title={t('realtimeTitle', { state: t(`conn_${connection}`) })} aria-label={t('realtime', { state: t(`conn_${connection}`) })} />
          <span class="who-name">
            {me.officer.displayName} · {me.agency.name}
          </span>
          <button type="button" onClick={() => session.lock(t('lockedNotice'))}>
            {t('lock')}
          </button>
          <button type="button" onClick={() => void session.signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      {security.length > 0 && (
        <section class="security" role="alert" aria-label={t('securityWarnings')}>
          <ul>
            {security.map((s, i) => (
              <li key={i} data-kind={s.kind}>
                <strong>{t('securityWarning')}</strong> {SECURITY_KINDS.has(s.kind) ? t(securityKey(s.kind)) : s.message}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => session.security.set([])}>
            {t('dismiss')}
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
