import { Type } from 'typebox';
import { AttachmentInfo } from '../schemas/channels.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

export const BlobParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });

/** Raw bytes on the wire (OpenAPI `string`/`binary`): the server sends a stream, the SDK reads bytes (`binaryResponse`). */
export const Binary = Type.Unsafe<unknown>({ type: 'string', format: 'binary' });

const tags = ['attachments'];

export const upload = defineEndpoint({
  method: 'POST',
  path: '/channels/:id/attachments',
  tags,
  summary:
    'Upload an encrypted attachment (raw application/octet-stream body); the id is the hex BLAKE2b-256 of the bytes. 409 when the channel is read-only or a pending contact request; 413 over the size maximum or a storage quota',
  params: IdParams,
  rawBody: 'application/octet-stream',
  response: { 200: AttachmentInfo, 201: AttachmentInfo, ...errorResponses(400, 401, 404, 409, 413, 415, 507) },
});

export const download = defineEndpoint({
  method: 'GET',
  path: '/attachments/:id',
  tags,
  summary: 'Download an attachment ciphertext (members of a channel whose message references it, or its uploader before that)',
  params: BlobParams,
  binaryResponse: true,
  response: { 200: Binary, ...errorResponses(401, 404) },
});
