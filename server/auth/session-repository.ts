/** Storage port for sessions and refresh tokens. SQL lives in server/store/sqlite/sessions-repository.ts. */
export interface NewRefreshToken {
  createdAt: number;
  tokenHash: string;
  sessionId: string;
  usedAt?: number | null;
}
export interface NewSession {
  id: string;
  createdAt: number;
  officerId: string;
  deviceLabel: string;
  lastUsedAt: number;
  absoluteExpiresAt: number;
  revokedAt?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  revokeReason?: string | null;
}
export interface SessionRow {
  id: string;
  createdAt: number;
  officerId: string;
  revokedAt: number | null;
  deviceLabel: string;
  ip: string | null;
  userAgent: string | null;
  lastUsedAt: number;
  absoluteExpiresAt: number;
  revokeReason: string | null;
}

export interface AuthRow {
  sessionId: string;
  revokedAt: number | null;
  lastUsedAt: number;
  absoluteExpiresAt: number;
  officerId: string;
  agencyId: string;
  role: 'platform_admin' | 'agency_admin' | 'officer';
  status: 'invited' | 'active' | 'suspended';
  agencyStatus: 'active' | 'suspended';
}

export interface SessionRepository {
  authRow(sid: string, sub: string): Promise<AuthRow | undefined>;
  touch(sid: string, now: number): Promise<void>;
  insertSession(row: NewSession): Promise<void>;
  session(id: string): Promise<SessionRow | undefined>;
  listActive(officerId: string, now: number): Promise<SessionRow[]>;
  /** Revokes the given officer's open sessions (all, or one); returns the ids revoked. */
  revoke(officerId: string, now: number, reason: string, sessionId?: string | undefined): Promise<string[]>;
  refreshRow(hash: string): Promise<{ token: { tokenHash: string; sessionId: string; createdAt: number; usedAt: number | null; }; session: { id: string; officerId: string; deviceLabel: string; ip: string | null; userAgent: string | null; createdAt: number; lastUsedAt: number; absoluteExpiresAt: number; revokedAt: number | null; revokeReason: string | null; }; } | undefined>;
  insertRefreshToken(row: NewRefreshToken): Promise<void>;
  /** Marks a refresh token used; false if it already was (a replayed or raced token). */
  useRefreshToken(hash: string, now: number): Promise<boolean>;
}
