import { useChat } from '../app-context.ts';
import type { AdminTab } from '../lib/router.ts';
import { AdminAgencies } from './admin-agencies.tsx';
import { AdminAudit } from './admin-audit.tsx';
import { AdminDirectory } from './admin-directory.tsx';
import { AdminExtendedAccess } from './admin-extended-access.tsx';
import { AdminOfficers } from './admin-officers.tsx';
import { AdminRoot } from './admin-root.tsx';

const TABS: { tab: AdminTab; label: string; platformOnly?: boolean }[] = [
  { tab: 'officers', label: 'Officers' },
  { tab: 'root', label: 'Agency root' },
  { tab: 'agencies', label: 'Agencies', platformOnly: true },
  { tab: 'extended-access', label: 'Extended access' },
  { tab: 'directory', label: 'Directory entries' },
  { tab: 'audit', label: 'Audit log' },
];

export function AdminScreen({ tab }: { tab: AdminTab }) {
  const chat = useChat();
  const role = chat.me.officer.role;
  if (role === 'officer') return <p>Administration is for agency and platform administrators.</p>;
  const tabs = TABS.filter((t) => !t.platformOnly || role === 'platform_admin');
  return (
    <div class="admin">
      <h1>Administration</h1>
      <nav class="tabs" aria-label="Administration">
        {tabs.map((t) => (
          <a key={t.tab} href={`#/admin/${t.tab}`} aria-current={t.tab === tab ? 'page' : undefined}>
            {t.label}
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
