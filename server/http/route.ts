import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault, RouteGenericInterface, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { BodyOf, Endpoint, ParamsOf, QueryOf } from '../../shared/api/endpoint.ts';

export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The Fastify schema of a contract, as a type: what the TypeBox provider reads to type req and reply. */
export interface SchemaOf<E extends Endpoint> {
  params: ParamsOf<E>;
  querystring: QueryOf<E>;
  body: BodyOf<E>;
  response: E['response'];
}

export type ContractHandler<E extends Endpoint> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  unknown,
  SchemaOf<E>,
  TypeBoxTypeProvider
>;

/** Route options that are not wire contract: rate limits, body limits, hooks, route config. */
export type RouteExtras = Omit<RouteShorthandOptions, 'schema'>;

/**
 * Registers a Fastify route from its `shared/api` contract: method, path, validation and the
 * OpenAPI schema come from the contract, so `req.params/query/body` and the reply are typed by it.
 * A `public` contract opts out of authentication (`config.auth = false`, OpenAPI `security: []`).
 */
export function route<E extends Endpoint>(app: TypedApp, contract: E, handler: ContractHandler<E>): void;
export function route<E extends Endpoint>(app: TypedApp, contract: E, extras: RouteExtras, handler: ContractHandler<E>): void;
export function route<E extends Endpoint>(app: TypedApp, contract: E, a: RouteExtras | ContractHandler<E>, b?: ContractHandler<E>): void {
  const extras = typeof a === 'function' ? {} : a;
  const handler = typeof a === 'function' ? a : b!;
  const config = { ...(contract.public ? { auth: false } : {}), ...extras.config };
  app.route({
    ...extras,
    method: contract.method,
    url: contract.path,
    config,
    schema: schemaOf(contract),
    // The handler's type is checked against the contract above; Fastify's own overloads cannot see that.
    handler: handler as RouteHandlerMethod,
  });
}

/** The Fastify/OpenAPI route schema of a contract. */
export function schemaOf(contract: Endpoint): Record<string, unknown> {
  return {
    tags: [...contract.tags],
    ...(contract.summary !== undefined ? { summary: contract.summary } : {}),
    ...(contract.description !== undefined ? { description: contract.description } : {}),
    ...(contract.public ? { security: [] } : {}),
    ...(contract.params ? { params: contract.params } : {}),
    ...(contract.query ? { querystring: contract.query } : {}),
    ...(contract.body ? { body: contract.body } : {}),
    ...(contract.rawBody ? { consumes: [contract.rawBody] } : {}),
    response: contract.response,
  };
}
