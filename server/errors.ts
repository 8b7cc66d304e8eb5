import type { ErrorCode } from '../shared/errors.ts';

/** Typed application errors; one handler (server/http/error-handler.ts) maps them to `{ error: { code, message } }`. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(message: string, code: ErrorCode = 'validation_failed', options?: { cause?: unknown }) {
    super(400, code, message, options);
  }
}

export class AuthRequiredError extends AppError {
  override name = 'AuthRequiredError';
  constructor(message = 'Authentication required', code: ErrorCode = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message = 'You are not allowed to do this', code: ErrorCode = 'forbidden') {
    super(403, code, message);
  }
}

/** Also used for resources that exist but are outside the caller's reach, so "forbidden" and "missing" look the same. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(what = 'Resource') {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string, code: ErrorCode = 'conflict', options?: { cause?: unknown }) {
    super(409, code, message, options);
  }
}

export class UnavailableError extends AppError {
  override name = 'UnavailableError';
  constructor(message = 'Service temporarily unavailable, retry shortly', options?: { cause?: unknown }) {
    super(503, 'unavailable', message, options);
  }
}

/** Load shedding: the server refuses work it cannot start soon; `retryAfterSeconds` becomes Retry-After. */
export class BusyError extends AppError {
  override name = 'BusyError';
  constructor(message = 'The server is busy; retry shortly', retryAfterSeconds = 1) {
    super(503, 'busy', message, { details: { retryAfterSeconds } });
  }
}

/** A request that arrived too slowly (see config.limits); the connection is closed after the reply. */
export class RequestTimeoutError extends AppError {
  override name = 'RequestTimeoutError';
  constructor(message = 'The request arrived too slowly') {
    super(408, 'request_timeout', message);
  }
}

/** Sign-in back-off (NIST SP 800-63B §5.2.2): the attempt was not evaluated; retry after the delay. */
export class ThrottledError extends AppError {
  override name = 'ThrottledError';
  constructor(retryAfterMs: number) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(429, 'login_throttled', `Too many failed sign-ins; try again in ${retryAfterSeconds} s`, { details: { retryAfterSeconds } });
  }
}

/**
 * An authorisation refusal answered as "not found" so a caller cannot tell hidden from missing; the
 * response is byte-identical to NotFoundError, but the error handler audits it as access.denied.
 */
export class ConcealedDenialError extends NotFoundError {
  override name = 'ConcealedDenialError';
  /** The kind of resource refused, e.g. "officer", for the audit event. */
  readonly resource: string;
  constructor(
    what: string,
    readonly reason: string,
  ) {
    super(what);
    this.resource = what.toLowerCase();
  }
}
