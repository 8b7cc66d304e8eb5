import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, primaryKey, text, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL schema: a column-for-column translation of server/store/sqlite/schema.ts (same table,
 * column and index names; test/store/schema-parity.test.ts holds the two together). Times are integer
 * milliseconds since the Unix epoch (UTC) in `bigint` columns, read back as numbers (the pool's int8
 * parser; safe below 2^53); every other SQLite integer is `bigint` too, except the 0/1 flags, which stay
 * `integer` 0/1 as on SQLite (row types use numbers there; repositories map them where a port says
 * boolean). SQLite's integer primary keys become identity columns. Migrations: migrations/pg/
 * (drizzle.pg.config.ts); hand-written SQL (directory search, triggers) is in its custom migration.
 */
const createdAt = () => bigint('created_at', { mode: 'number' }).notNull();

export const agencies = pgTable(
  'agencies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    kind: text('kind', { enum: ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] }).notNull(),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    sponsorAgencyId: text('sponsor_agency_id').references((): AnyPgColumn => agencies.id),
    createdAt: createdAt(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('agencies_name_country_uq').on(t.country, t.name)],
);

export const officers = pgTable(
  'officers',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    /** Lower-cased, unique across the network. */
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['platform_admin', 'agency_admin', 'officer'] }).notNull(),
    status: text('status', { enum: ['invited', 'active', 'suspended'] }).notNull(),
    passwordHash: text('password_hash'),
    /** TOTP seed sealed with the server's data key (never stored in clear). */
    totpSecretSealed: text('totp_secret_sealed'),
    /** Highest 30-second TOTP step accepted so far: a code is accepted once only. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('officers_username_uq').on(t.username), index('officers_agency_idx').on(t.agencyId)],
);

export const enrolmentTokens = pgTable(
  'enrolment_tokens',
  {
    id: text('id').primaryKey(),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    /** SHA-256 of the token; the token itself is only ever shown once. */
    tokenHash: text('token_hash').notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    usedAt: bigint('used_at', { mode: 'number' }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    /** Set by the first enrolment step, moved onto the officer when a TOTP code confirms it. */
    pendingPasswordHash: text('pending_password_hash'),
    pendingTotpSealed: text('pending_totp_sealed'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('enrolment_tokens_hash_uq').on(t.tokenHash), index('enrolment_tokens_officer_idx').on(t.officerId)],
);

/** Failed sign-ins are keyed by the normalised username, known or not, so lockout cannot reveal which accounts exist. */
export const loginFailures = pgTable('login_failures', {
  username: text('username').primaryKey(),
  count: bigint('count', { mode: 'number' }).notNull(),
  windowStart: bigint('window_start', { mode: 'number' }).notNull(),
  lockedAt: bigint('locked_at', { mode: 'number' }),
  /** Back-off is measured from the latest failure (keys are `u:<username>` and `ip:<address>`). */
  lastFailureAt: bigint('last_failure_at', { mode: 'number' }),
});

export const sessions = pgTable(
  'sessions',
  {
    /** The refresh-token family id; access tokens carry it as `sid`. */
    id: text('id').primaryKey(),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    deviceLabel: text('device_label').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }).notNull(),
    absoluteExpiresAt: bigint('absolute_expires_at', { mode: 'number' }).notNull(),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('sessions_officer_idx').on(t.officerId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    /** SHA-256 of the opaque refresh token. */
    tokenHash: text('token_hash').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    createdAt: createdAt(),
    usedAt: bigint('used_at', { mode: 'number' }),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: bigint('at', { mode: 'number' }).notNull(),
    actorId: text('actor_id'),
    /** Agency the event belongs to, for scoping reads by agency administrators. */
    agencyId: text('agency_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
    ip: text('ip'),
    details: text('details').notNull().default('{}'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** Ed25519 signature of the server's audit key over (seq, hash): rewriting needs that key. */
    signature: text('signature').notNull(),
  },
  (t) => [index('audit_events_agency_idx').on(t.agencyId, t.seq)],
);

export const auditCheckpoints = pgTable('audit_checkpoints', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  hash: text('hash').notNull(),
  at: bigint('at', { mode: 'number' }).notNull(),
  signature: text('signature').notNull(),
  publicKey: text('public_key').notNull(),
});

