import type { ClientErrorCode, ProtocolErrorCode, ServerErrorCode } from '../../../sdk/index.ts';
import { fixedT } from '../i18n/i18n.ts';

/**
 * API (`{ error: { code } }`) and SDK error codes → the key of what an officer should read, in the
 * `errors` namespace (locales/<language>/errors.json); every code the server sends has an entry
 * (null: show the server's sentence), and one it cannot send does not compile.
 */
const MESSAGES: { readonly [C in ServerErrorCode]: string | null } & { readonly [C in ProtocolErrorCode | ClientErrorCode]?: string | null } = {
  // sign-in and sessions
  invalid_credentials: 'invalidCredentials',
  account_suspended: 'accountSuspended',
  account_inactive: 'accountInactive',
  session_expired: 'sessionExpired',
  refresh_token_reused: 'refreshTokenReused',
  invalid_refresh_token: 'sessionExpired',
  invalid_token: 'sessionExpired',
  unauthorized: 'unauthorized',
  rate_limited: 'rateLimited',
  login_throttled: 'loginThrottled',
  // enrolment
  weak_password: 'weakPassword',
  enrolment_incomplete: 'enrolmentIncomplete',
  not_found: 'notFound',
  // authorisation and validation
  forbidden: 'forbidden',
  validation_failed: 'validationFailed',
  username_taken: 'usernameTaken',
  agency_exists: 'agencyExists',
  cannot_modify_self: 'cannotModifySelf',
  agency_suspended: 'agencySuspended',
  agency_inactive: 'agencyInactive',
  officer_suspended: 'officerSuspended',
  invalid_sponsor: 'invalidSponsor',
  invalid_expiry: 'invalidExpiry',
  expiry_too_far: 'expiryTooFar',
  scope_narrowed: 'scopeNarrowed',
  already_suspended: 'alreadySuspended',
  suspended_by_other_party: 'suspendedByOtherParty',
  agency_root_revoked: 'agencyRootRevoked',
  cosigner_not_admin: 'cosignerNotAdmin',
  // agreements and channels
  not_a_party: 'notAParty',
  already_signed: 'alreadySigned',
  agreement_required: 'agreementRequired',
  agreement_not_active: 'agreementNotActive',
  agreement_not_proposed: 'agreementNotProposed',
  invalid_window: 'invalidWindow',
  channel_read_only: 'channelReadOnly',
  forwarding_forbidden: 'forwardingForbidden',
  grant_invalid: 'grantInvalid',
  // contact requests and directory
  contact_request_exists: 'contactRequestExists',
  contact_self: 'contactSelf',
  officer_unreachable: 'officerUnreachable',
  no_recipient: 'noRecipient',
  invalid_recipient: 'invalidRecipient',
  contact_request_members_fixed: 'contactRequestMembersFixed',
  contact_request_invitee_only: 'contactRequestInviteeOnly',
  invitation_closed: 'invitationClosed',
  'contact/invalid-recipient': 'contactInvalidRecipient',
  ack_not_required: 'ackNotRequired',
  invitation_stale: 'invitationStale',
  keys_required: 'keysRequired',
  certificate_required: 'certificateRequired',
  certificate_revoked: 'certificateRevoked',
  device_revoked: 'deviceRevoked',
  envelope_device_revoked: 'envelopeDeviceRevoked',
  device_key_conflict: 'deviceKeyConflict',
  payload_too_large: 'payloadTooLarge',
  officer_quota_exceeded: 'officerQuotaExceeded',
  channel_quota_exceeded: 'channelQuotaExceeded',
  insufficient_storage: 'insufficientStorage',
  legal_hold_not_yours: 'legalHoldNotYours',
  unavailable: 'unavailable',
  internal_error: 'internalError',
  network: 'network',
  // SDK
  'keys/locked': 'keysLocked',
  'keys/unverified-member': 'keysUnverifiedMember',
  'keys/not-certified': 'certificateRequired',
  'keys/no-root': 'keysNoRoot',
  'backup/wrong-secret': 'backupWrongSecret',
  'backup/weak-passphrase': 'backupWeakPassphrase',
  'backup/passphrase-is-password': 'backupPassphraseIsPassword',
  'backup/password-required': 'backupPasswordRequired',
  'chain/untrusted': 'chainUntrusted',
  'epoch/no-key': 'epochNoKey',
  'handling/downgrade': 'handlingDowngrade',
  'handling/forward-denied': 'forwardingForbidden',
  'chain/unauthorised': 'chainUnauthorised',
  'invitation/bad-chain': 'invitationBadChain',
  'invitation/bad-add': 'invitationBadAdd',
  'invitation/actor-not-certified': 'invitationActorNotCertified',
  'invitation/bad-agreement': 'invitationBadAgreement',
  'chain/direct-full': 'chainDirectFull',
  chain_direct_full: 'chainDirectFull',
  'auth/signed-out': 'authSignedOut',
  'audit/rollback': 'auditRollback',
  'audit/equivocation': 'auditEquivocation',
  'audit/key-changed': 'auditKeyChanged',
  'audit/invalid-head': 'auditInvalidHead',
  'role/above-own': 'roleAboveOwn',
  // reported-site addresses (PROTOCOL.md §9.1)
  'payload/url-scheme': 'payloadUrlScheme',
  'payload/url-no-scheme': 'payloadUrlNoScheme',
  'payload/bad-url': 'payloadBadUrl',
  'payload/onion-v2': 'payloadOnionV2',
  'payload/onion-invalid': 'payloadOnionInvalid',
  'payload/onion-checksum': 'payloadOnionChecksum',
  'compose/bad-consents': 'composeBadConsents',
  // notifications
  invalid_push_endpoint: 'invalidPushEndpoint',
  invalid_push_keys: 'invalidPushKeys',
  invalid_email: 'invalidEmail',
  subscription_limit: 'subscriptionLimit',
  // channel members
  channel_agreement_required: 'channelAgreementRequired',
  // Shown with the server's own sentence: malformed requests a working client does not send, or rare states it explains well.
  spoc_copy_required: null, spoc_copy_invalid: null, spoc_desk_invalid: null, not_claimable: null,
  bad_request: null, invalid_json: null, conflict: null, unsupported_media_type: null, request_timeout: null,
  too_many_connections: null, busy: null, internal: null, not_ready: null, invalid_enrolment_token: null, invalid_totp: null,
  officer_not_manageable: null, wrong_role: null, unknown_agency: null, invalid_country: null, wrong_agency: null,
  not_agency_root: null, already_initialised: null, already_revoked: null, officer_inactive: null, unknown_officer: null,
  invalid_officer: null, certificate_mismatch: null, cert_expired: null, key_mismatch: null, backup_mismatch: null,
  backup_too_weak: null, renewal_not_due: null, certificate_superseded: null, prekey_expired: null, stale_prekey: null, bad_signature: null, wrong_subject: null,
  wrong_event_kind: null, actor_mismatch: null, wire_invalid: null, invalid_agreement: null, invalid_transition: null,
  not_suspended: null, channel_exists: null, create_required: null, direct_required: null, invite_required: null,
  invalid_events: null, invalid_invite: null, stale_event: null, event_mismatch: null, chain_missing_cosignature: null,
  cosigner_mismatch: null, epoch_unknown: null, epoch_bad_signature: null, epoch_not_distributor: null,
  key_envelope_exists: null, invalid_envelope: null, invalid_cursor: null, envelope_channel_mismatch: null,
  envelope_sender_mismatch: null, message_id_conflict: null, handling_not_allowed: null, own_message: null, read_marker_ahead: null, stale_epoch: null,
  wrong_channel: null, unknown_attachment: null, invalid_language: null, invalid_phone: null, invalid_schedule: null,
  invalid_time_zone: null, invalid_title: null, cursor_expired: null, device_key_invalid: null,
  event_author_mismatch: null, event_time_skew: null,
  // desks and duty rotas (the server's sentence names the field or rule)
  invalid_rota: null, invalid_member: null, invalid_backup_desk: null, invalid_desk: null,
  not_your_shift: 'notYourShift',
  // paging and escalation
  page_closed: 'pageClosed',
  // desk intake
  intake_version_conflict: 'intakeVersionConflict',
  intake_channel_changed: null, intake_wrong_signer: null, intake_channel_invalid: null,
  no_intake_key: 'noIntakeKey',
  duplicate_request: null,
  already_claimed: 'alreadyClaimed',
  not_claimer: 'notClaimer',
  case_channel_exists: null,
  invalid_request_metadata: null,
  request_target_required: 'requestTargetRequired',
  request_ref_taken: null,
  request_not_party: 'requestNotParty',
  request_wrong_side: 'requestWrongSide',
  request_closed: 'requestClosed',
  invalid_request_transition: 'invalidRequestTransition',
};

