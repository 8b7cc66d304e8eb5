import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';
import { WireObject } from './keys.ts';
import { RequestDeclared, RequestSendResult } from './requests.ts';
import { CHANNEL_KINDS } from '../crypto/channel-state.ts';
import { HANDLING_CODES } from '../crypto/handling.ts';

// One vocabulary with the protocol: channel kinds and TLP codes are signed into events and envelopes.
export { CHANNEL_KINDS, HANDLING_CODES };
export const HandlingCodeSchema = Type.Enum(HANDLING_CODES);
export const RECEIPT_KINDS = ['delivered', 'read', 'acknowledged'] as const;

export const CaseRefIndex = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'base64url keyed BLAKE2b-256 of the normalised case reference' });

export const ChannelListQuery = Type.Object({ caseRefIndex: Type.Optional(CaseRefIndex) }, { additionalProperties: false });

const EncryptedMeta = Type.String({ maxLength: 16_384, description: 'Opaque client ciphertext (base64url) of title, description, case reference' });

export const CreateChannelBody = Type.Object(
  {
    /** The signed create event (seq 0) and any same-agency add events that follow it, in order. */
    events: Type.Array(WireObject('membershipEventCodec'), { minItems: 1, maxItems: 200 }),
    /** Key envelope for the last event's epoch (optional: can follow with POST key-envelopes). */
    keyEnvelope: Type.Optional(WireObject('keyEnvelopeCodec')),
    encryptedMeta: EncryptedMeta,
    /** Keyed blind index of the case reference (base64url BLAKE2b-256, computed by the creator's SDK). */
    caseRefIndex: Type.Optional(CaseRefIndex),
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    /**
     * Adds of officers of other agencies, each built on the last event and not co-signed. All are
     * checked with the create (one refused refuses the whole create); the first becomes a pending
     * invitation in the same transaction, the creator proposes the others once it is answered.
     */
    invites: Type.Optional(Type.Array(WireObject('membershipEventCodec'), { maxItems: 200 })),
  },
  { additionalProperties: false },
);

export const ChannelMember = Type.Object({ officerId: Id, agencyId: Id, role: Type.Enum(['owner', 'member'] as const), fromEpoch: Type.Integer() });

