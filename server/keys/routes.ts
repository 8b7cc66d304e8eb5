import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import {
  AgencyRoot,
  CertifyBody,
  KeyBackupBody,
  KeyLogPage,
  KeyLogQuery,
  OfficerKeys,
  PendingCertifications,
  RegisterKeysBody,
  RegisteredKeys,
  RotatePrekeyBody,
} from '../../shared/schemas/keys.ts';
import { actorOf } from '../http/authenticate.ts';

const KeysBody = Type.Object({ keys: OfficerKeys });

export const keysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['keys'];

  app.put(
    '/keys/me',
    {
      schema: {
        tags,
        summary: 'Register identity keys (enrol key event, signed prekey, sealed backup)',
        body: RegisterKeysBody,
        response: { 200: RegisteredKeys, ...errorResponses(400, 401) },
      },
    },
    async (req) => await ctx.keys.register(actorOf(req), req.body),
  );

  app.get(
    '/keys/me/backup',
    { schema: { tags, summary: 'Your own sealed key backup', response: { 200: KeyBackupBody, ...errorResponses(401, 404) } } },
    async (req) => ({ backup: ctx.keys.backup(actorOf(req)) }),
  );

  app.post(
    '/keys/me/prekey',
    {
      schema: {
        tags,
        summary: 'Rotate your signed prekey',
        body: RotatePrekeyBody,
        response: { 200: KeysBody, ...errorResponses(400, 401, 409) },
      },
    },
    async (req) => ({ keys: await ctx.keys.rotatePrekey(actorOf(req), req.body) }),
  );

  app.post(
    '/keys/certificates',
    {
      schema: {
        tags,
        summary: 'Store a certificate issued by the agency root (with its cert-issue key event)',
        body: CertifyBody,
        response: { 200: KeysBody, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({ keys: await ctx.keys.certify(actorOf(req), req.body) }),
  );

  app.get(
    '/keys/pending',
    {
      schema: {
        tags,
        summary: "Your agency's officers with registered keys but no certificate (agency admin)",
        response: { 200: PendingCertifications, ...errorResponses(401, 403) },
      },
    },
    async (req) => ({ officers: ctx.keys.pending(actorOf(req)) }),
  );

  app.get(
    '/keys/officers/:id',
    { schema: { tags, summary: "An officer's public keys, certificate and fingerprint", params: IdParams, response: { 200: KeysBody, ...errorResponses(401, 404) } } },
    async (req) => ({ keys: ctx.keys.officerKeys(actorOf(req), req.params.id) }),
  );

  app.get(
    '/keys/agencies/:id/root',
    { schema: { tags, summary: "An agency's pinned root signing key", params: IdParams, response: { 200: Type.Object({ root: AgencyRoot }), ...errorResponses(401, 404) } } },
    async (req) => {
      actorOf(req);
      return { root: ctx.keys.root(req.params.id) };
    },
  );

  app.get(
    '/keylog',
    {
      schema: {
        tags,
        summary: 'Key-transparency log entries from `from`, with the signed head at the end of the page',
        querystring: KeyLogQuery,
        response: { 200: KeyLogPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      actorOf(req);
      return ctx.keys.keyLog(req.query.from ?? 0, req.query.limit ?? 500);
    },
  );
};
