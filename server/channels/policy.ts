import { agenciesOf, constantTimeEqual, fromB64, type ChannelState, type MembershipEvent, type OfficerCertificate } from '../../shared/crypto/index.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AgreementsService } from '../agreements/service.ts';
import type { KeysService } from '../keys/service.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';

/** What the policy checks read from other domains. */
export interface PolicyDeps {
  accounts: Pick<AccountsService, 'officer' | 'agency'>;
  keys: Pick<KeysService, 'registeredKeys'>;
  agreements: Pick<AgreementsService, 'coverage'>;
}

/**
 * Server policy on top of the chain rules: added officers are real, active and certified with the
 * keys they registered; a multi-agency membership needs an effective agreement covering every agency.
 */
export async function checkNewMember(deps: PolicyDeps, cert: OfficerCertificate): Promise<void> {
  const officer = await deps.accounts.officer(cert.officerId);
  const keys = await deps.keys.registeredKeys(cert.officerId);
  if (!officer || officer.agencyId !== cert.agencyId || !keys) throw new ValidationError(`Unknown officer ${cert.officerId}`, 'unknown_officer');
  if (officer.status !== 'active') throw new ConflictError(`Officer ${cert.officerId} is not active`, 'officer_inactive');
  if (!keys.certificate || !constantTimeEqual(cert.signPublicKey, fromB64(keys.signPublicKey)) || !constantTimeEqual(cert.dhPublicKey, fromB64(keys.dhPublicKey))) {
    throw new ValidationError(`The certificate of ${cert.officerId} is not their current certified keys`, 'certificate_mismatch');
  }
}

/**
 * An administrator's co-signature speaks for their agency only while they are still one: the chain
 * accepts any unexpired `agency_admin` certificate, so the server checks the co-signer's current
 * role and status (a demoted or suspended administrator keeps their certificate until it expires).
 */
export async function checkCosigner(deps: PolicyDeps, event: MembershipEvent): Promise<void> {
  const cos = event.cosignature;
  if (event.kind !== 'add' || !cos || cos.cert.officerId === event.member?.officerId) return;
  const officer = await deps.accounts.officer(cos.cert.officerId);
  const agency = await deps.accounts.agency(cos.cert.agencyId);
  const keys = await deps.keys.registeredKeys(cos.cert.officerId);
  const stillAdmin =
    officer !== undefined &&
    officer.agencyId === cos.cert.agencyId &&
    officer.role !== 'officer' &&
    officer.status === 'active' &&
    agency?.status === 'active' &&
    keys !== undefined &&
    constantTimeEqual(cos.cert.signPublicKey, fromB64(keys.signPublicKey));
  if (!stillAdmin) {
    throw new ForbiddenError(
      'The co-signature is from someone who is no longer an active administrator of the invited officer\'s agency; the invited officer, or a current administrator of their agency, must accept instead',
      'cosigner_not_admin',
    );
  }
}

/**
 * `contactRequest`: the channel is a contact request (network charter, docs/MESSAGING.md): a direct
 * channel without agreement may then hold two officers of two agencies (the chain caps it at two).
 */
export async function checkCoverage(deps: PolicyDeps, state: ChannelState, opts: { contactRequest?: boolean } = {}): Promise<void> {
  const agencies = agenciesOf(state.current);
  const agreementId = state.agreementId;
  if (agreementId === '') {
    const charter = opts.contactRequest === true && state.channelKind === 'direct' && state.current.members.size <= 2;
    if (agencies.length > 1 && !charter) throw new ConflictError('Members from several agencies need an agreement', 'agreement_required');
    return;
  }
  const { effective, uncovered } = await deps.agreements.coverage(agreementId, agencies);
  if (!effective) throw new ConflictError('The channel agreement is not in force', 'agreement_not_active');
  if (uncovered.length > 0) throw new ConflictError(`The agreement does not cover agencies: ${uncovered.join(', ')}`, 'agreement_required');
}
