import type { Static } from 'typebox';
import {
  agreementCanonicalBytes,
  agreementTextHash,
  fromB64,
  toB64,
  verifyAgreementSignature,
  type AgreementTerms,
} from '../../shared/crypto/index.ts';
import type { AGREEMENT_STATUSES, Agreement, AgreementParty, ProposeAgreementBody } from '../../shared/schemas/agreements.ts';
import { isAdmin, type Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { Effects } from '../channels/effects.ts';
import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import type { FeedWriter, RoutedFeedItem } from '../feed/feed.ts';
import type { KeysService } from '../keys/service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { ExtendedAccessService } from './extended-access.ts';
import { type AgreementsRepository, type AgreementRow, type PartyRow } from './repository.ts';
import type { Store, Tx } from '../store/store.ts';
import type { AuditAction, AuditDetails } from '../audit/actions.ts';

export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];
type Transition = 'suspend' | 'reactivate' | 'terminate';

const TRANSITIONS: Record<Transition, { from: readonly AgreementRow['status'][]; to: AgreementRow['status'] }> = {
  suspend: { from: ['active'], to: 'suspended' },
  reactivate: { from: ['suspended'], to: 'active' },
  terminate: { from: ['proposed', 'active', 'suspended'], to: 'terminated' },
};

/**
 * What agreements need from channels when an agreement's status or an extended-access grant changes.
 * Channels depend on agreements (coverage), so the composition root passes this narrow port in.
 */
export interface AgreementChannels {
  /** Feed items re-announcing the channels held under the agreement (call inside the transaction). */
  announceAgreementChange(agreementId: string): Promise<RoutedFeedItem[]>;
  /** Closes the institution's spans in the sponsor's channels (call inside the transaction). */
  revokeInstitution(institutionId: string, sponsorId: string): Promise<Effects>;
}

export interface AgreementsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  feed: FeedWriter;
  accounts: Pick<AccountsService, 'agency'>;
  keys: Pick<KeysService, 'signPublicKey'>;
  channels: AgreementChannels;
  config: Pick<AppConfig, 'extendedAccess'>;
}

/** Agreements (MOUs) between agencies, their signatures and lifecycle, and coverage of channels. */
export class AgreementsService {
  readonly repo: AgreementsRepository;
  readonly extended: ExtendedAccessService;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly auditLog: AuditService;
  private readonly feed: FeedWriter;
  private readonly accounts: AgreementsDeps['accounts'];
  private readonly keys: AgreementsDeps['keys'];
  private readonly channels: AgreementChannels;

  constructor(deps: AgreementsDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.auditLog = deps.audit;
    this.feed = deps.feed;
    this.accounts = deps.accounts;
    this.keys = deps.keys;
    this.channels = deps.channels;
    this.repo = deps.store.agreements;
    this.extended = new ExtendedAccessService(deps, this.repo);
  }

  // ---- for other capabilities ----

  /** Stored lifecycle plus the validity window read with the injected clock. */
  effectiveStatus(agreementId: string): AgreementStatus | undefined {
    const row = this.repo.agreement(agreementId);
    return row ? this.derive(row) : undefined;
  }

  /**
   * Whether the agreement is effective now and which of `agencyIds` it does not cover: an agency is
   * covered when it is a party, or holds an active extended-access grant from an NCB party whose
   * scope intersects the agreement's.
   */
  coverage(agreementId: string, agencyIds: readonly string[]): { effective: boolean; uncovered: string[] } {
    const row = this.repo.agreement(agreementId);
    if (!row) return { effective: false, uncovered: [...agencyIds] };
    const parties = new Set(JSON.parse(row.parties) as string[]);
    const scope = new Set(JSON.parse(row.scope) as string[]);
    const now = this.clock.now();
    const uncovered = agencyIds.filter(
      (agencyId) =>
        !parties.has(agencyId) &&
        !this.repo
          .activeGrants(agencyId, now)
          .some((g) => parties.has(g.sponsorAgencyId) && (JSON.parse(g.scope) as string[]).some((s) => scope.has(s))),
    );
    return { effective: this.derive(row) === 'active', uncovered };
  }

  /** Party agency ids (sorted) of an agreement, or [] when unknown. */
  /** The most recent effective agreement covering both agencies (parties or extended access), if any. */
  coveringAgreement(a: string, b: string): string | null {
    const rows = this.repo.list(null);
    for (let i = rows.length - 1; i >= 0; i--) {
      const { effective, uncovered } = this.coverage(rows[i]!.id, [a, b]);
      if (effective && uncovered.length === 0) return rows[i]!.id;
    }
    return null;
  }

