import type { AuditEvent, AuditVerification } from '../../shared/schemas/audit.ts';
import { toHex } from '../../shared/crypto/encoding.ts';
import type { AuditAction, AuditDetails } from './actions.ts';
import type { Clock } from '../clock.ts';
import type { SignedAuditHead } from '../../shared/crypto/audit-head.ts';
import { statsReportBytes } from '../../shared/crypto/stats-report.ts';
import { getSodium } from '../../shared/crypto/sodium.ts';
import { appendHeads, readHeads, type HeadsFileContents } from './heads-file.ts';
import type { AuditRow, CheckpointRow } from './repository.ts';
import type { Store, Tx } from '../store/store.ts';
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

/** One audit record; `details` is typed by the action. Build it with `auditEvents` (server/audit/actions.ts). */
export interface AuditInput<A extends AuditAction = AuditAction> {
  action: A;
  actorId?: string | null;
  agencyId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome;
  ip?: string | null;
  /** Never put secrets here: details are readable by administrators. */
  details?: AuditDetails<A>;
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
 * Appends take the caller's transaction handle, so they commit or roll back with the action they record.
 */
export class AuditService {
  /** Highest head already in the heads file. */
  private exportedSeq = 0;
  private exportScheduled = false;
  /** Told when the heads file cannot be appended (full or missing disk); the next checkpoint retries. */
  onExportError: (err: unknown) => void = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly key: SigningKey,
    private readonly checkpointEvery: number,
    /** The external heads file; `write` is false for read-only verification. */
    private readonly heads: { file: string; write: boolean },
  ) {
    if (heads.write) {
      this.exportedSeq = Math.max(0, ...(readHeads(heads.file)?.heads.map((h) => h.seq) ?? []));
      void this.exportHeads();
    }
  }

  private async append(tx: Tx, input: AuditInput): Promise<AuditEvent> {
    const last = await tx.audit.last();
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
    await tx.audit.insert({ ...fields, hash, signature: signEvent(this.key, fields.seq, hash) });
    if (fields.seq % this.checkpointEvery === 0) await this.writeCheckpoint(tx, fields.seq, hash);
    const { details: _stored, ...rest } = fields;
    return { ...rest, outcome: rest.outcome as AuditOutcome, details: input.details ?? {}, hash };
  }

  /**
   * Appends committed checkpoints the heads file lacks. Reads committed state only (`store.read`): a
   * checkpoint still inside a transaction may roll back, and a head on disk that the database never
   * kept would be a false rollback alarm. Checkpoint writes call it from `onCommit`.
   */
  async exportHeads(): Promise<void> {
    if (!this.heads.write || !this.store.isOpen) return;
    try {
      const rows = await this.store.read((r) => r.audit.checkpointsAfter(this.exportedSeq));
      const fresh = rows.filter((r) => r.seq > this.exportedSeq);
      if (fresh.length === 0) return;
      appendHeads(this.heads.file, fresh.map(toSignedHead));
      this.exportedSeq = fresh.at(-1)!.seq;
    } catch (err) {
      // Never fail the action being audited (it has committed): report, and retry at the next checkpoint.
      this.onExportError(err);
    }
  }

  private scheduleExport(): void {
    if (this.exportScheduled) return;
    this.exportScheduled = true;
    setImmediate(() => {
      this.exportScheduled = false;
      void this.exportHeads();
    });
  }

  /** Signs a statistics report's JSON text with the audit key (docs/STATS.md "Signed report"). */
  signStatsReport(report: string): { signature: string; publicKey: string } {
    return { signature: toHex(getSodium().crypto_sign_detached(statsReportBytes(report), this.key.privateKey)), publicKey: toHex(this.key.publicKey) };
  }

  /** Signs the current head if needed and returns the newest signed head (what administrators' clients remember). */
  async latestHead(): Promise<SignedAuditHead | null> {
    await this.checkpoint();
    const row = await this.store.read((r) => r.audit.latestCheckpoint());
    return row ? toSignedHead(row) : null;
  }

  /** Appends one event in the caller's transaction: it commits or rolls back with the action it records. */
  record<A extends AuditAction>(tx: Tx, input: AuditInput<A>): Promise<AuditEvent> {
    return this.append(tx, input);
  }

  /** Appends one event as its own unit of work (nothing else to commit with it). */
  recordAlone<A extends AuditAction>(input: AuditInput<A>): Promise<AuditEvent> {
    return this.store.write((tx) => this.append(tx, input));
  }

  /** Signs the current head if it is not signed yet (called periodically and at shutdown). */
  async checkpoint(): Promise<void> {
    await this.store.write(async (tx) => {
      const last = await tx.audit.last();
      if (!last) return;
      const cpSeq = await tx.audit.lastCheckpointSeq();
      if (cpSeq === undefined || cpSeq < last.seq) await this.writeCheckpoint(tx, last.seq, last.hash);
    });
    // Awaited here (the hook only schedules it): the head is on disk when checkpoint() resolves.
    await this.exportHeads();
  }

