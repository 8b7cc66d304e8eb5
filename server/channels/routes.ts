import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AcceptInvitationBody, AppendEventBody, Channel, ChannelListQuery, CreateChannelBody, Invitation, UpdateChannelBody } from '../../shared/schemas/channels.ts';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import { WireObject } from '../../shared/schemas/keys.ts';
import { actorOf } from '../http/authenticate.ts';

const ChannelBody = Type.Object({ channel: Channel });
const InvitationBody = Type.Object({ invitation: Invitation });
/** `invitation`: the pending invitation of the first of `invites`, null without invites. */
const CreatedBody = Type.Object({ channel: Channel, invitation: Type.Union([Invitation, Type.Null()]) });
const EventsQuery = Type.Object({ afterSeq: Type.Optional(Type.Integer({ minimum: -1 })) }, { additionalProperties: false });
const EventsPage = Type.Object({ events: Type.Array(WireObject('membershipEventCodec')), headSeq: Type.Integer(), headHash: Type.String() });
const AppendResult = Type.Object({ channel: Channel, duplicate: Type.Boolean() });
const KeyEnvelopeBody = Type.Object({ keyEnvelope: WireObject('keyEnvelopeCodec') }, { additionalProperties: false });

export const channelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['channels'];
  const byId = { params: IdParams };

  app.post(
    '/channels',
    {
      schema: {
        tags,
        summary: 'Create a channel from its signed create event, same-agency adds and cross-agency invites (all or nothing)',
        body: CreateChannelBody,
        response: { 201: CreatedBody, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.channels.open(actorOf(req), req.body)),
  );

  app.get(
    '/channels',
    {
      schema: {
        tags,
        summary: 'Your current channels (optionally only those with a given case-reference blind index)',
        querystring: ChannelListQuery,
        response: { 200: Type.Object({ channels: Type.Array(Channel) }), ...errorResponses(400, 401) },
      },
    },
    async (req) => ({ channels: ctx.channels.list(actorOf(req), req.query) }),
  );

  app.get(
    '/channels/:id',
    { schema: { tags, summary: 'One channel (current members only)', ...byId, response: { 200: ChannelBody, ...errorResponses(401, 404) } } },
    async (req) => ({ channel: ctx.channels.get(actorOf(req), req.params.id) }),
  );

  app.patch(
    '/channels/:id',
    {
      schema: {
        tags,
        summary: 'Owners: encrypted meta, retention; administrators of a member agency: legal hold',
        ...byId,
        body: UpdateChannelBody,
        response: { 200: ChannelBody, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({ channel: await ctx.channels.update(actorOf(req), req.params.id, req.body) }),
  );

  app.get(
    '/channels/:id/events',
    {
      schema: {
        tags,
        summary: 'The signed membership chain after `afterSeq` (default: all)',
        ...byId,
        querystring: EventsQuery,
        response: { 200: EventsPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ctx.channels.events(actorOf(req), req.params.id, req.query.afterSeq ?? -1),
  );

  app.post(
    '/channels/:id/events',
    {
      schema: {
        tags,
        summary: 'Append a signed membership event; a cross-agency add without co-signature becomes an invitation (202)',
        ...byId,
        body: AppendEventBody,
        response: { 200: AppendResult, 202: InvitationBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const result = await ctx.channels.append(actorOf(req), req.params.id, req.body);
      if (result.status === 'invited') return reply.status(202).send({ invitation: result.invitation });
      return { channel: result.channel, duplicate: result.duplicate };
    },
  );

  app.post(
    '/channels/:id/key-envelopes',
    {
      schema: {
        tags,
        summary: "Distribute an epoch secret (the epoch event's author, to exactly that epoch's members)",
        ...byId,
        body: KeyEnvelopeBody,
        response: { 200: Type.Object({ stored: Type.Boolean() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => await ctx.channels.keyEnvelopes.post(actorOf(req), req.params.id, req.body.keyEnvelope),
  );

  app.get(
    '/channels/:id/key-envelopes',
    {
      schema: {
        tags,
        summary: 'Key envelopes of the epochs in which you were a member',
        ...byId,
        response: { 200: Type.Object({ keyEnvelopes: Type.Array(WireObject('keyEnvelopeCodec')) }), ...errorResponses(401, 404) },
      },
    },
    async (req) => ({ keyEnvelopes: ctx.channels.keyEnvelopes.list(actorOf(req), req.params.id) }),
  );

  const invTags = ['invitations'];
  app.get(
    '/invitations',
    { schema: { tags: invTags, summary: 'Pending invitations for you (administrators: for your agency)', response: { 200: Type.Object({ invitations: Type.Array(Invitation) }), ...errorResponses(401) } } },
    async (req) => ({ invitations: ctx.channels.invitations.listPending(actorOf(req)) }),
  );

  app.post(
    '/invitations/:id/accept',
    {
      schema: {
        tags: invTags,
        summary: 'Accept with the co-signed add event (invitee or an administrator of their agency)',
        ...byId,
        body: AcceptInvitationBody,
        response: { 200: ChannelBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({ channel: await ctx.channels.invitations.accept(actorOf(req), req.params.id, req.body.event) }),
  );

  app.post(
    '/invitations/:id/decline',
    { schema: { tags: invTags, summary: 'Decline an invitation', ...byId, response: { 200: InvitationBody, ...errorResponses(401, 404, 409) } } },
    async (req) => ({ invitation: await ctx.channels.invitations.decline(actorOf(req), req.params.id) }),
  );
};
