import { fillPath, type CallInput, type Endpoint, type SuccessOf } from '../../shared/api/endpoint.ts';
import { refresh as refreshContract } from '../../shared/api/auth.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { LiaisonApiError, NetworkError } from './errors.ts';

export type FetchFn = typeof fetch;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body (attachments); sent as application/octet-stream. Streams only where the platform streams request bodies (Node). */
  bytes?: Uint8Array | Blob | ReadableStream<Uint8Array>;
  /**
   * Upload progress for a `Uint8Array`/`Blob` body. In browsers (XMLHttpRequest present, no custom
   * `fetch` given) the request goes through XHR, whose upload events are the real network progress;
   * elsewhere it is reported once the body is sent.
   */
  onUploadProgress?: (loaded: number, total: number) => void;
  /** Query parameters; undefined values are left out, others sent as `String(value)`. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  auth?: boolean;
  /** Read the response as bytes instead of JSON. */
  binary?: boolean;
  /** Download progress for binary responses (total = content-length, or 0 when unknown). */
  onProgress?: (loaded: number, total: number) => void;
}

/** Transport options of a contract call: raw bodies and progress (attachments). */
export type CallOptions = Pick<RequestOptions, 'bytes' | 'onUploadProgress' | 'onProgress'>;

/** A contract's result: its 2xx body, or the bytes for a binary response. */
export type CallResult<E extends Endpoint> = E extends { readonly binaryResponse: true } ? Uint8Array : SuccessOf<E>;

/** `call`'s arguments: the input may be left out when the contract needs no params or body. */
export type CallArgs<E extends Endpoint> = object extends CallInput<E> ? [input?: CallInput<E>, opts?: CallOptions] : [input: CallInput<E>, opts?: CallOptions];

const SIGNED_OUT_CODES = new Set(['refresh_token_reused', 'session_expired', 'invalid_refresh_token']);

/**
 * JSON over fetch with bearer auth. On 401 `invalid_token` it rotates the refresh token once
 * (single flight: concurrent requests share one refresh) and retries; when the refresh itself is
 * refused the session is over and `onSignedOut` fires.
 */
export class HttpClient {
  tokens: Tokens | null = null;
  private refreshing: Promise<void> | null = null;
  onTokens: (t: Tokens) => void = () => {};
  onSignedOut: (reason: string) => void = () => {};

  private readonly fetchFn: FetchFn;
  /** True when the application passed its own fetch: then every request goes through it (no XHR). */
  private readonly customFetch: boolean;

