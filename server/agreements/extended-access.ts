import type { Static } from 'typebox';
import type { ExtendedAccessGrant, GrantExtendedAccessBody } from '../../shared/schemas/agreements.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { GrantRow } from './repository.ts';
import type { AgreementsDeps } from './service.ts';
import type { Store } from '../store/store.ts';
import { auditEvents } from '../audit/actions.ts';

type Grant = Static<typeof ExtendedAccessGrant>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** An NCB lends its agreements to the national institutions it sponsors (scope, expiry, immediate revocation). */
export class ExtendedAccessService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly auditLog: AuditService;
  private readonly accounts: AgreementsDeps['accounts'];
  private readonly channels: AgreementsDeps['channels'];
  private readonly maxGrantDays: number;

  constructor(
    deps: Pick<AgreementsDeps, 'store' | 'clock' | 'audit' | 'accounts' | 'channels' | 'config'>,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.auditLog = deps.audit;
    this.accounts = deps.accounts;
    this.channels = deps.channels;
    this.maxGrantDays = deps.config.extendedAccess.maxDays;
  }

  async grant(actor: Actor, body: Static<typeof GrantExtendedAccessBody>): Promise<Grant> {
    await this.requireNcbAdmin(actor);
    const institution = await this.accounts.agency(body.agencyId);
    if (!institution || institution.sponsorAgencyId !== actor.agencyId) {
      throw new NotFoundError('Sponsored institution');
    }
    if (institution.status !== 'active') throw new ConflictError('The institution is not active', 'agency_inactive');
    const now = this.clock.now();
    this.checkExpiry(body.expiresAt, now);
    const scope = [...new Set(body.scope)].sort();
    const id = newId();
    return this.store.write(async (tx) => {
      // Renewal is a new grant: it supersedes the current one (which ends now) or follows an expired one.
      const mine = (await tx.agreements.grants(body.agencyId)).filter((g) => g.sponsorAgencyId === actor.agencyId && g.agencyId === body.agencyId);
      const current = mine.find((g) => g.revokedAt === null && g.expiresAt > now);
      const previous = current ?? mine.filter((g) => g.revokedAt === null).at(-1);
      if (current) {
        const dropped = (JSON.parse(current.scope) as string[]).filter((s) => !(scope as string[]).includes(s));
        if (dropped.length > 0) {
          // Narrowing would leave members in channels the new scope no longer covers: that is a revocation.
          throw new ConflictError(
            `A renewal keeps at least the current scope (missing: ${dropped.join(', ')}); to narrow it, revoke the grant and grant again`,
            'scope_narrowed',
          );
        }
        await tx.agreements.revokeGrant(current.id, now);
      }
      await tx.agreements.insertGrant({ id, sponsorAgencyId: actor.agencyId, agencyId: body.agencyId, scope: JSON.stringify(scope), expiresAt: body.expiresAt, createdBy: actor.officerId, createdAt: now });
      const details = { institution: body.agencyId, scope, expiresAt: body.expiresAt };
      const target = { type: 'extended_access', id };
      if (previous) {
        const renewal = { ...details, previous: previous.id, previousExpiresAt: previous.expiresAt, superseded: current !== undefined };
        await this.auditLog.record(tx, auditEvents.extendedAccessRenewed(actor, target, renewal));
      } else {
        await this.auditLog.record(tx, auditEvents.extendedAccessGranted(actor, target, details));
      }
      return this.view((await tx.agreements.grant(id))!);
    });
  }

  /** Longest grant the server issues (EXTENDED_ACCESS_MAX_DAYS), in days. */
  get maxDays(): number {
    return this.maxGrantDays;
  }

  /** "Time-limited" means bounded: an expiry in the future, at most `maxDays` from now. */
  private checkExpiry(expiresAt: number, now: number): void {
    if (expiresAt <= now) throw new ValidationError('The expiry date has already passed; choose a date in the future', 'invalid_expiry');
    const latest = now + this.maxDays * DAY_MS;
    if (expiresAt > latest) {
      throw new ValidationError(
        `Extended access lasts at most ${this.maxDays} days: choose an expiry on or before ${new Date(latest).toISOString().slice(0, 10)}, and renew it with a new grant when it ends`,
        'expiry_too_far',
      );
    }
  }

  async list(actor: Actor): Promise<Grant[]> {
    const rows = await this.store.read((r) => r.agreements.grants(actor.role === 'platform_admin' ? null : actor.agencyId));
    return rows.map((g) => this.view(g));
  }

  /** Immediate: the institution's officers leave every channel held under the sponsor's agreements. */
  async revoke(actor: Actor, id: string): Promise<Grant> {
    const row = await this.store.read((r) => r.agreements.grant(id));
    if (!row || (row.sponsorAgencyId !== actor.agencyId && row.agencyId !== actor.agencyId)) throw new NotFoundError('Grant');
    await this.requireNcbAdmin(actor);
    if (row.sponsorAgencyId !== actor.agencyId) throw new ForbiddenError('Only the sponsoring NCB revokes a grant');
    if (row.revokedAt !== null) throw new ConflictError('The grant is already revoked', 'already_revoked');
    const now = this.clock.now();
    const { result, effects } = await this.store.write(async (tx) => {
      await tx.agreements.revokeGrant(id, now);
      const fx = await this.channels.revokeInstitution(tx, row.agencyId, row.sponsorAgencyId);
      const details = { institution: row.agencyId, channels: [...fx.channelIds].sort() };
      await this.auditLog.record(tx, auditEvents.extendedAccessRevoked(actor, { type: 'extended_access', id }, details));
      return { result: this.view((await tx.agreements.grant(id))!), effects: fx };
    });
    effects.publish();
    return result;
  }

  private async requireNcbAdmin(actor: Actor): Promise<void> {
    const agency = await this.accounts.agency(actor.agencyId);
    if (actor.role !== 'agency_admin' || agency?.kind !== 'ncb') throw new ForbiddenError('Only NCB administrators manage extended access');
  }

  private view(g: GrantRow): Grant {
    return {
      id: g.id,
      sponsorAgencyId: g.sponsorAgencyId,
      agencyId: g.agencyId,
      scope: JSON.parse(g.scope) as string[],
      expiresAt: g.expiresAt,
      createdBy: g.createdBy,
      createdAt: g.createdAt,
      revokedAt: g.revokedAt,
      active: g.revokedAt === null && g.expiresAt > this.clock.now(),
    };
  }
}
