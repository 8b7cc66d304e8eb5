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
  problem: Type.Union([
    Type.Null(),
    Type.Object({ seq: Type.Integer(), kind: Type.String(), message: Type.String() }),
  ]),
});
export type AuditVerification = Static<typeof AuditVerification>;
