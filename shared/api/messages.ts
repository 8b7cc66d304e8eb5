import { ReadMarker, ReadMarkerBody, ReceiptBody, SendMessageBody, SendResult, SyncPage, SyncQuery } from '../schemas/channels.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { HistoryPage, HistoryQuery, ReceiptStatusList, ReceiptsStored } from '../schemas/messages.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['messages'];

export const send = defineEndpoint({
  method: 'POST',
  path: '/channels/:id/messages',
  tags,
  summary: 'Send an encrypted message (201 stored, 200 idempotent retry of a stored id)',
  params: IdParams,
  body: SendMessageBody,
  response: { 200: SendResult, 201: SendResult, ...errorResponses(400, 401, 403, 404, 409, 413) },
});

export const history = defineEndpoint({
  method: 'GET',
  path: '/channels/:id/messages',
  tags,
  summary: 'Message history after a seq, within your membership spans',
  params: IdParams,
  query: HistoryQuery,
  response: { 200: HistoryPage, ...errorResponses(400, 401, 404) },
});

export const recordReceipts = defineEndpoint({
  method: 'POST',
  path: '/channels/:id/receipts',
  tags,
  summary: 'Record delivered / read / acknowledged receipts (idempotent)',
  params: IdParams,
  body: ReceiptBody,
  response: { 200: ReceiptsStored, ...errorResponses(400, 401, 404) },
});

export const receiptStatus = defineEndpoint({
  method: 'GET',
  path: '/messages/:id/receipts',
  tags,
  summary: 'Per-recipient receipt status of a message (sender or channel members)',
  params: IdParams,
  response: { 200: ReceiptStatusList, ...errorResponses(401, 404) },
});

export const setReadMarker = defineEndpoint({
  method: 'PUT',
  path: '/channels/:id/read-marker',
  tags,
  summary: "Move your read marker forward to a message seq (never backwards; reaches your other devices as a read_marker feed item)",
  params: IdParams,
  body: ReadMarkerBody,
  response: { 200: ReadMarker, ...errorResponses(400, 401, 404) },
});

export const sync = defineEndpoint({
  method: 'GET',
  path: '/sync',
  tags,
  summary: 'Feed items after a cursor: your channels during your membership spans, and items addressed to you',
  query: SyncQuery,
  response: { 200: SyncPage, ...errorResponses(400, 401) },
});
