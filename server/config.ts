import os from 'node:os';
import { availableParallelism } from 'node:os';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Argon2Params {
  /** KiB of memory per hash. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Which engine stores the data (docs/CLUSTER.md): the embedded SQLite file in dataDir, or PostgreSQL. */
export type StoreConfig =
  | { kind: 'sqlite' }
  | {
      kind: 'postgres';
      /** DATABASE_URL, postgres://user@host:port/database. */
      url: string;
      /** DATABASE_SCHEMA: a schema to use (created if missing) instead of public. */
      schema?: string;
    };

/** Where attachment blobs live (BLOB_STORE, docs/CLUSTER.md "Blobs"): a directory under dataDir, shared by the nodes. */
export type BlobsConfig = { kind: 'directory' };

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** STORE=sqlite|postgres (default sqlite). Secrets, blobs and the audit heads file stay in dataDir either way. */
  store: StoreConfig;
  /**
   * SECRETS_DIR: where the server keys live (default DATA_DIR/secrets). Several nodes must share one;
   * on PostgreSQL (cluster mode) a missing key is a start-up error rather than a freshly generated one.
   */
  secretsDir: string | null;
  /** NODE_ID: this node's name among several (blob temp folder, listener name); default `<host name>-<port>`. */
  nodeId: string;
  /**
   * REDIS_URL (+ REDIS_PREFIX): presence, typing and HTTP rate limits shared by the nodes of a cluster
   * (docs/CLUSTER.md "Redis"); used only with STORE=postgres. Absent = each node keeps them in memory.
   */
  redis?: { url: string; prefix: string };
  /** BLOB_STORE=directory (default; the only one built: an S3-compatible store is the documented next step). */
  blobs: BlobsConfig;
  publicUrl: string;
  logLevel: LogLevel;
  /** Allowed CORS origins; empty = CORS off. */
  corsOrigins: string[];
  bodyLimitBytes: number;
  trustProxy: boolean;
  jwt: { issuer: string; audience: string; accessTtlSeconds: number };
  session: { idleTimeoutMs: number; absoluteTimeoutMs: number };
  login: {
    /** Free failed sign-ins per account (normalised username, known or not) before back-off starts. */
    maxFailures: number;
    /** Free failed sign-ins per source IP (any usernames) before back-off starts. */
    sourceMaxFailures: number;
    /** First back-off delay; each further failure doubles it, up to backoffMaxMs. Never an indefinite lock. */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Failures are forgotten after this long without a new one (always longer than backoffMaxMs). */
    failureWindowMs: number;
    /** Per-IP throttle on sign-in endpoints. */
    ipMaxPerWindow: number;
    ipWindowMs: number;
  };
  rateLimit: { max: number; windowMs: number };
  enrolmentTtlMs: number;
  argon2: Argon2Params;
  audit: {
    checkpointEvery: number;
    /** Append-only file of signed heads (AUDIT_HEADS_FILE); unset = DATA_DIR/audit-heads.log. */
    headsFile?: string;
    /** access.denied events recorded per officer per minute before the rest are summarised (default 10). */
    deniedPerMinute?: number;
  };
  messaging: {
    /** Largest attachment ciphertext accepted (ATTACHMENT_MAX_BYTES). */
    attachmentMaxBytes: number;
    /** How often the retention sweeper runs; 0 = never (tests call it directly). */
    retentionSweepMs: number;
    /** Per-socket token bucket: sustained events per second and burst. */
    socketEventsPerSecond: number;
    socketBurst: number;
    /** Largest socket.io packet (a send carries at most 256 KiB of ciphertext as base64url). */
    socketMaxPayloadBytes: number;
    /** Attachment bytes one officer may have stored (ATTACHMENT_QUOTA_PER_OFFICER_BYTES). */
    attachmentQuotaPerOfficerBytes: number;
    /** Attachment bytes one channel may hold (ATTACHMENT_QUOTA_PER_CHANNEL_BYTES). */
    attachmentQuotaPerChannelBytes: number;
  };
  /** Longest extended-access grant, in days from the moment it is issued (EXTENDED_ACCESS_MAX_DAYS); renewal is a new grant. */
  extendedAccess: { maxDays: number };
  /** Notification transports (README, "Notifications"); an absent transport is off. */
  alerting: AlertingConfig;
  /** Statistics (docs/STATS.md): counts 1..minCount−1 are suppressed (STATS_MIN_COUNT, default 5). */
  stats?: { minCount: number };
  /** Connection-level denial-of-service limits (README, "Configuration"; docs/SECURITY.md). */
  limits: {
    /** Whole request (headers + body) must arrive within this; generous so a 100 MiB upload on a slow link fits. */
    requestTimeoutMs: number;
    /** Request headers must arrive within this (slowloris). */
    headersTimeoutMs: number;
    /** A socket with no traffic either way for this long is closed. */
    idleTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
    /** After `bodyGraceMs`, a request body must average at least this rate or is cut with 408; 0 = off. */
    minBodyBytesPerSecond: number;
    bodyGraceMs: number;
    /** Concurrent TCP connections, and socket.io sessions, per client address; 0 = no cap. */
    maxConnectionsPerIp: number;
    /** An engine.io session that has not completed the socket.io handshake (auth) in this time is closed. */
    socketConnectTimeoutMs: number;
    /** Argon2 hashes running at once, and hashes allowed to wait; beyond that sign-ins get 503 busy. */
    argon2Concurrency: number;
    argon2MaxQueue: number;
  };
}

