import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/attachments.ts';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const attachmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  // The body stays a stream: the service hashes and writes it as it arrives, enforcing the maximum.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  route(app, contracts.upload, { bodyLimit: ctx.config.messaging.attachmentMaxBytes }, async (req, reply) => {
    const body = req.body as Readable | undefined;
    if (!body || typeof body.pipe !== 'function') {
      throw new AppError(415, 'unsupported_media_type', 'Send the encrypted attachment as a raw application/octet-stream body');
    }
    const length = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    try {
      const { info, created } = await ctx.attachments.upload(actorOf(req), req.params.id, body, length);
      return await reply.status(created ? 201 : 200).send(info);
    } catch (err) {
      // The rest of the body is never read: close the connection rather than leave it half-consumed.
      if (!body.readableEnded) reply.header('connection', 'close');
      throw err;
    }
  });

  route(app, contracts.download, async (req, reply) => {
    const { size, stream } = await ctx.attachments.open(actorOf(req), req.params.id);
    return reply.header('content-type', 'application/octet-stream').header('content-length', size).header('cache-control', 'private, no-store').send(stream);
  });
};
