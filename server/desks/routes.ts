import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/desks.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const desksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.create, async (req, reply) => reply.status(201).send({ desk: await ctx.desks.create(actorOf(req), req.body) }));

  route(app, contracts.list, async (req) => ({ desks: await ctx.desks.list(actorOf(req)) }));

  route(app, contracts.myShifts, async (req) => ({ shifts: await ctx.desks.myShifts(actorOf(req), req.query.from, req.query.to) }));

  route(app, contracts.get, async (req) => ({ desk: await ctx.desks.get(actorOf(req), req.params.id) }));

  route(app, contracts.update, async (req) => ({ desk: await ctx.desks.update(actorOf(req), req.params.id, req.body) }));

  route(app, contracts.remove, async (req) => {
    await ctx.desks.remove(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  route(app, contracts.replaceRota, async (req) => ({ desk: await ctx.desks.replaceRota(actorOf(req), req.params.id, req.body) }));

  route(app, contracts.addOverride, async (req, reply) => reply.status(201).send({ desk: await ctx.desks.addOverride(actorOf(req), req.params.id, req.body) }));

  route(app, contracts.removeOverride, async (req) => ({ desk: await ctx.desks.removeOverride(actorOf(req), req.params.id, req.params.overrideId) }));

  route(app, contracts.onDuty, async (req) => ctx.desks.onDuty(actorOf(req), req.params.id, req.query.at));
};
