import { Type, type Static } from 'typebox';
import {
  ANSWER_COMPLETENESS,
  CLARIFICATION_STEPS,
  REFUSAL_GROUND_CODES,
  REQUEST_MESSAGE_KINDS,
  REQUEST_STATES,
  REQUEST_TEMPLATES,
  REQUEST_URGENCIES,
} from '../requests/lifecycle.ts';
import { Id, Timestamp } from './common.ts';


/**
 * A request message's declared metadata (PROTOCOL.md §9.2), sent beside its envelope: the server validates it,
 * enforces the state machine on it and stores it; it serves it with the message, and the receiving client refuses
 * the message when it differs from the signed payload.
 */
export const RequestDeclared = Type.Object(
  {
    ref: Type.String({ minLength: 1, maxLength: 128 }),
    kind: Type.Enum(REQUEST_MESSAGE_KINDS),
    /** answer: full | partial; clarification: asked | given. */
    state: Type.Optional(Type.Enum([...ANSWER_COMPLETENESS, ...CLARIFICATION_STEPS])),
    /** refusal: the Art. 6(1) ground. */
    ground: Type.Optional(Type.Enum(REFUSAL_GROUND_CODES)),
    /** request only. */
    template: Type.Optional(Type.Enum(REQUEST_TEMPLATES)),
    urgency: Type.Optional(Type.Enum(REQUEST_URGENCIES)),
    directAccess: Type.Optional(Type.Boolean()),
    /** request only: the requested agency, needed when the channel has members of more than one other agency. */
    requestedAgencyId: Type.Optional(Id),
    /** request only: the requester's case-reference blind index, for duplicate hints; not served with the message. */
    caseIndex: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    /** request only: the id of its sealed copy to the requesting agency's SPOC desk (Art. 4(1)); not served with the message. */
    spocCopy: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type RequestDeclared = Static<typeof RequestDeclared>;

/** What the send result says about the request the message made or changed. */
export const RequestSendResult = Type.Object({
  id: Id,
  state: Type.Enum(REQUEST_STATES),
  deadline: Timestamp,
  /** Open requests between the same agencies with the same case-reference blind index. */
  possibleDuplicates: Type.Optional(Type.Array(Id)),
});

export const RequestEvent = Type.Object({
  messageId: Id,
  kind: Type.Enum(REQUEST_MESSAGE_KINDS),
  detail: Type.Union([Type.String(), Type.Null()]),
  state: Type.Enum(REQUEST_STATES),
  actorId: Id,
  agencyId: Id,
  at: Timestamp,
});

export const RequestView = Type.Object({
  id: Id,
  channelId: Id,
  ref: Type.String(),
  messageId: Id,
  template: Type.Enum(REQUEST_TEMPLATES),
  urgency: Type.Enum(REQUEST_URGENCIES),
  directAccess: Type.Boolean(),
  requesterId: Id,
  requesterAgencyId: Id,
  requesterCountry: Type.String(),
  requestedAgencyId: Id,
  requestedCountry: Type.String(),
  agreementId: Type.Union([Id, Type.Null()]),
  deskId: Type.Union([Id, Type.Null()]),
  timeZone: Type.String({ description: "The requested side's zone the calendar-day deadline was counted in" }),
  state: Type.Enum(REQUEST_STATES),
  receivedAt: Timestamp,
  deadline: Timestamp,
  suspendedMs: Type.Integer({ minimum: 0, description: 'Time clarifications suspended the deadline (Art. 6(3)), already added to `deadline`' }),
  clarificationSince: Type.Union([Timestamp, Type.Null()]),
  judicialPendingSince: Type.Union([Timestamp, Type.Null()]),
  firstAnswerAt: Type.Union([Timestamp, Type.Null()]),
  closedAt: Type.Union([Timestamp, Type.Null()]),
  refusalGround: Type.Union([Type.Enum(REFUSAL_GROUND_CODES), Type.Null()]),
  overdue: Type.Boolean({ description: 'The deadline passed while the clock runs (open or partially answered)' }),
});
export type RequestView = Static<typeof RequestView>;

export const RequestDetail = Type.Object({ request: RequestView, timeline: Type.Array(RequestEvent) });
export type RequestDetail = Static<typeof RequestDetail>;
export const RequestList = Type.Object({ requests: Type.Array(RequestView) });
export type RequestList = Static<typeof RequestList>;

export const RequestsQuery = Type.Object(
  {
    role: Type.Optional(Type.Enum(['sent', 'received'])),
    state: Type.Optional(Type.Enum(REQUEST_STATES)),
    overdue: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
  },
  { additionalProperties: false },
);

export const RequestSettings = Type.Object({
  agencyId: Id,
  timeZone: Type.String(),
  /** The agency's SPOC desk: every outgoing request is copied to it (Art. 4(1)); null when the rule is off. */
  spocDeskId: Type.Union([Id, Type.Null()]),
  /** To the agency's own officers when the rule is on: the SPOC desk's current intake key statement (A.15) and its signer's certificate. */
  spoc: Type.Optional(
    Type.Object({
      statement: Type.Record(Type.String(), Type.Unknown(), { description: 'intakeKeyStatementCodec (A.15): the current version' }),
      signerCertificate: Type.Record(Type.String(), Type.Unknown(), { description: "certificateCodec: the signer's current certificate" }),
    }),
  ),
});
export type RequestSettings = Static<typeof RequestSettings>;
export const RequestSettingsBody = Type.Object(
  { timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), spocDeskId: Type.Optional(Type.Union([Id, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);
