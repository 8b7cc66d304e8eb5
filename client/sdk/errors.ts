import type { ErrorCode } from '../../shared/errors.ts';

export type { ErrorCode, ProtocolErrorCode, ServerErrorCode } from '../../shared/errors.ts';

/** Codes of errors the SDK raises itself (`LiaisonClientError`: "keys/locked", …) and `NetworkError`. */
export type ClientErrorCode = `${string}/${string}` | 'network';

/** HTTP error from the Liaison API: the status and the server's `{ error: { code, message } }`. */
export class LiaisonApiError extends Error {
  override name = 'LiaisonApiError';
  readonly status: number;
  readonly code: ErrorCode;
  /** Numeric hints the server adds to some errors: `triesRemaining` (sign-in), `retryAfterSeconds` (back-off). */
  readonly details: { triesRemaining?: number; retryAfterSeconds?: number };
  constructor(status: number, code: string, message: string, options?: { cause?: unknown; details?: LiaisonApiError['details'] }) {
    super(message, options);
    this.status = status;
    // The server sends only ERROR_CODES (shared/errors.ts); `code` stays a string at the wire boundary.
    this.code = code as ErrorCode;
    this.details = options?.details ?? {};
  }

  /** Narrows on the code: `if (err.is('login_throttled')) …`. */
  is<C extends ErrorCode>(code: C): this is LiaisonApiError & { readonly code: C } {
    return this.code === code;
  }
}

/** The request never got an HTTP answer (connection refused, reset, timeout): safe to retry idempotent calls. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  readonly code = 'network';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The SDK refused an operation: locked keys, unverified member, untrusted chain, … */
export class LiaisonClientError extends Error {
  override name = 'LiaisonClientError';
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