export const Channel = Type.Object({
  id: Id,
  kind: Type.Enum(CHANNEL_KINDS),
  agreementId: Type.Union([Id, Type.Null()]),
  createdBy: Id,
  createdAt: Timestamp,
  encryptedMeta: Type.String(),
  caseRefIndex: Type.Union([Type.String(), Type.Null()]),
  headSeq: Type.Integer({ description: 'Seq of the latest membership event = current epoch' }),
  headHash: Type.String(),
  lastMessageSeq: Type.Integer(),
  retentionDays: Type.Integer(),
  /** True while any agency's legal hold stands (retention then deletes nothing). */
  legalHold: Type.Boolean(),
  /** The agencies holding the channel; each lifts only its own hold (PATCH legalHold: false by its administrator). */
  legalHoldAgencies: Type.Array(Id),
  /** Null when writable; otherwise why sends are refused (agreement_ended, closed, access_revoked…). */
  readOnly: Type.Union([Type.String(), Type.Null()]),
  contactRequest: Type.Union([Type.Enum(['pending', 'accepted', 'declined'] as const), Type.Null()]),
  /** The directory entry the channel was opened from (contact requests and directory-opened direct channels). */
  contactEntryId: Type.Optional(Type.Union([Id, Type.Null()])),
  members: Type.Array(ChannelMember),
  /** In the caller's channel list and GET /channels/:id: the caller's read marker (highest seq read on any device; 0 = none). */
  readSeq: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type Channel = Static<typeof Channel>;

export const AppendEventBody = Type.Object(
  { event: WireObject('membershipEventCodec'), keyEnvelope: Type.Optional(WireObject('keyEnvelopeCodec')) },
  { additionalProperties: false },
);

export const Invitation = Type.Object({
  id: Id,
  channelId: Id,
  event: WireObject('membershipEventCodec (unsigned by the invitee side)'),
  inviteeId: Id,
  createdBy: Id,
  createdAt: Timestamp,
  status: Type.Enum(['pending', 'accepted', 'declined', 'stale'] as const),
  /** True when accepting makes the invitee the second participant of a contact request (no agreement). */
  contactRequest: Type.Optional(Type.Boolean()),
});

export const AcceptInvitationBody = Type.Object(
  { event: WireObject('membershipEventCodec with the co-signature') },
  { additionalProperties: false },
);

export const UpdateChannelBody = Type.Object(
  {
    encryptedMeta: Type.Optional(EncryptedMeta),
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    /** true places the caller's agency's hold, false lifts it (agency administrators of a member agency). */
    legalHold: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SendMessageBody = Type.Object(
  {
    envelope: WireObject('messageEnvelopeCodec'),
    ackRequired: Type.Optional(Type.Boolean()),
    /**
     * The sender declares the message urgent: in a channel that belongs to a desk it pages the desk
     * (docs/DESKS.md "Pages for messages"). Not stored with the message: the page keeps it.
     */
    urgent: Type.Optional(Type.Boolean()),
    attachmentIds: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 20, uniqueItems: true })),
    /**
     * Forwarding: the message this one forwards (the server enforces the rules of PROTOCOL.md §8 on it); `grantId`
     * names the originator's `use-grant` that allows an H2 message onward (§8.3).
     */
    forwardedFrom: Type.Optional(Type.Object({ messageId: Id, grantId: Type.Optional(Id) }, { additionalProperties: false })),
    /**
     * A `use-grant` message (PROTOCOL.md §8.3) declares what it grants, so the server can check an H2 forward: only
     * the sender of `sourceMessageId`, in the same channel, may declare one. The signed grant itself is encrypted.
     */
    grant: Type.Optional(
      Type.Object(
        {
          sourceMessageId: Id,
          purpose: Type.Union([Type.Literal('judicial-proceedings'), Type.Literal('onward-to-third-party')]),
          granteeAgencyId: Id,
          expiresAt: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    /** A request or a request's state change: its declared metadata (PROTOCOL.md §9.2, docs/REQUESTS.md). */
    request: Type.Optional(RequestDeclared),
  },
  { additionalProperties: false },
);
export type SendMessageBody = Static<typeof SendMessageBody>;

export const SendResult = Type.Object({
  channelId: Id,
  messageId: Id,
  seq: Type.Integer(),
  createdAt: Timestamp,
  duplicate: Type.Boolean({ description: 'True when this id was already stored (idempotent retry)' }),
  pageId: Type.Optional(
    Type.String({ description: "An urgent or acknowledgement-requested message in a desk's channel: the desk's page it opened or joined (GET /pages/:id shows the desk's phone once it is exhausted)" }),
  ),
  request: Type.Optional(RequestSendResult),
});
export type SendResult = Static<typeof SendResult>;

export const StoredMessage = Type.Object({
  channelId: Id,
  messageId: Id,
  seq: Type.Integer(),
  senderId: Id,
  epoch: Type.Integer(),
  handling: HandlingCodeSchema,
  envelope: WireObject('messageEnvelopeCodec'),
  ackRequired: Type.Boolean(),
  attachmentIds: Type.Array(Type.String()),
  forwardedFrom: Type.Union([Id, Type.Null()]),
  createdAt: Timestamp,
  /** A request message: its declared metadata as the server recorded it (without `caseIndex`); the client compares it with the payload. */
  request: Type.Optional(RequestDeclared),
});
export type StoredMessage = Static<typeof StoredMessage>;

export const ReceiptBody = Type.Object(
  { kind: Type.Enum(RECEIPT_KINDS), messageIds: Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { additionalProperties: false },
);

export const Receipt = Type.Object({
  channelId: Id,
  messageId: Id,
  officerId: Id,
  kind: Type.Enum(RECEIPT_KINDS),
  at: Timestamp,
});
export type Receipt = Static<typeof Receipt>;

export const ReadMarkerBody = Type.Object({ seq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/** An officer's read marker in a channel: a `read_marker` feed item to the officer's own devices, and PUT's answer. */
export const ReadMarker = Type.Object({
  channelId: Id,
  officerId: Id,
  seq: Type.Integer({ minimum: 0, description: 'Highest message seq read (never moves backwards)' }),
  at: Timestamp,
});
export type ReadMarker = Static<typeof ReadMarker>;

export const FEED_KINDS = ['message', 'membership', 'key_envelope', 'receipt', 'invitation', 'channel', 'read_marker'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/**
 * A `channel` item: the channel's view, plus, when an institution's extended access was revoked,
 * the officers removed without a membership event (their side must rekey the channel).
 */
export const ChannelFeedData = Type.Object({
  ...Channel.properties,
  rekeyRequired: Type.Optional(Type.Boolean()),
  removedOfficerIds: Type.Optional(Type.Array(Id)),
});

/** The `data` of each feed kind; the server writes exactly these (FeedWriter.append is typed by this map). */
export const FEED_DATA = {
  message: StoredMessage,
  membership: WireObject('membershipEventCodec'),
  key_envelope: WireObject('keyEnvelopeCodec'),
  receipt: Receipt,
  invitation: Invitation,
  channel: ChannelFeedData,
  read_marker: ReadMarker,
} as const satisfies Record<FeedKind, unknown>;
export type FeedData<K extends FeedKind> = Static<(typeof FEED_DATA)[K]>;

const feedItemOf = <K extends FeedKind>(kind: K) =>
  Type.Object({ pos: Type.Integer(), kind: Type.Literal(kind), channelId: Id, data: FEED_DATA[kind], createdAt: Timestamp }, { title: `FeedItem_${kind}` });

/** One sync/realtime item, discriminated by `kind`: narrowing on `kind` types `data`. */
export const FeedItem = Type.Union([
  feedItemOf('message'),
  feedItemOf('membership'),
  feedItemOf('key_envelope'),
  feedItemOf('receipt'),
  feedItemOf('invitation'),
  feedItemOf('channel'),
  feedItemOf('read_marker'),
]);
export type FeedItem = Static<typeof FeedItem>;
/** The feed item of one kind. */
export type FeedItemOf<K extends FeedKind> = Extract<FeedItem, { kind: K }>;

export const SyncQuery = Type.Object(
  { cursor: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);

export const SyncPage = Type.Object({
  items: Type.Array(FeedItem),
  cursor: Type.Integer({ description: 'Pass back as ?cursor= to continue' }),
  hasMore: Type.Boolean(),
});

export const AttachmentInfo = Type.Object({ attachmentId: Type.String(), size: Type.Integer(), channelId: Id });
