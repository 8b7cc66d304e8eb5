import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Me } from '../../shared/schemas/accounts.ts';
import { LoginBody, RefreshBody, RevokedCount, SessionList, TokenPair } from '../../shared/schemas/auth.ts';
import { IdParams, OkBody, errorResponses } from '../../shared/schemas/common.ts';
import { agencyView } from '../accounts/service.ts';
import { actorOf } from '../http/authenticate.ts';
import { clientInfo, credentialRateLimit } from '../http/client-info.ts';
import { NotFoundError } from '../errors.ts';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const throttle = credentialRateLimit(ctx.config.login.ipMaxPerWindow, ctx.config.login.ipWindowMs);
  const tags = ['auth'];

  app.post(
    '/auth/login',
    {
      config: { auth: false, ...throttle },
      schema: {
        tags,
        security: [],
        summary: 'Sign in with username, password and TOTP code',
        body: LoginBody,
        response: { 200: TokenPair, ...errorResponses(400, 401, 403, 423, 429) },
      },
    },
    async (req) => ctx.auth.login(req.body, clientInfo(req)),
  );

  app.post(
    '/auth/refresh',
    {
      config: { auth: false, ...throttle },
      schema: {
        tags,
        security: [],
        summary: 'Rotate the refresh token; a reused token revokes its session',
        body: RefreshBody,
        response: { 200: TokenPair, ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => await ctx.auth.refresh(req.body.refreshToken, clientInfo(req)),
  );

  app.post(
    '/auth/logout',
    { schema: { tags, summary: 'End the current session', response: { 200: OkBody, ...errorResponses(401) } } },
    async (req) => {
      await ctx.auth.logout(actorOf(req));
      return { ok: true as const };
    },
  );

  app.get(
    '/me',
    { schema: { tags, summary: 'The signed-in officer with agency and role', response: { 200: Me, ...errorResponses(401) } } },
    async (req) => {
      const actor = actorOf(req);
      const officer = ctx.accounts.officer(actor.officerId);
      const agency = ctx.accounts.agency(actor.agencyId);
      if (!officer || !agency) throw new NotFoundError('Officer');
      return { officer: ctx.accounts.officerView(officer), agency: agencyView(agency), sessionId: actor.sessionId };
    },
  );

  app.get(
    '/sessions',
    { schema: { tags, summary: 'My active sessions', response: { 200: SessionList, ...errorResponses(401) } } },
    async (req) => {
      const actor = actorOf(req);
      return { sessions: ctx.auth.listSessions(actor.officerId, actor.sessionId) };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: { tags, summary: 'Revoke one of my sessions', params: IdParams, response: { 200: RevokedCount, ...errorResponses(401, 404) } },
    },
    async (req) => {
      const actor = actorOf(req);
      return { revoked: await ctx.auth.revokeSessions(actor, actor.officerId, req.params.id) };
    },
  );

  app.delete(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Sign out everywhere (revoke all my sessions, including this one)',
        response: { 200: RevokedCount, ...errorResponses(401) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return { revoked: await ctx.auth.revokeSessions(actor, actor.officerId) };
    },
  );

};
