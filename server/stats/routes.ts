import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import * as contracts from '../../shared/api/stats.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';
import type { StatsFormat } from './service.ts';

/** `format=csv`, or an Accept header that asks for text/csv (docs/STATS.md "CSV"). */
function formatOf(req: FastifyRequest, query: { format?: 'json' | 'csv' }): StatsFormat {
  if (query.format) return query.format;
  return /(^|,)\s*text\/csv\b/i.test(req.headers.accept ?? '') ? 'csv' : 'json';
}

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.agency, async (req, reply) => {
    const out = await ctx.stats.agency(actorOf(req), req.params.id, req.query.year, formatOf(req, req.query));
    if (typeof out !== 'string') return out;
    // A string skips the JSON serializer: the CSV goes out as it is.
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="liaison-stats-agency-${req.params.id}-${req.query.year ?? ctx.stats.currentYear()}.csv"`).send(out as never);
  });

  route(app, contracts.network, async (req, reply) => {
    const out = await ctx.stats.network(actorOf(req), req.query.year, formatOf(req, req.query));
    if (typeof out !== 'string') return out;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="liaison-stats-network-${req.query.year ?? ctx.stats.currentYear()}.csv"`).send(out as never);
  });

  route(app, contracts.report, async (req) => ctx.stats.signedReport(actorOf(req), req.query.year));
};
