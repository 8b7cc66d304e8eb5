import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TRANSITIONS, get, list, propose, sign, transitions } from '../../shared/api/agreements.ts';
import * as extendedAccess from '../../shared/api/extended-access.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const agreementsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, propose, async (req, reply) => reply.status(201).send({ agreement: await ctx.agreements.propose(actorOf(req), req.body) }));

  route(app, list, async (req) => ({ agreements: await ctx.agreements.list(actorOf(req)) }));

  route(app, get, async (req) => ({ agreement: await ctx.agreements.get(actorOf(req), req.params.id) }));

  route(app, sign, async (req) => ({ agreement: await ctx.agreements.sign(actorOf(req), req.params.id, req.body.signature) }));

  for (const kind of TRANSITIONS) {
    route(app, transitions[kind], async (req) => ({ agreement: await ctx.agreements.transition(actorOf(req), req.params.id, kind, req.body?.reason) }));
  }

  route(app, extendedAccess.grant, async (req, reply) => reply.status(201).send({ grant: await ctx.agreements.extended.grant(actorOf(req), req.body) }));

  route(app, extendedAccess.list, async (req) => ({ grants: await ctx.agreements.extended.list(actorOf(req)), maxDays: ctx.agreements.extended.maxDays }));

  route(app, extendedAccess.revoke, async (req) => ({ grant: await ctx.agreements.extended.revoke(actorOf(req), req.params.id) }));
};
