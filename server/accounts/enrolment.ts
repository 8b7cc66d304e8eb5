import type { TokenPair } from '../../shared/schemas/auth.ts';
import { checkPasswordPolicy } from '../auth/password.ts';
import type { ClientInfo } from '../auth/service.ts';
import { hashToken } from '../auth/tokens.ts';
import { matchTotpStep, newTotpSecret, openTotpSecret, sealTotpSecret, totpFor } from '../auth/totp.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { PasswordHasher } from '../auth/password.ts';
import type { AuthService } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { AccountsService, Uow } from './service.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { EnrolmentTokenRow, OfficerRow } from './repository.ts';
import { commitThenThrow, type Store, type Tx } from '../store/store.ts';

const TOTP_ISSUER = 'Liaison';

class InvalidEnrolmentTokenError extends AppError {
  override name = 'InvalidEnrolmentTokenError';
  constructor() {
    super(400, 'invalid_enrolment_token', 'This enrolment link is invalid, already used or expired; ask your administrator for a new one');
  }
}

export interface EnrolmentDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  passwords: PasswordHasher;
  /** Same domain: enrolment works on the accounts repository and login throttle directly. */
  accounts: AccountsService;
  auth: Pick<AuthService, 'revokeAllSessions' | 'createSession'>;
  /** Seals TOTP seeds at rest. */
  dataKey: Uint8Array;
}

/**
 * Enrolment with a one-time link: (1) set a password, receive a TOTP seed; (2) confirm with a first
 * valid code, which consumes the token and signs the officer in.
 */
export class EnrolmentService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly passwords: PasswordHasher;
  private readonly accounts: AccountsService;
  private readonly auth: Pick<AuthService, 'revokeAllSessions' | 'createSession'>;
  private readonly dataKey: Uint8Array;

  constructor(deps: EnrolmentDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.passwords = deps.passwords;
    this.accounts = deps.accounts;
    this.auth = deps.auth;
    this.dataKey = deps.dataKey;
  }

  private async resolve(repos: Uow, token: string): Promise<{ row: EnrolmentTokenRow; officer: OfficerRow }> {
    const row = await repos.accounts.enrolmentTokenByHash(hashToken(token));
    const now = this.clock.now();
    if (!row || row.usedAt !== null || row.revokedAt !== null || row.expiresAt <= now) throw new InvalidEnrolmentTokenError();
    const officer = await repos.accounts.officer(row.officerId);
    if (!officer || officer.status === 'suspended') throw new InvalidEnrolmentTokenError();
    // Officers of a suspended agency cannot sign in, so they cannot enrol (and be signed in) either.
    if ((await repos.accounts.agency(officer.agencyId))?.status !== 'active') throw new InvalidEnrolmentTokenError();
    return { row, officer };
  }

  lookup(token: string): Promise<{ username: string; displayName: string; agencyName: string; expiresAt: number }> {
    return this.store.read(async (r) => {
      const { row, officer } = await this.resolve(r, token);
      const agency = await r.accounts.agency(officer.agencyId);
      return { username: officer.username, displayName: officer.displayName, agencyName: agency?.name ?? '', expiresAt: row.expiresAt };
    });
  }

  async begin(token: string, password: string): Promise<{ otpauthUri: string; totpSecret: string }> {
    const { officer } = await this.store.read((r) => this.resolve(r, token));
    const agencyName = (await this.accounts.agency(officer.agencyId))?.name;
    checkPasswordPolicy(password, { username: officer.username, displayName: officer.displayName, ...(agencyName ? { agencyName } : {}) });
    const passwordHash = await this.passwords.hash(password);
    const secret = newTotpSecret();
    await this.store.write(async (tx) => {
      // Re-resolve after the hash: the token may have been used or revoked meanwhile.
      const { row } = await this.resolve(tx, token);
      await tx.accounts.updateEnrolmentToken(row.id, {
        pendingPasswordHash: passwordHash,
        pendingTotpSealed: sealTotpSecret(this.dataKey, officer.id, secret),
      });
    });
    const uri = totpFor(secret, officer.username, TOTP_ISSUER).toString();
    return { otpauthUri: uri, totpSecret: secret };
  }

  async complete(token: string, code: string, client: ClientInfo): Promise<TokenPair> {
    return this.store.write(async (tx) => commitThenThrow(await this.completeIn(tx, token, code, client)));
  }

  /** Inside the transaction; a bad code is returned (not thrown) so its audit event commits. */
  private async completeIn(tx: Tx, token: string, code: string, client: ClientInfo): Promise<TokenPair | AppError> {
    const { row, officer } = await this.resolve(tx, token);
    if (!row.pendingPasswordHash || !row.pendingTotpSealed) {
      return new ValidationError('Set a password first (enrolment step 1)', 'enrolment_incomplete');
    }
    const now = this.clock.now();
    const secret = openTotpSecret(this.dataKey, officer.id, row.pendingTotpSealed);
    const step = matchTotpStep(secret, code, now);
    // The officer enrols themself, from the client's address.
    const self = { officerId: officer.id, agencyId: officer.agencyId, ip: client.ip };
    const target = { type: 'officer', id: officer.id };
    if (step === null) {
      await this.audit.record(tx, auditEvents.enrolmentCompleted(self, target, { reason: 'totp' }, 'failure'));
      return new ValidationError('The authentication code is not valid; check your authenticator app\'s clock', 'invalid_totp');
    }
    if (!(await tx.accounts.consumeEnrolmentToken(row.id, now))) return new InvalidEnrolmentTokenError();
    const updated: OfficerRow = {
      ...officer,
      status: 'active',
      passwordHash: row.pendingPasswordHash,
      totpSecretSealed: row.pendingTotpSealed,
      totpLastStep: step,
      updatedAt: now,
    };
    await tx.accounts.updateOfficer(officer.id, {
      status: updated.status,
      passwordHash: updated.passwordHash,
      totpSecretSealed: updated.totpSecretSealed,
      totpLastStep: step,
      updatedAt: now,
    });
    await tx.accounts.updateEnrolmentToken(row.id, { pendingPasswordHash: null, pendingTotpSealed: null });
    // Re-enrolment replaces credentials: every older session ends.
    await this.auth.revokeAllSessions(tx, officer.id, 're_enrolled');
    await this.accounts.clearLoginFailures(tx, officer.username);
    await this.audit.record(tx, auditEvents.enrolmentCompleted(self, target, { reEnrolment: officer.status === 'active' }));
    return this.auth.createSession(updated, 'Enrolment device', client, tx);
  }
}