// ---------------------------------------------------------------------------------------------
// Keys (identity, certificates, key-transparency log). Binary values are base64url; wire JSON is
// the exact output of the shared/crypto codecs.

export const officerKeys = pgTable('officer_keys', {
  officerId: text('officer_id')
    .primaryKey()
    .references(() => officers.id),
  agencyId: text('agency_id').notNull(),
  signPublicKey: text('sign_public_key').notNull(),
  dhPublicKey: text('dh_public_key').notNull(),
  /** keyEventCodec wire JSON of the officer-signed enrol event. */
  enrolEvent: text('enrol_event').notNull(),
  prekey: text('prekey').notNull(),
  /** backupBlobCodec wire JSON: the identity keys sealed under the officer's passphrase. */
  backup: text('backup').notNull(),
  /** certificateCodec wire JSON, once an agency root has certified the keys. */
  certificate: text('certificate'),
  /** When the officer asked to renew its current certificate (PROTOCOL.md §4.2); cleared by the next certificate. */
  renewalRequestedAt: bigint('renewal_requested_at', { mode: 'number' }),
  /** renewalRequestCodec wire JSON of that request (officer-signed), kept as evidence. */
  renewalRequest: text('renewal_request'),
  createdAt: createdAt(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

/** v1: the first agency administrator to register keys is the agency root (TOFU; see PROTOCOL.md §4.4). */
export const agencyRoots = pgTable('agency_roots', {
  agencyId: text('agency_id')
    .primaryKey()
    .references(() => agencies.id),
  officerId: text('officer_id').notNull(),
  signPublicKey: text('sign_public_key').notNull(),
  createdAt: createdAt(),
});

/**
 * v2 root sets (PROTOCOL.md §4.4): each applied set after the implicit version 0 (the agency_roots key).
 * `statement` is rootSetCodec wire JSON with the signatures that made it valid.
 */
export const agencyRootSets = pgTable(
  'agency_root_sets',
  {
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    version: bigint('version', { mode: 'number' }).notNull(),
    statement: text('statement').notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.version] })],
);

/** The one pending proposal per agency: a successor set still collecting signatures. */
export const agencyRootProposals = pgTable('agency_root_proposals', {
  agencyId: text('agency_id')
    .primaryKey()
    .references(() => agencies.id),
  /** rootSetCodec wire JSON, with the signatures collected so far. */
  statement: text('statement').notNull(),
  /** keyEventCodec wire JSON of the proposer's root-set key event (appended when the set applies). */
  keyEvent: text('key_event').notNull(),
  proposedBy: text('proposed_by').notNull(),
  createdAt: createdAt(),
});

export const keyLog = pgTable('key_log', {
  /** 0-based entry index. */
  idx: bigint('idx', { mode: 'number' }).primaryKey(),
  officerId: text('officer_id').notNull(),
  /** keyLogEntryCodec wire JSON. */
  entry: text('entry').notNull(),
  hash: text('hash').notNull(),
  createdAt: createdAt(),
});

/** The latest server-signed tree head per size (treeHeadCodec wire JSON). */
export const keyLogHeads = pgTable('key_log_heads', {
  size: bigint('size', { mode: 'number' }).primaryKey(),
  head: text('head').notNull(),
  createdAt: createdAt(),
});

/**
 * Per-device signing keys (PROTOCOL.md §4.5): one row per device (SDK installation) of an officer, with
 * the identity-signed `device-add` event that certified its key and, once withdrawn, the `device-revoke`.
 * A revoked device id stays revoked (a fresh installation gets a new id).
 */
export const officerDevices = pgTable(
  'officer_devices',
  {
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    deviceId: text('device_id').notNull(),
    name: text('name').notNull(),
    /** The device signing key (base64url). */
    signPublicKey: text('sign_public_key').notNull(),
    /** The identity signing key that certified it (the add event's author): a device counts only while it is the officer's registered key. */
    authorSignPublicKey: text('author_sign_public_key').notNull(),
    /** keyEventCodec wire JSON of the device-add event. */
    addEvent: text('add_event').notNull(),
    addedAt: bigint('added_at', { mode: 'number' }).notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    /** keyEventCodec wire JSON of the device-revoke event. */
    revokeEvent: text('revoke_event'),
  },
  (t) => [primaryKey({ columns: [t.officerId, t.deviceId] })],
);

