import { Type } from 'typebox';
import { AcceptInvitationBody, AppendEventBody, Channel, ChannelListQuery, CreateChannelBody, Invitation, UpdateChannelBody } from '../schemas/channels.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { WireObject } from '../schemas/keys.ts';
import { defineEndpoint } from './endpoint.ts';

export const ChannelBody = Type.Object({ channel: Channel });
export const InvitationBody = Type.Object({ invitation: Invitation });
/** `invitation`: the pending invitation of the first of `invites`, null without invites. */
export const CreatedBody = Type.Object({ channel: Channel, invitation: Type.Union([Invitation, Type.Null()]) });
export const EventsQuery = Type.Object({ afterSeq: Type.Optional(Type.Integer({ minimum: -1 })) }, { additionalProperties: false });
export const EventsPage = Type.Object({ events: Type.Array(WireObject('membershipEventCodec')), headSeq: Type.Integer(), headHash: Type.String() });
export const AppendResult = Type.Object({ channel: Channel, duplicate: Type.Boolean() });
export const KeyEnvelopeBody = Type.Object({ keyEnvelope: WireObject('keyEnvelopeCodec') }, { additionalProperties: false });

const tags = ['channels'];
const invTags = ['invitations'];

export const create = defineEndpoint({
  method: 'POST',
  path: '/channels',
  tags,
  summary: 'Create a channel from its signed create event, same-agency adds and cross-agency invites (all or nothing)',
  body: CreateChannelBody,
  response: { 201: CreatedBody, ...errorResponses(400, 401, 403, 409) },
});

export const list = defineEndpoint({
  method: 'GET',
  path: '/channels',
  tags,
  summary: 'Your current channels (optionally only those with a given case-reference blind index)',
  query: ChannelListQuery,
  response: { 200: Type.Object({ channels: Type.Array(Channel) }), ...errorResponses(400, 401) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/channels/:id',
  tags,
  summary: 'One channel (current members only)',
  params: IdParams,
  response: { 200: ChannelBody, ...errorResponses(401, 404) },
});

export const update = defineEndpoint({
  method: 'PATCH',
  path: '/channels/:id',
  tags,
  summary: 'Owners: encrypted meta, retention; administrators of a member agency: legal hold',
  params: IdParams,
  body: UpdateChannelBody,
  response: { 200: ChannelBody, ...errorResponses(400, 401, 403, 404) },
});

export const events = defineEndpoint({
  method: 'GET',
  path: '/channels/:id/events',
  tags,
  summary: 'The signed membership chain after `afterSeq` (default: all)',
  params: IdParams,
  query: EventsQuery,
  response: { 200: EventsPage, ...errorResponses(400, 401, 404) },
});

export const appendEvent = defineEndpoint({
  method: 'POST',
  path: '/channels/:id/events',
  tags,
  summary: 'Append a signed membership event; a cross-agency add without co-signature becomes an invitation (202)',
  params: IdParams,
  body: AppendEventBody,
  response: { 200: AppendResult, 202: InvitationBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const postKeyEnvelope = defineEndpoint({
  method: 'POST',
  path: '/channels/:id/key-envelopes',
  tags,
  summary: "Distribute an epoch secret (the epoch event's author, to exactly that epoch's members)",
  params: IdParams,
  body: KeyEnvelopeBody,
  response: { 200: Type.Object({ stored: Type.Boolean() }), ...errorResponses(400, 401, 403, 404, 409) },
});

export const keyEnvelopes = defineEndpoint({
  method: 'GET',
  path: '/channels/:id/key-envelopes',
  tags,
  summary: 'Key envelopes of the epochs in which you were a member',
  params: IdParams,
  response: { 200: Type.Object({ keyEnvelopes: Type.Array(WireObject('keyEnvelopeCodec')) }), ...errorResponses(401, 404) },
});

export const invitations = defineEndpoint({
  method: 'GET',
  path: '/invitations',
  tags: invTags,
  summary: 'Pending invitations for you (administrators: for your agency)',
  response: { 200: Type.Object({ invitations: Type.Array(Invitation) }), ...errorResponses(401) },
});

export const acceptInvitation = defineEndpoint({
  method: 'POST',
  path: '/invitations/:id/accept',
  tags: invTags,
  summary: 'Accept with the co-signed add event (invitee or an administrator of their agency)',
  params: IdParams,
  body: AcceptInvitationBody,
  response: { 200: ChannelBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const invitationEvents = defineEndpoint({
  method: 'GET',
  path: '/invitations/:id/events',
  tags: invTags,
  summary:
    "The channel's signed membership events before the invitation's add (seq 0 … add.seq − 1), so the invitee verifies the chain " +
    'position it co-signs (PROTOCOL.md §5.5). The invited officer only, while the invitation is pending',
  params: IdParams,
  response: { 200: Type.Object({ events: Type.Array(WireObject('membershipEventCodec')) }), ...errorResponses(401, 404, 409) },
});

export const declineInvitation = defineEndpoint({
  method: 'POST',
  path: '/invitations/:id/decline',
  tags: invTags,
  summary: 'Decline an invitation',
  params: IdParams,
  response: { 200: InvitationBody, ...errorResponses(401, 404, 409) },
});