interface CodedError {
  code?: unknown;
  message?: unknown;
}

export function errorCode(err: unknown): string | null {
  if (err && typeof err === 'object' && typeof (err as CodedError).code === 'string') return (err as CodedError).code as string;
  return null;
}

/** "30 seconds", "4 minutes": a back-off delay for people. */
export function waitText(seconds: number): string {
  const t = fixedT('common');
  if (seconds < 90) return t('seconds', { count: seconds });
  return t('minutes', { count: Math.ceil(seconds / 60) });
}

/** Sign-in hints from the server (tries left before a back-off, how long the back-off lasts). */
function signInHint(code: string, err: unknown): string | null {
  const details = (err as { details?: { triesRemaining?: unknown; retryAfterSeconds?: unknown } }).details;
  const t = fixedT('errors');
  if (code === 'login_throttled' && typeof details?.retryAfterSeconds === 'number') {
    return t('loginThrottledWait', { wait: waitText(details.retryAfterSeconds) });
  }
  if (code === 'invalid_credentials' && typeof details?.triesRemaining === 'number') {
    const n = details.triesRemaining;
    return `${t('invalidCredentials')} ${n === 0 ? t('furtherAttemptsDelayed') : t('triesLeft', { count: n })}`;
  }
  return null;
}

/** Text for an error: the mapped sentence, plus the server's detail for validation errors. */
export function errorText(err: unknown): string {
  const code = errorCode(err);
  const hint = code && err && typeof err === 'object' ? signInHint(code, err) : null;
  if (hint) return hint;
  const detail = err && typeof err === 'object' && typeof (err as CodedError).message === 'string' ? ((err as CodedError).message as string) : '';
  // A code read off an error object is any string until looked up.
  const mapped = code ? (MESSAGES as Readonly<Record<string, string | undefined>>)[code] : undefined;
  if (code && mapped) {
    // The server's own sentence is specific for these (which rule a password or field broke).
    if ((code === 'weak_password' || code === 'validation_failed' || code === 'invalid_window') && detail) return detail;
    return fixedT('errors')(mapped);
  }
  if (detail) return detail;
  return fixedT('errors')('somethingWentWrong');
}
