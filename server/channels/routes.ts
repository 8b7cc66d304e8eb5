import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/channels.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const channelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.create, async (req, reply) => reply.status(201).send(await ctx.channels.open(actorOf(req), req.body)));

  route(app, contracts.list, async (req) => ({ channels: await ctx.channels.list(actorOf(req), req.query) }));

  route(app, contracts.get, async (req) => ({ channel: await ctx.channels.get(actorOf(req), req.params.id) }));

  route(app, contracts.update, async (req) => ({ channel: await ctx.channels.update(actorOf(req), req.params.id, req.body) }));

  route(app, contracts.events, async (req) => ctx.channels.events(actorOf(req), req.params.id, req.query.afterSeq ?? -1));

  route(app, contracts.appendEvent, async (req, reply) => {
    const result = await ctx.channels.append(actorOf(req), req.params.id, req.body);
    if (result.status === 'invited') return reply.status(202).send({ invitation: result.invitation });
    return { channel: result.channel, duplicate: result.duplicate };
  });

  route(app, contracts.postKeyEnvelope, async (req) => await ctx.channels.keyEnvelopes.post(actorOf(req), req.params.id, req.body.keyEnvelope));

  route(app, contracts.keyEnvelopes, async (req) => ({ keyEnvelopes: await ctx.channels.keyEnvelopes.list(actorOf(req), req.params.id) }));

  route(app, contracts.invitations, async (req) => ({ invitations: await ctx.channels.invitations.listPending(actorOf(req)) }));

  route(app, contracts.acceptInvitation, async (req) => ({ channel: await ctx.channels.invitations.accept(actorOf(req), req.params.id, req.body.event) }));

  route(app, contracts.invitationEvents, async (req) => ({ events: await ctx.channels.invitations.events(actorOf(req), req.params.id) }));

  route(app, contracts.declineInvitation, async (req) => ({ invitation: await ctx.channels.invitations.decline(actorOf(req), req.params.id) }));
};
