import type { MembershipEventKind } from '../../shared/crypto/index.ts';
import type { OfficerRole } from '../../shared/crypto/identity.ts';
import type { AgencyKind, Role } from '../../shared/schemas/accounts.ts';

/**
 * Every audit action the server records: the closed list `AuditService.record` accepts. Verifiers
 * and reports read actions as data, so a renamed action is a format change (docs/AUDIT.md lists them).
 */
export const AUDIT_ACTIONS = [
  'platform.initialised',
  'auth.login',
  'auth.logout',
  'auth.refresh_reuse',
  'auth.throttled',
  'session.revoked',
  'access.denied',
  'access.denied_suppressed',
  'agency.created',
  'agency.suspended',
  'agency.reactivated',
  'officer.created',
  'officer.suspended',
  'officer.reactivated',
  'officer.unlocked',
  'officer.role_changed',
  'enrolment.issued',
  'enrolment.completed',
  'keys.registered',
  'keys.reregistered',
  'keys.certified',
  'keys.renewal_requested',
  'keys.revoked',
  'keys.prekey_rotated',
  'keys.backup_updated',
  'keys.root_set_proposed',
  'keys.root_set_signed',
  'keys.root_set_applied',
  'keys.device_added',
  'keys.device_revoked',
  'agreement.proposed',
  'agreement.signed',
  'agreement.suspended',
  'agreement.suspension_lifted',
  'agreement.reactivated',
  'agreement.terminated',
  'extended_access.granted',
  'extended_access.renewed',
  'extended_access.revoked',
  'channel.created',
  'channel.updated',
  'channel.legal_hold_placed',
  'channel.legal_hold_lifted',
  'channel.invited',
  'channel.invitation_accepted',
  'channel.invitation_declined',
  'channel.invitation_stale',
  'channel.contact_request_accepted',
  'channel.contact_request_declined',
  // One per membership event kind (server/channels/membership.ts records `channel.${event.kind}`).
  'channel.create',
  'channel.add',
  'channel.remove',
  'channel.set-role',
  'channel.set-policy',
  'channel.rekey',
  'directory.entry_created',
  'directory.entry_updated',
  'directory.entry_confirmed',
  'directory.entry_retired',
  'directory.contacted',
  'directory.contact_requested',
  'messages.retention_sweep',
  'desk.created',
  'desk.updated',
  'desk.deleted',
  'desk.rota_replaced',
  'desk.override_added',
  'desk.override_removed',
  'notification.delivered',
  'notification.subscribed',
  'notification.unsubscribed',
  'notification.settings_changed',
  'page.opened',
  'page.escalated',
  'page.acknowledged',
  'page.exhausted',
  'intake.key_published',
  'desk_request.received',
  'desk_request.claimed',
  'desk_request.case_channel',
  'page.cancelled',
  'desk.reachability_reported',
  'request.received',
  'request.state_changed',
  'request.reminded',
  'request.settings_changed',
  'use_grant.declared',
  'stats.viewed',
  'stats.exported',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

// The membership-event actions above must cover every event kind (a new kind fails the build here).
const _membershipActionsCovered: readonly AuditAction[] = [] as `channel.${MembershipEventKind}`[];
void _membershipActionsCovered;

/** Details not (yet) given a shape of their own; never secrets: administrators read them. */
type Loose = Record<string, unknown>;

/** An action that carries no details (recorded as `{}`). */
type NoDetails = Record<string, never>;

/** The `details` each action carries. Actions not listed take loose details. */
export interface AuditDetailsMap {
  'platform.initialised': { username: string };
  /** `reason` on refusals only: unknown_user, password, totp, totp_replay, throttled, officer_inactive, agency_suspended. */
  'auth.login': { username: string; reason?: string };
  'auth.logout': NoDetails;
  'auth.refresh_reuse': NoDetails;
  'auth.throttled': { username: string; scope: 'account' | 'source'; retryAfterSeconds: number };
  'session.revoked': { count: number };
  'agency.created': { name: string; country: string; kind: AgencyKind; sponsorAgencyId: string | null };
  'agency.suspended': NoDetails;
  'agency.reactivated': NoDetails;
  'officer.created': { username: string; role: Role };
  'officer.suspended': { sessionsRevoked: number };
  'officer.reactivated': NoDetails;
  'officer.unlocked': NoDetails;
  'officer.role_changed': { from: Role; to: Role };
  'enrolment.issued': NoDetails;
  /** A wrong authenticator code (outcome failure), or the completed enrolment. */
  'enrolment.completed': { reason: 'totp' } | { reEnrolment: boolean };
  'keys.registered': { logIndex: number; agencyRoot: boolean; signPublicKey: string };
  'keys.reregistered': { logIndex: number; agencyRoot: boolean; signPublicKey: string };
  'keys.certified': { logIndex: number; role: OfficerRole; expiresAt: number; reason?: 'new-keys' | 'renewal' | 'expired' | 'role-changed' | 'root-rotated' };
  /** The officer asked to renew its certificate (expiring at `expiresAt`). */
  'keys.renewal_requested': { expiresAt: number };
  'keys.revoked': { logIndex: number; reason: string | null; signPublicKey: string };
  'keys.prekey_rotated': { logIndex: number; prekeyId: number };
  'keys.backup_updated': NoDetails;
  'keys.root_set_proposed': { version: number; threshold: number; members: string[]; signatures: number };
  'keys.root_set_signed': { version: number; signatures: number };
  'keys.root_set_applied': { version: number; threshold: number; members: string[]; logIndex: number };
  'keys.device_added': { logIndex: number; deviceId: string; signPublicKey: string };
  'keys.device_revoked': { logIndex: number; deviceId: string; signPublicKey: string; sessionsEnded: number };
  'directory.entry_created': { title: string; officerId: string | null };
  'directory.entry_updated': { fields: string[] };
  'directory.entry_confirmed': { previouslyConfirmedAt: number };
  'directory.entry_retired': { title: string };
  'directory.contacted': { channelId: string; recipient: string; agreementId: string | null };
  'directory.contact_requested': { channelId: string; recipient: string; agreementId: string | null };
  /** Desks (docs/DESKS.md): ids and counts only, never names or phone numbers. */
  'desk.created': { members: number; supervisors: number; backupDeskId: string | null };
  'desk.updated': { fields: string[] };
  'desk.deleted': NoDetails;
  'desk.rota_replaced': { weekly: number; overrides: number };
  'desk.override_added': { overrideId: string; officerId: string; replaces: string | null };
  'desk.override_removed': { overrideId: string };
  'access.denied': { route: string; reason: string };
  'access.denied_suppressed': { suppressed: number; windowStart: number; windowMs: number; recorded: number };
  'agreement.proposed': { parties: string[]; scope: readonly string[]; validFrom: number | undefined; validUntil: number | undefined };
  'agreement.signed': { activated: boolean };
  'agreement.suspended': { reason?: string; suspendedBy: string[] };
  'agreement.suspension_lifted': { reason?: string; suspendedBy: string[] };
  'agreement.reactivated': { reason?: string; suspendedBy: string[] };
  'agreement.terminated': { reason?: string };
  'extended_access.granted': { institution: string; scope: readonly string[]; expiresAt: number };
  'extended_access.renewed': {
    institution: string;
    scope: readonly string[];
    expiresAt: number;
    previous: string;
    previousExpiresAt: number;
    superseded: boolean;
  };
  'extended_access.revoked': { institution: string; channels: string[] };
  'channel.invited': { invitation: string; invitee: string; seq: number };
  'channel.invitation_accepted': { invitation: string };
  'channel.invitation_declined': { invitation: string };
  'channel.invitation_stale': { invitation: string };
  'channel.contact_request_accepted': { invitation: string; requester: string };
  'channel.contact_request_declined': { invitation: string; requester: string };
  'channel.updated': { meta: boolean; retentionDays: number | undefined };
  'channel.legal_hold_placed': { holdingAgency: string; remaining: string[] };
  'channel.legal_hold_lifted': { holdingAgency: string; remaining: string[] };
  /** One delivery attempt (outcome success or failure), without content: the target is the officer notified. */
  'notification.delivered': { transport: 'push' | 'email' | 'webhook'; notificationId: string; kind: 'page' | 'test'; priority: 'urgent' | 'normal'; error?: string };
  /** `endpointHost` only: the full endpoint URL is a capability. */
  'notification.subscribed': { subscriptionId: string; endpointHost: string; moved: boolean };
  /** `reason`: the officer removed it, or the push service answered 404/410. */
  'notification.unsubscribed': { subscriptionId: string; endpointHost: string; reason: 'removed' | 'gone' };
  'notification.settings_changed': { push: boolean; emailEnabled: boolean; emailSet: boolean; quietHours: boolean };
  /** Paging (target: the page, owned by the desk's agency): ids, step and counts only, never content or names. */
  'page.opened': { deskId: string; reason: 'contact_request' | 'test' | 'message' | 'desk_request' | 'deadline'; priority: 'urgent' | 'normal'; channelId: string | null; paged: string[] };
  'page.escalated': { deskId: string; step: number; paged: string[] };
  /** `via`: POST /pages/:id/ack, a receipt for the message that opened it (docs/DESKS.md "Pages for messages"), or a claimed desk request. */
  'page.acknowledged': { deskId: string; step: number; via: 'page' | 'receipt' | 'claim' };
  'page.exhausted': { deskId: string };
  /** Desk intake (target: the desk): versions and ids only, never key material or request content. */
  'intake.key_published': { version: number; channelId: string; signerId: string };
  'desk_request.received': { deskRequestId: string; version: number; bytes: number; pageId: string | null; spocCopy?: true };
  'desk_request.claimed': { deskRequestId: string; pageId: string | null };
  'desk_request.case_channel': { deskRequestId: string; channelId: string };
  /** A `use-grant` message's declaration (target: the granted message; PROTOCOL.md §8.3): ids, purpose and expiry, never content. */
  'use_grant.declared': { grantId: string; channelId: string; purpose: 'judicial-proceedings' | 'onward-to-third-party'; granteeAgencyId: string; expiresAt: number };
  /** The page's item was taken care of otherwise (a desk request claimed): no further step. */
  'page.cancelled': { deskId: string; step: number; cause: 'claimed' | 'withdrawn' | 'request_closed' };
  /** A structured request (target: the request): declared metadata only (docs/REQUESTS.md). */
  'request.received': { channelId: string; template: string; urgency: string; requestedAgencyId: string; deadline: number };
  'request.state_changed': { channelId: string; kind: string; detail: string | null; from: string; to: string };
  /** A deadline reminder (no actor): which one and the desk paged, if any. */
  'request.reminded': { which: 'early' | 'due'; deskId: string | null; pageId: string | null };
  'request.settings_changed': { timeZone?: string; spocDeskId?: string | null };
  /** Statistics read (docs/STATS.md): which view and year, never a figure. */
  'stats.viewed': { scope: 'agency' | 'network'; year: number };
  'stats.exported': { scope: 'agency' | 'network'; year: number; format: 'csv' | 'signed-json' };
  /** A reachability report (target: the desk): its period, whether scheduled, its counts; never names. */
  'desk.reachability_reported': {
    reportId: string;
    periodStart: number;
    periodEnd: number;
    scheduled: boolean;
    pagesOpened: number;
    acknowledged: number;
    exhausted: number;
    /** Active supervisors, each e-mailed the report when e-mail is on for them. */
    supervisors: number;
  };
}

export type AuditDetails<A extends AuditAction> = A extends keyof AuditDetailsMap ? AuditDetailsMap[A] : Loose;

const KNOWN: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export function isAuditAction(action: string): action is AuditAction {
  return KNOWN.has(action);
}

// ---- one typed builder per action: auditEvents.agreementSigned(actor, target, details) ----

type Camel<S extends string> = S extends `${infer H}${'.' | '_' | '-'}${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

/**
 * Who acted: an officer (their agency is recorded unless the target names one), or null for the system.
 * A caller not signed in (a sign-in attempt) has a null officerId and agencyId and keeps its ip;
 * `actor` accepts an Actor (server/auth/actor.ts) as it is.
 */
export type AuditActor = { officerId: string | null; agencyId: string | null; ip: string | null } | null;
export interface AuditTarget {
  /** Null when the kind of target is not known (e.g. an access.denied without a resource). */
  type: string | null;
  id: string | null;
  /** The agency the event belongs to; defaults to the actor's. */
  agencyId?: string | null;
}

/** The fields of an AuditInput (server/audit/service.ts) a builder fills; kept here so this file imports no service. */
export interface BuiltAuditInput<A extends AuditAction> {
  action: A;
  actorId: string | null;
  agencyId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  details?: AuditDetails<A>;
}

export type AuditEvents = {
  [A in AuditAction as Camel<A>]: (
    actor: AuditActor,
    target: AuditTarget | null,
    details?: AuditDetails<A>,
    outcome?: 'success' | 'failure' | 'denied',
  ) => BuiltAuditInput<A>;
};

const camel = (s: string): string => s.replace(/[._-]([a-z])/g, (_, c: string) => c.toUpperCase());

function build<A extends AuditAction>(action: A): AuditEvents[Camel<A>] {
  const fn = (actor: AuditActor, target: AuditTarget | null, details?: AuditDetails<A>, outcome?: BuiltAuditInput<A>['outcome']): BuiltAuditInput<A> => ({
    action,
    actorId: actor?.officerId ?? null,
    agencyId: target?.agencyId !== undefined ? target.agencyId : (actor?.agencyId ?? null),
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    ip: actor?.ip ?? null,
    ...(outcome ? { outcome } : {}),
    ...(details ? { details } : {}),
  });
  // The mapped type pairs each camel-case key with its action; TS cannot follow that through a generic.
  return fn as unknown as AuditEvents[Camel<A>];
}

/** `await audit.record(tx, auditEvents.agreementSigned(actor, { type: 'agreement', id }, { activated }))`. */
export const auditEvents = Object.fromEntries(AUDIT_ACTIONS.map((a) => [camel(a), build(a)])) as AuditEvents;
