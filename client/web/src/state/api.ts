import type { ApiMethod, ApiRequestOptions, AuditHeadCheck, LiaisonClient } from '../../../sdk/index.ts';
import type { Agency, Enrolment, Officer } from '../../../../shared/schemas/accounts.ts';
import type { Session } from '../../../../shared/schemas/auth.ts';
import type { AuditEvent, AuditVerification } from '../../../../shared/schemas/audit.ts';
import type { DirectoryEntry, DirectoryPage, CreateDirectoryEntryBody, DirectorySearchQuery, UpdateDirectoryEntryBody } from '../../../../shared/schemas/directory.ts';
import type { DirectoryFilters } from '../../../sdk/index.ts';
import type { OfficerKeys } from '../../../../shared/schemas/keys.ts';
import { LiaisonApiError } from '../../../sdk/errors.ts';

export interface ExtendedAccessGrant {
  id: string;
  sponsorAgencyId: string;
  agencyId: string;
  scope: string[];
  expiresAt: number;
  createdBy: string;
  createdAt: number;
  revokedAt: number | null;
  active: boolean;
}

export interface EnrolmentInfo {
  username: string;
  displayName: string;
  agencyName: string;
  expiresAt: number;
}

/**
 * Calls the SDK does not wrap (administration, sessions, audit), made through the client's public
 * `request()` so they share its tokens and single-flight refresh. Directory reads and maintenance use
 * the SDK's typed methods.
 */
export class Api {
  constructor(private readonly client: LiaisonClient) {}

  private req<T>(method: ApiMethod, path: string, opts?: ApiRequestOptions): Promise<T> {
    return this.client.request<T>(method, path, opts);
  }

  // accounts
  async agencies(): Promise<Agency[]> {
    return (await this.req<{ agencies: Agency[] }>('GET', '/agencies')).agencies;
  }
  createAgency(body: { name: string; country: string; kind: string; sponsorAgencyId?: string; admin: { username: string; displayName: string } }) {
    return this.req<{ agency: Agency; admin: Officer; enrolment: Enrolment }>('POST', '/agencies', { body });
  }
  async setAgencyStatus(id: string, status: 'active' | 'suspended'): Promise<Agency> {
    return (await this.req<{ agency: Agency }>('PATCH', `/agencies/${id}`, { body: { status } })).agency;
  }
  async officers(agencyId: string): Promise<Officer[]> {
    return (await this.req<{ officers: Officer[] }>('GET', `/agencies/${agencyId}/officers`)).officers;
  }
  createOfficer(agencyId: string, body: { username: string; displayName: string; role?: string }) {
    return this.req<{ officer: Officer; enrolment: Enrolment }>('POST', `/agencies/${agencyId}/officers`, { body });
  }
  async officerAction(id: string, action: 'suspend' | 'reactivate' | 'unlock'): Promise<Officer> {
    return (await this.req<{ officer: Officer }>('POST', `/officers/${id}/${action}`)).officer;
  }
  async setRole(id: string, role: Officer['role']): Promise<Officer> {
    return (await this.req<{ officer: Officer }>('PUT', `/officers/${id}/role`, { body: { role } })).officer;
  }
  async newEnrolment(id: string): Promise<Enrolment> {
    const res = await this.req<{ enrolment?: Enrolment } & Partial<Enrolment>>('POST', `/officers/${id}/enrolment`);
    return (res.enrolment ?? res) as Enrolment;
  }
  async officerSessions(id: string): Promise<Session[]> {
    return (await this.req<{ sessions: Session[] }>('GET', `/officers/${id}/sessions`)).sessions;
  }
  revokeOfficerSessions(id: string): Promise<{ revoked: number }> {
    return this.req('DELETE', `/officers/${id}/sessions`);
  }

  // own sessions
  async sessions(): Promise<Session[]> {
    return (await this.req<{ sessions: Session[] }>('GET', '/sessions')).sessions;
  }
  revokeAllSessions(): Promise<{ revoked: number }> {
    return this.req('DELETE', '/sessions');
  }
  revokeSession(id: string): Promise<unknown> {
    return this.req('DELETE', `/sessions/${id}`);
  }

  // keys
  async hasKeyBackup(): Promise<boolean> {
    try {
      await this.req('GET', '/keys/me/backup');
      return true;
    } catch (err) {
      if (err instanceof LiaisonApiError && err.status === 404) return false;
      throw err;
    }
  }
  async pendingCertifications(): Promise<OfficerKeys[]> {
    return (await this.req<{ officers: OfficerKeys[] }>('GET', '/keys/pending')).officers;
  }
  async officerKeys(id: string): Promise<OfficerKeys> {
    const res = await this.req<{ keys?: OfficerKeys } & Partial<OfficerKeys>>('GET', `/keys/officers/${encodeURIComponent(id)}`);
    return (res.keys ?? res) as OfficerKeys;
  }

  // extended access
  /** Grants, and the longest grant the server issues (days from issue). */
  async grants(): Promise<{ grants: ExtendedAccessGrant[]; maxDays: number }> {
    return this.req<{ grants: ExtendedAccessGrant[]; maxDays: number }>('GET', '/extended-access');
  }
  grant(body: { agencyId: string; scope: string[]; expiresAt: number }) {
    return this.req<unknown>('POST', '/extended-access', { body });
  }
  revokeGrant(id: string) {
    return this.req<unknown>('POST', `/extended-access/${id}/revoke`);
  }

  // agreements lifecycle beyond propose/sign
  agreementAction(id: string, action: 'suspend' | 'reactivate' | 'terminate', reason?: string) {
    return this.req<unknown>('POST', `/agreements/${id}/${action}`, { body: reason ? { reason } : {} });
  }

  // directory (the SDK's typed methods)
  directory(q: DirectorySearchQuery): Promise<DirectoryPage> {
    const filters: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') filters[k] = v;
    return this.client.searchDirectory(filters as DirectoryFilters);
  }
  directoryEntry(id: string): Promise<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null }> {
    return this.client.directoryEntry(id);
  }
  createDirectoryEntry(body: CreateDirectoryEntryBody): Promise<DirectoryEntry> {
    return this.client.createDirectoryEntry(body);
  }
  updateDirectoryEntry(id: string, body: UpdateDirectoryEntryBody): Promise<DirectoryEntry> {
    return this.client.updateDirectoryEntry(id, body);
  }
  confirmDirectoryEntry(id: string): Promise<DirectoryEntry> {
    return this.client.confirmDirectoryEntry(id);
  }
  deleteDirectoryEntry(id: string): Promise<void> {
    return this.client.retireDirectoryEntry(id);
  }

  // audit
  audit(q: { afterSeq?: number; limit?: number; action?: string }): Promise<{ events: AuditEvent[]; nextAfterSeq: number | null }> {
    return this.req('GET', '/audit', { query: q });
  }
  /** Compares the server's signed audit head with the highest this browser has seen; throws audit/rollback. */
  auditHead(): Promise<AuditHeadCheck> {
    return this.client.checkAuditHead();
  }
  auditVerify(): Promise<AuditVerification> {
    return this.req('GET', '/audit/verify');
  }
}

/** Unauthenticated enrolment lookup (before any session exists). */
export async function lookupEnrolment(token: string): Promise<EnrolmentInfo> {
  const res = await fetch('/api/v1/enrolment/lookup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const body = (await res.json()) as EnrolmentInfo & { error?: { code: string; message: string } };
  if (!res.ok) throw new LiaisonApiError(res.status, body.error?.code ?? `http_${res.status}`, body.error?.message ?? 'lookup failed');
  return body;
}
