import type { ChainedFields } from './chain.ts';
import type { AuditOutcome } from './service.ts';

/** Storage port for the audit chain and its signed checkpoints. SQL lives in server/store/sqlite/. */

export interface AuditRow {
  seq: number;
  at: number;
  actor_id: string | null;
  agency_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  signature: string;
}

export interface CheckpointRow {
  seq: number;
  hash: string;
  at: number;
  signature: string;
  public_key: string;
}

/** A chained event as stored: the hashed fields plus its hash and signature. */
export interface NewAuditEvent extends ChainedFields {
  hash: string;
  signature: string;
}

export interface AuditRepository {
  last(): Promise<{ seq: number; hash: string } | undefined>;
  insert(row: NewAuditEvent): Promise<void>;
  lastCheckpointSeq(): Promise<number | undefined>;
  /** Ignored when a checkpoint for `seq` exists. */
  insertCheckpoint(row: CheckpointRow): Promise<void>;
  /** Every event in seq order, lazily (verification walks the whole chain). */
  all(): AsyncIterable<AuditRow>;
  checkpoints(): Promise<CheckpointRow[]>;
  checkpointsAfter(seq: number): Promise<CheckpointRow[]>;
  latestCheckpoint(): Promise<CheckpointRow | undefined>;
  /** Events after `afterSeq` in seq order, optionally of one agency and one action. */
  list(filter: { afterSeq: number; agencyId?: string; action?: string; limit: number }): Promise<AuditRow[]>;
}
