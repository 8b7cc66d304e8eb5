/** Hash routes: the enrolment token stays in the #fragment, which browsers never send to a server. */
export type Route =
  | { name: 'enrol'; token: string }
  | { name: 'channels'; channelId: string | null }
  | { name: 'directory'; entryId: string | null }
  | { name: 'agreements'; agreementId: string | null }
  | { name: 'admin'; tab: AdminTab }
  | { name: 'account'; tab: AccountTab }
  | { name: 'desks'; deskId: string | null }
  | { name: 'pages'; pageId: string | null }
  | { name: 'requests'; requestId: string | null }
  | { name: 'stats' }
  | { name: 'home' };

export const ADMIN_TABS = ['officers', 'root', 'agencies', 'extended-access', 'directory', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export const ACCOUNT_TABS = ['overview', 'notifications'] as const;
export type AccountTab = (typeof ACCOUNT_TABS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  switch (head) {
    case 'enrol':
      return arg ? { name: 'enrol', token: arg } : { name: 'home' };
    case 'channels':
      return { name: 'channels', channelId: arg ?? null };
    case 'directory':
      return { name: 'directory', entryId: arg ?? null };
    case 'agreements':
      return { name: 'agreements', agreementId: arg ?? null };
    case 'admin':
      return { name: 'admin', tab: (ADMIN_TABS as readonly string[]).includes(arg ?? '') ? (arg as AdminTab) : 'officers' };
    case 'account':
      return { name: 'account', tab: (ACCOUNT_TABS as readonly string[]).includes(arg ?? '') ? (arg as AccountTab) : 'overview' };
    case 'desks':
      return { name: 'desks', deskId: arg ?? null };
    case 'pages':
      return { name: 'pages', pageId: arg ?? null };
    case 'requests':
      return { name: 'requests', requestId: arg ?? null };
    case 'stats':
      return { name: 'stats' };
    default:
      return { name: 'home' };
  }
}

export function href(route: Route): string {
  switch (route.name) {
    case 'enrol':
      return `#/enrol/${encodeURIComponent(route.token)}`;
    case 'channels':
      return route.channelId ? `#/channels/${encodeURIComponent(route.channelId)}` : '#/channels';
    case 'directory':
      return route.entryId ? `#/directory/${encodeURIComponent(route.entryId)}` : '#/directory';
    case 'agreements':
      return route.agreementId ? `#/agreements/${encodeURIComponent(route.agreementId)}` : '#/agreements';
    case 'admin':
      return `#/admin/${route.tab}`;
    case 'account':
      return route.tab === 'overview' ? '#/account' : `#/account/${route.tab}`;
    case 'desks':
      return route.deskId ? `#/desks/${encodeURIComponent(route.deskId)}` : '#/desks';
    case 'pages':
      return route.pageId ? `#/pages/${encodeURIComponent(route.pageId)}` : '#/pages';
    case 'requests':
      return route.requestId ? `#/requests/${encodeURIComponent(route.requestId)}` : '#/requests';
    case 'stats':
      return '#/stats';
    case 'home':
      return '#/';
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}