/** Which device a session belongs to (bound when the session announces its device); revoking the device ends it. */
export const deviceSessions = pgTable(
  'device_sessions',
  {
    sessionId: text('session_id')
      .primaryKey()
      .references(() => sessions.id),
    officerId: text('officer_id').notNull(),
    deviceId: text('device_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('device_sessions_device_idx').on(t.officerId, t.deviceId)],
);

// ---------------------------------------------------------------------------------------------
// Agreements (MOUs) and extended access

export const agreements = pgTable('agreements', {
  id: text('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
  /** JSON array of agency ids, sorted. */
  parties: text('parties').notNull(),
  /** JSON array of scope topics, sorted. */
  scope: text('scope').notNull(),
  validFrom: bigint('valid_from', { mode: 'number' }).notNull(),
  validUntil: bigint('valid_until', { mode: 'number' }).notNull(),
  title: text('title').notNull(),
  text: text('text').notNull(),
  textHash: text('text_hash').notNull(),
  /** Stored lifecycle state; "expired" and "scheduled" are derived from the validity window at read time. */
  status: text('status', { enum: ['proposed', 'active', 'suspended', 'terminated'] }).notNull(),
  proposedBy: text('proposed_by').notNull(),
  createdAt: createdAt(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

export const agreementParties = pgTable(
  'agreement_parties',
  {
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    signedBy: text('signed_by'),
    signature: text('signature'),
    signerPublicKey: text('signer_public_key'),
    signedAt: bigint('signed_at', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.agreementId, t.agencyId] }), index('agreement_parties_agency_idx').on(t.agencyId)],
);

/**
 * Who holds an agreement suspended: one row per suspending party. The agreement is active again only
 * when every suspender has lifted its own suspension (a party cannot undo another party's suspension).
 */
export const agreementSuspensions = pgTable(
  'agreement_suspensions',
  {
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    suspendedBy: text('suspended_by').notNull(),
    reason: text('reason'),
    suspendedAt: bigint('suspended_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agreementId, t.agencyId] })],
);

export const extendedAccessGrants = pgTable(
  'extended_access_grants',
  {
    id: text('id').primaryKey(),
    /** The NCB that sponsors the institution and lends it its agreements. */
    sponsorAgencyId: text('sponsor_agency_id')
      .notNull()
      .references(() => agencies.id),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    /** JSON array of agreement scope topics the grant covers. */
    scope: text('scope').notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
  },
  (t) => [index('extended_access_agency_idx').on(t.agencyId)],
);

// ---------------------------------------------------------------------------------------------
// Channels, membership chain, key envelopes, messages, receipts, attachments, the sync feed

export const channels = pgTable('channels', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['direct', 'case', 'team'] }).notNull(),
  agreementId: text('agreement_id').references(() => agreements.id),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  /** Opaque client ciphertext (title, description, case reference); the server never reads it. */
  encryptedMeta: text('encrypted_meta').notNull(),
  /** Keyed blind index of the case reference (optional, computed by clients). */
  caseRefIndex: text('case_ref_index'),
  /** JSON HandlingPolicy of the current epoch, copied from the verified chain. */
  policy: text('policy').notNull(),
  headSeq: bigint('head_seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  lastMessageSeq: bigint('last_message_seq', { mode: 'number' }).notNull().default(0),
  retentionDays: bigint('retention_days', { mode: 'number' }).notNull().default(365),
  /** True while any agency's hold stands (channel_legal_holds); retention skips held channels. */
  legalHold: integer('legal_hold').notNull().default(0),
  /** Set when the channel is closed for good (e.g. a declined contact request). */
  closedAt: bigint('closed_at', { mode: 'number' }),
  closedReason: text('closed_reason'),
  /** Contact requests (directory issue): pending → accepted | declined. */
  contactRequest: text('contact_request', { enum: ['pending', 'accepted', 'declined'] }),
  /** The directory entry a contact request or directory-opened direct channel came from. */
  contactEntryId: text('contact_entry_id'),
});

/**
 * Legal holds, one per agency that placed it: only that agency's administrators lift it, and the
 * channel is held while any row stands (`channels.legal_hold` mirrors "any row", kept in the same transaction).
 */
export const channelLegalHolds = pgTable(
  'channel_legal_holds',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    agencyId: text('agency_id').notNull(),
    setBy: text('set_by').notNull(),
    setAt: bigint('set_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.agencyId] })],
);

/** Membership spans derived from the verified chain: an officer re-added later gets a new span. */
export const channelMembers = pgTable(
  'channel_members',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    agencyId: text('agency_id').notNull(),
    role: text('role', { enum: ['owner', 'member'] }).notNull(),
    fromEpoch: bigint('from_epoch', { mode: 'number' }).notNull(),
    untilEpoch: bigint('until_epoch', { mode: 'number' }),
    /** Feed positions bounding what this span may sync: [fromPos, untilPos). */
    fromPos: bigint('from_pos', { mode: 'number' }).notNull(),
    untilPos: bigint('until_pos', { mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.officerId, t.fromPos] }),
    index('channel_members_officer_idx').on(t.officerId, t.untilPos),
  ],
);

export const membershipEvents = pgTable(
  'membership_events',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** membershipEventCodec wire JSON, exactly as signed. */
    event: text('event').notNull(),
    hash: text('hash').notNull(),
    authorId: text('author_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.seq] })],
);

/** Cross-agency adds wait here for the co-signature of the added officer's side. */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** The add event signed by the inviter, without co-signature. */
    event: text('event').notNull(),
    inviteeId: text('invitee_id')
      .notNull()
      .references(() => officers.id),
    inviteeAgencyId: text('invitee_agency_id').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    status: text('status', { enum: ['pending', 'accepted', 'declined', 'stale'] }).notNull(),
    decidedAt: bigint('decided_at', { mode: 'number' }),
  },
  (t) => [index('invitations_invitee_idx').on(t.inviteeId, t.status), index('invitations_agency_idx').on(t.inviteeAgencyId, t.status)],
);

export const keyEnvelopes = pgTable(
  'key_envelopes',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    senderId: text('sender_id').notNull(),
    /** keyEnvelopeCodec wire JSON. */
    envelope: text('envelope').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.epoch] })],
);

