import type { Role } from '../../../../shared/schemas/accounts.ts';
import { fixedT } from '../i18n/i18n.ts';

const RANK: Record<Role, number> = { officer: 0, agency_admin: 1, platform_admin: 2 };

/** Roles an administrator may give (never above their own; the server enforces it too). */
export function assignableRoles(myRole: Role): Role[] {
  if (myRole === 'officer') return [];
  return (['officer', 'agency_admin', 'platform_admin'] as const).filter((r) => RANK[r] <= RANK[myRole]);
}

const ROLE_KEY: Record<Role, string> = { officer: 'roleOfficer', agency_admin: 'roleAgencyAdmin', platform_admin: 'rolePlatformAdmin' };

/** Role names in the reader's language (namespace `people`): each entry reads the current language when accessed. */
export const ROLE_LABEL: Readonly<Record<Role, string>> = (() => {
  const out = {} as Record<Role, string>;
  for (const r of Object.keys(ROLE_KEY) as Role[]) Object.defineProperty(out, r, { enumerable: true, get: () => fixedT('people')(ROLE_KEY[r]) });
  return out;
})();

export interface Candidate {
  officerId: string;
  name: string;
  /** Agency name, and the directory entry title when the candidate comes from the directory. */
  detail: string;
}

/**
 * People to add to a channel: the caller's agency officers (administrators can list them) and directory
 * entries with a linked officer; one row per officer, without current members, filtered by the query
 * (name, agency or entry title, case-insensitive), at most `limit`.
 */
export function memberCandidates(
  query: string,
  sources: { officers: { id: string; displayName: string; status?: string }[]; agencyName: string; entries: { title: string; agency: { name: string }; officer: { id: string; displayName: string } | null }[] },
  exclude: Set<string>,
  limit = 8,
): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const o of sources.officers) if (o.status === undefined || o.status === 'active') out.set(o.id, { officerId: o.id, name: o.displayName, detail: sources.agencyName });
  for (const e of sources.entries) {
    if (!e.officer || out.has(e.officer.id)) continue;
    out.set(e.officer.id, { officerId: e.officer.id, name: e.officer.displayName, detail: `${e.agency.name} · ${e.title}` });
  }
  const q = query.trim().toLowerCase();
  return [...out.values()]
    .filter((c) => !exclude.has(c.officerId))
    .filter((c) => !q || c.name.toLowerCase().includes(q) || c.detail.toLowerCase().includes(q))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, limit);
}
