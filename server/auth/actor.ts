import type { Role } from '../../shared/schemas/accounts.ts';

/** The authenticated caller of a service method (built from a verified access token and the database). */
export interface Actor {
  officerId: string;
  agencyId: string;
  role: Role;
  sessionId: string;
  ip: string | null;
}

const RANK: Record<Role, number> = { officer: 1, agency_admin: 2, platform_admin: 3 };

export function roleRank(role: Role): number {
  return RANK[role];
}

export function isAdmin(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'agency_admin' || actor.role === 'platform_admin';
}

/** Platform admins manage everyone; agency admins manage their own agency's officers of equal or lower rank. */
export function canManageOfficer(actor: Actor, target: { agencyId: string; role: Role }): boolean {
  if (actor.role === 'platform_admin') return true;
  return actor.role === 'agency_admin' && actor.agencyId === target.agencyId && RANK[target.role] <= RANK[actor.role];
}
