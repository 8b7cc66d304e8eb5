import type { Static } from 'typebox';
import type { ExtendedAccessGrant, GrantExtendedAccessBody } from '../../shared/schemas/agreements.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { AgreementsRepository, GrantRow } from './repository.ts';
import type { AgreementsDeps } from './service.ts';
import type { Store, Tx } from '../store/store.ts';
import type { AuditAction, AuditDetails } from '../audit/actions.ts';

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
    private readonly repo: AgreementsRepository,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.auditLog = deps.audit;
    this.accounts = deps.accounts;
    this.channels = deps.channels;
    this.maxGrantDays = deps.config.extendedAccess.maxDays;
  }

  async grant(actor: Actor, body: Static<typeof GrantExtendedAccessBody>): Promise<Grant> {
    this.requireNcbAdmin(actor);
    const institution = this.accounts.agency(body.agencyId);
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
      const mine = tx.agreements.grants(body.agencyId).filter((g) => g.sponsorAgencyId === actor.agencyId && g.agencyId === body.agencyId);
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
        tx.agreements.revokeGrant(current.id, now);
      }
      tx.agreements.insertGrant({ id, sponsorAgencyId: actor.agencyId, agencyId: body.agencyId, scope: JSON.stringify(scope), expiresAt: body.expiresAt, createdBy: actor.officerId, createdAt: now });
      const details = { institution: body.agencyId, scope, expiresAt: body.expiresAt };
      if (previous) await this.audit(tx, actor, 'extended_access.renewed', id, { ...details, previous: previous.id, previousExpiresAt: previous.expiresAt, superseded: current !== undefined });
      else await this.audit(tx, actor, 'extended_access.granted', id, details);
      return this.view(tx.agreements.grant(id)!);
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

  list(actor: Actor): Grant[] {
    return this.repo.grants(actor.role === 'platform_admin' ? null : actor.agencyId).map((g) => this.view(g));
  }

  /** Immediate: the institution's officers leave every channel held under the sponsor's agreements. */
  async revoke(actor: Actor, id: string): Promise<Grant> {
    const row = this.repo.grant(id);
    if (!row || (row.sponsorAgencyId !== actor.agencyId && row.agencyId !== actor.agencyId)) throw new NotFoundError('Grant');
    this.requireNcbAdmin(actor);
    if (row.sponsorAgencyId !== actor.agencyId) throw new ForbiddenError('Only the sponsoring NCB revokes a grant');
    if (row.revokedAt !== null) throw new ConflictError('The grant is already revoked', 'already_revoked');
    const now = this.clock.now();
    const { result, effects } = await this.store.write(async (tx) => {
      tx.agreements.revokeGrant(id, now);
      const fx = await this.channels.revokeInstitution(row.agencyId, row.sponsorAgencyId);
      await this.audit(tx, actor, 'extended_access.revoked', id, { institution: row.agencyId, channels: fx.channelIds });
      return { result: this.view(tx.agreements.grant(id)!), effects: fx };
    });
    effects.publish();
    return result;
  }

  private requireNcbAdmin(actor: Actor): void {
    const agency = this.accounts.agency(actor.agencyId);
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

  private async audit<A extends AuditAction>(tx: Tx, actor: Actor, action: A, grantId: string, details: AuditDetails<A>): Promise<void> {
    await this.auditLog.record(tx, { action, actorId: actor.officerId, agencyId: actor.agencyId, targetType: 'extended_access', targetId: grantId, ip: actor.ip, details });
  }
}
