import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.ts';
import type { AccessClaims } from '../auth/service.ts';
import { AuthRequiredError } from '../errors.ts';
import { AccessTokenVerifier } from './access-token.ts';

declare module 'fastify' {
  interface FastifyInstance {
    accessTokens: AccessTokenVerifier;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Set to false on the few routes that work without a signed-in officer. */
    auth?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

/**
 * Routes are authenticated unless they opt out, so a forgotten check fails closed.
 *
 * The check is a route-level onRequest hook appended in onRoute, after the one @fastify/rate-limit
 * appends: the per-IP limiter (registered before this) counts a request before its token is looked
 * at, so forged or expired tokens are throttled like everything else. An instance-level hook would
 * run before every route-level hook, i.e. before the limiter. Call after registering the limiter.
 */
export function registerAuthentication(app: FastifyInstance): void {
  app.decorate('accessTokens', new AccessTokenVerifier(app));
  app.decorateRequest('actor', null);
  const authenticate = async (req: FastifyRequest): Promise<void> => {
    if (req.routeOptions.config.auth === false || !req.routeOptions.url?.startsWith('/api/')) return;
    const header = req.headers.authorization;
    if (!header || !/^Bearer [A-Za-z0-9_.-]+$/.test(header)) {
      throw new AuthRequiredError('Missing or malformed Authorization: Bearer header');
    }
    const claims = app.accessTokens.verify(header.slice('Bearer '.length));
    req.actor = await app.ctx.auth.authenticate(claims, req.ip);
  };
  app.addHook('onRoute', (route) => {
    const existing = route.onRequest;
    route.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), authenticate];
  });
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AuthRequiredError();
  return req.actor;
}
