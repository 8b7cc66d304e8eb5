import type { ClientErrorCode, ProtocolErrorCode, ServerErrorCode } from '../../../sdk/index.ts';
import { fixedT } from '../i18n/i18n.ts';

/** API (`{ error: { code } }`) and SDK error codes → what an officer should read; every code the server sends has an entry (null: show the server's sentence), and one it cannot send does not compile. */
const MESSAGES: { readonly [C in ServerErrorCode]: string | null } & { readonly [C in ProtocolErrorCode | ClientErrorCode]?: string | null } = {
  // sign-in and sessions
  invalid_credentials: 'Wrong username, password or authentication code.',
  account_suspended: 'This account is suspended. Contact your agency administrator.',
  account_inactive: 'This account is not active. Contact your agency administrator.',
  session_expired: 'Your session has ended. Please sign in again.',
  refresh_token_reused: 'Your session was ended for safety (it was used from two places). Please sign in again.',
  invalid_refresh_token: 'Your session has ended. Please sign in again.',
  invalid_token: 'Your session has ended. Please sign in again.',
  unauthorized: 'Please sign in.',
  rate_limited: 'Too many attempts. Wait a minute and try again.',
  login_throttled: 'Too many failed sign-ins for this account or network. Wait a moment, then try again.',
  // enrolment
  weak_password: 'That password is too weak.',
  enrolment_incomplete: 'Finish the previous enrolment step first.',
  not_found: 'Not found, or you do not have access to it.',
  // authorisation and validation
  forbidden: 'You are not allowed to do this.',
  validation_failed: 'Some of the information is not valid.',
  username_taken: 'That username is already taken.',
  agency_exists: 'An agency with this name already exists in that country.',
  cannot_modify_self: 'You cannot do this to your own account.',
  agency_suspended: 'This agency is suspended.',
  agency_inactive: 'This agency is not active.',
  officer_suspended: 'This officer is suspended.',
  invalid_sponsor: 'Only an NCB of the same country can sponsor this institution.',
  invalid_expiry: 'The expiry must be in the future.',
  expiry_too_far: 'Extended access is time-limited: choose an earlier expiry date (at most the maximum shown), and renew it later with a new grant.',
  scope_narrowed: 'A renewal keeps at least the current scope. To narrow the scope, revoke the grant first, then grant again.',
  already_suspended: 'Your agency has already suspended this agreement.',
  suspended_by_other_party: 'Another party suspended this agreement; only that agency can lift its suspension.',
  agency_root_revoked: 'Your keys no longer carry your agency’s root authority because you are no longer an active administrator. Contact your platform administrator.',
  cosigner_not_admin: 'That approval came from someone who is no longer an administrator of the invited officer’s agency. Ask the invited officer to accept.',
  // agreements and channels
  not_a_party: 'Your agency is not a party to this agreement.',
  already_signed: 'Your agency has already signed this agreement.',
  agreement_required: 'Officers of other agencies can only join under an active agreement.',
  agreement_not_active: 'The agreement is not active (not yet signed by every party, or it ended).',
  agreement_not_proposed: 'This agreement can no longer be signed.',
  invalid_window: 'The validity window is not valid (the end must come after the start).',
  channel_read_only: 'This channel is read-only (its agreement ended, access was revoked, it was closed, or a contact request is not accepted yet).',
  forwarding_forbidden: 'The handling code of that message does not allow forwarding to that channel.',
  grant_invalid: 'Only the agency that sent a message can grant its use, with an expiry in the future.',
  // contact requests and directory
  contact_request_exists: 'You already have a contact request waiting for this officer. It is in your channel list.',
  contact_self: 'This is your own contact point.',
  officer_unreachable: 'This officer cannot be reached yet: their keys are not certified by their agency.',
  no_recipient: 'Nobody can be reached through this desk right now. Use its phone number.',
  invalid_recipient: 'That person is not a contact of this entry.',
  contact_request_members_fixed: 'A contact request stays between its two officers; no one else can be added.',
  contact_request_invitee_only: 'Only the officer who was asked can answer a contact request.',
  invitation_closed: 'This request was already answered.',
  'contact/invalid-recipient': 'Choose whom to contact.',
  ack_not_required: 'This message does not ask for an acknowledgement.',
  invitation_stale: 'The invitation is out of date; ask for a new one.',
  keys_required: 'This officer has not set up encryption keys yet.',
  certificate_required: 'This officer’s keys are not certified by their agency yet.',
  certificate_revoked: 'Your agency revoked your certificate: you can no longer send or change channels with these keys.',
  device_revoked: 'That device has been revoked: it is signed out and can no longer send.',
  envelope_device_revoked: 'This device has been revoked, so it can no longer send. Use a device that is still active.',
  device_key_conflict: 'This device is registered with another key: sign in again to continue here as a new device.',
  payload_too_large: 'That is too large to send.',
  officer_quota_exceeded: 'Your file storage is full. Space is freed as older messages with files expire; ask your administrator if you need more.',
  channel_quota_exceeded: 'This channel’s file storage is full. Space is freed as older messages with files expire.',
  insufficient_storage: 'The server is out of storage; nothing was saved. Tell your administrator.',
  legal_hold_not_yours: 'Another agency placed this legal hold; only its administrators can lift it.',
  unavailable: 'The server is busy. Try again in a moment.',
  internal_error: 'Something went wrong on the server. Try again; if it persists, tell your administrator.',
  network: 'Cannot reach the server. Check your connection.',
  // SDK
  'keys/locked': 'Your keys are locked. Unlock them with your key-backup passphrase.',
  'keys/unverified-member': 'A member’s key changed. Compare safety numbers and mark them verified first.',
  'keys/not-certified': 'This officer’s keys are not certified by their agency yet.',
  'keys/no-root': 'That agency has not set up its root key yet (its administrator must sign in once).',
  'backup/wrong-secret': 'Wrong key-backup passphrase.',
  'backup/weak-passphrase': 'The passphrase must be at least 12 characters.',
  'backup/passphrase-is-password':
    'Choose a key-backup passphrase that is different from your sign-in password and does not contain it. The server sees your password when you sign in, so it must not be able to open your key backup with it.',
  'backup/password-required': 'Enter your sign-in password, so Liaison can check that your passphrase is different from it.',
  'chain/untrusted': 'This channel’s membership history failed verification. Sending is disabled for safety.',
  'epoch/no-key': 'Waiting for the channel key from another member. Try again in a moment.',
  'handling/downgrade': 'You cannot lower the handling code below the channel’s minimum.',
  'handling/forward-denied': 'The handling code of that message does not allow forwarding to that channel.',
  'chain/unauthorised': 'You are not allowed to change this channel’s members.',
  'invitation/bad-chain': 'This invitation could not be verified: the channel history the server showed does not lead to it. It was not accepted. Tell your administrator.',
  'invitation/bad-add': 'This invitation could not be verified against the channel’s membership rules. It was not accepted.',
  'invitation/actor-not-certified': 'The officer who invited you does not have a certified key matching the invitation. It was not accepted; compare safety numbers.',
  'invitation/bad-agreement': 'The channel’s agreement is not active or not signed by both agencies, so the invitation was not accepted.',
  'chain/direct-full': 'A direct channel has two members. Open a case or team channel to work with more officers.',
  chain_direct_full: 'A direct channel has two members. Open a case or team channel to work with more officers.',
  'auth/signed-out': 'You are signed out.',
  'audit/rollback': 'The server now shows a shorter audit trail than this browser saw before: events were deleted or the database was restored from an older copy. Tell your security officer.',
  'audit/equivocation': 'The server showed two different audit trails. Tell your security officer.',
  'audit/key-changed': 'The audit trail is now signed with a different key. Tell your security officer.',
  'audit/invalid-head': 'The server’s audit head has an invalid signature. Tell your security officer.',
  'role/above-own': 'You cannot give a role above your own.',
  // reported-site addresses (PROTOCOL.md §9.1)
  'payload/url-scheme': 'A site address starts with http:// or https://, or is a bare hostname such as example.org.',
  'payload/url-no-scheme': 'Add http:// or https:// in front of an address with a path, port or query.',
  'payload/bad-url': 'That is not a web address Liaison can use: no spaces, no user name or password, and a hostname with at least two parts (example.org).',
  'payload/onion-v2': 'That is an old (v2) onion address, which no longer works in Tor. Ask for the site’s v3 address (56 characters before .onion).',
  'payload/onion-invalid': 'That onion address is not valid: a v3 address has 56 characters (a–z and 2–7) before .onion.',
  'payload/onion-checksum': 'That onion address has a typo: its checksum does not match. Check every character.',
  'compose/bad-consents': 'Write one consent per line: the country code, a colon, then the reference (PT: 123/2026).',
  // notifications
  invalid_push_endpoint: 'This browser offered a push address Liaison cannot use. Try another browser, or use e-mail.',
  invalid_push_keys: 'This browser’s push subscription is not valid. Turn notifications off and on again.',
  invalid_email: 'That is not a valid e-mail address.',
  subscription_limit: 'You have too many devices subscribed to notifications. Remove one you no longer use.',
  // channel members
  channel_agreement_required:
    'Officers of another agency can only join a case or team channel opened under an agreement between your agencies. Choose the agreement when you create the channel, or add only officers of your agency.',
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
  envelope_sender_mismatch: null, message_id_conflict: null, handling_not_allowed: null, own_message: null, stale_epoch: null,
  wrong_channel: null, unknown_attachment: null, invalid_language: null, invalid_phone: null, invalid_schedule: null,
  invalid_time_zone: null, invalid_title: null, cursor_expired: null, device_key_invalid: null,
  event_author_mismatch: null, event_time_skew: null,
  // desks and duty rotas (the server's sentence names the field or rule)
  invalid_rota: null, invalid_member: null, invalid_backup_desk: null, invalid_desk: null,
  not_your_shift: 'You can only swap your own shift.',
  // paging and escalation
  page_closed: 'This page is closed: it was cancelled or ran through every step without an answer.',
  // desk intake
  intake_version_conflict: 'Another supervisor published a newer intake key meanwhile. Reload and try again.',
  intake_channel_changed: null, intake_wrong_signer: null, intake_channel_invalid: null,
  no_intake_key: 'This desk does not accept sealed requests yet.',
  duplicate_request: null,
  already_claimed: 'Someone else has already taken this request.',
  not_claimer: 'Only the officer who took this request can do this.',
  case_channel_exists: null,
  invalid_request_metadata: null,
  request_target_required: 'Choose which agency the request is addressed to.',
  request_ref_taken: null,
  request_not_party: 'Only the requesting and the requested agency can change this request.',
  request_wrong_side: 'The other agency takes this step, not yours.',
  request_closed: 'This request is closed; it changes no more.',
  invalid_request_transition: 'This step does not fit the request’s current state.',
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
  if (code === 'login_throttled' && typeof details?.retryAfterSeconds === 'number') {
    return `Too many failed sign-ins for this account or network. Wait ${waitText(details.retryAfterSeconds)}, then try again.`;
  }
  if (code === 'invalid_credentials' && typeof details?.triesRemaining === 'number') {
    const n = details.triesRemaining;
    return `${MESSAGES.invalid_credentials} ${n === 0 ? 'Further attempts are now delayed.' : `${n} ${n === 1 ? 'try' : 'tries'} left before sign-in is delayed.`}`;
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
    return mapped;
  }
  if (detail) return detail;
  return 'Something went wrong. Try again.';
}
