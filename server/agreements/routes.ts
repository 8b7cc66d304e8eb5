import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Agreement,
  AgreementStatusBody,
  ExtendedAccessGrant,
  ExtendedAccessList,
  GrantExtendedAccessBody,
  ProposeAgreementBody,
  SignAgreementBody,
} from '../../shared/schemas/agreements.ts';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import { actorOf } from '../http/authenticate.ts';

const AgreementBody = Type.Object({ agreement: Agreement });
const GrantBody = Type.Object({ grant: ExtendedAccessGrant });

export const agreementsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['agreements'];

  app.post(
    '/agreements',
    {
      schema: {
        tags,
        summary: 'Propose an agreement (agency admin of a party); the server fixes id, version, order and text hash',
        body: ProposeAgreementBody,
        response: { 201: AgreementBody, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send({ agreement: await ctx.agreements.propose(actorOf(req), req.body) }),
  );

  app.get(
    '/agreements',
    { schema: { tags, summary: 'Agreements your agency is a party to (platform admin: all)', response: { 200: Type.Object({ agreements: Type.Array(Agreement) }), ...errorResponses(401) } } },
    async (req) => ({ agreements: ctx.agreements.list(actorOf(req)) }),
  );

  app.get(
    '/agreements/:id',
    { schema: { tags, summary: 'One agreement with its signatures', params: IdParams, response: { 200: AgreementBody, ...errorResponses(401, 404) } } },
    async (req) => ({ agreement: ctx.agreements.get(actorOf(req), req.params.id) }),
  );

  app.post(
    '/agreements/:id/signatures',
    {
      schema: {
        tags,
        summary: "Sign the canonical terms for your agency (agency admin of a party, with registered keys)",
        params: IdParams,
        body: SignAgreementBody,
        response: { 200: AgreementBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({ agreement: await ctx.agreements.sign(actorOf(req), req.params.id, req.body.signature) }),
  );

  for (const kind of ['suspend', 'reactivate', 'terminate'] as const) {
    app.post(
      `/agreements/:id/${kind}`,
      {
        schema: {
          tags,
          summary: `${kind[0]!.toUpperCase()}${kind.slice(1)} an agreement (admin of a party)${kind === 'terminate' ? '; final' : ''}`,
          params: IdParams,
          body: Type.Optional(AgreementStatusBody),
          response: { 200: AgreementBody, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => ({ agreement: await ctx.agreements.transition(actorOf(req), req.params.id, kind, req.body?.reason) }),
    );
  }

  const eaTags = ['extended-access'];
  app.post(
    '/extended-access',
    {
      schema: {
        tags: eaTags,
        summary: 'Grant (or renew) a sponsored institution access under your NCB agreements (NCB admin); expiry at most EXTENDED_ACCESS_MAX_DAYS ahead',
        body: GrantExtendedAccessBody,
        response: { 201: GrantBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send({ grant: await ctx.agreements.extended.grant(actorOf(req), req.body) }),
  );

  app.get(
    '/extended-access',
    {
      schema: {
        tags: eaTags,
        summary: 'Grants given by or to your agency, and the longest grant the server issues',
        response: { 200: ExtendedAccessList, ...errorResponses(401) },
      },
    },
    async (req) => ({ grants: ctx.agreements.extended.list(actorOf(req)), maxDays: ctx.agreements.extended.maxDays }),
  );

  app.post(
    '/extended-access/:id/revoke',
    {
      schema: {
        tags: eaTags,
        summary: "Revoke a grant at once: the institution's officers leave the NCB's agreement channels",
        params: IdParams,
        response: { 200: GrantBody, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req) => ({ grant: await ctx.agreements.extended.revoke(actorOf(req), req.params.id) }),
  );
};
