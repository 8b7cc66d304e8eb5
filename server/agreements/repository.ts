/** Storage port for agreements, party signatures, suspensions and extended-access grants. SQL lives in server/store/sqlite/agreements-repository.ts. */
export interface NewExtendedAccessGrant {
  id: string;
  sponsorAgencyId: string;
  createdAt: number;
  agencyId: string;
  expiresAt: number;
  createdBy: string;
  scope: string;
  revokedAt?: number | null;
}
export interface NewAgreementSuspension {
  agencyId: string;
  agreementId: string;
  suspendedBy: string;
  suspendedAt: number;
  reason?: string | null;
}
export interface AgreementRow {
  text: string;
  id: string;
  status: 'active' | 'suspended' | 'proposed' | 'terminated';
  createdAt: number;
  updatedAt: number;
  version: number;
  parties: string;
  scope: string;
  validFrom: number;
  validUntil: number;
  title: string;
  textHash: string;
  proposedBy: string;
}
export interface PartyRow {
  agencyId: string;
  signature: string | null;
  agreementId: string;
  signedBy: string | null;
  signerPublicKey: string | null;
  signedAt: number | null;
}
export interface GrantRow {
  id: string;
  sponsorAgencyId: string;
  createdAt: number;
  agencyId: string;
  expiresAt: number;
  revokedAt: number | null;
  createdBy: string;
  scope: string;
}
export interface SuspensionRow {
  agencyId: string;
  agreementId: string;
  suspendedBy: string;
  reason: string | null;
  suspendedAt: number;
}
/** Queries and writes for agreements, their parties' signatures and extended-access grants. */

export interface AgreementsRepository {
  agreement(id: string): Promise<AgreementRow | undefined>;
  parties(agreementId: string): Promise<PartyRow[]>;
  insert(row: AgreementRow, partyIds: readonly string[]): Promise<void>;
  setStatus(id: string, status: 'active' | 'suspended' | 'proposed' | 'terminated', now: number): Promise<void>;
  touch(id: string, now: number): Promise<void>;
  sign(agreementId: string, agencyId: string, patch: { signedBy: string; signature: string; signerPublicKey: string; signedAt: number; }): Promise<void>;
  /** The parties currently holding the agreement suspended, by agency id. */
  suspensions(agreementId: string): Promise<SuspensionRow[]>;
  addSuspension(row: NewAgreementSuspension): Promise<void>;
  liftSuspension(agreementId: string, agencyId: string): Promise<void>;
  /** Agreements one of `agencyIds` is a party to; all agreements when null. */
  list(agencyIds: readonly string[] | null): Promise<AgreementRow[]>;
  activeGrants(agencyId: string, now: number): Promise<GrantRow[]>;
  grant(id: string): Promise<GrantRow | undefined>;
  insertGrant(row: NewExtendedAccessGrant): Promise<void>;
  revokeGrant(id: string, now: number): Promise<void>;
  /** Grants given by or to `agencyId`; all when null. */
  grants(agencyId: string | null): Promise<GrantRow[]>;
}
