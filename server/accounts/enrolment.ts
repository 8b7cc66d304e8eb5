import type { TokenPair } from '../../shared/schemas/auth.ts';
import { checkPasswordPolicy } from '../auth/password.ts';
import type { ClientInfo } from '../auth/service.ts';
import { hashToken } from '../auth/tokens.ts';
import { matchTotpStep, newTotpSecret, openTotpSecret, sealTotpSecret, totpFor } from '../auth/totp.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/tx.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { EnrolmentTokenRow, OfficerRow } from './repository.ts';

const TOTP_ISSUER = 'Liaison';

class InvalidEnrolmentTokenError extends AppError {
  override name = 'InvalidEnrolmentTokenError';
  constructor() {
    super(400, 'invalid_enrolment_token', 'This enrolment link is invalid, already used or expired; ask your administrator for a new one');
  }
}

/**
 * Enrolment with a one-time link: (1) set a password, receive a TOTP seed; (2) confirm with a first
 * valid code, which consumes the token and signs the officer in.
 */
export class EnrolmentService {
  constructor(private readonly ctx: AppContext) {}

  private resolve(token: string): { row: EnrolmentTokenRow; officer: OfficerRow } {
    const row = this.ctx.accounts.repo.enrolmentTokenByHash(hashToken(token));
    const now = this.ctx.clock.now();
    if (!row || row.usedAt !== null || row.revokedAt !== null || row.expiresAt <= now) throw new InvalidEnrolmentTokenError();
    const officer = this.ctx.accounts.repo.officer(row.officerId);
    if (!officer || officer.status === 'suspended') throw new InvalidEnrolmentTokenError();
    // Officers of a suspended agency cannot sign in, so they cannot enrol (and be signed in) either.
    if (this.ctx.accounts.repo.agency(officer.agencyId)?.status !== 'active') throw new InvalidEnrolmentTokenError();
    return { row, officer };
  }

  lookup(token: string): { username: string; displayName: string; agencyName: string; expiresAt: number } {
    const { row, officer } = this.resolve(token);
    const agency = this.ctx.accounts.repo.agency(officer.agencyId);
    return { username: officer.username, displayName: officer.displayName, agencyName: agency?.name ?? '', expiresAt: row.expiresAt };
  }

  async begin(token: string, password: string): Promise<{ otpauthUri: string; totpSecret: string }> {
    const { officer } = this.resolve(token);
    const agencyName = this.ctx.accounts.repo.agency(officer.agencyId)?.name;
    checkPasswordPolicy(password, { username: officer.username, displayName: officer.displayName, ...(agencyName ? { agencyName } : {}) });
    const passwordHash = await this.ctx.passwords.hash(password);
    const secret = newTotpSecret();
    transact(this.ctx.sqlite, () => {
      // Re-resolve after the hash: the token may have been used or revoked meanwhile.
      const { row } = this.resolve(token);
      this.ctx.accounts.repo.updateEnrolmentToken(row.id, {
        pendingPasswordHash: passwordHash,
        pendingTotpSealed: sealTotpSecret(this.ctx.secrets.dataKey, officer.id, secret),
      });
    });
    const uri = totpFor(secret, officer.username, TOTP_ISSUER).toString();
    return { otpauthUri: uri, totpSecret: secret };
  }

  complete(token: string, code: string, client: ClientInfo): TokenPair {
    return transact(this.ctx.sqlite, (): TokenPair | AppError => {
      const { row, officer } = this.resolve(token);
      if (!row.pendingPasswordHash || !row.pendingTotpSealed) {
        return new ValidationError('Set a password first (enrolment step 1)', 'enrolment_incomplete');
      }
      const now = this.ctx.clock.now();
      const secret = openTotpSecret(this.ctx.secrets.dataKey, officer.id, row.pendingTotpSealed);
      const step = matchTotpStep(secret, code, now);
      if (step === null) {
        this.ctx.audit.record({
          action: 'enrolment.completed',
          actorId: officer.id,
          agencyId: officer.agencyId,
          targetType: 'officer',
          targetId: officer.id,
          outcome: 'failure',
          ip: client.ip,
          details: { reason: 'totp' },
        });
        return new ValidationError('The authentication code is not valid; check your authenticator app\'s clock', 'invalid_totp');
      }
      if (!this.ctx.accounts.repo.consumeEnrolmentToken(row.id, now)) return new InvalidEnrolmentTokenError();
      const updated: OfficerRow = {
        ...officer,
        status: 'active',
        passwordHash: row.pendingPasswordHash,
        totpSecretSealed: row.pendingTotpSealed,
        totpLastStep: step,
        updatedAt: now,
      };
      this.ctx.accounts.repo.updateOfficer(officer.id, {
        status: updated.status,
        passwordHash: updated.passwordHash,
        totpSecretSealed: updated.totpSecretSealed,
        totpLastStep: step,
        updatedAt: now,
      });
      this.ctx.accounts.repo.updateEnrolmentToken(row.id, { pendingPasswordHash: null, pendingTotpSealed: null });
      // Re-enrolment replaces credentials: every older session ends.
      this.ctx.auth.revokeAllSessions(officer.id, 're_enrolled');
      this.ctx.accounts.throttle.clear(officer.username);
      this.ctx.audit.record({
        action: 'enrolment.completed',
        actorId: officer.id,
        agencyId: officer.agencyId,
        targetType: 'officer',
        targetId: officer.id,
        ip: client.ip,
        details: { reEnrolment: officer.status === 'active' },
      });
      return this.ctx.auth.createSession(updated, 'Enrolment device', client);
    });
  }
}
