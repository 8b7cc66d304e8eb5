import { MAX_PROFILE_IDS, type Agency, type CreateAgencyBody, type Enrolment, type NewOfficerInput, type Officer, type OfficerProfile, type Role } from '../../shared/schemas/accounts.ts';
import { isCountryCode } from '../../shared/countries.ts';
import { canManageOfficer, roleRank, type Actor } from '../auth/actor.ts';
import { LoginThrottle, type ThrottleVerdict } from './lockout.ts';
import { hashToken, newId, newOpaqueToken } from '../auth/tokens.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import type { DomainEventBus } from '../events.ts';
import type { AppError} from '../errors.ts';
import { ConcealedDenialError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { type AccountsRepository, type AgencyRow, type OfficerRow } from './repository.ts';
import { commitThenThrow, type Repositories, type Store, type Tx } from '../store/store.ts';
import { auditEvents, type AuditTarget } from '../audit/actions.ts';

/** A caller's unit of work (or any handle holding this domain's repository): reads and writes see its state. */
export type Uow = Pick<Repositories, 'accounts'>;

export const SECRETARIAT_NAME = 'Network Secretariat';

export function agencyView(a: AgencyRow): Agency {
  return {
    id: a.id,
    name: a.name,
    country: a.country,
    kind: a.kind,
    status: a.status,
    sponsorAgencyId: a.sponsorAgencyId ?? null,
    createdAt: a.createdAt,
  };
}

/**
 * What accounts needs from sessions (auth): revoking an officer's sessions inside the caller's
 * transaction. Auth depends on accounts, so the composition root passes this narrow port in.
 */
export interface SessionRevoker {
  revokeAllSessions(tx: Tx, officerId: string, reason: string): Promise<number>;
}

export interface AccountsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  events: DomainEventBus;
  config: Pick<AppConfig, 'login' | 'enrolmentTtlMs' | 'publicUrl'>;
  sessions: SessionRevoker;
}

/** Provisioning of agencies and officers: who may create, suspend, reactivate, unlock and re-role whom. */
export class AccountsService {
  private readonly throttle: LoginThrottle;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly events: DomainEventBus;
  private readonly config: AccountsDeps['config'];
  private readonly sessions: SessionRevoker;

  constructor(deps: AccountsDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.events = deps.events;
    this.config = deps.config;
    this.sessions = deps.sessions;
    this.throttle = new LoginThrottle(deps.config.login);
  }

  /**
   * Reads for other domains (they call these, never the repository). `uow` reads inside the
   * caller's unit of work (its uncommitted writes included); without it, committed state.
   */
  officer(id: string, uow?: Uow): Promise<OfficerRow | undefined> {
    return this.reading(uow, (r) => r.officer(id));
  }

  agency(id: string, uow?: Uow): Promise<AgencyRow | undefined> {
    return this.reading(uow, (r) => r.agency(id));
  }

  /** Whether the platform has been initialised (any officer exists). */
  async hasOfficers(): Promise<boolean> {
    return (await this.reading(undefined, (r) => r.countOfficers())) > 0;
  }

  officerByUsername(username: string, uow?: Uow): Promise<OfficerRow | undefined> {
    return this.reading(uow, (r) => r.officerByUsername(username));
  }

  officersOf(agencyId: string, uow?: Uow): Promise<OfficerRow[]> {
    return this.reading(uow, (r) => r.listOfficers(agencyId));
  }

  /** Records the TOTP step just used, in the sign-in's unit of work; false when it was already used (replay). */
  advanceTotpStep(tx: Uow, officerId: string, step: number): Promise<boolean> {
    return tx.accounts.advanceTotpStep(officerId, step);
  }

  // ---- sign-in throttling (the login_failures counters are this domain's) ----

  /** Milliseconds before a sign-in for this username from this source is evaluated (0 = now). */
  loginWait(username: string, ip: string | null, now: number, uow?: Uow): Promise<number> {
    return this.reading(uow, (r) => this.throttle.waitMs(r, username, ip, now));
  }

  recordLoginFailure(tx: Uow, username: string, ip: string | null, now: number): Promise<ThrottleVerdict> {
    return this.throttle.recordFailure(tx.accounts, username, ip, now);
  }

  clearLoginFailures(tx: Uow, username: string): Promise<void> {
    return this.throttle.clear(tx.accounts, username);
  }

  private reading<T>(uow: Uow | undefined, fn: (repo: AccountsRepository) => Promise<T>): Promise<T> {
    return uow ? fn(uow.accounts) : this.store.read((r) => fn(r.accounts));
  }

