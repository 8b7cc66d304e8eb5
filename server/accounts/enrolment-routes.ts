import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/enrolment.ts';
import { clientInfo, credentialRateLimit } from '../http/client-info.ts';
import { route } from '../http/route.ts';

/** Enrolment links carry the token in the URL fragment; the client posts it, so it never lands in access logs. */
export const enrolmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const options = { config: credentialRateLimit(ctx.config.login.ipMaxPerWindow, ctx.config.login.ipWindowMs) };

  route(app, contracts.lookup, options, async (req) => ctx.enrolment.lookup(req.body.token));

  route(app, contracts.begin, options, async (req) => ctx.enrolment.begin(req.body.token, req.body.password));

  route(app, contracts.complete, options, async (req) => await ctx.enrolment.complete(req.body.token, req.body.totp, clientInfo(req)));
};
