import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/audit.ts';
import { isAdmin } from '../auth/actor.ts';
import { ForbiddenError } from '../errors.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.list, async (req) => {
    const actor = actorOf(req);
    if (!isAdmin(actor)) throw new ForbiddenError('Only administrators read the audit trail');
    const agencyId = actor.role === 'platform_admin' ? undefined : actor.agencyId;
    return ctx.audit.list({ ...req.query, agencyId });
  });

  route(app, contracts.head, async (req) => {
    if (!isAdmin(actorOf(req))) throw new ForbiddenError('Only administrators read the audit head');
    return { head: await ctx.audit.latestHead() };
  });

  route(app, contracts.verify, async (req) => {
    if (actorOf(req).role !== 'platform_admin') throw new ForbiddenError('Only platform administrators verify the chain');
    return ctx.audit.verify();
  });
};
