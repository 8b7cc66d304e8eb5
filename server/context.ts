import type { AppConfig } from './config.ts';
import { SqliteStore } from './store/sqlite/store.ts';
import { PgStore } from './store/pg/store.ts';
import type { Store } from './store/store.ts';
import { loadOrCreateSecrets, type ServerSecrets } from './secrets.ts';
import { systemClock, type Clock } from './clock.ts';
import { initSodium } from '../shared/crypto/sodium.ts';
import { AuditService } from './audit/service.ts';
import { AccessDenialAuditor } from './audit/access-denials.ts';
import { headsFilePath } from './audit/heads-file.ts';
import { signingKeyFromSeed } from './audit/chain.ts';
import { PasswordHasher } from './auth/password.ts';
import { DomainEventBus } from './events.ts';
import { AccountsService } from './accounts/service.ts';
import { AuthService } from './auth/service.ts';
import { EnrolmentService } from './accounts/enrolment.ts';
import { FeedWriter } from './feed/feed.ts';
import { KeysService } from './keys/service.ts';
import { AgreementsService } from './agreements/service.ts';
import { ChannelsService } from './channels/service.ts';
import { ChannelAccess } from './channels/access.ts';
import { MessagesService } from './messages/service.ts';
import { AttachmentsService } from './attachments/service.ts';
import { DesksService } from './desks/service.ts';
import { IntakeService } from './intake/service.ts';
import { RequestsService } from './requests/service.ts';
import { DEFAULT_STATS_MIN_COUNT, StatsService } from './stats/service.ts';
import { DirectoryService } from './directory/service.ts';
import { nativeVerifyDetached } from './crypto/native-verify.ts';
import type { VerifyDetached } from '../shared/crypto/index.ts';
import { DENIED_PER_MINUTE } from './config.ts';
import { AlertingService } from './alerting/service.ts';
import { PagingService } from './alerting/escalation.ts';
import { ChannelDeskLookup } from './alerting/channel-desk.ts';
import { MessagePages } from './alerting/message-pages.ts';
import { ReachabilityService } from './alerting/reachability.ts';
import { WebPushTransport } from './alerting/push.ts';
import { MailTransport } from './alerting/mail.ts';
import { WebhookTransport } from './alerting/webhook.ts';

export interface ContextOptions {
  clock?: Clock;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
  /** Open the database read-only (verification tools): no migrations, no checkpoint on close. */
  readonly?: boolean;
  /** Collaborators to use instead of the defaults (tests), in the atproto PDS style rather than a DI container. */
  overrides?: ContextOverrides;
}

/** What a caller may replace; everything else is always built here. */
export interface ContextOverrides {
  /** Password hashing (Argon2id on worker threads by default). */
  passwords?: PasswordHasher;
  /** Ed25519 verification of envelope signatures (native libsodium by default). */
  verifyDetached?: VerifyDetached;
}

/** The composition root: every service the app needs, built once from config (tests build many). */
export class AppContext {
  readonly audit: AuditService;
  readonly accessDenials: AccessDenialAuditor;
  readonly passwords: PasswordHasher;
  readonly events = new DomainEventBus();
  readonly accounts: AccountsService;
  readonly auth: AuthService;
  readonly enrolment: EnrolmentService;
  readonly feed: FeedWriter;
  readonly keys: KeysService;
  readonly agreements: AgreementsService;
  readonly channels: ChannelsService;
  readonly messages: MessagesService;
  readonly attachments: AttachmentsService;
  readonly desks: DesksService;
  readonly directory: DirectoryService;
  readonly alerting: AlertingService;
  readonly paging: PagingService;
  readonly intake: IntakeService;
  readonly messagePages: MessagePages;
  readonly reachability: ReachabilityService;
  readonly requests: RequestsService;
  readonly stats: StatsService;

