import type Database from 'better-sqlite3';
import type { AppConfig } from './config.ts';
import { applyMigrations, openDatabase, type Database_, type Db } from './db/client.ts';
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
import { ChannelAccess } from './messages/channel-access.ts';
import { MessagesService } from './messages/service.ts';
import { AttachmentsService } from './attachments/service.ts';
import { DirectoryService } from './directory/service.ts';
import { nativeVerifyDetached } from './crypto/native-verify.ts';
import { DENIED_PER_MINUTE } from './config.ts';

export interface ContextOptions {
  clock?: Clock;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
  /** Open the database read-only (verification tools): no migrations, no checkpoint on close. */
  readonly?: boolean;
}

/** The composition root: every service the app needs, built once from config (tests build many). */
export class AppContext {
  readonly db: Db;
  readonly sqlite: Database.Database;
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
  readonly directory: DirectoryService;

  private constructor(
    readonly config: AppConfig,
    readonly database: Database_,
    readonly secrets: ServerSecrets,
    readonly clock: Clock,
  ) {
    this.db = database.db;
    this.sqlite = database.sqlite;
    this.audit = new AuditService(
      this.sqlite,
      clock,
      signingKeyFromSeed(secrets.auditSigningSeed),
      config.audit.checkpointEvery,
      { file: headsFilePath(config.dataDir, config.audit.headsFile), write: !database.sqlite.readonly },
    );
    this.accessDenials = new AccessDenialAuditor(this.audit, clock, config.audit.deniedPerMinute ?? DENIED_PER_MINUTE);
    this.passwords = new PasswordHasher(config.argon2, { concurrency: config.limits.argon2Concurrency, maxQueue: config.limits.argon2MaxQueue });
    this.accounts = new AccountsService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      events: this.events,
      config,
      // Auth depends on accounts; accounts reaches sessions only through this port, resolved at call time.
      sessions: { revokeAllSessions: (officerId, reason) => this.auth.revokeAllSessions(officerId, reason) },
    });
    this.auth = new AuthService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      events: this.events,
      passwords: this.passwords,
      accounts: this.accounts,
      dataKey: secrets.dataKey,
      config,
    });
    this.enrolment = new EnrolmentService({
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      passwords: this.passwords,
      accounts: this.accounts,
      auth: this.auth,
      dataKey: secrets.dataKey,
    });
    this.feed = new FeedWriter(this.db, this.events);
    this.keys = new KeysService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      accounts: this.accounts,
      keyLogSigningSeed: secrets.keyLogSigningSeed,
    });
    this.agreements = new AgreementsService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      feed: this.feed,
      accounts: this.accounts,
      keys: this.keys,
      // Channels depend on agreements (coverage); agreements reach channels only through this port.
      channels: {
        announceAgreementChange: (agreementId) => this.channels.announceAgreementChange(agreementId),
        revokeInstitution: (institutionId, sponsorId) => this.channels.revokeInstitution(institutionId, sponsorId),
      },
      config,
    });
    this.channels = new ChannelsService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      feed: this.feed,
      events: this.events,
      keys: this.keys,
      accounts: this.accounts,
      agreements: this.agreements,
    });
    // The membership rule, shared by messages and attachments (neither reaches into the other for it).
    const access = new ChannelAccess({ sqlite: this.sqlite, clock, channels: this.channels, keys: this.keys });
    this.attachments = new AttachmentsService({ sqlite: this.sqlite, clock, config, access });
    this.messages = new MessagesService({
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      feed: this.feed,
      access,
      attachments: this.attachments,
      verifyDetached: nativeVerifyDetached,
    });
    this.directory = new DirectoryService({
      db: this.db,
      sqlite: this.sqlite,
      clock,
      audit: this.audit,
      accounts: this.accounts,
      channels: this.channels,
      keys: this.keys,
      agreements: this.agreements,
    });
  }

  static async create(config: AppConfig, opts: ContextOptions = {}): Promise<AppContext> {
    await initSodium();
    const secrets = loadOrCreateSecrets(config.dataDir);
    const readonly = opts.readonly ?? false;
    const database = openDatabase(config.dataDir, { readonly });
    try {
      if (!readonly && (opts.migrate ?? true)) applyMigrations(database.db);
      const ctx = new AppContext(config, database, secrets, opts.clock ?? systemClock);
      if (!readonly) await ctx.passwords.warmUp();
      return ctx;
    } catch (err) {
      database.close();
      throw err;
    }
  }

  /** Seals the audit head with a signed checkpoint and closes the database cleanly. */
  close(): void {
    if (!this.sqlite.open) return;
    try {
      if (!this.sqlite.readonly) {
        this.accessDenials.flush(this.clock.now(), true);
        this.audit.checkpoint();
      }
    } finally {
      this.database.close();
    }
  }
}
