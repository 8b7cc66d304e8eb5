import type { AuditRepository, AuditRow, CheckpointRow, NewAuditEvent } from '../../audit/repository.ts';
import type { PgExecutor } from './executor.ts';

/** Events per query while walking the whole chain. */
const PAGE = 1000;

/** PostgreSQL SQL for the audit chain and its checkpoints (mirrors SqliteAuditRepository; rows keep its snake_case shape). */
export class PgAuditRepository implements AuditRepository {
  constructor(private readonly q: PgExecutor) {}

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    return (await this.q.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')).rows[0];
  }

  async insert(row: NewAuditEvent): Promise<void> {
    await this.q.query(
      `INSERT INTO audit_events (seq, at, actor_id, agency_id, action, target_type, target_id, outcome, ip, details, prev_hash, hash, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [row.seq, row.at, row.actorId, row.agencyId, row.action, row.targetType, row.targetId, row.outcome, row.ip, row.details, row.prevHash, row.hash, row.signature],
    );
  }

  async lastCheckpointSeq(): Promise<number | undefined> {
    return (await this.q.query<{ seq: number }>('SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1')).rows[0]?.seq;
  }

  async insertCheckpoint(row: CheckpointRow): Promise<void> {
    await this.q.query('INSERT INTO audit_checkpoints (seq, hash, at, signature, public_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      row.seq,
      row.hash,
      row.at,
      row.signature,
      row.public_key,
    ]);
  }

  // Pages rather than one open cursor: a cursor would hold a pooled connection across awaits.
  async *all(): AsyncIterable<AuditRow> {
    let after: number | null = null; // null: from the very first row, even a tampered one with seq <= 0
    for (;;) {
      const rows: AuditRow[] = (await this.q.query<AuditRow>('SELECT * FROM audit_events WHERE $1::bigint IS NULL OR seq > $1 ORDER BY seq ASC LIMIT $2', [after, PAGE])).rows;
      yield* rows;
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.seq;
    }
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    return (await this.q.query<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY seq ASC')).rows;
  }

  async checkpointsAfter(seq: number): Promise<CheckpointRow[]> {
    return (await this.q.query<CheckpointRow>('SELECT * FROM audit_checkpoints WHERE seq > $1 ORDER BY seq ASC', [seq])).rows;
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return (await this.q.query<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1')).rows[0];
  }

  async list(filter: { afterSeq: number; agencyId?: string; action?: string; limit: number }): Promise<AuditRow[]> {
    const params: unknown[] = [filter.afterSeq];
    const where: string[] = ['seq > $1'];
    if (filter.agencyId !== undefined) {
      params.push(filter.agencyId);
      where.push(`agency_id = $${params.length}`);
    }
    if (filter.action !== undefined) {
      params.push(filter.action);
      where.push(`action = $${params.length}`);
    }
    params.push(filter.limit);
    return (await this.q.query<AuditRow>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT $${params.length}`, params)).rows;
  }
}
