import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/intake.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

/** Sealed desk requests per client address per minute: each one pages real people. */
export const DESK_REQUESTS_PER_MINUTE = 30;

export const intakeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.publishKey, async (req, reply) => reply.status(201).send({ key: await ctx.intake.publishKey(actorOf(req), req.params.id, req.body.statement) }));

  route(app, contracts.listKeys, async (req) => ({ keys: await ctx.intake.listKeys(actorOf(req), req.params.id) }));

  route(app, contracts.directoryIntake, async (req) => ctx.intake.directoryIntake(actorOf(req), req.params.id));

  route(app, contracts.submitRequest, { config: { rateLimit: { max: DESK_REQUESTS_PER_MINUTE, timeWindow: 60_000 } } }, async (req, reply) =>
    reply.status(201).send(await ctx.intake.submit(actorOf(req), req.params.id, req.body.request, req.body.priority)),
  );

  route(app, contracts.deskRequests, async (req) => ({ requests: await ctx.intake.deskRequests(actorOf(req), req.params.id, req.query.state) }));

  route(app, contracts.myRequests, async (req) => ({ requests: await ctx.intake.mine(actorOf(req)) }));

  route(app, contracts.claim, async (req) => ({ request: await ctx.intake.claim(actorOf(req), req.params.id, req.params.requestId) }));

  route(app, contracts.caseChannel, async (req, reply) =>
    reply.status(201).send(await ctx.intake.openCaseChannel(actorOf(req), req.params.id, req.params.requestId, req.body)),
  );
};
