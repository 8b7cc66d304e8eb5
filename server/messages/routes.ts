import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import * as contracts from '../../shared/api/messages.ts';
import type { SyncPage } from '../../shared/schemas/channels.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const messagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.send, async (req, reply) => {
    const result = await ctx.messages.sendMessage(actorOf(req), req.params.id, req.body);
    return reply.status(result.duplicate ? 200 : 201).send(result);
  });

  route(app, contracts.history, async (req) => ctx.messages.history(actorOf(req), req.params.id, req.query.afterSeq, req.query.limit));

  route(app, contracts.recordReceipts, async (req) => ctx.messages.recordReceipts(actorOf(req), req.params.id, req.body.kind, req.body.messageIds));

  route(app, contracts.setReadMarker, async (req) => ctx.messages.setReadMarker(actorOf(req), req.params.id, req.body.seq));

  route(app, contracts.receiptStatus, async (req) => ctx.messages.receiptStatus(actorOf(req), req.params.id));

  // The page is written as JSON by the reader (stored envelopes embedded as they are); the contract
  // documents it. A string with a JSON content type is sent unmodified by Fastify.
  route(app, contracts.sync, async (req, reply) => {
    const json = await ctx.messages.syncJson(actorOf(req), req.query.cursor, req.query.limit);
    // Server time for this page (authentication, queries, JSON), for clients and the sync benchmark.
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
    // Typed against the schema's object form; the string is that object's JSON.
    return reply.type('application/json; charset=utf-8').send(json as unknown as Static<typeof SyncPage>);
  });
};
