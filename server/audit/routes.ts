import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditHeadBody, AuditPage, AuditQuery, AuditVerification } from '../../shared/schemas/audit.ts';
import { errorResponses } from '../../shared/schemas/common.ts';
import { isAdmin } from '../auth/actor.ts';
import { ForbiddenError } from '../errors.ts';
import { actorOf } from '../http/authenticate.ts';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['audit'];

  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Audit events: all for platform admins, own agency for agency admins',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isAdmin(actor)) throw new ForbiddenError('Only administrators read the audit trail');
      const agencyId = actor.role === 'platform_admin' ? undefined : actor.agencyId;
      return ctx.audit.list({ ...req.query, agencyId });
    },
  );

  app.get(
    '/audit/head',
    {
      schema: {
        tags,
        summary: 'The newest signed audit head (administrators): clients remember the highest and alarm on a shorter chain',
        response: { 200: AuditHeadBody, ...errorResponses(401, 403) },
      },
    },
    async (req) => {
      if (!isAdmin(actorOf(req))) throw new ForbiddenError('Only administrators read the audit head');
      return { head: ctx.audit.latestHead() };
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the audit hash chain and its signed checkpoints (platform admin)',
        response: { 200: AuditVerification, ...errorResponses(401, 403) },
      },
    },
    async (req) => {
      if (actorOf(req).role !== 'platform_admin') throw new ForbiddenError('Only platform administrators verify the chain');
      return ctx.audit.verify();
    },
  );
};
