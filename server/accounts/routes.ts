import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Agency,
  CreateAgencyBody,
  CreatedAgency,
  CreatedOfficer,
  Enrolment,
  NewOfficerInput,
  Officer,
  SetRoleBody,
  UpdateAgencyBody,
} from '../../shared/schemas/accounts.ts';
import { RevokedCount, SessionList } from '../../shared/schemas/auth.ts';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import { actorOf } from '../http/authenticate.ts';

const OfficerBody = Type.Object({ officer: Officer });

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const agencyTags = ['agencies'];
  const officerTags = ['officers'];
  const byId = { params: IdParams };

  app.post(
    '/agencies',
    {
      schema: {
        tags: agencyTags,
        summary: 'Create an agency and its first administrator (platform admin)',
        body: CreateAgencyBody,
        response: { 201: CreatedAgency, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.accounts.createAgency(actorOf(req), req.body)),
  );

  app.get(
    '/agencies',
    { schema: { tags: agencyTags, summary: 'All agencies of the network', response: { 200: Type.Object({ agencies: Type.Array(Agency) }), ...errorResponses(401) } } },
    async () => ({ agencies: ctx.accounts.listAgencies() }),
  );

  app.get(
    '/agencies/:id',
    { schema: { tags: agencyTags, ...byId, response: { 200: Type.Object({ agency: Agency }), ...errorResponses(401, 404) } } },
    async (req) => ({ agency: ctx.accounts.getAgency(req.params.id) }),
  );

  app.patch(
    '/agencies/:id',
    {
      schema: {
        tags: agencyTags,
        summary: 'Suspend or reactivate an agency (platform admin)',
        ...byId,
        body: UpdateAgencyBody,
        response: { 200: Type.Object({ agency: Agency }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({ agency: await ctx.accounts.setAgencyStatus(actorOf(req), req.params.id, req.body.status) }),
  );

  app.post(
    '/agencies/:id/officers',
    {
      schema: {
        tags: officerTags,
        summary: 'Create an officer in an agency; returns a one-time enrolment link',
        ...byId,
        body: NewOfficerInput,
        response: { 201: CreatedOfficer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.accounts.createOfficer(actorOf(req), req.params.id, req.body)),
  );

  app.get(
    '/agencies/:id/officers',
    {
      schema: {
        tags: officerTags,
        summary: "An agency's officers (its administrators, or platform admins)",
        ...byId,
        response: { 200: Type.Object({ officers: Type.Array(Officer) }), ...errorResponses(401, 404) },
      },
    },
    async (req) => ({ officers: ctx.accounts.listOfficers(actorOf(req), req.params.id) }),
  );

  app.get(
    '/officers/:id',
    { schema: { tags: officerTags, ...byId, response: { 200: OfficerBody, ...errorResponses(401, 404) } } },
    async (req) => ({ officer: ctx.accounts.getOfficer(actorOf(req), req.params.id) }),
  );

  const action = (summary: string) => ({
    schema: { tags: officerTags, summary, ...byId, response: { 200: OfficerBody, ...errorResponses(401, 403, 404, 409) } },
  });
  app.post('/officers/:id/suspend', action('Suspend an officer and revoke all their sessions'), async (req) => ({
    officer: await ctx.accounts.suspendOfficer(actorOf(req), req.params.id),
  }));
  app.post('/officers/:id/reactivate', action('Reactivate a suspended officer'), async (req) => ({
    officer: await ctx.accounts.reactivateOfficer(actorOf(req), req.params.id),
  }));
  app.post('/officers/:id/unlock', action('Unlock an officer locked out by failed sign-ins'), async (req) => ({
    officer: await ctx.accounts.unlockOfficer(actorOf(req), req.params.id),
  }));

  app.put(
    '/officers/:id/role',
    {
      schema: {
        tags: officerTags,
        summary: 'Change an officer\'s role (never above your own)',
        ...byId,
        body: SetRoleBody,
        response: { 200: OfficerBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({ officer: await ctx.accounts.setRole(actorOf(req), req.params.id, req.body.role) }),
  );

  app.post(
    '/officers/:id/enrolment',
    {
      schema: {
        tags: officerTags,
        summary: 'Issue a new enrolment link (revokes older ones)',
        ...byId,
        response: { 201: Type.Object({ enrolment: Enrolment }), ...errorResponses(401, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send({ enrolment: await ctx.accounts.reissueEnrolment(actorOf(req), req.params.id) }),
  );

  app.get(
    '/officers/:id/sessions',
    { schema: { tags: officerTags, ...byId, response: { 200: SessionList, ...errorResponses(401, 404) } } },
    async (req) => ({ sessions: ctx.auth.listSessionsOf(actorOf(req), req.params.id) }),
  );

  app.delete(
    '/officers/:id/sessions',
    {
      schema: { tags: officerTags, summary: "Revoke all of an officer's sessions", ...byId, response: { 200: RevokedCount, ...errorResponses(401, 404) } },
    },
    async (req) => ({ revoked: await ctx.auth.revokeSessions(actorOf(req), req.params.id) }),
  );
};
