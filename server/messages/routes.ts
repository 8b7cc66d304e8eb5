import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { ReceiptBody, SendMessageBody, SendResult, SyncPage, SyncQuery } from '../../shared/schemas/channels.ts';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import { actorOf } from '../http/authenticate.ts';
import { HistoryPage, HistoryQuery, ReceiptStatusList, ReceiptsStored } from './schemas.ts';

export const messagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['messages'];

  app.post(
    '/channels/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send an encrypted message (201 stored, 200 idempotent retry of a stored id)',
        params: IdParams,
        body: SendMessageBody,
        response: { 200: SendResult, 201: SendResult, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (req, reply) => {
      const result = await ctx.messages.sendMessage(actorOf(req), req.params.id, req.body);
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );

  app.get(
    '/channels/:id/messages',
    {
      schema: {
        tags,
        summary: 'Message history after a seq, within your membership spans',
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: HistoryPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ctx.messages.history(actorOf(req), req.params.id, req.query.afterSeq, req.query.limit),
  );

  app.post(
    '/channels/:id/receipts',
    {
      schema: {
        tags,
        summary: 'Record delivered / read / acknowledged receipts (idempotent)',
        params: IdParams,
        body: ReceiptBody,
        response: { 200: ReceiptsStored, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ctx.messages.recordReceipts(actorOf(req), req.params.id, req.body.kind, req.body.messageIds),
  );

  app.get(
    '/messages/:id/receipts',
    {
      schema: {
        tags,
        summary: 'Per-recipient receipt status of a message (sender or channel members)',
        params: IdParams,
        response: { 200: ReceiptStatusList, ...errorResponses(401, 404) },
      },
    },
    async (req) => ctx.messages.receiptStatus(actorOf(req), req.params.id),
  );

  app.get(
    '/sync',
    {
      schema: {
        tags,
        summary: 'Feed items after a cursor: your channels during your membership spans, and items addressed to you',
        querystring: SyncQuery,
        response: { 200: SyncPage, ...errorResponses(400, 401) },
      },
    },
    // The page is written as JSON by the reader (stored envelopes embedded as they are); the schema
    // above documents it. A string with a JSON content type is sent unmodified by Fastify.
    async (req, reply) => {
      const json = ctx.messages.syncJson(actorOf(req), req.query.cursor, req.query.limit);
      // Server time for this page (authentication, queries, JSON), for clients and the sync benchmark.
      reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
      // Typed against the schema's object form; the string is that object's JSON.
      return reply.type('application/json; charset=utf-8').send(json as unknown as Static<typeof SyncPage>);
    },
  );
};
