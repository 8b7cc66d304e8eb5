import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AttachmentInfo } from '../../shared/schemas/channels.ts';
import { IdParams, errorResponses } from '../../shared/schemas/common.ts';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/authenticate.ts';

const BlobParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });

export const attachmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['attachments'];

  // The body stays a stream: the service hashes and writes it as it arrives, enforcing the maximum.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.post(
    '/channels/:id/attachments',
    {
      bodyLimit: ctx.config.messaging.attachmentMaxBytes,
      schema: {
        tags,
        summary: 'Upload an encrypted attachment (raw application/octet-stream body); the id is the hex BLAKE2b-256 of the bytes. 409 when the channel is read-only or a pending contact request; 413 over the size maximum or a storage quota',
        params: IdParams,
        consumes: ['application/octet-stream'],
        response: { 200: AttachmentInfo, 201: AttachmentInfo, ...errorResponses(400, 401, 404, 409, 413, 415, 507) },
      },
    },
    async (req, reply) => {
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
    },
  );

  app.get(
    '/attachments/:id',
    {
      schema: {
        tags,
        summary: 'Download an attachment ciphertext (members of a channel whose message references it, or its uploader before that)',
        params: BlobParams,
        response: { 200: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }), ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => {
      const { size, stream } = ctx.attachments.open(actorOf(req), req.params.id);
      return reply.header('content-type', 'application/octet-stream').header('content-length', size).header('cache-control', 'private, no-store').send(stream);
    },
  );
};