  private async writeCheckpoint(tx: Tx, seq: number, hash: string): Promise<void> {
    const at = this.clock.now();
    const signature = signCheckpoint(this.key, seq, hash, at);
    await tx.audit.insertCheckpoint({ seq, hash, at, signature, public_key: toHex(this.key.publicKey) });
    tx.onCommit(() => this.scheduleExport());
  }

  async list(opts: { agencyId?: string; afterSeq?: number; limit?: number; action?: string }): Promise<{
    events: AuditEvent[];
    nextAfterSeq: number | null;
  }> {
    const limit = opts.limit ?? 100;
    const rows = await this.store.read((r) => r.audit.list({
      afterSeq: opts.afterSeq ?? 0,
      ...(opts.agencyId !== undefined ? { agencyId: opts.agencyId } : {}),
      ...(opts.action !== undefined ? { action: opts.action } : {}),
      limit: limit + 1,
    }));
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(toEvent);
    return { events: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
  }

  /**
   * Recomputes the whole chain and every checkpoint, then compares with the external heads file;
   * reports the first tampered, deleted or reordered event, or a chain shorter than a head seen before.
   */
  verify(trustedPublicKey: Uint8Array = this.key.publicKey): Promise<AuditVerification> {
    return this.store.read(async (r) =>
      verifyAuditChain(r.audit.all(), await r.audit.checkpoints(), trustedPublicKey, {
        file: this.heads.file,
        contents: readHeads(this.heads.file),
      }),
    );
  }
}

function toSignedHead(r: CheckpointRow): SignedAuditHead {
  return { seq: r.seq, hash: r.hash, at: r.at, signature: r.signature, publicKey: r.public_key };
}

export async function verifyAuditChain(
  rows: AsyncIterable<AuditRow> | Iterable<AuditRow>,
  checkpoints: CheckpointRow[],
  trustedPublicKey: Uint8Array,
  external: { file: string; contents: HeadsFileContents | null } | null = null,
): Promise<AuditVerification> {
  const hashes = new Map<number, string>();
  const externalHeads = [...(external?.contents?.heads ?? [])].sort((a, b) => a.seq - b.seq);
  const wanted = new Set([...checkpoints.map((c) => c.seq), ...externalHeads.map((h) => h.seq)]);
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
  for await (const row of rows) {
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
  if (!external) return { ok: true, eventsChecked: checked, checkpointsChecked: cpChecked, lastSeq, problem: null };
  return checkExternalHeads(external.file, external.contents, externalHeads, hashes, trustedPublicKey, {
    ok: true,
    eventsChecked: checked,
    checkpointsChecked: cpChecked,
    lastSeq,
    problem: null,
  });
}

/**
 * The chain must reach every head in the external file and match it: a missing tail (deleted with
 * its checkpoints) or a database restored from an older copy leaves a head the chain no longer has.
 */
function checkExternalHeads(
  file: string,
  contents: HeadsFileContents | null,
  heads: SignedAuditHead[],
  hashes: Map<number, string>,
  trustedPublicKey: Uint8Array,
  okResult: AuditVerification,
): AuditVerification {
  const { lastSeq } = okResult;
  let checked = 0;
  const fail = (seq: number, kind: string, message: string): AuditVerification => ({
    ...okResult,
    ok: false,
    externalHeadsChecked: checked,
    problem: { seq, kind, message },
  });
  if (!contents || heads.length === 0) {
    if (okResult.checkpointsChecked === 0 && !contents?.invalidLines.length) return { ...okResult, externalHeadsChecked: 0 };
    return fail(lastSeq, 'external_heads_missing', `the external heads file ${file} is missing or empty although the database has signed checkpoints (set AUDIT_HEADS_FILE to where the server writes it)`);
  }
  if (contents.invalidLines.length > 0) {
    return fail(lastSeq, 'external_head_invalid', `line ${contents.invalidLines[0]} of the external heads file ${file} is not a signed head`);
  }
  const highest = heads.at(-1)!;
  for (const h of heads) {
    if (h.publicKey !== toHex(trustedPublicKey) || !verifyCheckpointSignature(trustedPublicKey, h.seq, h.hash, h.at, h.signature)) {
      return fail(h.seq, 'external_head_signature', `the external head at event ${h.seq} is not signed by this server's audit key`);
    }
    if (h.seq > lastSeq) {
      return fail(
        lastSeq + 1,
        'truncated',
        `events ${lastSeq + 1}..${highest.seq} are missing: the external heads file ${file} holds a signed head at event ${highest.seq} but the database chain ends at ${lastSeq} (tail deleted or database rolled back)`,
      );
    }
    if (hashes.get(h.seq) !== h.hash) {
      return fail(h.seq, 'external_head_mismatch', `the chain up to event ${h.seq} differs from the signed head in the external heads file ${file} (rolled back or rewritten)`);
    }
    checked++;
  }
  return { ...okResult, externalHeadsChecked: checked };
}