export const messages = pgTable(
  'messages',
  {
    pk: bigint('pk', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** Client-generated message id: retries with the same id are idempotent. */
    id: text('id').notNull(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    senderId: text('sender_id').notNull(),
    senderDeviceId: text('sender_device_id').notNull(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    handling: text('handling').notNull(),
    /** messageEnvelopeCodec wire JSON (header in clear, ciphertext, signature). */
    envelope: text('envelope').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    ackRequired: integer('ack_required').notNull().default(0),
    forwardedFrom: text('forwarded_from'),
    createdAt: createdAt(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    /** A request message's declared metadata (PROTOCOL.md §9.2) as JSON, served with the message; null otherwise. */
    requestMeta: text('request_meta'),
  },
  (t) => [
    uniqueIndex('messages_id_uq').on(t.id),
    uniqueIndex('messages_channel_seq_uq').on(t.channelId, t.seq),
    index('messages_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Use grants (PROTOCOL.md §8.3): what the originator of a message declared alongside its signed `use-grant`
 * message (the grant itself is end-to-end encrypted). Forwarding an H2 message names one of these.
 */
export const useGrants = pgTable(
  'use_grants',
  {
    /** The `use-grant` message's id. */
    messageId: text('message_id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** The message the grant is for (in the same channel, sent by the grantor). */
    sourceMessageId: text('source_message_id').notNull(),
    grantorId: text('grantor_id').notNull(),
    purpose: text('purpose', { enum: ['judicial-proceedings', 'onward-to-third-party'] }).notNull(),
    granteeAgencyId: text('grantee_agency_id').notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('use_grants_source_idx').on(t.sourceMessageId)],
);

export const receipts = pgTable(
  'receipts',
  {
    messagePk: bigint('message_pk', { mode: 'number' })
      .notNull()
      .references(() => messages.pk, { onDelete: 'cascade' }),
    officerId: text('officer_id').notNull(),
    kind: text('kind', { enum: ['delivered', 'read', 'acknowledged'] }).notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    /**
     * Feed position of the receipt: only officers whose membership span covers it may see it.
     * Null for receipts recorded before positions were kept (shown to current members only).
     */
    pos: bigint('pos', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.messagePk, t.officerId, t.kind] })],
);

/**
 * Read markers: per channel and officer the highest message seq the officer has read (on any
 * device). Content-free; it only ever moves forward (docs/MESSAGING.md "Read markers").
 */
export const readMarkers = pgTable(
  'read_markers',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    officerId: text('officer_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.officerId] }), index('read_markers_officer_idx').on(t.officerId)],
);

export const attachments = pgTable(
  'attachments',
  {
    /** Content address: hex BLAKE2b-256 of the ciphertext blob, computed by the server while storing. */
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    size: bigint('size', { mode: 'number' }).notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: createdAt(),
  },
  // Storage quotas sum sizes per uploader and per channel on every upload (covering indexes).
  (t) => [index('attachments_uploader_idx').on(t.uploadedBy, t.size), index('attachments_channel_idx').on(t.channelId, t.size)],
);

export const messageAttachments = pgTable(
  'message_attachments',
  {
    messagePk: bigint('message_pk', { mode: 'number' })
      .notNull()
      .references(() => messages.pk, { onDelete: 'cascade' }),
    attachmentId: text('attachment_id')
      .notNull()
      .references(() => attachments.id),
  },
  (t) => [primaryKey({ columns: [t.messagePk, t.attachmentId] }), index('message_attachments_att_idx').on(t.attachmentId)],
);

/**
 * Everything an officer can sync, in one ordered log: `pos` is the sync cursor. Messages are joined
 * from `messages` (message_pk); other kinds carry their JSON in `payload`. `recipientId` set = a
 * personal item (receipt for a sender, invitation); null = for the channel's members at that position.
 */
export const feed = pgTable(
  'feed',
  {
    pos: bigint('pos', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    channelId: text('channel_id').notNull(),
    kind: text('kind', { enum: ['message', 'membership', 'key_envelope', 'receipt', 'invitation', 'channel', 'read_marker'] }).notNull(),
    messagePk: bigint('message_pk', { mode: 'number' }).references(() => messages.pk, { onDelete: 'cascade' }),
    recipientId: text('recipient_id'),
    payload: text('payload'),
    createdAt: createdAt(),
  },
  (t) => [
    index('feed_channel_idx').on(t.channelId, t.pos),
    index('feed_recipient_idx').on(t.recipientId, t.pos),
    // Message lookups (visibility, receipts) and the cascade when retention deletes a message.
    index('feed_message_idx').on(t.messagePk),
  ],
);

// ---------------------------------------------------------------------------------------------
// Contact-point directory (issue 5). Full-text search lives in the table `directory_fts` (custom
// migration 'directory_search': entry_pk → tsvector `doc` under a GIN index, kept in sync by triggers).

export const directoryEntries = pgTable(
  'directory_entries',
  {
    /** Integer key: the FTS rowid and the side tables' join key (stable across VACUUM, unlike an implicit rowid). */
    pk: bigint('pk', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    /** Copied from the agency (which cannot move country) so the country filter is one index lookup. */
    country: text('country').notNull(),
    /**
     * Copy of agencies.name (second sort key), kept in sync by triggers (migration
     * directory_agency_name_sync), so the search order is one index walk.
     */
    agencyName: text('agency_name').notNull().default(''),
    title: text('title').notNull(),
    officerId: text('officer_id').references(() => officers.id),
    /** A desk whose rota decides "available now" (desks issue 13); unlinked when the desk is deleted. */
    deskId: text('desk_id').references((): AnyPgColumn => desks.id, { onDelete: 'set null' }),
    /** JSON array (read side); filters use directory_entry_specialisations. */
    specialisations: text('specialisations').notNull(),
    /** JSON array of ISO 639-1 codes (read side); filters use directory_entry_languages. */
    languages: text('languages').notNull(),
    /** JSON Availability: { kind: '24/7' } | { kind: 'schedule', timeZone, slots }. */
    availability: text('availability').notNull(),
    phone: text('phone'),
    notes: text('notes').notNull().default(''),
    lastConfirmedAt: bigint('last_confirmed_at', { mode: 'number' }).notNull(),
    retiredAt: bigint('retired_at', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('directory_entries_id_uq').on(t.id),
    index('directory_entries_country_idx').on(t.country),
    index('directory_entries_agency_idx').on(t.agencyId, t.lastConfirmedAt),
    index('directory_entries_officer_idx').on(t.officerId),
    /** Live entries in search order (freshness is split by last_confirmed_at, read from the index). */
    index('directory_entries_order_idx').on(t.country, t.agencyName, t.title, t.id, t.lastConfirmedAt).where(sql`retired_at IS NULL`),
  ],
);

export const directoryEntrySpecialisations = pgTable(
  'directory_entry_specialisations',
  {
    entryPk: bigint('entry_pk', { mode: 'number' })
      .notNull()
      .references(() => directoryEntries.pk, { onDelete: 'cascade' }),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.value, t.entryPk] }), index('directory_entry_specialisations_entry_idx').on(t.entryPk)],
);

export const directoryEntryLanguages = pgTable(
  'directory_entry_languages',
  {
    entryPk: bigint('entry_pk', { mode: 'number' })
      .notNull()
      .references(() => directoryEntries.pk, { onDelete: 'cascade' }),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.value, t.entryPk] }), index('directory_entry_languages_entry_idx').on(t.entryPk)],
);

// ---------------------------------------------------------------------------------------------
// Desks and duty rotas (issue 13, docs/DESKS.md).

export const desks = pgTable(
  'desks',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    name: text('name').notNull(),
    /** JSON arrays (read side). */
    specialisations: text('specialisations').notNull(),
    languages: text('languages').notNull(),
    phone: text('phone').notNull(),
    timeZone: text('time_zone').notNull(),
    /** JSON arrays of officer ids, in the order given (desk_officers indexes them by officer). */
    supervisors: text('supervisors').notNull(),
    members: text('members').notNull(),
    backupDeskId: text('backup_desk_id').references((): AnyPgColumn => desks.id, { onDelete: 'set null' }),
    /** JSON Rota (shared/desks/rota.ts), validated before it is stored. */
    rota: text('rota').notNull(),
    /** Escalation: minutes a page waits for an acknowledgement before the next step (1–120). */
    ackMinutes: bigint('ack_minutes', { mode: 'number' }).notNull().default(5),
    /** The desk's own E2E channel (PROTOCOL.md §11.2), set by its first intake key statement; null before. */
    channelId: text('channel_id'),
    createdAt: createdAt(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    index('desks_agency_idx').on(t.agencyId),
    index('desks_backup_idx').on(t.backupDeskId),
    // An urgent message in the desk's own channel finds its desk (server/alerting/channel-desk.ts).
    index('desks_channel_idx').on(t.channelId),
  ],
);

/** Who belongs to a desk, by officer: "my desks" and "my shifts" are one index lookup. */
export const deskOfficers = pgTable(
  'desk_officers',
  {
    deskId: text('desk_id')
      .notNull()
      .references(() => desks.id, { onDelete: 'cascade' }),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    role: text('role', { enum: ['member', 'supervisor'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.deskId, t.officerId, t.role] }), index('desk_officers_officer_idx').on(t.officerId)],
);
// Alerting (issue 13): Web Push subscriptions and each officer's notification settings.

export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    /** The push service URL: a capability (whoever knows it can address the browser), so never shown back in full. */
    endpoint: text('endpoint').notNull(),
    /** Subscription public key (P-256, uncompressed) and auth secret, base64url (RFC 8291). */
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_uq').on(t.endpoint), index('push_subscriptions_officer_idx').on(t.officerId, t.createdAt)],
);

export const notificationSettings = pgTable('notification_settings', {
  officerId: text('officer_id')
    .primaryKey()
    .references(() => officers.id),
  email: text('email'),
  push: integer('push').notNull(),
  emailEnabled: integer('email_enabled').notNull(),
  /** JSON { start, end, timeZone } or NULL; stored only (nothing applies quiet hours yet). */
  quietHours: text('quiet_hours'),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

// Paging and escalation (issue 13, docs/DESKS.md "Paging and escalation"): a page and who it reached, without content.

export const pages = pgTable(
  'pages',
  {
    id: text('id').primaryKey(),
    deskId: text('desk_id')
      .notNull()
      .references(() => desks.id, { onDelete: 'cascade' }),
    priority: text('priority', { enum: ['urgent', 'normal'] }).notNull(),
    ackRequested: integer('ack_requested').notNull(),
    channelId: text('channel_id'),
    reason: text('reason', { enum: ['contact_request', 'test', 'message', 'desk_request', 'deadline'] }).notNull(),
    /** The officer whose request opened the page (shown the desk phone when it is exhausted), or null. */
    requesterId: text('requester_id'),
    createdAt: createdAt(),
    step: bigint('step', { mode: 'number' }).notNull(),
    state: text('state', { enum: ['open', 'acknowledged', 'exhausted', 'cancelled'] }).notNull(),
    /** When the scheduler takes the next step; null when no step follows. */
    nextFireAt: bigint('next_fire_at', { mode: 'number' }),
    ackedAt: bigint('acked_at', { mode: 'number' }),
    ackedBy: text('acked_by'),
  },
  (t) => [
    index('pages_due_idx').on(t.state, t.nextFireAt),
    index('pages_desk_idx').on(t.deskId, t.createdAt),
    // A message's page coalesces with the channel's open page, and a receipt acknowledges it: both look up by channel.
    index('pages_channel_idx').on(t.channelId, t.state),
  ],
);

export const pageDeliveries = pgTable(
  'page_deliveries',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => pages.id, { onDelete: 'cascade' }),
    step: bigint('step', { mode: 'number' }).notNull(),
    officerId: text('officer_id').notNull(),
    /** JSON DeliveryResult[] once sent (null while sending), or {"skipped":"quiet_hours"}. */
    outcomes: text('outcomes'),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pageId, t.step, t.officerId] }), index('page_deliveries_officer_idx').on(t.officerId)],
);

