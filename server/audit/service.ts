import type Database from 'better-sqlite3';
import type { AuditEvent, AuditVerification } from '../../shared/schemas/audit.ts';
import { toHex } from '../../shared/crypto/encoding.ts';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import {
  GENESIS_HASH,
  hashAuditEvent,
  signCheckpoint,
  signEvent,
  verifyCheckpointSignature,
  verifyEventSignature,
  type ChainedFields,
  type SigningKey,
} from './chain.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditInput {
  action: string;
  actorId?: string | null;
  agencyId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome;
  ip?: string | null;
  /** Never put secrets here: details are readable by administrators. */
  details?: Record<string, unknown>;
}

interface AuditRow {
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

interface CheckpointRow {
  seq: number;
  hash: string;
  at: number;
  signature: string;
  public_key: string;
}

function toEvent(r: AuditRow): AuditEvent {
  return {
    ...chainedFields(r),
    outcome: r.outcome,
    details: JSON.parse(r.details) as Record<string, unknown>,
    hash: r.hash,
  };
}

function chainedFields(r: AuditRow): ChainedFields {
  return {
    seq: r.seq,
    at: r.at,
    actorId: r.actor_id,
    agencyId: r.agency_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    ip: r.ip,
    details: r.details,
    prevHash: r.prev_hash,
  };
}

/**
 * Append-only, hash-chained audit trail with signed checkpoints.
 * Appends are synchronous so they commit in the same SQLite transaction as the action they record.
 */
export class AuditService {
  private readonly stmts;
  private readonly appendTx;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly clock: Clock,
    private readonly key: SigningKey,
    private readonly checkpointEvery: number,
  ) {
    this.stmts = {
      last: sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare(
        `INSERT INTO audit_events (seq, at, actor_id, agency_id, action, target_type, target_id, outcome, ip, details, prev_hash, hash, signature)
         VALUES (@seq, @at, @actorId, @agencyId, @action, @targetType, @targetId, @outcome, @ip, @details, @prevHash, @hash, @signature)`,
      ),
      lastCheckpoint: sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'),
      insertCheckpoint: sqlite.prepare(
        'INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, signature, public_key) VALUES (?, ?, ?, ?, ?)',
      ),
      all: sqlite.prepare('SELECT * FROM audit_events ORDER BY seq ASC'),
      checkpoints: sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY seq ASC'),
    };
    this.appendTx = sqlite.transaction((input: AuditInput): AuditEvent => {
      const last = this.stmts.last.get() as { seq: number; hash: string } | undefined;
      const fields: ChainedFields = {
        seq: (last?.seq ?? 0) + 1,
        at: this.clock.now(),
        actorId: input.actorId ?? null,
        agencyId: input.agencyId ?? null,
        action: input.action,
        targetType: input.targetType ?? null,
        targetId: input.targetId ?? null,
        outcome: input.outcome ?? 'success',
        ip: input.ip ?? null,
        details: JSON.stringify(input.details ?? {}),
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const hash = hashAuditEvent(fields);
      this.stmts.insert.run({ ...fields, hash, signature: signEvent(this.key, fields.seq, hash) });
      if (fields.seq % this.checkpointEvery === 0) this.writeCheckpoint(fields.seq, hash);
      const { details: _stored, ...rest } = fields;
      return { ...rest, outcome: rest.outcome as AuditOutcome, details: input.details ?? {}, hash };
    });
  }

  /** Shorthand for an action an authenticated officer took on a target. */
  recordFor(
    actor: Pick<Actor, 'officerId' | 'ip'>,
    action: string,
    target: { type: string; id: string; agencyId: string | null },
    opts: { details?: Record<string, unknown>; outcome?: AuditOutcome } = {},
  ): AuditEvent {
    return this.record({
      action,
      actorId: actor.officerId,
      agencyId: target.agencyId,
      targetType: target.type,
      targetId: target.id,
      ip: actor.ip,
      ...opts,
    });
  }

  /** Appends one event; inside an outer transaction it commits or rolls back with it. */
  record(input: AuditInput): AuditEvent {
    return this.sqlite.inTransaction ? this.appendTx(input) : this.appendTx.immediate(input);
  }

  /** Signs the current head if it is not signed yet (called periodically and at shutdown). */
  checkpoint(): void {
    const last = this.stmts.last.get() as { seq: number; hash: string } | undefined;
    if (!last) return;
    const cp = this.stmts.lastCheckpoint.get() as { seq: number } | undefined;
    if (cp && cp.seq >= last.seq) return;
    this.writeCheckpoint(last.seq, last.hash);
  }

  private writeCheckpoint(seq: number, hash: string): void {
    const at = this.clock.now();
    const signature = signCheckpoint(this.key, seq, hash, at);
    this.stmts.insertCheckpoint.run(seq, hash, at, signature, toHex(this.key.publicKey));
  }

  list(opts: { agencyId?: string; afterSeq?: number; limit?: number; action?: string }): {
    events: AuditEvent[];
    nextAfterSeq: number | null;
  } {
    const limit = opts.limit ?? 100;
    const where: string[] = ['seq > @afterSeq'];
    if (opts.agencyId !== undefined) where.push('agency_id = @agencyId');
    if (opts.action !== undefined) where.push('action = @action');
    const rows = this.sqlite
      .prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT @limit`)
      .all({ afterSeq: opts.afterSeq ?? 0, agencyId: opts.agencyId, action: opts.action, limit: limit + 1 }) as AuditRow[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(toEvent);
    return { events: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
  }

  /**
   * Recomputes the whole chain and every checkpoint; reports the first tampered, deleted or reordered event.
   * Deleting events after the last checkpoint is only detectable by comparing with an exported head (docs/AUDIT.md).
   */
  verify(trustedPublicKey: Uint8Array = this.key.publicKey): AuditVerification {
    return verifyAuditChain(
      this.stmts.all.iterate() as Iterable<AuditRow>,
      this.stmts.checkpoints.all() as CheckpointRow[],
      trustedPublicKey,
    );
  }
}

export function verifyAuditChain(
  rows: Iterable<AuditRow>,
  checkpoints: CheckpointRow[],
  trustedPublicKey: Uint8Array,
): AuditVerification {
  const hashes = new Map<number, string>();
  const wanted = new Set(checkpoints.map((c) => c.seq));
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let checked = 0;
  const fail = (seq: number, kind: string, message: string): AuditVerification => ({
    ok: false,
    eventsChecked: checked,
    checkpointsChecked: 0,
    lastSeq: expectedSeq - 1,
    problem: { seq, kind, message },
  });
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return fail(expectedSeq, 'missing', `event ${expectedSeq} is missing (next stored event is ${row.seq})`);
    }
    if (row.prev_hash !== prev) {
      return fail(row.seq, 'chain_broken', `event ${row.seq} does not follow event ${row.seq - 1} (reordered or replaced)`);
    }
    let computed: string;
    try {
      computed = hashAuditEvent(chainedFields(row));
    } catch {
      computed = '';
    }
    if (computed !== row.hash) {
      return fail(row.seq, 'tampered', `event ${row.seq} was modified after it was written`);
    }
    if (!verifyEventSignature(trustedPublicKey, row.seq, row.hash, row.signature)) {
      return fail(row.seq, 'signature', `event ${row.seq} is not signed by this server's audit key (chain rewritten)`);
    }
    if (wanted.has(row.seq)) hashes.set(row.seq, row.hash);
    prev = row.hash;
    checked++;
    expectedSeq++;
  }
  const lastSeq = expectedSeq - 1;
  let cpChecked = 0;
  for (const cp of checkpoints) {
    const base = { ok: false, eventsChecked: checked, checkpointsChecked: cpChecked, lastSeq };
    if (cp.public_key !== toHex(trustedPublicKey)) {
      return { ...base, problem: { seq: cp.seq, kind: 'checkpoint_key', message: `checkpoint ${cp.seq} is signed by an unknown key` } };
    }
    if (!verifyCheckpointSignature(trustedPublicKey, cp.seq, cp.hash, cp.at, cp.signature)) {
      return { ...base, problem: { seq: cp.seq, kind: 'checkpoint_signature', message: `checkpoint ${cp.seq} has an invalid signature` } };
    }
    if (cp.seq > lastSeq) {
      return { ...base, problem: { seq: lastSeq + 1, kind: 'truncated', message: `events ${lastSeq + 1}..${cp.seq} were deleted (a signed checkpoint covers them)` } };
    }
    if (hashes.get(cp.seq) !== cp.hash) {
      return { ...base, problem: { seq: cp.seq, kind: 'checkpoint_mismatch', message: `the chain up to event ${cp.seq} differs from its signed checkpoint` } };
    }
    cpChecked++;
  }
  return { ok: true, eventsChecked: checked, checkpointsChecked: cpChecked, lastSeq, problem: null };
}