  /** The sponsor's agreements to which the institution is not itself a party (extended-access reach). */
  sponsorAgreementIdsWithout(sponsorId: string, institutionId: string): string[] {
    return this.repo
      .list([sponsorId])
      .filter((a) => !(JSON.parse(a.parties) as string[]).includes(institutionId))
      .map((a) => a.id);
  }

  partiesOf(agreementId: string): string[] {
    const row = this.repo.agreement(agreementId);
    return row ? (JSON.parse(row.parties) as string[]) : [];
  }

  // ---- API ----

  async propose(actor: Actor, body: ProposeAgreementBody): Promise<Agreement> {
    if (!isAdmin(actor)) throw new ForbiddenError('Only agency administrators propose agreements');
    const parties = [...new Set(body.parties)].sort();
    const scope = [...new Set(body.scope)].sort();
    if (!parties.includes(actor.agencyId)) throw new ValidationError('Your own agency must be a party', 'not_a_party');
    if (body.validUntil <= body.validFrom) throw new ValidationError('validUntil must follow validFrom', 'invalid_window');
    const now = this.clock.now();
    if (body.validUntil <= now) throw new ValidationError('validUntil is in the past', 'invalid_window');
    for (const agencyId of parties) {
      const agency = this.accounts.agency(agencyId);
      if (!agency) throw new ValidationError(`Unknown agency ${agencyId}`, 'unknown_agency');
      if (agency.status !== 'active') throw new ConflictError(`Agency ${agencyId} is not active`, 'agency_inactive');
    }
    const id = newId();
    const textHash = agreementTextHash(body.text);
    // Validates the terms exactly as every signer will (sorted, vocabulary, window).
    agreementCanonicalBytes({ id, version: 1, parties, scope, validFrom: body.validFrom, validUntil: body.validUntil, textHash });
    return this.store.write(async (tx) => {
      tx.agreements.insert(
        {
          id,
          version: 1,
          parties: JSON.stringify(parties),
          scope: JSON.stringify(scope),
          validFrom: body.validFrom,
          validUntil: body.validUntil,
          title: body.title,
          text: body.text,
          textHash: toB64(textHash),
          status: 'proposed',
          proposedBy: actor.officerId,
          createdAt: now,
          updatedAt: now,
        },
        parties,
      );
      await this.audit(tx, actor, 'agreement.proposed', id, { parties, scope, validFrom: body.validFrom, validUntil: body.validUntil });
      return this.view(tx.agreements.agreement(id)!);
    });
  }

  list(actor: Actor): Agreement[] {
    const rows = this.repo.list(actor.role === 'platform_admin' ? null : [actor.agencyId]);
    return rows.map((r) => this.view(r));
  }

  get(actor: Actor, id: string): Agreement {
    return this.view(this.visible(actor, id));
  }