  private constructor(
    readonly config: AppConfig,
    /** The storage port (SQLite or PostgreSQL, config.store); tests reach SQLite's raw connection through `sqliteStore`. */
    readonly store: Store,
    readonly secrets: ServerSecrets,
    readonly clock: Clock,
    overrides: ContextOverrides = {},
  ) {
    this.audit = new AuditService(
      store,
      clock,
      signingKeyFromSeed(secrets.auditSigningSeed),
      config.audit.checkpointEvery,
      { file: headsFilePath(config.dataDir, config.audit.headsFile), write: store.writable },
    );
    this.accessDenials = new AccessDenialAuditor(this.audit, clock, config.audit.deniedPerMinute ?? DENIED_PER_MINUTE);
    this.passwords = overrides.passwords ?? new PasswordHasher(config.argon2, { concurrency: config.limits.argon2Concurrency, maxQueue: config.limits.argon2MaxQueue });
    this.accounts = new AccountsService({
      store,
      clock,
      audit: this.audit,
      events: this.events,
      config,
      // Auth depends on accounts; accounts reaches sessions only through this port, resolved at call time.
      sessions: { revokeAllSessions: (tx, officerId, reason) => this.auth.revokeAllSessions(tx, officerId, reason) },
    });
    this.auth = new AuthService({
      store,
      clock,
      audit: this.audit,
      events: this.events,
      passwords: this.passwords,
      accounts: this.accounts,
      dataKey: secrets.dataKey,
      config,
    });
    this.enrolment = new EnrolmentService({
      store,
      clock,
      audit: this.audit,
      passwords: this.passwords,
      accounts: this.accounts,
      auth: this.auth,
      dataKey: secrets.dataKey,
    });
    this.feed = new FeedWriter(store.feed, this.events);
    this.keys = new KeysService({
      store,
      clock,
      audit: this.audit,
      accounts: this.accounts,
      // Revoking a device ends its sessions (PROTOCOL.md §4.5), one id at a time, in the revocation's transaction.
      sessions: { revokeSession: (tx, officerId, sessionId, reason) => this.auth.revokeAllSessions(tx, officerId, reason, sessionId) },
      keyLogSigningSeed: secrets.keyLogSigningSeed,
    });
    this.agreements = new AgreementsService({
      store,
      clock,
      audit: this.audit,
      feed: this.feed,
      accounts: this.accounts,
      keys: this.keys,
      // Channels depend on agreements (coverage); agreements reach channels only through this port.
      channels: {
        announceAgreementChange: (tx, agreementId) => this.channels.announceAgreementChange(tx, agreementId),
        revokeInstitution: (tx, institutionId, sponsorId) => this.channels.revokeInstitution(tx, institutionId, sponsorId),
      },
      config,
    });
    this.channels = new ChannelsService({
      store,
      clock,
      audit: this.audit,
      feed: this.feed,
      events: this.events,
      keys: this.keys,
      accounts: this.accounts,
      agreements: this.agreements,
    });
    // The membership rule, shared by messages and attachments (neither reaches into the other for it).
    const access = new ChannelAccess({ store, clock, channels: this.channels, keys: this.keys });
    this.attachments = new AttachmentsService({ store, clock, config, access });
    this.messages = new MessagesService({
      store,
      clock,
      audit: this.audit,
      feed: this.feed,
      access,
      attachments: this.attachments,
      verifyDetached: overrides.verifyDetached ?? nativeVerifyDetached,
      // Messages are built before desks, paging and the directory; they reach paging through this port.
      pager: {
        plan: (...args) => this.messagePages.plan(...args),
        openIn: (...args) => this.messagePages.openIn(...args),
        acknowledgeIn: (...args) => this.messagePages.acknowledgeIn(...args),
      },
      // Built after messages: request metadata reaches the requests domain through this port.
      requests: {
        plan: (...args) => this.requests.plan(...args),
        applyIn: (...args) => this.requests.applyIn(...args),
      },
    });
    this.desks = new DesksService({ store, clock, audit: this.audit, accounts: this.accounts });
    this.alerting = alertingService(config, store, secrets, clock, this.audit, this.accounts);
    this.paging = new PagingService({ store, clock, audit: this.audit, desks: this.desks, alerting: this.alerting });
    this.directory = new DirectoryService({
      store,
      clock,
      audit: this.audit,
      accounts: this.accounts,
      desks: this.desks,
      channels: this.channels,
      keys: this.keys,
      agreements: this.agreements,
      paging: this.paging,
    });
    this.intake = new IntakeService({
      store,
      events: this.events,
      clock,
      audit: this.audit,
      desks: this.desks,
      directory: this.directory,
      keys: this.keys,
      accounts: this.accounts,
      channels: this.channels,
      agreements: this.agreements,
      paging: this.paging,
    });
    this.reachability = new ReachabilityService({
      store,
      clock,
      audit: this.audit,
      desks: this.desks,
      alerting: this.alerting,
      ...(config.alerting.reachabilityReportHours !== undefined ? { periodHours: config.alerting.reachabilityReportHours } : {}),
    });
    const deskLookup = new ChannelDeskLookup({ desks: this.desks, channels: this.channels, directory: this.directory });
    this.messagePages = new MessagePages({ paging: this.paging, desks: this.desks, lookup: deskLookup });
    this.requests = new RequestsService({ store, clock, audit: this.audit, accounts: this.accounts, access, desks: this.desks, lookup: deskLookup, paging: this.paging, intake: this.intake });
    this.stats = new StatsService({ store, clock, audit: this.audit, minCount: config.stats?.minCount ?? DEFAULT_STATS_MIN_COUNT });
  }

