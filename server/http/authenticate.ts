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

/** Routes are authenticated unless they opt out, so a forgotten check fails closed. */
export function registerAuthentication(app: FastifyInstance): void {
  app.decorate('accessTokens', new AccessTokenVerifier(app));
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.auth === false || !req.routeOptions.url?.startsWith('/api/')) return;
    const header = req.headers.authorization;
    if (!header || !/^Bearer [A-Za-z0-9_.-]+$/.test(header)) {
      throw new AuthRequiredError('Missing or malformed Authorization: Bearer header');
    }
    const claims = app.accessTokens.verify(header.slice('Bearer '.length));
    req.actor = app.ctx.auth.authenticate(claims, req.ip);
  });
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AuthRequiredError();
  return req.actor;
}
