import type Database from 'better-sqlite3';
import type { AuditRepository, AuditRow, CheckpointRow, NewAuditEvent } from '../../audit/repository.ts';

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
      all: sqlite.prepare('SELECT * FROM audit_events ORDER BY seq ASC'),
      checkpoints: sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY seq ASC'),
      checkpointsAfter: sqlite.prepare('SELECT * FROM audit_checkpoints WHERE seq > ? ORDER BY seq ASC'),
      latestCheckpoint: sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'),
    };
  }

  last(): { seq: number; hash: string } | undefined {
    return this.s.last.get() as { seq: number; hash: string } | undefined;
  }

  insert(row: NewAuditEvent): void {
    this.s.insert.run(row);
  }

  lastCheckpointSeq(): number | undefined {
    return this.s.lastCheckpoint.get() as number | undefined;
  }

  insertCheckpoint(row: CheckpointRow): void {
    this.s.insertCheckpoint.run(row.seq, row.hash, row.at, row.signature, row.public_key);
  }

  all(): Iterable<AuditRow> {
    return this.s.all.iterate() as Iterable<AuditRow>;
  }

  checkpoints(): CheckpointRow[] {
    return this.s.checkpoints.all() as CheckpointRow[];
  }

  checkpointsAfter(seq: number): CheckpointRow[] {
    return this.s.checkpointsAfter.all(seq) as CheckpointRow[];
  }

  latestCheckpoint(): CheckpointRow | undefined {
    return this.s.latestCheckpoint.get() as CheckpointRow | undefined;
  }

  list(filter: { afterSeq: number; agencyId?: string; action?: string; limit: number }): AuditRow[] {
    const where: string[] = ['seq > @afterSeq'];
    if (filter.agencyId !== undefined) where.push('agency_id = @agencyId');
    if (filter.action !== undefined) where.push('action = @action');
    return this.sqlite
      .prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT @limit`)
      .all({ afterSeq: filter.afterSeq, agencyId: filter.agencyId, action: filter.action, limit: filter.limit }) as AuditRow[];
  }
}
