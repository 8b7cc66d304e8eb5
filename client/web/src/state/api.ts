import type { Static } from 'typebox';
import { api } from '../../../../shared/api/index.ts';
import type { Agency, CreateAgencyBody, Enrolment, Officer, OfficerProfile } from '../../../../shared/schemas/accounts.ts';
import type { ExtendedAccessGrant as ExtendedAccessGrantSchema, GrantExtendedAccessBody } from '../../../../shared/schemas/agreements.ts';
import type { EnrolmentInfo as EnrolmentInfoSchema, Session } from '../../../../shared/schemas/auth.ts';
import type { AuditEvent, AuditVerification } from '../../../../shared/schemas/audit.ts';
import type { DirectoryEntry, DirectoryPage, CreateDirectoryEntryBody, DirectorySearchQuery, UpdateDirectoryEntryBody } from '../../../../shared/schemas/directory.ts';
import type { AuditHeadCheck, CallResult, DirectoryFilters, LiaisonClient } from '../../../sdk/index.ts';
import type { OfficerKeys, PendingOfficerKeys } from '../../../../shared/schemas/keys.ts';
import type { CreateDeskBody, Desk, MyShift, NewRotaOverride, OnDuty, RotaBody, UpdateDeskBody } from '../../../../shared/schemas/desks.ts';
import type { IntakeKeyView } from '../../../../shared/schemas/intake.ts';
import type { Page, PageState, ReachabilityReport, TestPageResult } from '../../../../shared/schemas/pages.ts';
import type { DeliveryResult, NotificationSettings, PushSubscriptionBody, PushSubscriptionView } from '../../../../shared/schemas/notifications.ts';
import { LiaisonApiError } from '../../../sdk/errors.ts';
import { HttpClient } from '../../../sdk/http.ts';

export type ExtendedAccessGrant = Static<typeof ExtendedAccessGrantSchema>;
export type EnrolmentInfo = Static<typeof EnrolmentInfoSchema>;

/**
 * Calls the SDK does not wrap (administration, sessions, audit), made through the client's public
 * `call()` with the `shared/api` contracts, so they share its tokens and single-flight refresh and
 * every answer is typed by its contract. Directory reads and maintenance use the SDK's typed methods.
 */
export class Api {
  constructor(private readonly client: LiaisonClient) {}

  // accounts
  async agencies(): Promise<Agency[]> {
    return (await this.client.call(api.accounts.listAgencies)).agencies;
  }
  createAgency(body: CreateAgencyBody): Promise<CallResult<typeof api.accounts.createAgency>> {
    return this.client.call(api.accounts.createAgency, { body });
  }
  async setAgencyStatus(id: string, status: 'active' | 'suspended'): Promise<Agency> {
    return (await this.client.call(api.accounts.updateAgency, { params: { id }, body: { status } })).agency;
  }
  async officers(agencyId: string): Promise<Officer[]> {
    return (await this.client.call(api.accounts.listOfficers, { params: { id: agencyId } })).officers;
  }
  createOfficer(agencyId: string, body: { username: string; displayName: string; role?: Officer['role'] }): Promise<CallResult<typeof api.accounts.createOfficer>> {
    return this.client.call(api.accounts.createOfficer, { params: { id: agencyId }, body });
  }
  async officerAction(id: string, action: 'suspend' | 'reactivate' | 'unlock'): Promise<Officer> {
    const contract = { suspend: api.accounts.suspendOfficer, reactivate: api.accounts.reactivateOfficer, unlock: api.accounts.unlockOfficer }[action];
    return (await this.client.call(contract, { params: { id } })).officer;
  }
  async setRole(id: string, role: Officer['role']): Promise<Officer> {
    return (await this.client.call(api.accounts.setRole, { params: { id }, body: { role } })).officer;
  }
  async newEnrolment(id: string): Promise<Enrolment> {
    return (await this.client.call(api.accounts.reissueEnrolment, { params: { id } })).enrolment;
  }
  async officerSessions(id: string): Promise<Session[]> {
    return (await this.client.call(api.accounts.officerSessions, { params: { id } })).sessions;
  }
  revokeOfficerSessions(id: string): Promise<{ revoked: number }> {
    return this.client.call(api.accounts.revokeOfficerSessions, { params: { id } });
  }

  // own sessions
  async sessions(): Promise<Session[]> {
    return (await this.client.call(api.auth.listSessions)).sessions;
  }
  revokeAllSessions(): Promise<{ revoked: number }> {
    return this.client.call(api.auth.revokeAllSessions);
  }
  revokeSession(id: string): Promise<{ revoked: number }> {
    return this.client.call(api.auth.revokeSession, { params: { id } });
  }

  // keys
  async hasKeyBackup(): Promise<boolean> {
    try {
      await this.client.call(api.keys.backup);
      return true;
    } catch (err) {
      if (err instanceof LiaisonApiError && err.status === 404) return false;
      throw err;
    }
  }
  async pendingCertifications(): Promise<PendingOfficerKeys[]> {
    return (await this.client.call(api.keys.pending)).officers;
  }
  /** Name and agency of officers by id (at most MAX_PROFILE_IDS; unknown ids are left out). */
  async officerProfiles(ids: string[]): Promise<OfficerProfile[]> {
    return (await this.client.call(api.accounts.officerProfiles, { query: { ids: ids.join(',') } })).profiles;
  }
  async officerKeys(id: string): Promise<OfficerKeys> {
    return (await this.client.call(api.keys.officerKeys, { params: { id } })).keys;
  }

