import { Type, type Static } from 'typebox';
import { RECEIPT_KINDS, SendMessageBody } from './channels.ts';
import { Id } from './common.ts';

/** Client → server socket payloads (shared/realtime.ts), validated by the server's typed handlers. */
export const SendEvent = Type.Object({ channelId: Id, ...SendMessageBody.properties }, { additionalProperties: false });
export type SendEvent = Static<typeof SendEvent>;

export const ReceiptEvent = Type.Object(
  { channelId: Id, kind: Type.Enum(RECEIPT_KINDS), messageIds: Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { additionalProperties: false },
);
export type ReceiptEvent = Static<typeof ReceiptEvent>;

/** PROTOCOL.md §9.3 **Typing**: `{ channelId }` says "typing now"; `typing: false` (older clients) says "stopped". */
export const TypingEvent = Type.Object({ channelId: Id, typing: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type TypingEvent = Static<typeof TypingEvent>;
