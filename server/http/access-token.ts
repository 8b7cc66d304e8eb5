import type { FastifyInstance } from 'fastify';
import type { AccessClaims } from '../auth/service.ts';
import { AuthRequiredError } from '../errors.ts';

export type VerifiedClaims = AccessClaims & { exp: number };

const MAX_CACHED = 10_000;

/**
 * Verifies access tokens (pinned EdDSA, issuer, audience, expiry) once per token and remembers the
 * result until the token expires, so a busy client does not pay an Ed25519 verification per request.
 * Only the signature check is cached: revocation, suspension and idle expiry are still read from
 * the database on every request by AuthService.authenticate.
 */
export class AccessTokenVerifier {
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(private readonly app: FastifyInstance) {}

  verify(token: string): VerifiedClaims {
    const nowS = Date.now() / 1000;
    const hit = this.verified.get(token);
    if (hit && hit.exp > nowS) return hit;
    if (hit) this.verified.delete(token);
    let claims: VerifiedClaims;
    try {
      claims = this.app.jwt.verify<VerifiedClaims>(token);
    } catch {
      throw new AuthRequiredError('Invalid or expired access token', 'invalid_token');
    }
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') {
      throw new AuthRequiredError('Invalid access token', 'invalid_token');
    }
    // Map keeps insertion order: drop the oldest entry when full.
    if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims;
  }
}