export interface AlertingConfig {
  /** SMTP_URL (smtp://user:pass@host:port or smtps://…); absent = e-mail off. A secret: never logged. */
  smtpUrl?: string;
  /** MAIL_FROM; default `Liaison <liaison@PUBLIC_URL host>`. */
  mailFrom?: string;
  /** WEBHOOK_URL: every notification is POSTed here, signed with WEBHOOK_SECRET; absent = off. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** VAPID_SUBJECT (mailto: or https: URL) the push services may contact; default `mailto:liaison@PUBLIC_URL host`. */
  vapidSubject?: string;
  /** Upper bound on one delivery attempt (connect, send, answer). */
  timeoutMs: number;
  /** REACHABILITY_REPORT_HOURS: the period of each desk's reachability report (default 24, periods aligned to UTC). */
  reachabilityReportHours?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DENIED_PER_MINUTE = 10;

function intFrom(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Defaults shared by the environment loader and tests; every field can be overridden. */
export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const port = overrides.port ?? 8080;
  const host = overrides.host ?? '127.0.0.1';
  return {
    port,
    host,
    dataDir: path.resolve('./data'),
    store: { kind: 'sqlite' },
    secretsDir: null,
    nodeId: `${os.hostname()}-${port}`,
    blobs: { kind: 'directory' },
    publicUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    logLevel: 'info',
    corsOrigins: [],
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    jwt: { issuer: 'liaison', audience: 'liaison-api', accessTtlSeconds: 10 * 60 },
    session: { idleTimeoutMs: 30 * MINUTE_MS, absoluteTimeoutMs: 12 * HOUR_MS },
    login: {
      maxFailures: 5,
      sourceMaxFailures: 20,
      backoffBaseMs: 30_000,
      backoffMaxMs: 15 * MINUTE_MS,
      failureWindowMs: HOUR_MS,
      ipMaxPerWindow: 30,
      ipWindowMs: MINUTE_MS,
    },
    rateLimit: { max: 1200, windowMs: MINUTE_MS },
    enrolmentTtlMs: 72 * HOUR_MS,
    // OWASP's Argon2id baseline (19 MiB, t=2, p=1).
    argon2: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
    audit: { checkpointEvery: 100 },
    messaging: {
      attachmentMaxBytes: 100 * 1024 * 1024,
      retentionSweepMs: HOUR_MS,
      socketEventsPerSecond: 20,
      socketBurst: 40,
      socketMaxPayloadBytes: 512 * 1024,
      attachmentQuotaPerOfficerBytes: 2 * 1024 ** 3,
      attachmentQuotaPerChannelBytes: 10 * 1024 ** 3,
    },
    extendedAccess: { maxDays: 365 },
    alerting: { timeoutMs: 10_000 },
    limits: {
      // 100 MiB in an hour is ~30 KB/s: a slow link still uploads; slow-body attacks are cut by the rate floor.
      requestTimeoutMs: HOUR_MS,
      headersTimeoutMs: 15_000,
      // engine.io pings every 25 s, so a live WebSocket or long-poll is never idle for a minute.
      idleTimeoutMs: MINUTE_MS,
      keepAliveTimeoutMs: 10_000,
      minBodyBytesPerSecond: 1024,
      bodyGraceMs: 10_000,
      maxConnectionsPerIp: 128,
      socketConnectTimeoutMs: 10_000,
      // Below the core count, so a sign-in burst cannot starve the event loop of CPU.
      argon2Concurrency: Math.max(1, availableParallelism() - 1),
      argon2MaxQueue: 32,
    },
    ...overrides,
  };
}

/** Reads and validates configuration from the environment once, at start. */
function blobsFrom(raw: string | undefined): BlobsConfig {
  const kind = raw || 'directory';
  if (kind === 'directory') return { kind };
  throw new ConfigError(`BLOB_STORE must be "directory" (got ${JSON.stringify(kind)}; an S3-compatible store is not built yet, docs/CLUSTER.md "Blobs")`);
}

/** NODE_ID names a folder (blobs/tmp/<node id>): a short safe token. */
function nodeIdFrom(raw: string | undefined, fallback: string): string {
  const id = raw || fallback;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id) || id === '.' || id === '..') throw new ConfigError('NODE_ID must be 1-64 characters of A-Z a-z 0-9 _ . -');
  return id;
}

