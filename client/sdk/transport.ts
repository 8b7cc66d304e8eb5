import type { SendMessageBody, SendResult } from '../../shared/schemas/channels.ts';

export type ReceiptKind = 'delivered' | 'read' | 'acknowledged';

/** How messages and receipts leave the client: the socket with ack when connected, else HTTP. */
export interface Transport {
  send(channelId: string, body: SendMessageBody): Promise<SendResult>;
  receipt(channelId: string, kind: ReceiptKind, messageIds: string[]): Promise<{ stored: number }>;
}
