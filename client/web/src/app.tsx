import { useEffect, useState } from 'preact/hooks';
import { SessionContext, useSession } from './app-context.ts';
import { useT } from './i18n/i18n.ts';
import { parseRoute, type Route } from './lib/router.ts';
import type { AppSession } from './state/session.ts';
import { useObservable } from './state/observable.ts';
import { AccountScreen } from './screens/account.tsx';
import { AdminScreen } from './screens/admin.tsx';
import { AgreementsScreen } from './screens/agreements.tsx';
import { ChannelsScreen } from './screens/channels.tsx';
import { CreateIdentityScreen } from './screens/create-identity.tsx';
import { DesksScreen } from './screens/desks.tsx';
import { DirectoryScreen } from './screens/directory.tsx';
import { EnrolScreen } from './screens/enrol.tsx';
import { LockScreen } from './screens/lock.tsx';
import { PagesScreen } from './screens/pages.tsx';
import { RequestsScreen } from './screens/requests.tsx';
import { Shell } from './screens/shell.tsx';
import { SignInScreen } from './screens/sign-in.tsx';
import { StatsScreen } from './screens/stats.tsx';

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
