import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/pages.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

/** Test pages per client address per minute: each one reaches real phones, mailboxes and gateways. */
export const TEST_PAGES_PER_MINUTE = 5;
/** Reachability reports run on demand per client address per minute: each one e-mails the supervisors. */
export const REACHABILITY_RUNS_PER_MINUTE = 5;

export const pagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.testPage, { config: { rateLimit: { max: TEST_PAGES_PER_MINUTE, timeWindow: 60_000 } } }, async (req, reply) =>
    reply.status(201).send(await ctx.paging.testPage(actorOf(req), req.params.id)),
  );

  route(app, contracts.deskPages, async (req) => ({ pages: await ctx.paging.deskPages(actorOf(req), req.params.id, req.query.state) }));

  route(app, contracts.mine, async (req) => ({ pages: await ctx.paging.mine(actorOf(req)) }));

  route(app, contracts.get, async (req) => ({ page: await ctx.paging.get(actorOf(req), req.params.id) }));

  route(app, contracts.ack, async (req) => ({ page: await ctx.paging.ack(actorOf(req), req.params.id) }));

  route(app, contracts.reachability, async (req) => ({
    reports: await ctx.reachability.list(actorOf(req), req.params.id, req.query.from, req.query.to),
  }));

  route(app, contracts.runReachability, { config: { rateLimit: { max: REACHABILITY_RUNS_PER_MINUTE, timeWindow: 60_000 } } }, async (req, reply) =>
    reply.status(201).send({ report: await ctx.reachability.run(actorOf(req), req.params.id) }),
  );
};
