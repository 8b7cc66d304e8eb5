import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/accounts.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.createAgency, async (req, reply) => reply.status(201).send(await ctx.accounts.createAgency(actorOf(req), req.body)));

  route(app, contracts.listAgencies, async () => ({ agencies: await ctx.accounts.listAgencies() }));

  route(app, contracts.getAgency, async (req) => ({ agency: await ctx.accounts.getAgency(req.params.id) }));

  route(app, contracts.updateAgency, async (req) => ({ agency: await ctx.accounts.setAgencyStatus(actorOf(req), req.params.id, req.body.status) }));

  route(app, contracts.createOfficer, async (req, reply) => reply.status(201).send(await ctx.accounts.createOfficer(actorOf(req), req.params.id, req.body)));

  route(app, contracts.listOfficers, async (req) => ({ officers: await ctx.accounts.listOfficers(actorOf(req), req.params.id) }));

  route(app, contracts.officerProfiles, async (req) => ({ profiles: await ctx.accounts.profiles(req.query.ids.split(',')) }));

  route(app, contracts.getOfficer, async (req) => ({ officer: await ctx.accounts.getOfficer(actorOf(req), req.params.id) }));

  route(app, contracts.suspendOfficer, async (req) => ({
    officer: await ctx.accounts.suspendOfficer(actorOf(req), req.params.id),
  }));
  route(app, contracts.reactivateOfficer, async (req) => ({
    officer: await ctx.accounts.reactivateOfficer(actorOf(req), req.params.id),
  }));
  route(app, contracts.unlockOfficer, async (req) => ({
    officer: await ctx.accounts.unlockOfficer(actorOf(req), req.params.id),
  }));

  route(app, contracts.setRole, async (req) => ({ officer: await ctx.accounts.setRole(actorOf(req), req.params.id, req.body.role) }));

  route(app, contracts.reissueEnrolment, async (req, reply) => reply.status(201).send({ enrolment: await ctx.accounts.reissueEnrolment(actorOf(req), req.params.id) }));

  route(app, contracts.officerSessions, async (req) => ({ sessions: await ctx.auth.listSessionsOf(actorOf(req), req.params.id) }));

  route(app, contracts.revokeOfficerSessions, async (req) => ({ revoked: await ctx.auth.revokeSessions(actorOf(req), req.params.id) }));
};
