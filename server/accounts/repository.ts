import type { Insert } from '../store/insert.ts';

/** Storage port for agencies, officers, enrolment tokens and sign-in failures. SQL lives in server/store/sqlite/accounts-repository.ts. */
export interface NewLoginFailure {
  username: string;
  count: number;
  windowStart: number;
  lockedAt?: number | null;
  lastFailureAt?: number | null;
}
export interface NewEnrolmentToken {
  id: string;
  createdAt: number;
  officerId: string;
  tokenHash: string;
  expiresAt: number;
  usedAt?: number | null;
  revokedAt?: number | null;
  pendingPasswordHash?: string | null;
  pendingTotpSealed?: string | null;
  createdBy?: string | null;
}
export type NewOfficer = Insert<OfficerRow, 'passwordHash' | 'totpSecretSealed' | 'totpLastStep'>;
export type NewAgency = Insert<AgencyRow, 'status' | 'sponsorAgencyId'>;
export interface AgencyRow {
  id: string;
  name: string;
  country: string;
  kind: 'ncb' | 'police' | 'customs' | 'border' | 'prosecutor' | 'fiu' | 'other';
  status: 'active' | 'suspended';
  sponsorAgencyId: string | null;
  createdAt: number;
  updatedAt: number;
}
export interface OfficerRow {
  id: string;
  status: 'active' | 'suspended' | 'invited';
  createdAt: number;
  updatedAt: number;
  agencyId: string;
  username: string;
  displayName: string;
  role: 'platform_admin' | 'agency_admin' | 'officer';
  passwordHash: string | null;
  totpSecretSealed: string | null;
  totpLastStep: number;
}
export interface EnrolmentTokenRow {
  id: string;
  createdAt: number;
  officerId: string;
  tokenHash: string;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
  pendingPasswordHash: string | null;
  pendingTotpSealed: string | null;
  createdBy: string | null;
}
/** Queries and writes for agencies, officers and enrolment tokens; statements prepared once. */

export interface AccountsRepository {
  agency(id: string): Promise<AgencyRow | undefined>;
  listAgencies(): Promise<AgencyRow[]>;
  insertAgency(row: NewAgency): Promise<void>;
  updateAgency(id: string, patch: Partial<NewAgency>): Promise<void>;
  officer(id: string): Promise<OfficerRow | undefined>;
  officerByUsername(username: string): Promise<OfficerRow | undefined>;
  listOfficers(agencyId: string): Promise<OfficerRow[]>;
  countOfficers(): Promise<number>;
  insertOfficer(row: NewOfficer): Promise<void>;
  updateOfficer(id: string, patch: Partial<NewOfficer>): Promise<void>;
  /** Atomically advances the last accepted TOTP step; false if the step was already used (replay). */
  advanceTotpStep(id: string, step: number): Promise<boolean>;
  insertEnrolmentToken(row: NewEnrolmentToken): Promise<void>;
  enrolmentTokenByHash(hash: string): Promise<EnrolmentTokenRow | undefined>;
  updateEnrolmentToken(id: string, patch: Partial<NewEnrolmentToken>): Promise<void>;
  /** Marks the token used if it still is usable; false when another request won the race. */
  consumeEnrolmentToken(id: string, now: number): Promise<boolean>;
  revokeOpenEnrolmentTokens(officerId: string, now: number): Promise<void>;
  loginFailure(username: string): Promise<{ username: string; count: number; windowStart: number; lockedAt: number | null; lastFailureAt: number | null; } | undefined>;
  upsertLoginFailure(row: NewLoginFailure): Promise<void>;
  clearLoginFailures(username: string): Promise<void>;
}
