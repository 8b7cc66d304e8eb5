import { useEffect, useState } from 'preact/hooks';
import { SessionContext, useSession } from './app-context.ts';
import { useT } from './i18n/i18n.ts';
import { lazyComponent } from './lib/lazy.tsx';
import { parseRoute, type Route } from './lib/router.ts';
import { loadRuntime, type AppSession } from './state/session.ts';
import { useObservable } from './state/observable.ts';
import { SignInScreen } from './screens/sign-in.tsx';

// Issue 15 §9: only the sign-in form is in the entry chunk; every other screen is a chunk of its own, fetched when
// first shown or by `preloadScreens()` right after the first paint (so unlocking is not slower).
const AccountScreen = lazyComponent(() => import('./screens/account.tsx').then((m) => m.AccountScreen));
const AdminScreen = lazyComponent(() => import('./screens/admin.tsx').then((m) => m.AdminScreen));
const AgreementsScreen = lazyComponent(() => import('./screens/agreements.tsx').then((m) => m.AgreementsScreen));
const ChannelsScreen = lazyComponent(() => import('./screens/channels.tsx').then((m) => m.ChannelsScreen));
const CreateIdentityScreen = lazyComponent(() => import('./screens/create-identity.tsx').then((m) => m.CreateIdentityScreen));
const DesksScreen = lazyComponent(() => import('./screens/desks.tsx').then((m) => m.DesksScreen));
const DirectoryScreen = lazyComponent(() => import('./screens/directory.tsx').then((m) => m.DirectoryScreen));
const EnrolScreen = lazyComponent(() => import('./screens/enrol.tsx').then((m) => m.EnrolScreen));
const LockScreen = lazyComponent(() => import('./screens/lock.tsx').then((m) => m.LockScreen));
const PagesScreen = lazyComponent(() => import('./screens/pages.tsx').then((m) => m.PagesScreen));
const RequestsScreen = lazyComponent(() => import('./screens/requests.tsx').then((m) => m.RequestsScreen));
const Shell = lazyComponent(() => import('./screens/shell.tsx').then((m) => m.Shell));
const StatsScreen = lazyComponent(() => import('./screens/stats.tsx').then((m) => m.StatsScreen));

/**
 * Fetches the SDK and the screens after the sign-in form is on screen: first what unlocking needs (the SDK, the
 * key screens, the shell and the channels), then the rest. Failures are ignored here (the screen retries when shown).
 */
export async function preloadScreens(): Promise<void> {
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  await Promise.all([loadRuntime(), LockScreen.preload(), CreateIdentityScreen.preload(), Shell.preload(), ChannelsScreen.preload()].map(quiet));
  await Promise.all([AccountScreen, AdminScreen, AgreementsScreen, DesksScreen, DirectoryScreen, EnrolScreen, PagesScreen, RequestsScreen, StatsScreen].map((c) => quiet(c.preload())));
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Screens() {
  const session = useSession();
  const { phase } = useObservable(session.state);
  const route = useRoute();
  const t = useT('app');
  useEffect(() => {
    document.title = phase === 'unlocked' ? t('titleScreen', { screen: t(`route_${route.name}`, { defaultValue: route.name }) }) : t('title');
  }, [phase, route.name, t]);
  if (phase === 'booting') return <main class="card narrow" id="main" aria-busy="true"><p>{t('loading')}</p></main>;
  if (route.name === 'enrol' && phase === 'signed-out') return <EnrolScreen token={route.token} />;
  if (phase === 'signed-out') return <SignInScreen />;
  if (phase === 'needs-identity') return <CreateIdentityScreen />;
  if (phase === 'locked') return <LockScreen />;
  return (
    <Shell route={route}>
      {route.name === 'directory' ? (
        <DirectoryScreen entryId={route.entryId} />
      ) : route.name === 'agreements' ? (
        <AgreementsScreen agreementId={route.agreementId} />
      ) : route.name === 'admin' ? (
        <AdminScreen tab={route.tab} />
      ) : route.name === 'account' ? (
        <AccountScreen tab={route.tab} />
      ) : route.name === 'desks' ? (
        <DesksScreen deskId={route.deskId} />
      ) : route.name === 'pages' ? (
        <PagesScreen pageId={route.pageId} />
      ) : route.name === 'requests' ? (
        <RequestsScreen requestId={route.requestId} />
      ) : route.name === 'stats' ? (
        <StatsScreen />
      ) : (
        <ChannelsScreen channelId={route.name === 'channels' ? route.channelId : null} />
      )}
    </Shell>
  );
}

export function App({ session }: { session: AppSession }) {
  return (
    <SessionContext.Provider value={session}>
      <Screens />
    </SessionContext.Provider>
  );
}
