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
export interface RootSetRow {
  createdAt: number;
  agencyId: string;
  version: number;
  statement: string;
  logIndex: number;
}
export interface RootProposalRow {
  createdAt: number;
  agencyId: string;
  statement: string;
  keyEvent: string;
  proposedBy: string;
}
/** Queries and writes for registered keys, agency roots and the key-transparency log; hot statements prepared once. */

export interface KeysRepository {
  keys(officerId: string): Promise<OfficerKeysRow | undefined>;
  upsertKeys(row: NewOfficerKey): Promise<void>;
  updateKeys(officerId: string, patch: Partial<NewOfficerKey>): Promise<void>;
  /** Officers of an agency whose registered keys wait for a certificate. */
  pending(agencyId: string): Promise<OfficerKeysRow[]>;
  /** Active officers of an agency whose keys carry a certificate. */
  certifiedKeys(agencyId: string): Promise<OfficerKeysRow[]>;
  root(agencyId: string): Promise<AgencyRootRow | undefined>;
  insertRoot(row: AgencyRootRow): Promise<void>;
  /** Applied v2 root sets of an agency (version ≥ 1), oldest first. */
  rootSets(agencyId: string): Promise<RootSetRow[]>;
  insertRootSet(row: RootSetRow): Promise<void>;
  rootProposal(agencyId: string): Promise<RootProposalRow | undefined>;
  /** Inserts or replaces the agency's pending proposal. */
  putRootProposal(row: RootProposalRow): Promise<void>;
  deleteRootProposal(agencyId: string): Promise<void>;
  lastEntry(): Promise<KeyLogRow | undefined>;
  insertEntry(row: NewKeyLog): Promise<void>;
  insertHead(size: number, head: string, createdAt: number): Promise<void>;
  entries(from: number, limit: number): Promise<KeyLogRow[]>;
  headAt(size: number): Promise<string | undefined>;
  latestHead(): Promise<string | undefined>;
}
