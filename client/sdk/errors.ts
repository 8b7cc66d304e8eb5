/** HTTP error from the Liaison API: the status and the server's `{ error: { code, message } }`. */
export class LiaisonApiError extends Error {
  override name = 'LiaisonApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
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
