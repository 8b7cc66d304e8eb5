import type Database from 'better-sqlite3';
import type { AppConfig } from './config.ts';
import { applyMigrations, openDatabase, type Database_, type Db } from './db/client.ts';
import { loadOrCreateSecrets, type ServerSecrets } from './secrets.ts';
import { systemClock, type Clock } from './clock.ts';
import { initSodium } from '../shared/crypto/sodium.ts';
import { AuditService } from './audit/service.ts';
import { signingKeyFromSeed } from './audit/chain.ts';
import { PasswordHasher } from './auth/password.ts';
import { DomainEventBus } from './events.ts';
import { AccountsService } from './accounts/service.ts';
import { AuthService } from './auth/service.ts';
import { EnrolmentService } from './accounts/enrolment.ts';

export interface ContextOptions {
  clock?: Clock;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
}

/** The composition root: every service the app needs, built once from config (tests build many). */
export class AppContext {
  readonly db: Db;
  readonly sqlite: Database.Database;
  readonly audit: AuditService;
  readonly passwords: PasswordHasher;
  readonly events = new DomainEventBus();
  readonly accounts: AccountsService;
  readonly auth: AuthService;
  readonly enrolment: EnrolmentService;

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
    );
    this.passwords = new PasswordHasher(config.argon2);
    this.accounts = new AccountsService(this);
    this.auth = new AuthService(this);
    this.enrolment = new EnrolmentService(this);
  }

  static async create(config: AppConfig, opts: ContextOptions = {}): Promise<AppContext> {
    await initSodium();
    const secrets = loadOrCreateSecrets(config.dataDir);
    const database = openDatabase(config.dataDir);
    try {
      if (opts.migrate ?? true) applyMigrations(database.db);
      return new AppContext(config, database, secrets, opts.clock ?? systemClock);
    } catch (err) {
      database.close();
      throw err;
    }
  }

  /** Seals the audit head with a signed checkpoint and closes the database cleanly. */
  close(): void {
    if (!this.sqlite.open) return;
    try {
      this.audit.checkpoint();
    } finally {
      this.database.close();
    }
  }
}
