import type { Insert } from '../store/insert.ts';

/** Storage port for registered keys, agency roots and the key-transparency log. SQL lives in server/store/sqlite/keys-repository.ts. */
export interface NewKeyLog {
  createdAt: number;
  officerId: string;
  hash: string;
  entry: string;
  idx?: number;
}
export type NewOfficerKey = Insert<OfficerKeysRow, 'certificate'>;
export interface OfficerKeysRow {
  createdAt: number;
  updatedAt: number;
  agencyId: string;
  officerId: string;
  signPublicKey: string;
  dhPublicKey: string;
  enrolEvent: string;
  prekey: string;
  backup: string;
  certificate: string | null;
}
export interface AgencyRootRow {
  createdAt: number;
  agencyId: string;
  officerId: string;
  signPublicKey: string;
}
export interface KeyLogRow {
  createdAt: number;
  officerId: string;
  hash: string;
  idx: number;
  entry: string;
}
/** Queries and writes for registered keys, agency roots and the key-transparency log; hot statements prepared once. */

export interface KeysRepository {
  keys(officerId: string): Promise<OfficerKeysRow | undefined>;
  upsertKeys(row: NewOfficerKey): Promise<void>;
  updateKeys(officerId: string, patch: Partial<NewOfficerKey>): Promise<void>;
  /** Officers of an agency whose registered keys wait for a certificate. */
  pending(agencyId: string): Promise<OfficerKeysRow[]>;
  /** Officers of an agency who still hold a certificate although they lost access (suspended): the root must revoke it. */
  revocable(agencyId: string): Promise<OfficerKeysRow[]>;
  /** The officer's most recent key-log entries, newest first. */
  latestEntriesOf(officerId: string, limit: number): Promise<KeyLogRow[]>;
  root(agencyId: string): Promise<AgencyRootRow | undefined>;
  insertRoot(row: AgencyRootRow): Promise<void>;
  lastEntry(): Promise<KeyLogRow | undefined>;
  insertEntry(row: NewKeyLog): Promise<void>;
  insertHead(size: number, head: string, createdAt: number): Promise<void>;
  entries(from: number, limit: number): Promise<KeyLogRow[]>;
  headAt(size: number): Promise<string | undefined>;
  latestHead(): Promise<string | undefined>;
}
