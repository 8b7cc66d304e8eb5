import { Type, type Static } from 'typebox';
import { Timestamp } from './common.ts';

export const AuditEvent = Type.Object({
  seq: Type.Integer(),
  at: Timestamp,
  actorId: Type.Union([Type.String(), Type.Null()]),
  agencyId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditQuery = Type.Object(
  {
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const AuditPage = Type.Object({
  events: Type.Array(AuditEvent),
  nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]),
});

export const AuditVerification = Type.Object({
  ok: Type.Boolean(),
  eventsChecked: Type.Integer(),
  checkpointsChecked: Type.Integer(),
  lastSeq: Type.Integer(),
  /** Heads of the external append-only file the chain was compared with (absent when not compared). */
  externalHeadsChecked: Type.Optional(Type.Integer()),
  problem: Type.Union([
    Type.Null(),
    Type.Object({ seq: Type.Integer(), kind: Type.String(), message: Type.String() }),
  ]),
});
export type AuditVerification = Static<typeof AuditVerification>;

/** The newest signed head (docs/AUDIT.md): administrators' clients remember the highest one they saw. */
export const AuditHead = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  at: Timestamp,
  signature: Type.String({ pattern: '^[0-9a-f]{128}$' }),
  publicKey: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export const AuditHeadBody = Type.Object({ head: Type.Union([AuditHead, Type.Null()]) });
export type AuditHeadBody = Static<typeof AuditHeadBody>;
