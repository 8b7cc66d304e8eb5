import type { FastifyInstance } from 'fastify';
import type { ErrorCode } from '../../shared/errors.ts';
import type { ConnectErrorData } from '../../shared/realtime.ts';
import { AppError } from '../errors.ts';
import { TokenBucket } from './rate-limit.ts';
import type { RealtimeSocket } from './types.ts';

const TOKEN_RE = /^[A-Za-z0-9_.-]{1,4096}$/;

/** A connect_error the client can act on: `err.message` plus `err.data.code`. */
function authError(code: ErrorCode, message: string): Error & { data: ConnectErrorData } {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Handshake middleware (runs again on connection-state recovery): the access token from
 * `auth.token`, verified exactly like HTTP (pinned algorithm, issuer, audience, then the session,
 * officer and agency status from the database).
 */
export function socketAuthenticator(app: FastifyInstance) {
  const { ctx } = app;
  return (socket: RealtimeSocket, next: (err?: Error) => void): void => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>)['token'] : undefined;
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) {
      next(authError('unauthorized', 'Missing or malformed access token in auth.token'));
      return;
    }
    const fail = (err: unknown): void => {
      if (err instanceof AppError) next(authError(err.code, err.message));
      else next(authError('internal', 'Could not authenticate'));
    };
    let claims: ReturnType<typeof app.accessTokens.verify>;
    try {
      claims = app.accessTokens.verify(token);
    } catch (err) {
      fail(err);
      return;
    }
    ctx.auth.authenticate(claims, socket.handshake.address || null).then((actor) => {
      const m = ctx.config.messaging;
      socket.data = { actor, exp: claims.exp, bucket: new TokenBucket(m.socketEventsPerSecond, m.socketBurst) };
      next();
    }, fail);
  };
}
