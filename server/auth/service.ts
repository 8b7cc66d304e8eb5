import type { LoginBody, Session, TokenPair } from '../../shared/schemas/auth.ts';
import type { OfficerRow } from '../accounts/repository.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import type { DomainEventBus } from '../events.ts';
import type { PasswordHasher } from './password.ts';
import { AppError, AuthRequiredError, ConcealedDenialError, NotFoundError, ThrottledError } from '../errors.ts';
import { canManageOfficer, type Actor } from './actor.ts';
import { hashToken, newId, newOpaqueToken } from './tokens.ts';
import { matchTotpStep, openTotpSecret } from './totp.ts';
import { commitThenThrow, type Store, type Tx } from '../store/store.ts';

export interface AccessClaims {
  sub: string;
  sid: string;
}

export type AccessTokenSigner = (claims: AccessClaims) => string;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/**
 * One body for every credential failure, so unknown usernames, wrong passwords and wrong codes look
 * alike; `triesRemaining` comes from counters kept for unknown usernames too, so it reveals nothing.
 */
export class InvalidCredentialsError extends AppError {
  override name = 'InvalidCredentialsError';
  constructor(triesRemaining?: number) {
    super(401, 'invalid_credentials', 'Invalid username, password or authentication code', {
      ...(triesRemaining === undefined ? {} : { details: { triesRemaining } }),
    });
  }
}

const TOUCH_EVERY_MS = 60_000;

export interface AuthDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  events: DomainEventBus;
  passwords: PasswordHasher;
  accounts: Pick<AccountsService, 'officer' | 'agency' | 'officerByUsername' | 'advanceTotpStep' | 'loginWait' | 'recordLoginFailure' | 'clearLoginFailures' | 'officerView'>;
  /** Seals TOTP seeds at rest. */
  dataKey: Uint8Array;
  config: Pick<AppConfig, 'session' | 'jwt'>;
}

/** Sign-in, refresh-token rotation with reuse detection, idle/absolute session expiry, revocation. */
export class AuthService {
  private signer: AccessTokenSigner | undefined;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly events: DomainEventBus;
  private readonly passwords: PasswordHasher;
  private readonly accounts: AuthDeps['accounts'];
  private readonly dataKey: Uint8Array;
  private readonly config: AuthDeps['config'];

  constructor(deps: AuthDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.events = deps.events;
    this.passwords = deps.passwords;
    this.accounts = deps.accounts;
    this.dataKey = deps.dataKey;
    this.config = deps.config;
  }

  /** The app wires in @fastify/jwt's signer once it is registered. */
  useSigner(signer: AccessTokenSigner): void {
    this.signer = signer;
  }

  private get now(): number {
    return this.clock.now();
  }

  async login(input: LoginBody, client: ClientInfo): Promise<TokenPair> {
    const accounts = this.accounts;
    const username = input.username.trim().toLowerCase();
    const audit = async (tx: Tx, outcome: 'success' | 'failure' | 'denied', reason: string | null, officer?: OfficerRow) => {
      // The officer the username names (if any) is the actor; an unknown username leaves only the address.
      const caller = { officerId: officer?.id ?? null, agencyId: officer?.agencyId ?? null, ip: client.ip };
      const details = reason ? { username, reason } : { username };
      await this.audit.record(tx, auditEvents.authLogin(caller, { type: 'officer', id: officer?.id ?? null }, details, outcome));
    };

    // During a back-off the attempt is not evaluated (no Argon2): known and unknown usernames alike.
    const wait = await accounts.loginWait(username, client.ip, this.now);
    if (wait > 0) {
      await this.store.write(async (tx) => audit(tx, 'denied', 'throttled', await accounts.officerByUsername(username, tx)));
      throw new ThrottledError(wait);
    }

    const officer = await accounts.officerByUsername(username);
    let passwordOk = false;
    if (officer?.passwordHash) passwordOk = await this.passwords.verify(officer.passwordHash, input.password);
    else await this.passwords.verifyDummy(input.password);

    // Failures are recorded and committed before the error is thrown (a throw inside would roll them back).
    return this.store.write(async (tx) => commitThenThrow(await this.signIn(tx, { username, input, client, officer, passwordOk, audit })));
  }

