import type { AccountsRepository } from '../accounts/repository.ts';
import type { AlertingRepository } from '../alerting/repository.ts';
import type { PagingRepository } from '../alerting/paging-repository.ts';
import type { AgreementsRepository } from '../agreements/repository.ts';
import type { AttachmentsRepository } from '../attachments/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { SessionRepository } from '../auth/session-repository.ts';
import type { ChannelsRepository } from '../channels/repository.ts';
import type { DesksRepository } from '../desks/repository.ts';
import type { DirectoryRepository } from '../directory/repository.ts';
import type { IntakeRepository } from '../intake/repository.ts';
import { AppError } from '../errors.ts';
import type { FeedRepository } from '../feed/repository.ts';
import type { KeysRepository } from '../keys/repository.ts';
import type { AccessRepository } from '../channels/access-repository.ts';
import type { MessagesRepository } from '../messages/repository.ts';
import type { RequestsRepository } from '../requests/repository.ts';
import type { StatsRepository } from '../stats/repository.ts';
import type { ClusterPort } from './cluster.ts';

/** Every domain's repository, as one engine implements them (docs/ARCHITECTURE.md "Storage port"). */
export interface Repositories {
  readonly accounts: AccountsRepository;
  readonly sessions: SessionRepository;
  readonly agreements: AgreementsRepository;
  readonly channels: ChannelsRepository;
  readonly directory: DirectoryRepository;
  readonly desks: DesksRepository;
  readonly keys: KeysRepository;
  readonly messages: MessagesRepository;
  readonly access: AccessRepository;
  readonly attachments: AttachmentsRepository;
  readonly feed: FeedRepository;
  readonly audit: AuditRepository;
  readonly alerting: AlertingRepository;
  readonly paging: PagingRepository;
  readonly intake: IntakeRepository;
  readonly requests: RequestsRepository;
  readonly stats: StatsRepository;
}

/** The transaction handle of a unit of work: the repositories, bound to the transaction, plus after-commit effects. */
export interface Tx extends Repositories {
  /** Runs `fn` once the transaction has committed (never on rollback): publishing, fan-out, cache updates. */
  onCommit(fn: () => void): void;
}

/**
 * Returned (not thrown) from a write: the transaction *commits* (a failure counter, a security audit
 * event) and then `write` rejects with `error`.
 */
export class CommitThenThrow {
  constructor(readonly error: AppError) {}
}

/** Adapts a body that *returns* an AppError (to commit it, then throw) to write()'s CommitThenThrow. */
export function commitThenThrow<T>(out: T | AppError): T | CommitThenThrow {
  return out instanceof AppError ? new CommitThenThrow(out) : out;
}

/** A batch of jobs applied in one transaction; see the SQLite implementation (group-commit.ts). */
export interface GroupCommitter<J, R> {
  submit(job: J): Promise<R>;
  /** Jobs waiting for the next flush (metrics, tests). */
  readonly pending: number;
}

/**
 * The storage port: repositories plus the unit of work. Services receive it from the composition
 * root and never see the engine behind it.
 */
export interface Store extends Repositories {
  /** Set when several nodes may share the database (PostgreSQL): fan-out from the feed and shared state (docs/CLUSTER.md). */
  readonly cluster?: ClusterPort;
  /**
   * A unit of work: one write transaction at a time (writers queue), `fn` gets the transaction
   * handle. Throwing rolls back; returning CommitThenThrow commits, then rejects. After the commit the
   * `onCommit` hooks run in order, then the promise resolves. `fn` may await real I/O: nothing joins
   * the transaction implicitly and other writers queue (see docs/ARCHITECTURE.md "Storage port").
   */
  write<T>(fn: (tx: Tx) => T | CommitThenThrow | Promise<T | CommitThenThrow>): Promise<T>;
  /** Queries outside any transaction, on committed state (on SQLite a separate WAL reader connection). */
  read<T>(fn: (repos: Repositories) => T | Promise<T>): Promise<T>;
  /**
   * Group commit: jobs submitted in the same event-loop turn are applied in one transaction, each
   * in its own savepoint (`apply` writes through `tx`; a job that rejects rolls back alone);
   * promises settle after the commit, then `afterCommit` runs on the next turn. `around` wraps each
   * batch transaction, from before it begins until after it committed or rolled back.
   */
  groupCommit<J, R>(
    apply: (tx: Tx, job: J) => Promise<R>,
    afterCommit: (committed: R[]) => void,
    around?: <T>(run: () => Promise<T>) => Promise<T>,
  ): GroupCommitter<J, R>;
  /** True while a transaction is open (work that must only see committed state waits for the next turn). */
  readonly inTransaction: boolean;
  /** False once closed. */
  readonly isOpen: boolean;
  /** False when opened read-only (verification tools). */
  readonly writable: boolean;
  /** Health: rejects when the database does not answer. */
  ping(): Promise<void>;
  /** True when every migration shipped with this build has been applied. */
  migrationsUpToDate(): Promise<boolean>;
  /** An online, consistent copy of the database into `file` (SQLite; PostgreSQL rejects: use pg_dump, docs/CLUSTER.md). */
  backup(file: string, onProgress?: (info: { totalPages: number; remainingPages: number }) => void): Promise<void>;
  /** Closes the store (SQLite: after a clean checkpoint when writable; PostgreSQL: once writes in flight finished). */
  close(): Promise<void>;
}
