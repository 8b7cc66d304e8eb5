/** HTTP error from the Liaison API: the status and the server's `{ error: { code, message } }`. */
export class LiaisonApiError extends Error {
  override name = 'LiaisonApiError';
  readonly status: number;
  readonly code: string;
  /** Numeric hints the server adds to some errors: `triesRemaining` (sign-in), `retryAfterSeconds` (back-off). */
  readonly details: { triesRemaining?: number; retryAfterSeconds?: number };
  constructor(status: number, code: string, message: string, options?: { cause?: unknown; details?: LiaisonApiError['details'] }) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = options?.details ?? {};
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
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
