import type { Static, TSchema } from 'typebox';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where every contract path below is mounted, unless the contract says `root: true`. */
export const API_PREFIX = '/api/v1';

/**
 * One HTTP endpoint's wire contract, defined once in `shared/api` and used by the server (route
 * registration, validation, OpenAPI) and by the SDK (`HttpClient.call`), so the three cannot drift.
 */
export interface Endpoint {
  readonly method: HttpMethod;
  /** Fastify-style path under `API_PREFIX` (or the server root with `root`), e.g. `/channels/:id`. */
  readonly path: string;
  readonly tags: readonly string[];
  readonly summary?: string;
  readonly description?: string;
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly body?: TSchema;
  /** Status → schema, error statuses included (`errorResponses(...)`), so OpenAPI lists them all. */
  readonly response: { readonly [status: number]: TSchema };
  /** Served without a signed-in officer (no bearer token; OpenAPI `security: []`). */
  readonly public?: true;
  /** Mounted at the server root instead of `API_PREFIX` (health checks). */
  readonly root?: true;
  /** The request body is raw bytes of this content type (attachments), not JSON. */
  readonly rawBody?: 'application/octet-stream';
  /** The success response is raw bytes, not JSON. */
  readonly binaryResponse?: true;
}

/** Identity with `const` inference: keeps literal methods, paths and the exact schema types. */
export function defineEndpoint<const E extends Endpoint>(endpoint: E): E {
  return endpoint;
}

type SuccessStatus = 200 | 201 | 202 | 203 | 204;
type Schema<E, K extends string> = E extends { readonly [P in K]: infer S extends TSchema } ? S : undefined;

export type ParamsOf<E extends Endpoint> = Schema<E, 'params'>;
export type QueryOf<E extends Endpoint> = Schema<E, 'query'>;
export type BodyOf<E extends Endpoint> = Schema<E, 'body'>;

/** The decoded success body of a contract: the union over its 2xx response schemas. */
export type SuccessOf<E extends Endpoint> = {
  [S in keyof E['response'] & SuccessStatus]: E['response'][S] extends TSchema ? Static<E['response'][S]> : never;
}[keyof E['response'] & SuccessStatus];

/** What a caller passes: params and body when the contract has them, query when it has one. */
export type CallInput<E extends Endpoint> = (ParamsOf<E> extends TSchema ? { params: Static<ParamsOf<E>> } : { params?: undefined }) &
  (QueryOf<E> extends TSchema ? { query?: Static<QueryOf<E>> } : { query?: undefined }) &
  (BodyOf<E> extends TSchema ? { body: Static<BodyOf<E>> } : { body?: undefined });

/** Fills `:name` segments of a contract path from `params`, URI-encoded. */
export function fillPath(path: string, params: Readonly<Record<string, unknown>> | undefined): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new TypeError(`fillPath: missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
}

/** The OpenAPI form of a contract path: `/channels/:id` → `/api/v1/channels/{id}`. */
export function openApiPath(endpoint: Endpoint): string {
  return `${endpoint.root ? '' : API_PREFIX}${endpoint.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
}
