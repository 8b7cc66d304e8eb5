import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/directory.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.search, async (req) => ctx.directory.search(actorOf(req), req.query));

  route(app, contracts.stale, async (req) => ctx.directory.stale(actorOf(req), req.query));

  route(app, contracts.get, async (req) => ctx.directory.get(actorOf(req), req.params.id));

  route(app, contracts.create, async (req, reply) => reply.status(201).send({ entry: await ctx.directory.create(actorOf(req), req.body) }));

  route(app, contracts.update, async (req) => ({ entry: await ctx.directory.update(actorOf(req), req.params.id, req.body) }));

  route(app, contracts.confirm, async (req) => ({ entry: await ctx.directory.confirm(actorOf(req), req.params.id) }));

  route(app, contracts.contactTarget, async (req) => ctx.directory.contacts.target(actorOf(req), req.params.id));

  route(app, contracts.contact, async (req, reply) => reply.status(201).send(await ctx.directory.contacts.open(actorOf(req), req.params.id, req.body)));

  route(app, contracts.retire, async (req) => {
    await ctx.directory.retire(actorOf(req), req.params.id);
    return { ok: true as const };
  });
};
