import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/auth.ts';
import { agencyView } from '../accounts/service.ts';
import { actorOf } from '../http/authenticate.ts';
import { clientInfo, credentialRateLimit } from '../http/client-info.ts';
import { route } from '../http/route.ts';
import { NotFoundError } from '../errors.ts';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const throttle = credentialRateLimit(ctx.config.login.ipMaxPerWindow, ctx.config.login.ipWindowMs);

  route(app, contracts.login, { config: throttle }, async (req) => ctx.auth.login(req.body, clientInfo(req)));

  route(app, contracts.refresh, { config: throttle }, async (req) => await ctx.auth.refresh(req.body.refreshToken, clientInfo(req)));

  route(app, contracts.logout, async (req) => {
    await ctx.auth.logout(actorOf(req));
    return { ok: true as const };
  });

  route(app, contracts.me, async (req) => {
    const actor = actorOf(req);
    const officer = await ctx.accounts.officer(actor.officerId);
    const agency = await ctx.accounts.agency(actor.agencyId);
    if (!officer || !agency) throw new NotFoundError('Officer');
    return { officer: await ctx.accounts.officerView(officer), agency: agencyView(agency), sessionId: actor.sessionId };
  });

  route(app, contracts.listSessions, async (req) => {
    const actor = actorOf(req);
    return { sessions: await ctx.auth.listSessions(actor.officerId, actor.sessionId) };
  });

  route(app, contracts.revokeSession, async (req) => {
    const actor = actorOf(req);
    return { revoked: await ctx.auth.revokeSessions(actor, actor.officerId, req.params.id) };
  });

  route(app, contracts.revokeAllSessions, async (req) => {
    const actor = actorOf(req);
    return { revoked: await ctx.auth.revokeSessions(actor, actor.officerId) };
  });
};
