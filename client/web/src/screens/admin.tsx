import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import type { AdminTab } from '../lib/router.ts';
import { AdminAgencies } from './admin-agencies.tsx';
import { AdminAudit } from './admin-audit.tsx';
import { AdminDirectory } from './admin-directory.tsx';
import { AdminExtendedAccess } from './admin-extended-access.tsx';
import { AdminOfficers } from './admin-officers.tsx';
import { AdminRoot } from './admin-root.tsx';

const TABS: { tab: AdminTab; label: string; platformOnly?: boolean }[] = [
  { tab: 'officers', label: 'tabOfficers' },
  { tab: 'root', label: 'tabRoot' },
  { tab: 'agencies', label: 'tabAgencies', platformOnly: true },
  { tab: 'extended-access', label: 'tabExtendedAccess' },
  { tab: 'directory', label: 'tabDirectory' },
  { tab: 'audit', label: 'tabAudit' },
];

export function AdminScreen({ tab }: { tab: AdminTab }) {
  const chat = useChat();
  const role = chat.me.officer.role;
  const t = useT('admin');
  if (role === 'officer') return <p>{t('notForOfficers')}</p>;
  const tabs = TABS.filter((x) => !x.platformOnly || role === 'platform_admin');
  return (
    <div class="admin">
      <h1>{t('title')}</h1>
      <nav class="tabs" aria-label={t('title')}>
        {tabs.map((x) => (
          <a key={x.tab} href={`#/admin/${x.tab}`} aria-current={x.tab === tab ? 'page' : undefined}>
            {t(x.label)}
          </a>
        ))}
      </nav>
      {tab === 'officers' && <AdminOfficers />}
      {tab === 'root' && <AdminRoot />}
      {tab === 'agencies' && role === 'platform_admin' && <AdminAgencies />}
      {tab === 'extended-access' && <AdminExtendedAccess />}
      {tab === 'directory' && <AdminDirectory />}
      {tab === 'audit' && <AdminAudit />}
    </div>
  );
}
