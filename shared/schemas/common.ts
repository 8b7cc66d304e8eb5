import { Type, type Static } from 'typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable error code' }),
      message: Type.String({ description: 'Human-readable explanation' }),
      triesRemaining: Type.Optional(Type.Integer({ description: 'Failed sign-ins left before a back-off starts' })),
      retryAfterSeconds: Type.Optional(Type.Integer({ description: 'Seconds to wait before retrying (also the Retry-After header)' })),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** Milliseconds since the Unix epoch, UTC. */
export const Timestamp = Type.Integer({ minimum: 0, description: 'Milliseconds since the Unix epoch (UTC)' });

export const OkBody = Type.Object({ ok: Type.Literal(true) });

export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
};

/** Standard error responses for route schemas, so OpenAPI documents them. */
export function errorResponses<const C extends readonly number[]>(...codes: C): { [K in C[number]]: typeof ErrorBody } {
  return Object.fromEntries(codes.map((c) => [c, ErrorBody])) as { [K in C[number]]: typeof ErrorBody };
}