  async officerView(o: OfficerRow, uow?: Uow): Promise<Officer> {
    const locked = await this.reading(uow, (r) => this.throttle.isThrottled(r, o.username, this.clock.now()));
    return {
      id: o.id,
      agencyId: o.agencyId,
      username: o.username,
      displayName: o.displayName,
      role: o.role,
      status: o.status,
      locked,
      createdAt: o.createdAt,
    };
  }

  /** A unit of work whose body may return an AppError to commit it, then throw (see commitThenThrow). */
  private tx<T>(fn: (tx: Tx) => Promise<T | AppError>): Promise<T> {
    return this.store.write(async (tx) => commitThenThrow(await fn(tx)));
  }

  /** First start only: the secretariat agency and its platform administrator (invited). */
  async initPlatform(input: { username: string; displayName: string; country: string; agencyName?: string }): Promise<{
    agency: Agency;
    admin: Officer;
    enrolment: Enrolment;
  }> {
    return this.tx(async (tx) => {
      if ((await tx.accounts.countOfficers()) > 0) {
        throw new ConflictError('Liaison is already initialised: this data directory has officers', 'already_initialised');
      }
      const agency = await this.insertAgency(tx, {
        name: input.agencyName ?? SECRETARIAT_NAME,
        country: input.country,
        kind: 'other',
      });
      const admin = await this.insertOfficer(tx, agency.id, { ...input, role: 'platform_admin' });
      const enrolment = await this.issueEnrolment(tx, admin.id, null);
      await this.audit.record(tx, auditEvents.platformInitialised(null, { type: 'officer', id: admin.id, agencyId: agency.id }, { username: admin.username }));
      return { agency: agencyView(agency), admin: await this.officerView(admin, tx), enrolment };
    });
  }

  async createAgency(actor: Actor, input: CreateAgencyBody): Promise<{ agency: Agency; admin: Officer; enrolment: Enrolment }> {
    if (actor.role !== 'platform_admin') throw new ForbiddenError('Only platform administrators create agencies');
    return this.tx(async (tx) => {
      if (input.sponsorAgencyId !== undefined) {
        const sponsor = await tx.accounts.agency(input.sponsorAgencyId);
        if (!sponsor) throw new ValidationError('Sponsoring agency does not exist', 'invalid_sponsor');
        if (sponsor.kind !== 'ncb') throw new ValidationError('The sponsoring agency must be an NCB', 'invalid_sponsor');
        if (sponsor.country !== input.country) {
          throw new ValidationError('The sponsoring NCB must be in the same country', 'invalid_sponsor');
        }
        if (input.kind === 'ncb') throw new ValidationError('An NCB cannot be sponsored', 'invalid_sponsor');
      }
      const agency = await this.insertAgency(tx, input);
      const admin = await this.insertOfficer(tx, agency.id, { ...input.admin, role: 'agency_admin' });
      const enrolment = await this.issueEnrolment(tx, admin.id, actor.officerId);
      await this.audit.record(
        tx,
        auditEvents.agencyCreated(actor, { type: 'agency', id: agency.id, agencyId: agency.id }, {
          name: agency.name,
          country: agency.country,
          kind: agency.kind,
          sponsorAgencyId: agency.sponsorAgencyId,
        }),
      );
      await this.audit.record(
        tx,
        auditEvents.officerCreated(actor, { type: 'officer', id: admin.id, agencyId: agency.id }, { username: admin.username, role: admin.role }),
      );
      return { agency: agencyView(agency), admin: await this.officerView(admin, tx), enrolment };
    });
  }

  private async insertAgency(tx: Uow, input: { name: string; country: string; kind: AgencyRow['kind']; sponsorAgencyId?: string }): Promise<AgencyRow> {
    if (!isCountryCode(input.country)) {
      throw new ValidationError(`"${input.country}" is not an ISO 3166-1 alpha-2 country code`, 'invalid_country');
    }
    const now = this.clock.now();
    const row: AgencyRow = {
      id: newId(),
      name: input.name.trim(),
      country: input.country,
      kind: input.kind,
      status: 'active',
      sponsorAgencyId: input.sponsorAgencyId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await tx.accounts.insertAgency(row);
    } catch (err) {
      if (String(err).includes('UNIQUE')) throw new ConflictError('An agency with this name exists in this country', 'agency_exists', { cause: err });
      throw err;
    }
    return row;
  }

  async listAgencies(): Promise<Agency[]> {
    return (await this.store.read((r) => r.accounts.listAgencies())).map(agencyView);
  }

  async getAgency(id: string): Promise<Agency> {
    const a = await this.agency(id);
    if (!a) throw new NotFoundError('Agency');
    return agencyView(a);
  }

