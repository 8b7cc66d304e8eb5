import { Type } from 'typebox';
import { Id, Timestamp } from './common.ts';
import { StoredMessage } from './channels.ts';

export const HistoryQuery = Type.Object(
  {
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const HistoryPage = Type.Object({
  messages: Type.Array(StoredMessage),
  hasMore: Type.Boolean(),
  /** Ids of this page's messages that the caller acknowledged (on any device). */
  acknowledged: Type.Array(Id),
});

export const ReceiptsStored = Type.Object({ stored: Type.Integer({ description: 'Receipts that were new' }) });

const At = Type.Union([Timestamp, Type.Null()]);
export const ReceiptStatusList = Type.Object({
  messageId: Id,
  recipients: Type.Array(Type.Object({ officerId: Id, delivered: At, read: At, acknowledged: At })),
});