// Desk intake (issue 13, PROTOCOL.md §11): supervisor-signed intake key statements and sealed desk requests.

/** One row per (desk, version): the statement's wire JSON (A.15) as the supervisor published it. */
export const deskIntakeKeys = pgTable(
  'desk_intake_keys',
  {
    deskId: text('desk_id')
      .notNull()
      .references(() => desks.id, { onDelete: 'cascade' }),
    version: bigint('version', { mode: 'number' }).notNull(),
    statement: text('statement').notNull(),
    signerId: text('signer_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.deskId, t.version] })],
);

/** A sealed desk request (A.16 wire JSON, unreadable to the server) with its server-side state. */
export const deskRequests = pgTable(
  'desk_requests',
  {
    id: text('id').primaryKey(),
    deskId: text('desk_id')
      .notNull()
      .references(() => desks.id, { onDelete: 'cascade' }),
    requesterId: text('requester_id').notNull(),
    /** The requester's own id for the request (unique per requester). */
    requestId: text('request_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    request: text('request').notNull(),
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
    /** The urgent page the request opened. */
    pageId: text('page_id'),
    state: text('state', { enum: ['open', 'claimed'] }).notNull(),
    claimedBy: text('claimed_by'),
    claimedAt: bigint('claimed_at', { mode: 'number' }),
    caseChannelId: text('case_channel_id'),
    copyOf: text('copy_of'),
  },
  (t) => [
    uniqueIndex('desk_requests_requester_uq').on(t.requesterId, t.requestId),
    index('desk_requests_desk_idx').on(t.deskId, t.receivedAt),
  ],
);

/**
 * Reachability reports per desk (docs/DESKS.md "Reachability reports"): numbers over a period, no
 * content. A scheduled report is unique per desk and period end, so two schedulers (two nodes, a
 * restarted process) store and e-mail it once; a report run on demand has `scheduled = false`.
 */
export const reachabilityReports = pgTable(
  'reachability_reports',
  {
    id: text('id').primaryKey(),
    deskId: text('desk_id')
      .notNull()
      .references(() => desks.id, { onDelete: 'cascade' }),
    periodStart: bigint('period_start', { mode: 'number' }).notNull(),
    periodEnd: bigint('period_end', { mode: 'number' }).notNull(),
    scheduled: integer('scheduled').notNull(),
    /** JSON ReachabilityNumbers (shared/schemas/pages.ts): counts, durations and officer ids. */
    report: text('report').notNull(),
    createdAt: createdAt(),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('reachability_reports_scheduled_uq').on(t.deskId, t.periodEnd).where(sql`${t.scheduled} = 1`),
    index('reachability_reports_desk_idx').on(t.deskId, t.periodEnd),
  ],
);

// ---------------------------------------------------------------------------------------------
// Requests and their lifecycle (issue 14, docs/REQUESTS.md): declared metadata only, never content.

/**
 * One structured request (PROTOCOL.md §9.2) per channel and requestRef: who asked whom under which agreement,
 * the template, urgency and state, and the Art. 5 deadline the server computed from its own receipt stamp.
 */
export const requests = pgTable(
  'requests',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** The client-chosen requestRef, unique per channel. */
    ref: text('ref').notNull(),
    /** The message that made the request. */
    messageId: text('message_id').notNull(),
    template: text('template').notNull(),
    urgency: text('urgency', { enum: ['urgent', 'non-urgent'] }).notNull(),
    directAccess: integer('direct_access').notNull(),
    requesterId: text('requester_id').notNull(),
    requesterAgencyId: text('requester_agency_id').notNull(),
    requesterCountry: text('requester_country').notNull(),
    requestedAgencyId: text('requested_agency_id').notNull(),
    requestedCountry: text('requested_country').notNull(),
    agreementId: text('agreement_id'),
    /** The requested agency's desk the channel belongs to (its overdue board), or null. */
    deskId: text('desk_id'),
    /** The zone the calendar-day deadline was counted in (the requested side's). */
    timeZone: text('time_zone').notNull(),
    state: text('state').notNull(),
    /** The state a given clarification returns to. */
    resumeState: text('resume_state'),
    /** The server's stamp of the request message (Art. 5: counted from receipt). */
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
    /** Art. 5(1) deadline, moved later by the time clarifications suspended it (Art. 6(3)). */
    deadline: bigint('deadline', { mode: 'number' }).notNull(),
    suspendedMs: bigint('suspended_ms', { mode: 'number' }).notNull().default(0),
    clarificationSince: bigint('clarification_since', { mode: 'number' }),
    judicialPendingSince: bigint('judicial_pending_since', { mode: 'number' }),
    firstAnswerAt: bigint('first_answer_at', { mode: 'number' }),
    closedAt: bigint('closed_at', { mode: 'number' }),
    refusalGround: text('refusal_ground'),
    /** The requester's case-reference blind index (client/sdk/case-index.ts), for duplicate hints; or null. */
    caseIndex: text('case_index'),
    /** Reminders fire once each: set by the conditional update that claims them. */
    remindedEarlyAt: bigint('reminded_early_at', { mode: 'number' }),
    remindedDueAt: bigint('reminded_due_at', { mode: 'number' }),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('requests_channel_ref_uq').on(t.channelId, t.ref),
    index('requests_requested_idx').on(t.requestedAgencyId, t.state, t.deadline),
    index('requests_requester_idx').on(t.requesterAgencyId, t.state),
    index('requests_desk_idx').on(t.deskId, t.state, t.deadline),
    index('requests_case_idx').on(t.caseIndex),
    index('requests_deadline_idx').on(t.state, t.deadline),
  ],
);

/** A request's timeline: one row per state-changing message, with the server's stamp. */
export const requestEvents = pgTable(
  'request_events',
  {
    pk: bigint('pk', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    requestId: text('request_id')
      .notNull()
      .references(() => requests.id),
    messageId: text('message_id').notNull(),
    kind: text('kind').notNull(),
    /** The answer's completeness, the clarification's step or the refusal ground, as declared. */
    detail: text('detail'),
    state: text('state').notNull(),
    actorId: text('actor_id').notNull(),
    agencyId: text('agency_id').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('request_events_request_idx').on(t.requestId, t.pk)],
);

/** An agency's request settings: the zone its calendar-day deadlines are counted in (default UTC). */
export const agencyRequestSettings = pgTable('agency_request_settings', {
  agencyId: text('agency_id')
    .primaryKey()
    .references(() => agencies.id),
  timeZone: text('time_zone').notNull(),
  spocDeskId: text('spoc_desk_id'),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  updatedBy: text('updated_by').notNull(),
});
