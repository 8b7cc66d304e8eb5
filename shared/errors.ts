/**
 * Every `error.code` the server sends (HTTP `{ error: { code, message } }`, socket acks and
 * connect errors), shared with the SDK and the web app so a renamed or dropped code breaks the
 * build there too. Server error classes accept only these.
 */
export const ERROR_CODES = [
  // generic (server/errors.ts defaults, server/http/error-handler.ts)
  'bad_request',
  'validation_failed',
  'invalid_json',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'request_timeout',
  'rate_limited',
  'too_many_connections',
  'busy',
  'unavailable',
  'insufficient_storage',
  'internal_error',
  'internal',
  'not_ready',
  // sign-in, sessions, accounts
  'invalid_credentials',
  'login_throttled',
  'invalid_token',
  'invalid_refresh_token',
  'refresh_token_reused',
  'session_expired',
  'account_inactive',
  'account_suspended',
  'enrolment_incomplete',
  'invalid_enrolment_token',
  'invalid_totp',
  'weak_password',
  'username_taken',
  'cannot_modify_self',
  'officer_not_manageable',
  'wrong_role',
  // agencies and extended access
  'agency_exists',
  'agency_inactive',
  'agency_suspended',
  'unknown_agency',
  'invalid_country',
  'invalid_sponsor',
  'wrong_agency',
  'not_agency_root',
  'already_initialised',
  'already_revoked',
  'scope_narrowed',
  'invalid_expiry',
  'expiry_too_far',
  // officers and keys
  'officer_inactive',
  'officer_suspended',
  'officer_unreachable',
  'unknown_officer',
  'invalid_officer',
  'keys_required',
  'certificate_required',
  'certificate_revoked',
  'certificate_mismatch',
  'cert_expired',
  'key_mismatch',
  'backup_mismatch',
  'backup_too_weak',
  'prekey_expired',
  'stale_prekey',
  'bad_signature',
  'wrong_subject',
  'wrong_event_kind',
  'actor_mismatch',
  'wire_invalid',
  'agency_root_revoked',
  'renewal_not_due',
  'certificate_superseded',
  // devices (PROTOCOL.md §4.5)
  'device_revoked',
  'device_key_conflict',
  'device_key_invalid',
  'event_author_mismatch',
  'event_time_skew',
  // agreements
  'invalid_agreement',
  'invalid_window',
  'invalid_transition',
  'not_a_party',
  'already_signed',
  'already_suspended',
  'not_suspended',
  'agreement_required',
  'agreement_not_active',
  'agreement_not_proposed',
  'suspended_by_other_party',
  // channels, invitations, contact requests
  'channel_exists',
  'channel_read_only',
  'channel_agreement_required',
  'create_required',
  'direct_required',
  'invite_required',
  'invalid_events',
  'invalid_invite',
  'stale_event',
  'event_mismatch',
  'chain_missing_cosignature',
  'cosigner_mismatch',
  'invitation_closed',
  'invitation_stale',
  'cosigner_not_admin',
  'contact_request_members_fixed',
  'contact_request_exists',
  'contact_request_invitee_only',
  'contact_self',
  'no_recipient',
  'invalid_recipient',
  'legal_hold_not_yours',
  'epoch_unknown',
  'epoch_bad_signature',
  'epoch_not_distributor',
  'key_envelope_exists',
  // messages and attachments
  'invalid_envelope',
  'invalid_cursor',
  'envelope_channel_mismatch',
  'envelope_sender_mismatch',
  'message_id_conflict',
  'handling_not_allowed',
  'forwarding_forbidden',
  'grant_invalid',
  'ack_not_required',
  'own_message',
  'read_marker_ahead',
  'stale_epoch',
  'wrong_channel',
  'unknown_attachment',
  'officer_quota_exceeded',
  'channel_quota_exceeded',
  // directory
  'invalid_language',
  'invalid_phone',
  'invalid_schedule',
  'invalid_time_zone',
  'invalid_title',
  'cursor_expired',
  // desks and duty rotas
  'invalid_rota',
  'invalid_member',
  'invalid_backup_desk',
  'invalid_desk',
  'not_your_shift',
  // notifications (push subscriptions, settings)
  'invalid_push_endpoint',
  'invalid_push_keys',
  'invalid_email',
  'subscription_limit',
  // paging and escalation
  'page_closed',
  // desk intake
  'intake_version_conflict',
  'intake_channel_changed',
  'intake_wrong_signer',
  'intake_channel_invalid',
  'no_intake_key',
  'duplicate_request',
  'already_claimed',
  'not_claimer',
  'case_channel_exists',
  // requests (docs/REQUESTS.md)
  'invalid_request_metadata',
  'request_target_required',
  'request_ref_taken',
  // Art. 4(1) copies to the agency's SPOC desk (docs/REQUESTS.md)
  'spoc_copy_required',
  'spoc_copy_invalid',
  'spoc_desk_invalid',
  'not_claimable',
  'request_not_party',
  'request_wrong_side',
  'request_closed',
  'invalid_request_transition',
] as const;

/** The domains of shared/crypto's codes ("chain/bad-signature"); see `protocolErrorCode`. */
export const PROTOCOL_ERROR_DOMAINS = [
  'agreement',
  'attachment',
  'backup',
  'cert',
  'chain',
  'device',
  'encoding',
  'envelope',
  'epoch',
  'handling',
  'input',
  'intake',
  'keylog',
  'meta',
  'payload',
  'prekey',
  'root',
  'wire',
] as const;

/** A protocol (CryptoError) refusal as the API sends it: "chain/bad-signature" → "chain_bad_signature". */
export type ProtocolErrorCode = `${(typeof PROTOCOL_ERROR_DOMAINS)[number]}_${string}`;

export type ServerErrorCode = (typeof ERROR_CODES)[number];
export type ErrorCode = ServerErrorCode | ProtocolErrorCode;

/** The API code of a shared/crypto code ("chain/bad-signature" → "chain_bad_signature"). */
export function protocolErrorCode(cryptoCode: string): ProtocolErrorCode {
  // Every shared/crypto code starts with one of the domains (test/security/error-codes.test.ts checks).
  return cryptoCode.replace(/[/-]/g, '_') as ProtocolErrorCode;
}

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** True for a code the server can send. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN.has(code) || PROTOCOL_ERROR_DOMAINS.some((d) => code.startsWith(`${d}_`));
}