  constructor(
    readonly baseUrl: string,
    fetchFn?: FetchFn,
  ) {
    this.customFetch = fetchFn !== undefined;
    this.fetchFn = fetchFn ?? ((...a) => globalThis.fetch(...a));
  }

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  setSession(pair: Pick<TokenPair, 'accessToken' | 'refreshToken' | 'accessTokenExpiresAt'>): void {
    this.tokens = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, accessTokenExpiresAt: pair.accessTokenExpiresAt };
    this.onTokens(this.tokens);
  }

  /**
   * One call of a `shared/api` contract: path params filled in, query and JSON body from `input`,
   * no bearer token for a public contract, and the result typed as the contract's success response.
   */
  call<E extends Endpoint>(contract: E, ...[input, opts]: CallArgs<E>): Promise<CallResult<E>> {
    const { params, query, body } = (input ?? {}) as { params?: Record<string, unknown>; query?: RequestOptions['query']; body?: unknown };
    // The server answers with the contract's response schema (it serialises through it), so the
    // success body has the contract's type; errors throw before this point.
    const result = this.request(contract.method, fillPath(contract.path, params), {
      ...opts,
      ...(query !== undefined ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(contract.public ? { auth: false } : {}),
      ...(contract.binaryResponse ? { binary: true } : {}),
    });
    return result as Promise<CallResult<E>>;
  }

  /** Untyped call by method and path (`LiaisonClient.request`, for paths without a contract at hand); prefer `call`. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<unknown> {
    const auth = opts.auth ?? true;
    try {
      return await this.once(method, path, opts, auth);
    } catch (err) {
      if (auth && err instanceof LiaisonApiError && err.status === 401 && err.code === 'invalid_token' && this.tokens) {
        await this.refresh();
        return this.once(method, path, opts, auth);
      }
      throw err;
    }
  }

  /** Rotates the refresh token (shared by concurrent callers). */
  async refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const current = this.tokens;
    if (!current) throw new LiaisonApiError(401, 'signed_out', 'refresh: not signed in');
    try {
      // Typed by the refresh contract's response (see call()).
      const pair = (await this.once(refreshContract.method, refreshContract.path, { body: { refreshToken: current.refreshToken } }, false)) as TokenPair;
      this.setSession(pair);
    } catch (err) {
      if (err instanceof LiaisonApiError && (err.status === 401 || SIGNED_OUT_CODES.has(err.code))) {
        this.tokens = null;
        this.onSignedOut(err.code);
      }
      throw err;
    }
  }

  private async once(method: string, path: string, opts: RequestOptions, auth: boolean): Promise<unknown> {
    const headers: Record<string, string> = {};
    let body: BodyInit | undefined;
    if (opts.bytes) {
      headers['content-type'] = 'application/octet-stream';
      body = opts.bytes as BodyInit;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (auth && this.tokens) headers.authorization = `Bearer ${this.tokens.accessToken}`;
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (body !== undefined) init.body = body;
    // Streaming request bodies need half duplex in Node's fetch (and Chromium).
    if (opts.bytes instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res = this.useXhr(opts) ? await xhrFetch(this.url(path, opts.query), init, opts.onUploadProgress!) : await this.fetchFn(this.url(path, opts.query), init);
    } catch (cause) {
      throw new NetworkError(`${method} ${path}: ${cause instanceof Error ? cause.message : 'network error'}`, { cause });
    }
    if (!res.ok) throw await apiError(res, method, path);
    if (opts.onUploadProgress && opts.bytes && !(opts.bytes instanceof ReadableStream)) {
      const size = opts.bytes instanceof Uint8Array ? opts.bytes.length : opts.bytes.size;
      opts.onUploadProgress(size, size);
    }
    if (opts.binary) return readBytes(res, opts.onProgress);
    if (res.status === 204) return undefined;
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private useXhr(opts: RequestOptions): boolean {
    return !!opts.onUploadProgress && !!opts.bytes && !(opts.bytes instanceof ReadableStream) && !this.customFetch && typeof XMLHttpRequest === 'function';
  }
}

/**
 * One request through XMLHttpRequest, answered as a fetch `Response`: browsers report upload
 * progress only there (fetch has no upload events, and Chromium streams request bodies only over HTTP/2+).
 */
function xhrFetch(url: string, init: RequestInit, onUpload: (loaded: number, total: number) => void): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method ?? 'POST', url);
    xhr.responseType = 'arraybuffer';
    for (const [key, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onUpload(e.loaded, e.total);
    };
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      // 204/304 responses may not carry a body.
      const payload = xhr.status === 204 || xhr.status === 304 ? null : (xhr.response as ArrayBuffer);
      resolve(new Response(payload, { status: xhr.status, statusText: xhr.statusText, headers }));
    };
    xhr.onerror = () => reject(new TypeError('network error during upload'));
    xhr.onabort = () => reject(new TypeError('upload aborted'));
    xhr.send(init.body as XMLHttpRequestBodyInit);
  });
}

async function apiError(res: Response, method: string, path: string): Promise<LiaisonApiError> {
  let code = `http_${res.status}`;
  let message = `${method} ${path}: HTTP ${res.status}`;
  const details: LiaisonApiError['details'] = {};
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; triesRemaining?: unknown; retryAfterSeconds?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
    if (Number.isInteger(body.error?.triesRemaining)) details.triesRemaining = body.error?.triesRemaining as number;
    if (Number.isInteger(body.error?.retryAfterSeconds)) details.retryAfterSeconds = body.error?.retryAfterSeconds as number;
  } catch {
    // Not JSON: keep the generic message.
  }
  return new LiaisonApiError(res.status, code, message, { details });
}

async function readBytes(res: Response, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const parts: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
