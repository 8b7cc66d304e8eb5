import type Database from 'better-sqlite3';
import type { AuditRepository, AuditRow, CheckpointRow, NewAuditEvent } from '../../audit/repository.ts';

/** Events per query while walking the whole chain. */
const PAGE = 1000;

export class SqliteAuditRepository implements AuditRepository {
  private readonly s;

  constructor(private readonly sqlite: Database.Database) {
    this.s = {
      last: sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare(
        `INSERT INTO audit_events (seq, at, actor_id, agency_id, action, target_type, target_id, outcome, ip, details, prev_hash, hash, signature)
         VALUES (@seq, @at, @actorId, @agencyId, @action, @targetType, @targetId, @outcome, @ip, @details, @prevHash, @hash, @signature)`,
      ),
      lastCheckpoint: sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').pluck(),
      insertCheckpoint: sqlite.prepare('INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, signature, public_key) VALUES (?, ?, ?, ?, ?)'),
      page: sqlite.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq ASC LIMIT ?'),
      checkpoints: sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY seq ASC'),
      checkpointsAfter: sqlite.prepare('SELECT * FROM audit_checkpoints WHERE seq > ? ORDER BY seq ASC'),
      latestCheckpoint: sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'),
    };
  }

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    return this.s.last.get() as { seq: number; hash: string } | undefined;
  }

  async insert(row: NewAuditEvent): Promise<void> {
    this.s.insert.run(row);
  }

  async lastCheckpointSeq(): Promise<number | undefined> {
    return this.s.lastCheckpoint.get() as number | undefined;
  }

  async insertCheckpoint(row: CheckpointRow): Promise<void> {
    this.s.insertCheckpoint.run(row.seq, row.hash, row.at, row.signature, row.public_key);
  }

  // Pages rather than one open cursor: a cursor would keep the connection busy across awaits.
  async *all(): AsyncIterable<AuditRow> {
    let after = -Infinity; // not 0: a tampered row with seq <= 0 must still reach verification
    for (;;) {
      const rows = this.s.page.all(after, PAGE) as AuditRow[];
      yield* rows;
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.seq;
    }
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    return this.s.checkpoints.all() as CheckpointRow[];
  }

  async checkpointsAfter(seq: number): Promise<CheckpointRow[]> {
    return this.s.checkpointsAfter.all(seq) as CheckpointRow[];
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return this.s.latestCheckpoint.get() as CheckpointRow | undefined;
  }

  async list(filter: { afterSeq: number; agencyId?: string; action?: string; limit: number }): Promise<AuditRow[]> {
    const where: string[] = ['seq > @afterSeq'];
    if (filter.agencyId !== undefined) where.push('agency_id = @agencyId');
    if (filter.action !== undefined) where.push('action = @action');
    return this.sqlite
      .prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT @limit`)
      .all({ afterSeq: filter.afterSeq, agencyId: filter.agencyId, action: filter.action, limit: filter.limit }) as AuditRow[];
  }
}
