import type Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { deskOfficers, desks } from './schema.ts';
import type { DeskRow, DesksRepository } from '../../desks/repository.ts';

/** SQL for desks; the officer index (desk_officers) is rewritten with the desk in the same transaction. */
export class SqliteDesksRepository implements DesksRepository {
  private readonly q;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
  ) {
    this.q = {
      byId: db.select().from(desks).where(eq(desks.id, sql.placeholder('id'))).prepare(),
      byChannel: db.select().from(desks).where(eq(desks.channelId, sql.placeholder('channelId'))).limit(1).prepare(),
      visibleTo: sqlite.prepare(
        `SELECT id, agency_id AS agencyId, name, specialisations, languages, phone, time_zone AS timeZone, supervisors, members,
                backup_desk_id AS backupDeskId, rota, ack_minutes AS ackMinutes, channel_id AS channelId, created_at AS createdAt, updated_at AS updatedAt, created_by AS createdBy
         FROM desks
         WHERE agency_id = @agencyId OR id IN (SELECT desk_id FROM desk_officers WHERE officer_id = @officerId)
         ORDER BY name, id`,
      ),
      memberOf: sqlite.prepare(
        `SELECT id, agency_id AS agencyId, name, specialisations, languages, phone, time_zone AS timeZone, supervisors, members,
                backup_desk_id AS backupDeskId, rota, ack_minutes AS ackMinutes, channel_id AS channelId, created_at AS createdAt, updated_at AS updatedAt, created_by AS createdBy
         FROM desks
         WHERE id IN (SELECT desk_id FROM desk_officers WHERE officer_id = @officerId AND role = 'member')
         ORDER BY name, id`,
      ),
      clearOfficers: db.delete(deskOfficers).where(eq(deskOfficers.deskId, sql.placeholder('deskId'))).prepare(),
      insertOfficer: db
        .insert(deskOfficers)
        .values({ deskId: sql.placeholder('deskId'), officerId: sql.placeholder('officerId'), role: sql.placeholder('role') })
        .onConflictDoNothing()
        .prepare(),
      delete: db.delete(desks).where(eq(desks.id, sql.placeholder('id'))).prepare(),
    };
  }

  async byId(id: string): Promise<DeskRow | undefined> {
    return this.q.byId.get({ id });
  }

  async byChannel(channelId: string): Promise<DeskRow | undefined> {
    return this.q.byChannel.get({ channelId });
  }

  async visibleTo(agencyId: string | null, officerId: string): Promise<DeskRow[]> {
    // agency_id = NULL matches nothing: only the officer's own desks.
    return this.q.visibleTo.all({ agencyId, officerId }) as DeskRow[];
  }

  async memberOf(officerId: string): Promise<DeskRow[]> {
    return this.q.memberOf.all({ officerId }) as DeskRow[];
  }

  async insert(row: DeskRow): Promise<void> {
    this.db.insert(desks).values(row).run();
    this.indexOfficers(row.id, row.supervisors, row.members);
  }

  async update(id: string, patch: Partial<Omit<DeskRow, 'id' | 'agencyId' | 'createdAt' | 'createdBy'>>): Promise<void> {
    this.db.update(desks).set(patch).where(eq(desks.id, id)).run();
    if (patch.supervisors !== undefined || patch.members !== undefined) {
      const row = this.q.byId.get({ id });
      if (row) this.indexOfficers(id, row.supervisors, row.members);
    }
  }

  async delete(id: string): Promise<void> {
    this.q.delete.run({ id });
  }

  private indexOfficers(deskId: string, supervisorsJson: string, membersJson: string): void {
    this.q.clearOfficers.run({ deskId });
    for (const officerId of JSON.parse(supervisorsJson) as string[]) this.q.insertOfficer.run({ deskId, officerId, role: 'supervisor' });
    for (const officerId of JSON.parse(membersJson) as string[]) this.q.insertOfficer.run({ deskId, officerId, role: 'member' });
  }
}