  static async create(config: AppConfig, opts: ContextOptions = {}): Promise<AppContext> {
    await initSodium();
    // Cluster mode (PostgreSQL with a shared SECRETS_DIR): never generate keys another node would not have.
    const secrets = loadOrCreateSecrets(config.dataDir, { secretsDir: config.secretsDir, cluster: config.store.kind === 'postgres' && config.secretsDir !== null });
    const readonly = opts.readonly ?? false;
    const store = await openStore(config, readonly, opts.migrate ?? true);
    try {
      const ctx = new AppContext(config, store, secrets, opts.clock ?? systemClock, opts.overrides);
      if (!readonly) await ctx.passwords.warmUp();
      return ctx;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Tests and tools that inspect SQLite directly: the store as SqliteStore (throws on PostgreSQL). */
  get sqliteStore(): SqliteStore {
    if (!(this.store instanceof SqliteStore)) throw new Error('This needs the SQLite store (STORE=sqlite)');
    return this.store;
  }

  /** Seals the audit head with a signed checkpoint and closes the database cleanly. */
  async close(): Promise<void> {
    if (!this.store.isOpen) return;
    this.alerting.close();
    try {
      if (this.store.writable) {
        await this.accessDenials.flush(this.clock.now(), true);
        await this.audit.checkpoint();
      }
    } finally {
      await this.store.close();
    }
  }
}

/** Opens the configured store (config.store): SQLite in dataDir (the default) or PostgreSQL. */
async function openStore(config: AppConfig, readonly: boolean, migrate: boolean): Promise<Store> {
  if (config.store.kind === 'sqlite') return SqliteStore.open(config.dataDir, { readonly, migrate });
  // Read-only (audit verify): every transaction of the pool is read-only, PostgreSQL refuses writes.
  return PgStore.open({ url: config.store.url, ...(config.store.schema !== undefined ? { schema: config.store.schema } : {}), migrate, readonly, nodeId: config.nodeId });
}

/** The notification transports the configuration turns on (README, "Notifications"): push always, e-mail and webhook when set. */
function alertingService(config: AppConfig, store: Store, secrets: ServerSecrets, clock: Clock, audit: AuditService, accounts: AccountsService): AlertingService {
  const { alerting } = config;
  const publicHost = new URL(config.publicUrl).hostname;
  return new AlertingService({
    store,
    clock,
    audit,
    accounts,
    push: new WebPushTransport({ vapid: secrets.vapid, subject: alerting.vapidSubject ?? `mailto:liaison@${publicHost}`, timeoutMs: alerting.timeoutMs }),
    ...(alerting.smtpUrl
      ? { mail: new MailTransport({ smtpUrl: alerting.smtpUrl, from: alerting.mailFrom ?? `Liaison <liaison@${publicHost}>`, publicUrl: config.publicUrl, timeoutMs: alerting.timeoutMs }) }
      : {}),
    ...(alerting.webhookUrl && alerting.webhookSecret
      ? { webhook: new WebhookTransport({ url: alerting.webhookUrl, secret: alerting.webhookSecret, timeoutMs: alerting.timeoutMs, now: () => clock.now() }) }
      : {}),
    // An http PUBLIC_URL is a development or test server: only there may a push service be on loopback.
    allowLoopbackPush: new URL(config.publicUrl).protocol === 'http:',
  });
}
