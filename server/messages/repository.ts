import type { StoredMessageRow } from './stored-message.ts';

/** Storage port for messages, receipts, retention and channel access. SQL lives in server/store/sqlite/. */

export interface MessageRow {
  pk: number;
  id: string;
  channelId: string;
  seq: number;
  senderId: string;
  handling: string;
  envelope: string;
  ackRequired: number;
  createdAt: number;
}

export interface NewMessage {
  id: string;
  channelId: string;
  seq: number;
  senderId: string;
  senderDeviceId: string;
  epoch: number;
  handling: string;
  envelope: string;
  size: number;
  ackRequired: number;
  forwardedFrom: string | null;
  createdAt: number;
  expiresAt: number;
  /** Declared request metadata (JSON) or null. */
  requestMeta: string | null;
}

/** A use grant as its grantor declared it (PROTOCOL.md §8.3); the signed grant travels encrypted. */
export interface UseGrantRow {
  messageId: string;
  channelId: string;
  sourceMessageId: string;
  grantorId: string;
  purpose: 'judicial-proceedings' | 'onward-to-third-party';
  granteeAgencyId: string;
  expiresAt: number;
  createdAt: number;
}

export interface ReceiptRow {
  officerId: string;
  kind: 'delivered' | 'read' | 'acknowledged';
  at: number;
}

/**
 * Messages and receipts (send and sync are hot paths: implementations prepare statements once).
 * Every method returns a promise (the port is asynchronous for engines with real I/O).
 */
export interface MessagesRepository {
  byId(id: string): Promise<MessageRow | undefined>;
  /** Inserts the message and returns its pk. */
  insert(m: NewMessage): Promise<number>;
  setLastSeq(channelId: string, seq: number): Promise<void>;
  insertGrant(g: UseGrantRow): Promise<void>;
  grantById(messageId: string): Promise<UseGrantRow | undefined>;
  linkAttachment(messagePk: number, attachmentId: string): Promise<void>;
  feedPos(messagePk: number): Promise<number | undefined>;
  /** Messages after `afterSeq` that lie inside one of the officer's membership spans. */
  history(channelId: string, officerId: string, afterSeq: number, limit: number): Promise<StoredMessageRow[]>;
  /** True when the receipt is new. */
  insertReceipt(messagePk: number, officerId: string, kind: string, at: number): Promise<boolean>;
  setReceiptPos(messagePk: number, officerId: string, kind: string, pos: number): Promise<void>;
  /** The message's receipts whose feed position lies inside one of the viewer's membership spans. */
  receiptsVisibleTo(messagePk: number, channelId: string, officerId: string, current: boolean): Promise<ReceiptRow[]>;
  /** The end (exclusive) of the officer's last closed span in the channel, if any. */
  lastSpanEnd(channelId: string, officerId: string): Promise<number | null>;
  /** Officers whose membership span covers feed position `pos` of the channel. */
  membersAt(channelId: string, pos: number): Promise<string[]>;
  /** The officer's read marker in the channel (highest seq read), or 0. */
  readMarker(channelId: string, officerId: string): Promise<number>;
  /** Raises the marker to `seq` if that is higher; true when it moved. */
  raiseReadMarker(channelId: string, officerId: string, seq: number, at: number): Promise<boolean>;
  /** The officer's read markers, channel id → seq. */
  readMarkersOf(officerId: string): Promise<Map<string, number>>;
  /** Ids of the channel's messages with seq in (afterSeq, toSeq] that the officer acknowledged. */
  acknowledgedBy(channelId: string, officerId: string, afterSeq: number, toSeq: number): Promise<string[]>;
  /** Retention: pks of expired messages whose channel no agency holds, oldest first. */
  expiredMessagePks(now: number, limit: number): Promise<number[]>;
  attachmentsOf(messagePk: number): Promise<string[]>;
  /** Deletes the message with its receipts, attachment links and feed row; returns the receipts deleted. */
  deleteMessage(messagePk: number): Promise<number>;
  /** Uploads created at or before `createdBefore` that no message references. */
  orphanAttachments(createdBefore: number, limit: number): Promise<string[]>;
}
