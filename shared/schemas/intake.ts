import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';
import { WireObject } from './keys.ts';
import { ContactBody } from './directory.ts';

/** Desk intake (PROTOCOL.md §11, docs/DESKS.md "Desk intake"): statements and sealed requests travel as wire JSON. */
export const PublishIntakeKeyBody = Type.Object({ statement: WireObject('intakeKeyStatementCodec (A.15), signed by a supervisor of the desk') }, { additionalProperties: false });

export const IntakeKeyView = Type.Object({
  deskId: Id,
  version: Type.Integer({ minimum: 1 }),
  statement: WireObject('intakeKeyStatementCodec (A.15)'),
  signerId: Id,
  createdAt: Timestamp,
});
export type IntakeKeyView = Static<typeof IntakeKeyView>;
export const IntakeKeyBody = Type.Object({ key: IntakeKeyView });
export const IntakeKeyList = Type.Object({ keys: Type.Array(IntakeKeyView) });

/** What a requester needs to verify the desk's current statement under the desk agency's root (§11.1). */
export const DirectoryIntake = Type.Object({
  statement: WireObject('intakeKeyStatementCodec (A.15): the current version'),
  signerCertificate: WireObject("certificateCodec: the signer's current certificate"),
});
export type DirectoryIntake = Static<typeof DirectoryIntake>;

export const SubmitDeskRequestBody = Type.Object(
  {
    request: WireObject('deskRequestCodec (A.16), signed by the caller'),
    /** The page's priority (default urgent); quiet hours hold back a normal one. */
    priority: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('normal')])),
  },
  { additionalProperties: false },
);
export const DeskRequestCreated = Type.Object({ id: Id, receivedAt: Timestamp, pageId: Id });
/** A sealed Art. 4(1) copy to the agency's SPOC desk: stored, not paged. */
export const SubmitSpocCopyBody = Type.Object({ request: WireObject("deskRequestCodec (A.16) to the agency's SPOC desk, signed by the caller") }, { additionalProperties: false });
export const SpocCopyCreated = Type.Object({ id: Id, receivedAt: Timestamp });
export type SpocCopyCreated = Static<typeof SpocCopyCreated>;
export type DeskRequestCreated = Static<typeof DeskRequestCreated>;

/** `copy`: an Art. 4(1) copy to the agency's SPOC desk (docs/REQUESTS.md), never paged or claimed. */
export const DeskRequestState = Type.Union([Type.Literal('open'), Type.Literal('claimed'), Type.Literal('copy')]);

/** What the server knows of a stored request beyond its sealed bytes: its stamp, page and claim. */
const requestStatus = {
  receivedAt: Timestamp,
  pageId: Type.Union([Id, Type.Null()]),
  state: DeskRequestState,
  claimedBy: Type.Union([Id, Type.Null()]),
  claimedAt: Type.Union([Timestamp, Type.Null()]),
  caseChannelId: Type.Union([Id, Type.Null()]),
  /** A copy: the request (GET /requests/:id) it was declared with, once linked; null otherwise. */
  copyOf: Type.Union([Id, Type.Null()]),
};

/** A stored desk request as the desk sees it: the sealed wire object plus the server's stamp and claim. */
export const DeskRequestView = Type.Object({
  id: Id,
  deskId: Id,
  request: WireObject('deskRequestCodec (A.16)'),
  ...requestStatus,
});
export type DeskRequestView = Static<typeof DeskRequestView>;
export const DeskRequestList = Type.Object({ requests: Type.Array(DeskRequestView) });
export const DeskRequestBody = Type.Object({ request: DeskRequestView });
/** The linked request and the requester's pending invitation (another agency), which the requester's SDK co-signs. */
export const CaseChannelCreated = Type.Object({ request: DeskRequestView, invitationId: Type.Union([Id, Type.Null()]) });
export type CaseChannelCreated = Static<typeof CaseChannelCreated>;

/** A requester's own request: its state, never the content (the requester has it) nor another requester's. */
export const MyDeskRequest = Type.Object({
  id: Id,
  deskId: Id,
  requestId: Type.String(),
  ...requestStatus,
});
export type MyDeskRequest = Static<typeof MyDeskRequest>;
export const MyDeskRequestList = Type.Object({ requests: Type.Array(MyDeskRequest) });

export const DeskRequestsQuery = Type.Object({ state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('claimed'), Type.Literal('copy'), Type.Literal('all')])) }, { additionalProperties: false });
export const DeskRequestParams = Type.Object({ id: Id, requestId: Id }, { additionalProperties: false });

/**
 * The case channel, opened by the claimer as a directory contact is: the signed create event of a `direct`
 * channel (agreement = the covering one, or "" for a contact request) and, for another agency, the requester's
 * add as `invite`, which the requester's SDK co-signs.
 */
export const CaseChannelBody = Type.Omit(ContactBody, ['recipientId']);
export type CaseChannelBody = Static<typeof CaseChannelBody>;
