import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EnrolmentBeginBody,
  EnrolmentBeginResult,
  EnrolmentCompleteBody,
  EnrolmentInfo,
  EnrolmentLookupBody,
  TokenPair,
} from '../../shared/schemas/auth.ts';
import { errorResponses } from '../../shared/schemas/common.ts';
import { clientInfo, credentialRateLimit } from '../http/client-info.ts';

/** Enrolment links carry the token in the URL fragment; the client posts it, so it never lands in access logs. */
export const enrolmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const config = { auth: false, ...credentialRateLimit(ctx.config.login.ipMaxPerWindow, ctx.config.login.ipWindowMs) };
  const tags = ['enrolment'];

  app.post(
    '/enrolment/lookup',
    {
      config,
      schema: { tags, security: [], summary: 'Who this enrolment link is for', body: EnrolmentLookupBody, response: { 200: EnrolmentInfo, ...errorResponses(400, 429) } },
    },
    async (req) => ctx.enrolment.lookup(req.body.token),
  );

  app.post(
    '/enrolment/begin',
    {
      config,
      schema: {
        tags,
        security: [],
        summary: 'Step 1: set a password; returns the TOTP seed to enrol in an authenticator app',
        body: EnrolmentBeginBody,
        response: { 200: EnrolmentBeginResult, ...errorResponses(400, 429) },
      },
    },
    async (req) => ctx.enrolment.begin(req.body.token, req.body.password),
  );

  app.post(
    '/enrolment/complete',
    {
      config,
      schema: {
        tags,
        security: [],
        summary: 'Step 2: confirm a first TOTP code; consumes the link and signs the officer in',
        body: EnrolmentCompleteBody,
        response: { 200: TokenPair, ...errorResponses(400, 429) },
      },
    },
    async (req) => await ctx.enrolment.complete(req.body.token, req.body.totp, clientInfo(req)),
  );
};
