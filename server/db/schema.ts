import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are integer milliseconds since the Unix epoch (UTC). */
const createdAt = () => integer('created_at').notNull();

export const agencies = sqliteTable(
  'agencies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    kind: text('kind', { enum: ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] }).notNull(),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    sponsorAgencyId: text('sponsor_agency_id').references((): ReturnType<typeof text> => agencies.id),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('agencies_name_country_uq').on(t.country, t.name)],
);

export const officers = sqliteTable(
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
    totpLastStep: integer('totp_last_step').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('officers_username_uq').on(t.username), index('officers_agency_idx').on(t.agencyId)],
);

export const enrolmentTokens = sqliteTable(
  'enrolment_tokens',
  {
    id: text('id').primaryKey(),
    officerId: text('officer_id')
      .notNull()
      .references(() => officers.id),
    /** SHA-256 of the token; the token itself is only ever shown once. */
    tokenHash: text('token_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
    /** Set by the first enrolment step, moved onto the officer when a TOTP code confirms it. */
    pendingPasswordHash: text('pending_password_hash'),
    pendingTotpSealed: text('pending_totp_sealed'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('enrolment_tokens_hash_uq').on(t.tokenHash), index('enrolment_tokens_officer_idx').on(t.officerId)],
);

/** Failed sign-ins are keyed by the normalised username, known or not, so lockout cannot reveal which accounts exist. */
export const loginFailures = sqliteTable('login_failures', {
  username: text('username').primaryKey(),
  count: integer('count').notNull(),
  windowStart: integer('window_start').notNull(),
  lockedAt: integer('locked_at'),
});

export const sessions = sqliteTable(
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
    lastUsedAt: integer('last_used_at').notNull(),
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('sessions_officer_idx').on(t.officerId)],
);

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    /** SHA-256 of the opaque refresh token. */
    tokenHash: text('token_hash').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    createdAt: createdAt(),
    usedAt: integer('used_at'),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);

export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    at: integer('at').notNull(),
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
  },
  (t) => [index('audit_events_agency_idx').on(t.agencyId, t.seq)],
);

export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey(),
  hash: text('hash').notNull(),
  at: integer('at').notNull(),
  signature: text('signature').notNull(),
  publicKey: text('public_key').notNull(),
});
