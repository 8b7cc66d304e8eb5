/** Storage port for desks and their rotas. SQL lives in server/store/sqlite/desks-repository.ts. */
export interface DeskRow {
  id: string;
  agencyId: string;
  name: string;
  /** JSON arrays. */
  specialisations: string;
  languages: string;
  phone: string;
  timeZone: string;
  /** JSON arrays of officer ids. */
  supervisors: string;
  members: string;
  backupDeskId: string | null;
  /** JSON Rota. */
  rota: string;
  /** Escalation: minutes a page waits for an acknowledgement before its next step. */
  ackMinutes: number;
  /** The desk's E2E channel (PROTOCOL.md §11.2), named by its intake key statements; null before the first. */
  channelId: string | null;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}

export interface DesksRepository {
  byId(id: string): Promise<DeskRow | undefined>;
  /** The desk whose own E2E channel this is, if any. */
  byChannel(channelId: string): Promise<DeskRow | undefined>;
  /** Desks of the agency plus desks the officer supervises or is a member of, by name then id. */
  visibleTo(agencyId: string | null, officerId: string): Promise<DeskRow[]>;
  /** Desks the officer is a member of. */
  memberOf(officerId: string): Promise<DeskRow[]>;
  /** Inserts the desk and indexes its officers. */
  insert(row: DeskRow): Promise<void>;
  /** Updates the desk; re-indexes its officers when supervisors or members change. */
  update(id: string, patch: Partial<Omit<DeskRow, 'id' | 'agencyId' | 'createdAt' | 'createdBy'>>): Promise<void>;
  /** Deletes the desk; the database unlinks directory entries and desks that named it as backup. */
  delete(id: string): Promise<void>;
}