  /** Inside the sign-in transaction; returns (not throws) the errors whose failure counters must commit. */
  private async signIn(
    tx: Tx,
    attempt: {
      username: string;
      input: LoginBody;
      client: ClientInfo;
      officer: OfficerRow | undefined;
      passwordOk: boolean;
      audit: (tx: Tx, outcome: 'success' | 'failure' | 'denied', reason: string | null, officer?: OfficerRow) => Promise<void>;
    },
  ): Promise<TokenPair | AppError> {
    const { accounts } = this;
    const { username, input, client, officer, passwordOk, audit } = attempt;
    const fail = async (reason: string): Promise<AppError> => {
      const verdict = await accounts.recordLoginFailure(tx, username, client.ip, this.now);
      await audit(tx, 'failure', reason, officer);
      for (const scope of verdict.started) {
        // No actor (a back-off is the system's doing), only the address; an account back-off belongs to the officer's agency.
        const target =
          scope === 'account' ? { type: 'officer', id: officer?.id ?? null, agencyId: officer?.agencyId ?? null } : { type: 'source', id: client.ip, agencyId: null };
        const details = { username, scope, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) };
        await this.audit.record(tx, auditEvents.authThrottled({ officerId: null, agencyId: null, ip: client.ip }, target, details, 'denied'));
      }
      return new InvalidCredentialsError(verdict.triesRemaining);
    };
    // Re-check inside the transaction: concurrent attempts all pass the first check while Argon2
    // runs, and must not be evaluated (nor reset the counter) once earlier ones started a back-off.
    const waitNow = await accounts.loginWait(username, client.ip, this.now, tx);
    if (waitNow > 0) {
      await audit(tx, 'denied', 'throttled', officer);
      return new ThrottledError(waitNow);
    }
    // Re-read inside the transaction: the account may have changed while Argon2 ran.
    const current = officer ? await accounts.officer(officer.id, tx) : undefined;
    if (!current || !passwordOk || !current.totpSecretSealed) return await fail(current ? 'password' : 'unknown_user');
    const seed = openTotpSecret(this.dataKey, current.id, current.totpSecretSealed);
    const step = matchTotpStep(seed, input.totp, this.now);
    if (step === null) return await fail('totp');
    if (!(await accounts.advanceTotpStep(tx, current.id, step))) return await fail('totp_replay');
    await accounts.clearLoginFailures(tx, username);
    const agency = await accounts.agency(current.agencyId, tx);
    if (current.status !== 'active' || agency?.status !== 'active') {
      await audit(tx, 'denied', current.status !== 'active' ? 'officer_inactive' : 'agency_suspended', current);
      return new AppError(403, 'account_suspended', 'This account is suspended; contact your agency administrator');
    }
    const pair = await this.createSession(current, input.deviceLabel ?? 'Unnamed device', client, tx);
    await audit(tx, 'success', null, current);
    return pair;
  }

  /** Opens a session (refresh-token family) and returns its first token pair, in `tx` or else in its own unit of work. */
  async createSession(officer: OfficerRow, deviceLabel: string, client: ClientInfo, tx?: Pick<Tx, 'sessions' | 'accounts'>): Promise<TokenPair> {
    if (!tx) return this.store.write((own) => this.createSession(officer, deviceLabel, client, own));
    const now = this.now;
    const sessionId = newId();
    await tx.sessions.insertSession({
      id: sessionId,
      officerId: officer.id,
      deviceLabel,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: now + this.config.session.absoluteTimeoutMs,
    });
    return this.issuePair(officer, sessionId, tx);
  }

  private async issuePair(officer: OfficerRow, sessionId: string, tx: Pick<Tx, 'sessions' | 'accounts'>): Promise<TokenPair> {
    if (!this.signer) throw new Error('AuthService.issuePair: no access-token signer configured');
    const refreshToken = newOpaqueToken();
    await tx.sessions.insertRefreshToken({ tokenHash: hashToken(refreshToken), sessionId, createdAt: this.now });
    return {
      accessToken: this.signer({ sub: officer.id, sid: sessionId }),
      accessTokenExpiresAt: this.now + this.config.jwt.accessTtlSeconds * 1000,
      refreshToken,
      sessionId,
      officer: await this.accounts.officerView(officer, tx),
    };
  }

  private expiryReason(s: { revokedAt: number | null; lastUsedAt: number; absoluteExpiresAt: number }): string | null {
    if (s.revokedAt !== null) return 'revoked';
    if (this.now >= s.absoluteExpiresAt) return 'absolute_timeout';
    if (this.now - s.lastUsedAt >= this.config.session.idleTimeoutMs) return 'idle_timeout';
    return null;
  }

  /** Rotates the refresh token; a token presented twice revokes its whole family (theft detection). */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const hash = hashToken(refreshToken);
    return this.store.write(async (tx) => commitThenThrow(await this.rotate(tx, hash, client)));
  }

  private async rotate(tx: Tx, hash: string, client: ClientInfo): Promise<TokenPair | AppError> {
    const row = await tx.sessions.refreshRow(hash);
    if (!row) throw new AuthRequiredError('Unknown refresh token', 'invalid_refresh_token');
    const { session } = row;
    const officer = await this.accounts.officer(session.officerId, tx);
    if (!(await tx.sessions.useRefreshToken(hash, this.now))) {
      const revoked = await tx.sessions.revoke(session.officerId, this.now, 'refresh_token_reuse', session.id);
      const holder = { officerId: session.officerId, agencyId: officer?.agencyId ?? null, ip: client.ip };
      await this.audit.record(tx, auditEvents.authRefreshReuse(holder, { type: 'session', id: session.id }, undefined, 'denied'));
      if (revoked.length > 0) {
        this.events.emit('sessions.revoked', { officerId: session.officerId, sessionIds: revoked, reason: 'refresh_token_reuse' });
      }
      return new AuthRequiredError('Refresh token already used; the session has been revoked', 'refresh_token_reused');
    }
    const expired = this.expiryReason(session);
    if (expired) throw new AuthRequiredError(`Session ended (${expired})`, 'session_expired');
    const agency = officer ? await this.accounts.agency(officer.agencyId, tx) : undefined;
    if (!officer || officer.status !== 'active' || agency?.status !== 'active') {
      throw new AuthRequiredError('Account is not active', 'account_inactive');
    }
    await tx.sessions.touch(session.id, this.now);
    return this.issuePair(officer, session.id, tx);
  }

  /** Resolves a verified access token to the acting officer, enforcing revocation, expiry and suspension. */
  async authenticate(claims: AccessClaims, ip: string | null): Promise<Actor> {
    // Committed state on the reader connection: one prepared statement, no writer lock on the hot path.
    const row = await this.store.read((r) => r.sessions.authRow(claims.sid, claims.sub));
    if (!row) throw new AuthRequiredError('Session not found', 'session_expired');
    const expired = this.expiryReason(row);
    if (expired) throw new AuthRequiredError(`Session ended (${expired})`, 'session_expired');
    if (row.status !== 'active' || row.agencyStatus !== 'active') {
      throw new AuthRequiredError('Account is not active', 'account_inactive');
    }
    // Idle tracking needs only minute resolution: skip the write (and its fsync) on most requests.
    if (this.now - row.lastUsedAt >= TOUCH_EVERY_MS) await this.store.write((tx) => tx.sessions.touch(row.sessionId, this.now));
    return { officerId: row.officerId, agencyId: row.agencyId, role: row.role, sessionId: row.sessionId, ip };
  }

  async logout(actor: Actor): Promise<void> {
    await this.store.write(async (tx) => {
      await tx.sessions.revoke(actor.officerId, this.now, 'logout', actor.sessionId);
      await this.audit.record(tx, auditEvents.authLogout(actor, { type: 'session', id: actor.sessionId }));
    });
    this.events.emit('sessions.revoked', { officerId: actor.officerId, sessionIds: [actor.sessionId], reason: 'logout' });
  }

  async listSessions(officerId: string, currentSessionId: string | null): Promise<Session[]> {
    const idle = this.config.session.idleTimeoutMs;
    const now = this.now;
    return (await this.store.read((r) => r.sessions.listActive(officerId, now)))
      .filter((s) => this.now - s.lastUsedAt < idle)
      .map((s) => ({
        id: s.id,
        deviceLabel: s.deviceLabel,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.createdAt,
        lastUsedAt: s.lastUsedAt,
        absoluteExpiresAt: s.absoluteExpiresAt,
        current: s.id === currentSessionId,
      }));
  }

  /** Revokes sessions of an officer in the caller's transaction `tx`; returns how many were revoked. */
  async revokeAllSessions(tx: Tx, officerId: string, reason: string, sessionId?: string): Promise<number> {
    const ids = await tx.sessions.revoke(officerId, this.now, reason, sessionId);
    // Sockets are cut only once the revocation is durable (a rollback keeps the sessions).
    if (ids.length > 0) tx.onCommit(() => this.events.emit('sessions.revoked', { officerId, sessionIds: ids, reason }));
    return ids.length;
  }

  /** Own sessions (any officer) or another officer's (their administrators). */
  async revokeSessions(actor: Actor, officerId: string, sessionId?: string): Promise<number> {
    return this.store.write(async (tx) => {
      const target = await this.accounts.officer(officerId, tx);
      const self = officerId === actor.officerId;
      if (!target) throw new NotFoundError('Officer');
      if (!self && !canManageOfficer(actor, target)) throw new ConcealedDenialError('Officer', 'officer_not_manageable');
      if (sessionId !== undefined) {
        const s = await tx.sessions.session(sessionId);
        if (!s || s.officerId !== officerId) throw new NotFoundError('Session');
      }
      const n = await this.revokeAllSessions(tx, officerId, self ? 'signed_out' : 'revoked_by_admin', sessionId);
      const revoked = { type: sessionId ? 'session' : 'officer', id: sessionId ?? officerId, agencyId: target.agencyId };
      await this.audit.record(tx, auditEvents.sessionRevoked(actor, revoked, { count: n }));
      return n;
    });
  }

  /** Sessions of another officer, for their administrators. */
  async listSessionsOf(actor: Actor, officerId: string): Promise<Session[]> {
    const target = await this.accounts.officer(officerId);
    if (!target) throw new NotFoundError('Officer');
    if (officerId !== actor.officerId && !canManageOfficer(actor, target)) throw new ConcealedDenialError('Officer', 'officer_not_manageable');
    return this.listSessions(officerId, actor.sessionId);
  }
}