/** REDIS_URL (redis:// or rediss://) and REDIS_PREFIX (the keys' and channels' prefix, default `liaison:`). */
export function redisFrom(env: NodeJS.ProcessEnv): AppConfig['redis'] {
  if (!env.REDIS_URL) return undefined;
  // May hold a password: absoluteUrl's messages never repeat the value.
  const url = absoluteUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']);
  const prefix = env.REDIS_PREFIX || 'liaison:';
  if (!/^[A-Za-z0-9_.:{}-]{1,64}$/.test(prefix)) throw new ConfigError('REDIS_PREFIX must be 1-64 characters of A-Z a-z 0-9 _ . : { } -');
  return { url, prefix };
}

/** STORE, DATABASE_URL and DATABASE_SCHEMA; PostgreSQL without a URL is a startup error, not a silent SQLite. */
export function storeFrom(env: NodeJS.ProcessEnv): StoreConfig {
  const kind = env.STORE || 'sqlite';
  if (kind === 'sqlite') return { kind: 'sqlite' };
  if (kind !== 'postgres') throw new ConfigError(`STORE must be "sqlite" or "postgres" (got ${JSON.stringify(kind)})`);
  const url = env.DATABASE_URL;
  if (!url) throw new ConfigError('STORE=postgres needs DATABASE_URL (postgres://user@host:5432/database)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL is not a URL (expected postgres://user@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const schema = env.DATABASE_SCHEMA;
  if (schema !== undefined && schema !== '' && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('DATABASE_SCHEMA must be a lower-case PostgreSQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)');
  }
  return { kind: 'postgres', url, ...(schema ? { schema } : {}) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = intFrom(env, 'PORT', 8080, 0, 65_535);
  const host = env.HOST || '127.0.0.1';
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const base = defaultConfig({ port, host });
  const publicUrl = (env.PUBLIC_URL || base.publicUrl).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${publicUrl}"`);
  }
  if (env.LOCKOUT_COOLDOWN_MINUTES !== undefined && env.LOCKOUT_COOLDOWN_MINUTES !== '') {
    throw new ConfigError('LOCKOUT_COOLDOWN_MINUTES was replaced by LOGIN_FREE_ATTEMPTS and LOGIN_BACKOFF_BASE_SECONDS / LOGIN_BACKOFF_MAX_SECONDS (no indefinite lock)');
  }
  const backoffBaseMs = intFrom(env, 'LOGIN_BACKOFF_BASE_SECONDS', base.login.backoffBaseMs / 1000, 1, 3600) * 1000;
  const backoffMaxMs = intFrom(env, 'LOGIN_BACKOFF_MAX_SECONDS', base.login.backoffMaxMs / 1000, 1, 24 * 3600) * 1000;
  if (backoffMaxMs < backoffBaseMs) throw new ConfigError('LOGIN_BACKOFF_MAX_SECONDS must be at least LOGIN_BACKOFF_BASE_SECONDS');
  const corsOrigins = (env.CORS_ORIGINS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const limits = {
    ...base.limits,
    requestTimeoutMs: intFrom(env, 'REQUEST_TIMEOUT_SECONDS', base.limits.requestTimeoutMs / 1000, 10, 24 * 3600) * 1000,
    headersTimeoutMs: intFrom(env, 'HEADERS_TIMEOUT_SECONDS', base.limits.headersTimeoutMs / 1000, 1, 300) * 1000,
    idleTimeoutMs: intFrom(env, 'IDLE_TIMEOUT_SECONDS', base.limits.idleTimeoutMs / 1000, 30, 3600) * 1000,
    keepAliveTimeoutMs: intFrom(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', base.limits.keepAliveTimeoutMs / 1000, 1, 600) * 1000,
    minBodyBytesPerSecond: intFrom(env, 'MIN_BODY_BYTES_PER_SECOND', base.limits.minBodyBytesPerSecond, 0, 1024 * 1024 * 1024),
    maxConnectionsPerIp: intFrom(env, 'MAX_CONNECTIONS_PER_IP', base.limits.maxConnectionsPerIp, 0, 1_000_000),
    socketConnectTimeoutMs: intFrom(env, 'SOCKET_CONNECT_TIMEOUT_SECONDS', base.limits.socketConnectTimeoutMs / 1000, 1, 120) * 1000,
    argon2Concurrency: intFrom(env, 'ARGON2_CONCURRENCY', base.limits.argon2Concurrency, 1, 256),
    argon2MaxQueue: intFrom(env, 'ARGON2_MAX_QUEUE', base.limits.argon2MaxQueue, 0, 1_000_000),
  };
  const alerting = alertingFrom(env, base.alerting);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS');
  return {
    ...base,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    store: storeFrom(env),
    redis: redisFrom(env),
    secretsDir: env.SECRETS_DIR ? path.resolve(env.SECRETS_DIR) : null,
    nodeId: nodeIdFrom(env.NODE_ID, base.nodeId),
    blobs: blobsFrom(env.BLOB_STORE),
    publicUrl,
    logLevel,
    corsOrigins,
    trustProxy: env.TRUST_PROXY === 'true',
    bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', base.bodyLimitBytes, 1024, 64 * 1024 * 1024),
    login: {
      ...base.login,
      maxFailures: intFrom(env, 'LOGIN_FREE_ATTEMPTS', base.login.maxFailures, 1, 100),
      sourceMaxFailures: intFrom(env, 'LOGIN_FREE_ATTEMPTS_PER_SOURCE', base.login.sourceMaxFailures, 1, 100_000),
      backoffBaseMs,
      backoffMaxMs,
      // A failure count must outlive the longest delay, or waiting it out would reset the count.
      failureWindowMs: Math.max(base.login.failureWindowMs, 2 * backoffMaxMs),
      ipMaxPerWindow: intFrom(env, 'LOGIN_RATE_PER_MINUTE', base.login.ipMaxPerWindow, 1, 100_000),
    },
    rateLimit: { ...base.rateLimit, max: intFrom(env, 'RATE_LIMIT_PER_MINUTE', base.rateLimit.max, 1, 1_000_000) },
    messaging: {
      ...base.messaging,
      attachmentMaxBytes: intFrom(env, 'ATTACHMENT_MAX_BYTES', base.messaging.attachmentMaxBytes, 1024, 10 * 1024 * 1024 * 1024),
      retentionSweepMs: intFrom(env, 'RETENTION_SWEEP_SECONDS', base.messaging.retentionSweepMs / 1000, 0, 7 * 24 * 3600) * 1000,
      attachmentQuotaPerOfficerBytes: intFrom(env, 'ATTACHMENT_QUOTA_PER_OFFICER_BYTES', base.messaging.attachmentQuotaPerOfficerBytes, 1024, 2 ** 50),
      attachmentQuotaPerChannelBytes: intFrom(env, 'ATTACHMENT_QUOTA_PER_CHANNEL_BYTES', base.messaging.attachmentQuotaPerChannelBytes, 1024, 2 ** 50),
    },
    stats: { minCount: intFrom(env, 'STATS_MIN_COUNT', 5, 1, 1000) },
    extendedAccess: { maxDays: intFrom(env, 'EXTENDED_ACCESS_MAX_DAYS', base.extendedAccess.maxDays, 1, 3650) },
    audit: {
      ...base.audit,
      ...(env.AUDIT_HEADS_FILE ? { headsFile: path.resolve(env.AUDIT_HEADS_FILE) } : {}),
      deniedPerMinute: intFrom(env, 'AUDIT_DENIED_PER_MINUTE', DENIED_PER_MINUTE, 1, 10_000),
    },
    argon2: {
      memoryCost: intFrom(env, 'ARGON2_MEMORY_KIB', base.argon2.memoryCost, 8_192, 4 * 1024 * 1024),
      timeCost: intFrom(env, 'ARGON2_TIME_COST', base.argon2.timeCost, 1, 20),
      parallelism: 1,
    },
    alerting,
    limits,
  };
}

function absoluteUrl(key: string, raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key} must be an absolute URL`);
  }
  // The value may hold credentials (SMTP_URL): the message names the scheme only.
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${key} must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  return raw;
}

function alertingFrom(env: NodeJS.ProcessEnv, base: AlertingConfig): AlertingConfig {
  const out: AlertingConfig = {
    ...base,
    timeoutMs: intFrom(env, 'ALERT_TIMEOUT_SECONDS', base.timeoutMs / 1000, 1, 120) * 1000,
  };
  if (env.SMTP_URL) out.smtpUrl = absoluteUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']);
  if (env.MAIL_FROM) out.mailFrom = env.MAIL_FROM;
  if (env.WEBHOOK_URL) {
    out.webhookUrl = absoluteUrl('WEBHOOK_URL', env.WEBHOOK_URL, ['https:', 'http:']);
    if (!env.WEBHOOK_SECRET || env.WEBHOOK_SECRET.length < 16) throw new ConfigError('WEBHOOK_URL needs WEBHOOK_SECRET (at least 16 characters) to sign each request');
    out.webhookSecret = env.WEBHOOK_SECRET;
  }
  if (env.REACHABILITY_REPORT_HOURS) out.reachabilityReportHours = intFrom(env, 'REACHABILITY_REPORT_HOURS', 24, 1, 31 * 24);
  if (env.VAPID_SUBJECT) out.vapidSubject = absoluteUrl('VAPID_SUBJECT', env.VAPID_SUBJECT, ['mailto:', 'https:']);
  return out;
}