  // extended access
  /** Grants, and the longest grant the server issues (days from issue). */
  grants(): Promise<{ grants: ExtendedAccessGrant[]; maxDays: number }> {
    return this.client.call(api.extendedAccess.list);
  }
  async grant(body: Static<typeof GrantExtendedAccessBody>): Promise<ExtendedAccessGrant> {
    return (await this.client.call(api.extendedAccess.grant, { body })).grant;
  }
  async revokeGrant(id: string): Promise<ExtendedAccessGrant> {
    return (await this.client.call(api.extendedAccess.revoke, { params: { id } })).grant;
  }

  // agreements lifecycle beyond propose/sign
  async agreementAction(id: string, action: 'suspend' | 'reactivate' | 'terminate', reason?: string): Promise<void> {
    await this.client.call(api.agreements.transitions[action], { params: { id }, body: reason ? { reason } : {} });
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

  // notifications (content-free alerting: push, e-mail)
  async vapidPublicKey(): Promise<string> {
    return (await this.client.call(api.notifications.vapidPublicKey)).publicKey;
  }
  async pushSubscriptions(): Promise<PushSubscriptionView[]> {
    return (await this.client.call(api.notifications.subscriptions)).subscriptions;
  }
  async addPushSubscription(body: PushSubscriptionBody): Promise<PushSubscriptionView> {
    return (await this.client.call(api.notifications.subscribe, { body })).subscription;
  }
  async removePushSubscription(id: string): Promise<void> {
    await this.client.call(api.notifications.unsubscribe, { params: { id } });
  }
  notificationSettings(): Promise<NotificationSettings> {
    return this.client.call(api.notifications.settings);
  }
  saveNotificationSettings(body: NotificationSettings): Promise<NotificationSettings> {
    return this.client.call(api.notifications.putSettings, { body });
  }
  async testNotification(): Promise<DeliveryResult[]> {
    return (await this.client.call(api.notifications.test)).results;
  }

  // desks and duty rotas
  async desks(): Promise<Desk[]> {
    return (await this.client.call(api.desks.list)).desks;
  }
  async desk(id: string): Promise<Desk> {
    return (await this.client.call(api.desks.get, { params: { id } })).desk;
  }
  async createDesk(body: CreateDeskBody): Promise<Desk> {
    return (await this.client.call(api.desks.create, { body })).desk;
  }
  async updateDesk(id: string, body: UpdateDeskBody): Promise<Desk> {
    return (await this.client.call(api.desks.update, { params: { id }, body })).desk;
  }
  async replaceRota(id: string, body: RotaBody): Promise<Desk> {
    return (await this.client.call(api.desks.replaceRota, { params: { id }, body })).desk;
  }
  async addOverride(id: string, body: NewRotaOverride): Promise<Desk> {
    return (await this.client.call(api.desks.addOverride, { params: { id }, body })).desk;
  }
  async removeOverride(id: string, overrideId: string): Promise<Desk> {
    return (await this.client.call(api.desks.removeOverride, { params: { id, overrideId } })).desk;
  }
  onDuty(id: string): Promise<OnDuty> {
    return this.client.call(api.desks.onDuty, { params: { id }, query: {} });
  }
  async myShifts(from: number, to: number): Promise<MyShift[]> {
    return (await this.client.call(api.desks.myShifts, { query: { from, to } })).shifts;
  }

  // desk intake (the SDK's client.desks does the cryptography; these are the plain reads)
  /** The desk's intake key versions, oldest first (empty: no encrypted inbox yet). */
  async intakeKeys(deskId: string): Promise<IntakeKeyView[]> {
    return (await this.client.call(api.intake.listKeys, { params: { id: deskId } })).keys;
  }
  /** Whether a directory entry's desk takes sealed requests (404 no_intake_key: it does not). */
  async entryTakesRequests(entryId: string): Promise<boolean> {
    try {
      await this.client.call(api.intake.directoryIntake, { params: { id: entryId } });
      return true;
    } catch (err) {
      if (err instanceof LiaisonApiError && err.status === 404) return false;
      throw err;
    }
  }

  // pages (a desk's escalation of one item; content-free)
  async myPages(): Promise<Page[]> {
    return (await this.client.call(api.pages.mine)).pages;
  }
  async page(id: string): Promise<Page> {
    return (await this.client.call(api.pages.get, { params: { id } })).page;
  }
  async ackPage(id: string): Promise<Page> {
    return (await this.client.call(api.pages.ack, { params: { id } })).page;
  }
  async deskPages(id: string, state?: PageState): Promise<Page[]> {
    return (await this.client.call(api.pages.deskPages, { params: { id }, query: state ? { state } : {} })).pages;
  }
  testPage(id: string): Promise<TestPageResult> {
    return this.client.call(api.pages.testPage, { params: { id } });
  }
  async reachability(id: string): Promise<ReachabilityReport[]> {
    return (await this.client.call(api.pages.reachability, { params: { id }, query: {} })).reports;
  }
  async runReachability(id: string): Promise<ReachabilityReport> {
    return (await this.client.call(api.pages.runReachability, { params: { id } })).report;
  }

  // audit
  audit(q: { afterSeq?: number; limit?: number; action?: string }): Promise<{ events: AuditEvent[]; nextAfterSeq: number | null }> {
    return this.client.call(api.audit.list, { query: q });
  }
  /** Compares the server's signed audit head with the highest this browser has seen; throws audit/rollback. */
  auditHead(): Promise<AuditHeadCheck> {
    return this.client.checkAuditHead();
  }
  auditVerify(): Promise<AuditVerification> {
    return this.client.call(api.audit.verify);
  }
}

/** Unauthenticated enrolment lookup (before any session exists, so without a client's session). */
export function lookupEnrolment(token: string): Promise<EnrolmentInfo> {
  return new HttpClient(window.location.origin).call(api.enrolment.lookup, { body: { token } });
}