  async sign(actor: Actor, id: string, signatureB64: string): Promise<Agreement> {
    const row = this.visible(actor, id);
    if (!isAdmin(actor)) throw new ForbiddenError('Only an administrator of a party signs');
    const party = this.repo.parties(id).find((p) => p.agencyId === actor.agencyId);
    if (!party) throw new ForbiddenError('Your agency is not a party', 'not_a_party');
    if (party.signature) throw new ConflictError('Your agency has already signed', 'already_signed');
    if (row.status !== 'proposed' || this.derive(row) === 'expired') throw new ConflictError(`The agreement is ${this.derive(row)}`, 'agreement_not_proposed');
    const signPk = this.keys.signPublicKey(actor.officerId);
    if (!signPk) throw new ConflictError('Register your identity keys before signing', 'keys_required');
    let signature: Uint8Array;
    try {
      signature = fromB64(signatureB64);
    } catch {
      throw new ValidationError('signature is not base64url', 'wire_invalid');
    }
    if (!verifyAgreementSignature(this.terms(row), signature, signPk)) {
      throw new ValidationError('Signature does not verify over the agreement terms with your registered key', 'bad_signature');
    }
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      tx.agreements.sign(id, actor.agencyId, { signedBy: actor.officerId, signature: toB64(signature), signerPublicKey: toB64(signPk), signedAt: now });
      const allSigned = tx.agreements.parties(id).every((p) => p.signature !== null);
      if (allSigned) tx.agreements.setStatus(id, 'active', now);
      await this.audit(tx, actor, 'agreement.signed', id, { activated: allSigned });
      return this.view(tx.agreements.agreement(id)!);
    });
  }

  /**
   * Suspensions are per party: each suspending agency is recorded, only that agency lifts its own
   * suspension, and the agreement is active again when no party holds it suspended. Terminate is final.
   */
  async transition(actor: Actor, id: string, kind: Transition, reason?: string): Promise<Agreement> {
    const row = this.visible(actor, id);
    if (!isAdmin(actor) || !this.isParty(row, actor.agencyId)) throw new ForbiddenError('Only an administrator of a party may do this');
    const t = TRANSITIONS[kind];
    const holders = this.repo.suspensions(id);
    const mine = holders.some((h) => h.agencyId === actor.agencyId);
    // Another party may add its own suspension to an already suspended agreement.
    const from = kind === 'suspend' ? [...t.from, 'suspended'] : t.from;
    if (!from.includes(row.status)) throw new ConflictError(`Cannot ${kind} an agreement that is ${this.derive(row)}`, 'invalid_transition');
    if (kind === 'suspend' && mine) throw new ConflictError('Your agency has already suspended this agreement', 'already_suspended');
    // Agreements suspended before suspensions were recorded per party (no holder known) may be lifted by any party.
    if (kind === 'reactivate' && !mine && holders.length > 0) {
      const names = holders.map((h) => this.accounts.agency(h.agencyId)?.name ?? h.agencyId).join(', ');
      throw new ForbiddenError(`Only the agency that suspended this agreement can lift its suspension; it is suspended by: ${names}`, 'suspended_by_other_party');
    }
    const now = this.clock.now();
    const feedItems: RoutedFeedItem[] = [];
    const result = await this.store.write(async (tx) => {
      let to = t.to;
      if (kind === 'suspend') {
        tx.agreements.addSuspension({ agreementId: id, agencyId: actor.agencyId, suspendedBy: actor.officerId, reason: reason ?? null, suspendedAt: now });
      } else if (kind === 'reactivate') {
        tx.agreements.liftSuspension(id, actor.agencyId);
        if (tx.agreements.suspensions(id).length > 0) to = 'suspended';
      }
      const remaining = tx.agreements.suspensions(id).map((h) => h.agencyId);
      if (to !== row.status) tx.agreements.setStatus(id, to, now);
      else tx.agreements.touch(id, now);
      const action =
        kind === 'terminate' ? 'terminated' : kind === 'suspend' ? 'suspended' : to === 'active' ? 'reactivated' : 'suspension_lifted';
      await this.audit(tx, actor, `agreement.${action}`, id, { ...(reason ? { reason } : {}), ...(kind === 'terminate' ? {} : { suspendedBy: remaining }) });
      // Channels under this agreement change writability at once: tell their members.
      if (to !== row.status) feedItems.push(...(await this.channels.announceAgreementChange(id)));
      return this.view(tx.agreements.agreement(id)!);
    });
    this.feed.publish(feedItems);
    return result;
  }

  // ---- helpers ----

  private visible(actor: Actor, id: string): AgreementRow {
    const row = this.repo.agreement(id);
    if (!row || (actor.role !== 'platform_admin' && !this.isParty(row, actor.agencyId))) throw new NotFoundError('Agreement');
    return row;
  }

  private isParty(row: AgreementRow, agencyId: string): boolean {
    return (JSON.parse(row.parties) as string[]).includes(agencyId);
  }

  private derive(row: AgreementRow): AgreementStatus {
    const now = this.clock.now();
    if (row.status === 'terminated') return 'terminated';
    if (now >= row.validUntil) return 'expired';
    if (row.status === 'active' && now < row.validFrom) return 'scheduled';
    return row.status;
  }

  private terms(row: AgreementRow): AgreementTerms {
    return {
      id: row.id,
      version: row.version,
      parties: JSON.parse(row.parties) as string[],
      scope: JSON.parse(row.scope) as string[],
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      textHash: fromB64(row.textHash),
    };
  }

  private view(row: AgreementRow): Agreement {
    return {
      id: row.id,
      version: row.version,
      parties: this.repo.parties(row.id).map(partyView),
      scope: JSON.parse(row.scope) as string[],
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      title: row.title,
      text: row.text,
      textHash: row.textHash,
      status: this.derive(row),
      suspendedBy: this.repo.suspensions(row.id).map((h) => ({ agencyId: h.agencyId, officerId: h.suspendedBy, suspendedAt: h.suspendedAt, reason: h.reason })),
      proposedBy: row.proposedBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  private async audit<A extends AuditAction>(tx: Tx, actor: Actor, action: A, agreementId: string, details: AuditDetails<A>): Promise<void> {
    await this.auditLog.record(tx, { action, actorId: actor.officerId, agencyId: actor.agencyId, targetType: 'agreement', targetId: agreementId, ip: actor.ip, details });
  }
}

function partyView(p: PartyRow): Static<typeof AgreementParty> {
  return { agencyId: p.agencyId, signedBy: p.signedBy, signedAt: p.signedAt, signature: p.signature, signerPublicKey: p.signerPublicKey };
}
