import type { DeskRow, DesksRepository } from '../../desks/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, setList, type TableMap } from './row-mapping.ts';

const DESKS: TableMap<DeskRow> = {
  table: 'desks',
  columns: {
    id: 'id',
    agencyId: 'agency_id',
    name: 'name',
    specialisations: 'specialisations',
    languages: 'languages',
    phone: 'phone',
    timeZone: 'time_zone',
    supervisors: 'supervisors',
    members: 'members',
    backupDeskId: 'backup_desk_id',
    rota: 'rota',
    ackMinutes: 'ack_minutes',
    channelId: 'channel_id',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    createdBy: 'created_by',
  },
};

const DESK = `SELECT ${selectList(DESKS)} FROM desks`;

/** PostgreSQL SQL for desks (mirrors SqliteDesksRepository); the officer index (desk_officers) is rewritten with the desk. */
export class PgDesksRepository implements DesksRepository {
  constructor(private readonly q: PgExecutor) {}

  async byId(id: string): Promise<DeskRow | undefined> {
    return (await this.q.query<DeskRow>(`${DESK} WHERE id = $1`, [id])).rows[0];
  }

  async byChannel(channelId: string): Promise<DeskRow | undefined> {
    return (await this.q.query<DeskRow>(`${DESK} WHERE channel_id = $1 LIMIT 1`, [channelId])).rows[0];
  }

  async visibleTo(agencyId: string | null, officerId: string): Promise<DeskRow[]> {
    // agency_id = NULL matches nothing: only the officer's own desks.
    const r = await this.q.query<DeskRow>(
      `${DESK} WHERE agency_id = $1::text OR id IN (SELECT desk_id FROM desk_officers WHERE officer_id = $2) ORDER BY name COLLATE "C", id COLLATE "C"`,
      [agencyId, officerId],
    );
    return r.rows;
  }

  async memberOf(officerId: string): Promise<DeskRow[]> {
    const r = await this.q.query<DeskRow>(
      `${DESK} WHERE id IN (SELECT desk_id FROM desk_officers WHERE officer_id = $1 AND role = 'member') ORDER BY name COLLATE "C", id COLLATE "C"`,
      [officerId],
    );
    return r.rows;
  }

  async insert(row: DeskRow): Promise<void> {
    const { text, params } = insertSql(DESKS, row);
    await this.q.query(text, params);
    await this.indexOfficers(row.id, row.supervisors, row.members);
  }

  async update(id: string, patch: Partial<Omit<DeskRow, 'id' | 'agencyId' | 'createdAt' | 'createdBy'>>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE desks SET ${setList(DESKS, patch, params)} WHERE id = $1`, params);
    if (patch.supervisors !== undefined || patch.members !== undefined) {
      const row = await this.byId(id);
      if (row) await this.indexOfficers(id, row.supervisors, row.members);
    }
  }

  async delete(id: string): Promise<void> {
    await this.q.query('DELETE FROM desks WHERE id = $1', [id]);
  }

  private async indexOfficers(deskId: string, supervisorsJson: string, membersJson: string): Promise<void> {
    const supervisors = JSON.parse(supervisorsJson) as string[];
    const members = JSON.parse(membersJson) as string[];
    await this.q.query('DELETE FROM desk_officers WHERE desk_id = $1', [deskId]);
    const officers = [...supervisors, ...members];
    if (officers.length === 0) return;
    const roles = [...supervisors.map(() => 'supervisor'), ...members.map(() => 'member')];
    await this.q.query(
      `INSERT INTO desk_officers (desk_id, officer_id, role) SELECT $1, o, r FROM unnest($2::text[], $3::text[]) AS t(o, r)
       ON CONFLICT DO NOTHING`,
      [deskId, officers, roles],
    );
  }
}