  async setAgencyStatus(actor: Actor, id: string, status: 'active' | 'suspended'): Promise<Agency> {
    if (actor.role !== 'platform_admin') throw new ForbiddenError('Only platform administrators suspend agencies');
    return this.tx(async (tx) => {
      const a = await tx.accounts.agency(id);
      if (!a) throw new NotFoundError('Agency');
      if (a.id === actor.agencyId && status === 'suspended') {
        throw new ConflictError('You cannot suspend your own agency', 'cannot_modify_self');
      }
      await tx.accounts.updateAgency(id, { status, updatedAt: this.clock.now() });
      if (status === 'suspended') {
        for (const o of await tx.accounts.listOfficers(id)) await this.sessions.revokeAllSessions(tx, o.id, 'agency_suspended');
      }
      const event = status === 'suspended' ? auditEvents.agencySuspended : auditEvents.agencyReactivated;
      await this.audit.record(tx, event(actor, { type: 'agency', id, agencyId: id }));
      return agencyView({ ...a, status });
    });
  }

  private async insertOfficer(tx: Uow, agencyId: string, input: NewOfficerInput & { role: Role }): Promise<OfficerRow> {
    const now = this.clock.now();
    const row: OfficerRow = {
      id: newId(),
      agencyId,
      username: input.username.toLowerCase(),
      displayName: input.displayName.trim(),
      role: input.role,
      status: 'invited',
      passwordHash: null,
      totpSecretSealed: null,
      totpLastStep: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (await tx.accounts.officerByUsername(row.username)) throw new ConflictError('This username is taken', 'username_taken');
    await tx.accounts.insertOfficer(row);
    return row;
  }

  /** A new one-time enrolment token (≥128 bits, stored hashed); older open tokens of the officer are revoked. */
  private async issueEnrolment(tx: Uow, officerId: string, createdBy: string | null): Promise<Enrolment> {
    const now = this.clock.now();
    const token = newOpaqueToken();
    const expiresAt = now + this.config.enrolmentTtlMs;
    await tx.accounts.revokeOpenEnrolmentTokens(officerId, now);
    await tx.accounts.insertEnrolmentToken({
      id: newId(),
      officerId,
      tokenHash: hashToken(token),
      expiresAt,
      createdBy,
      createdAt: now,
    });
    // The token travels in the URL fragment, which browsers never send to the server or its logs.
    return { token, link: `${this.config.publicUrl}/#/enrol/${token}`, expiresAt };
  }

  /** Resolves an officer the actor may manage; otherwise 404, the same as a missing officer. */
  private async manageable(uow: Uow | undefined, actor: Actor, officerId: string): Promise<OfficerRow> {
    const o = await this.officer(officerId, uow);
    if (!o) throw new NotFoundError('Officer');
    if (!canManageOfficer(actor, o)) throw new ConcealedDenialError('Officer', 'officer_not_manageable');
    return o;
  }

  private async assertAgencyScope(uow: Uow | undefined, actor: Actor, agencyId: string): Promise<AgencyRow> {
    const a = await this.agency(agencyId, uow);
    const inScope = actor.role === 'platform_admin' || (actor.role === 'agency_admin' && actor.agencyId === agencyId);
    if (!a) throw new NotFoundError('Agency');
    if (!inScope) throw new ConcealedDenialError('Agency', 'agency_out_of_scope');
    return a;
  }

  async createOfficer(actor: Actor, agencyId: string, input: NewOfficerInput): Promise<{ officer: Officer; enrolment: Enrolment }> {
    return this.tx(async (tx) => {
      const agency = await this.assertAgencyScope(tx, actor, agencyId);
      if (agency.status !== 'active') throw new ConflictError('The agency is suspended', 'agency_suspended');
      const role = input.role ?? 'officer';
      if (roleRank(role) > roleRank(actor.role)) throw new ForbiddenError('You cannot grant a role above your own');
      const officer = await this.insertOfficer(tx, agencyId, { ...input, role });
      const enrolment = await this.issueEnrolment(tx, officer.id, actor.officerId);
      await this.audit.record(tx, auditEvents.officerCreated(actor, { type: 'officer', id: officer.id, agencyId }, { username: officer.username, role }));
      return { officer: await this.officerView(officer, tx), enrolment };
    });
  }

  async listOfficers(actor: Actor, agencyId: string): Promise<Officer[]> {
    await this.assertAgencyScope(undefined, actor, agencyId);
    const rows = await this.officersOf(agencyId);
    return Promise.all(rows.map((o) => this.officerView(o)));
  }

  /**
   * Name and agency of each known id (docs/DECISIONS.md "Names for every officer"): any signed-in officer may ask,
   * because ids reach a client only with the channels, invitations, directory entries and messages it may see.
   */
  async profiles(ids: string[]): Promise<OfficerProfile[]> {
    const unique = [...new Set(ids)];
    if (unique.length > MAX_PROFILE_IDS) throw new ValidationError(`At most ${MAX_PROFILE_IDS} officer ids per request`);
    const [agencies, rows] = await Promise.all([this.listAgencies(), Promise.all(unique.map((id) => this.officer(id)))]);
    const byId = new Map(agencies.map((a) => [a.id, a]));
    return rows.flatMap((o) => {
      const agency = o && byId.get(o.agencyId);
      return o && agency ? [{ officerId: o.id, displayName: o.displayName, agencyId: agency.id, agencyName: agency.name, agencyCountry: agency.country }] : [];
    });
  }

  async getOfficer(actor: Actor, officerId: string): Promise<Officer> {
    if (officerId === actor.officerId) {
      const self = await this.officer(officerId);
      if (self) return this.officerView(self);
    }
    return this.officerView(await this.manageable(undefined, actor, officerId));
  }

  async suspendOfficer(actor: Actor, officerId: string): Promise<Officer> {
    return this.tx(async (tx) => {
      const o = await this.manageable(tx, actor, officerId);
      if (o.id === actor.officerId) throw new ConflictError('You cannot suspend yourself', 'cannot_modify_self');
      if (o.status === 'suspended') return this.officerView(o, tx);
      await tx.accounts.updateOfficer(o.id, { status: 'suspended', updatedAt: this.clock.now() });
      await tx.accounts.revokeOpenEnrolmentTokens(o.id, this.clock.now());
      const revoked = await this.sessions.revokeAllSessions(tx, o.id, 'officer_suspended');
      await this.audit.record(tx, auditEvents.officerSuspended(actor, officerTarget(o), { sessionsRevoked: revoked }));
      // After commit, behind the sessions.revoked hook above: sockets end with reason officer_suspended.
      tx.onCommit(() => this.events.emit('officer.suspended', { officerId: o.id }));
      return this.officerView({ ...o, status: 'suspended' }, tx);
    });
  }

  async reactivateOfficer(actor: Actor, officerId: string): Promise<Officer> {
    return this.tx(async (tx) => {
      const o = await this.manageable(tx, actor, officerId);
      if (o.status !== 'suspended') throw new ConflictError('Only suspended officers can be reactivated', 'not_suspended');
      // An officer who never finished enrolment goes back to "invited".
      const status = o.passwordHash && o.totpSecretSealed ? 'active' : 'invited';
      await tx.accounts.updateOfficer(o.id, { status, updatedAt: this.clock.now() });
      await this.audit.record(tx, auditEvents.officerReactivated(actor, officerTarget(o)));
      return this.officerView({ ...o, status }, tx);
    });
  }

  async unlockOfficer(actor: Actor, officerId: string): Promise<Officer> {
    return this.tx(async (tx) => {
      const o = await this.manageable(tx, actor, officerId);
      await this.throttle.clear(tx.accounts, o.username);
      await this.audit.record(tx, auditEvents.officerUnlocked(actor, officerTarget(o)));
      return this.officerView(o, tx);
    });
  }

  async setRole(actor: Actor, officerId: string, role: Role): Promise<Officer> {
    return this.tx(async (tx) => {
      const o = await this.manageable(tx, actor, officerId);
      if (o.id === actor.officerId) throw new ConflictError('You cannot change your own role', 'cannot_modify_self');
      if (roleRank(role) > roleRank(actor.role)) {
        await this.audit.record(tx, auditEvents.officerRoleChanged(actor, officerTarget(o), { from: o.role, to: role }, 'denied'));
        return new ForbiddenError('You cannot grant a role above your own');
      }
      await tx.accounts.updateOfficer(o.id, { role, updatedAt: this.clock.now() });
      await this.audit.record(tx, auditEvents.officerRoleChanged(actor, officerTarget(o), { from: o.role, to: role }));
      return this.officerView({ ...o, role }, tx);
    });
  }

  /** New enrolment link (lost authenticator, expired link): re-enrolment replaces password and TOTP. */
  async reissueEnrolment(actor: Actor, officerId: string): Promise<Enrolment> {
    return this.tx(async (tx) => {
      const o = await this.manageable(tx, actor, officerId);
      if (o.status === 'suspended') throw new ConflictError('Reactivate the officer first', 'officer_suspended');
      const enrolment = await this.issueEnrolment(tx, o.id, actor.officerId);
      await this.audit.record(tx, auditEvents.enrolmentIssued(actor, officerTarget(o)));
      return enrolment;
    });
  }
}

/** An officer as an audit target: the event belongs to the officer's agency. */
function officerTarget(o: Pick<OfficerRow, 'id' | 'agencyId'>): AuditTarget {
  return { type: 'officer', id: o.id, agencyId: o.agencyId };
}
