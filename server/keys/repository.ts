import type { Insert } from '../store/insert.ts';

/** Storage port for registered keys, agency roots and the key-transparency log. SQL lives in server/store/sqlite/keys-repository.ts. */
export interface NewKeyLog {
  createdAt: number;
  officerId: string;
  hash: string;
  entry: string;
  idx?: number;
}
export type NewOfficerKey = Insert<OfficerKeysRow, 'certificate' | 'renewalRequestedAt' | 'renewalRequest'>;
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
  /** When the officer asked to renew its current certificate; null when it has not (or got a new one since). */
  renewalRequestedAt: number | null;
  /** The officer-signed renewal request (renewalRequestCodec wire JSON). */
  renewalRequest: string | null;
}
/** A row of the certification queue with the officer's account role (the certificate must carry it). */
export interface PendingKeysRow extends OfficerKeysRow {
  officerRole: string;
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
/** One device of an officer (PROTOCOL.md §4.5): its key, the identity-signed events that added and revoked it. */
export interface DeviceRow {
  officerId: string;
  deviceId: string;
  name: string;
  signPublicKey: string;
  /** The identity sign key that certified the device (its add event's author). */
  authorSignPublicKey: string;
  addEvent: string;
  addedAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
  revokeEvent: string | null;
}
export type NewDevice = Insert<DeviceRow, 'revokedAt' | 'revokeEvent'>;

/** Queries and writes for registered keys, agency roots and the key-transparency log; hot statements prepared once. */

export interface KeysRepository {
  keys(officerId: string): Promise<OfficerKeysRow | undefined>;
  upsertKeys(row: NewOfficerKey): Promise<void>;
  updateKeys(officerId: string, patch: Partial<NewOfficerKey>): Promise<void>;
  /**
   * Active officers of an agency whose keys need a certificate at `now`: none yet, a renewal requested,
   * the certificate expired, or its role differs from the account's (PROTOCOL.md §4.2 renewal).
   */
  pending(agencyId: string, now: number): Promise<PendingKeysRow[]>;
  /** Active officers of an agency whose keys carry a certificate (a root-set rotation may orphan them). */
  certifiedKeys(agencyId: string): Promise<PendingKeysRow[]>;
  /** Officers of an agency who still hold a certificate although they lost access (suspended): the root must revoke it. */
  revocable(agencyId: string): Promise<OfficerKeysRow[]>;
  /** The officer's most recent key-log entries, newest first. */
  latestEntriesOf(officerId: string, limit: number): Promise<KeyLogRow[]>;
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

  // ---- devices (PROTOCOL.md §4.5) ----
  device(officerId: string, deviceId: string): Promise<DeviceRow | undefined>;
  /** The officer's devices, newest first (revoked ones included). */
  devicesOf(officerId: string): Promise<DeviceRow[]>;
  /** Inserts the device, or replaces a row of the same id (a re-certification after new identity keys). */
  putDevice(row: NewDevice): Promise<void>;
  updateDevice(officerId: string, deviceId: string, patch: Partial<Pick<DeviceRow, 'name' | 'lastSeenAt' | 'revokedAt' | 'revokeEvent'>>): Promise<void>;
  /** Binds a session to a device (a session belongs to one device; a later binding replaces it). */
  bindSession(row: { sessionId: string; officerId: string; deviceId: string; createdAt: number }): Promise<void>;
  /** The device id the session is bound to, if any. */
  deviceOfSession(sessionId: string): Promise<string | undefined>;
  /** Ids of every session ever bound to the device. */
  sessionsOfDevice(officerId: string, deviceId: string): Promise<string[]>;
}
