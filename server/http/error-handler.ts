import type { FastifyError, FastifyInstance, FastifyRequest, preValidationHookHandler } from 'fastify';
import { CryptoError } from '../../shared/crypto/errors.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { AppError } from '../errors.ts';
import { apiError } from '../keys/wire.ts';

interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  /** Numeric hints an AppError carries for the client (triesRemaining, retryAfterSeconds). */
  hints?: Record<string, number>;
}

function hintsOf(err: AppError): Record<string, number> | undefined {
  const entries = Object.entries(err.details ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Fastify's own 4xx errors, by code, mapped to stable Liaison error codes. */
const FASTIFY_CODES: Record<string, { status: number; code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Unsupported content type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'Body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'Body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: 'Invalid Content-Length' },
};

const SQLITE_CODES: Record<string, MappedError> = {
  SQLITE_BUSY: { status: 503, code: 'unavailable', message: 'The database is busy; retry shortly' },
  SQLITE_LOCKED: { status: 503, code: 'unavailable', message: 'The database is busy; retry shortly' },
  SQLITE_FULL: { status: 507, code: 'insufficient_storage', message: 'The server is out of storage; nothing was saved' },
  SQLITE_IOERR: { status: 503, code: 'unavailable', message: 'Storage error; nothing was saved' },
};

/**
 * PostgreSQL (STORE=postgres): SQLSTATE classes 08 (connection), 57P (server shutting down or
 * restarting), 53 (out of resources; 53100 = disk full) and a refused or reset socket. Nothing was
 * committed, so the client may retry.
 */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

function postgresError(code: string, message: string): MappedError | undefined {
  if (code === '53100') return SQLITE_CODES.SQLITE_FULL;
  // node-postgres' own errors for a connection lost mid-query or a pool connect that timed out carry no code.
  if (code === '' && PG_CONNECTION_LOST.test(message)) code = '08006';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || /^(08|57P|53)[0-9A-Z]{2,3}$/.test(code)) {
    return { status: 503, code: 'unavailable', message: 'The database is unavailable; nothing was saved, retry shortly' };
  }
  return undefined;
}

export function mapError(err: FastifyError | Error): MappedError {
  // A protocol refusal that no service wrapped (a malformed key or envelope reaching shared/crypto)
  // is the client's fault: 400 with the same code `verified()` gives it, not a 500.
  if (err instanceof CryptoError) err = apiError(err, 'protocol') as AppError;
  if (err instanceof AppError) {
    const hints = hintsOf(err);
    return { status: err.statusCode, code: err.code, message: err.message, ...(hints ? { hints } : {}) };
  }
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, code: 'validation_failed', message: fe.message };
  const code = typeof fe.code === 'string' ? fe.code : '';
  const known = FASTIFY_CODES[code];
  if (known) return { status: known.status, code: known.code, message: known.message ?? fe.message };
  // A blob write (attachment upload) on a full disk or over a filesystem quota.
  if (code === 'ENOSPC' || code === 'EDQUOT') return SQLITE_CODES.SQLITE_FULL!;
  const sqlite = SQLITE_CODES[code] ?? (code.startsWith('SQLITE_IOERR') ? SQLITE_CODES.SQLITE_IOERR : undefined);
  if (sqlite) return sqlite;
  const postgres = postgresError(code, fe.message ?? '');
  if (postgres) return postgres;
  if (code.startsWith('FST_JWT_')) return { status: 401, code: 'unauthorized', message: 'Missing, invalid or expired access token' };
  if (err instanceof SyntaxError || /prototype|constructor/i.test(fe.message) && fe.statusCode === 400) {
    return { status: 400, code: 'invalid_json', message: 'Body is not valid JSON or contains forbidden keys' };
  }
  const status = fe.statusCode ?? 500;
  if (status === 429) return { status, code: 'rate_limited', message: 'Too many requests; slow down' };
  if (status >= 400 && status < 500) return { status, code: 'bad_request', message: fe.message };
  return { status: status >= 500 && status < 600 ? status : 500, code: 'internal_error', message: 'Internal server error' };
}

/** A signed-in officer's refused access attempt goes to the audit trail; the response stays as it is. */
async function auditDenial(app: FastifyInstance, req: FastifyRequest, err: Error): Promise<void> {
  if (!req.actor) return;
  const params = (req.params ?? {}) as Record<string, unknown>;
  const id = params.id ?? Object.values(params)[0];
  try {
    await app.ctx.accessDenials.fromError(req.actor, err, {
      route: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
      targetId: typeof id === 'string' ? id.slice(0, 128) : null,
    });
  } catch (auditErr) {
    req.log.error({ err: auditErr }, 'could not audit a refused access attempt');
  }
}

/** One place maps every error to `{ error: { code, message } }`; no stack traces or internals leave the server. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const mapped = mapError(err);
    // Awaited: the refusal is in the audit trail by the time the caller sees the response.
    await auditDenial(app, req, err);
    if (mapped.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: mapped.code, status: mapped.status }, 'request rejected');
    // An error's own retryAfterSeconds (busy, login back-off) wins; any other 503 asks for a retry in 1 s.
    const retryAfter = mapped.hints?.retryAfterSeconds ?? (mapped.status === 503 ? 1 : undefined);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.status(mapped.status).send({ error: { code: mapped.code, message: mapped.message, ...mapped.hints } });
  });
}

/** The 404 reply; `limiter` (the per-IP rate limit) runs first, so unknown URLs are throttled too. */
export function registerNotFoundHandler(app: FastifyInstance, limiter: preValidationHookHandler): void {
  // A 404 handler takes preValidation/preHandler hooks only (not onRequest); nothing else runs before it.
  app.setNotFoundHandler({ preValidation: limiter }, (req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${req.method} ${req.url.split('?')[0]}` } }),
  );
}
