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
}

export interface ReceiptRow {
  officerId: string;
  kind: 'delivered' | 'read' | 'acknowledged';
  at: number;
}

/** Messages and receipts (send and sync are hot paths: implementations prepare statements once). */
export interface MessagesRepository {
  byId(id: string): MessageRow | undefined;
  /** Inserts the message and returns its pk. */
  insert(m: NewMessage): number;
  setLastSeq(channelId: string, seq: number): void;
  linkAttachment(messagePk: number, attachmentId: string): void;
  feedPos(messagePk: number): number | undefined;
  /** Messages after `afterSeq` that lie inside one of the officer's membership spans. */
  history(channelId: string, officerId: string, afterSeq: number, limit: number): StoredMessageRow[];
  /** True when the receipt is new. */
  insertReceipt(messagePk: number, officerId: string, kind: string, at: number): boolean;
  setReceiptPos(messagePk: number, officerId: string, kind: string, pos: number): void;
  /** The message's receipts whose feed position lies inside one of the viewer's membership spans. */
  receiptsVisibleTo(messagePk: number, channelId: string, officerId: string, current: boolean): ReceiptRow[];
  /** The end (exclusive) of the officer's last closed span in the channel, if any. */
  lastSpanEnd(channelId: string, officerId: string): number | null;
  /** Officers whose membership span covers feed position `pos` of the channel. */
  membersAt(channelId: string, pos: number): string[];
  /** Retention: pks of expired messages whose channel no agency holds, oldest first. */
  expiredMessagePks(now: number, limit: number): number[];
  attachmentsOf(messagePk: number): string[];
  /** Deletes the message with its receipts, attachment links and feed row; returns the receipts deleted. */
  deleteMessage(messagePk: number): number;
  /** Uploads created at or before `createdBefore` that no message references. */
  orphanAttachments(createdBefore: number, limit: number): string[];
}

/** The channel columns messaging needs. */
export interface ChannelRow {
  id: string;
  agreementId: string | null;
  policy: string;
  headSeq: number;
  headHash: string;
  lastMessageSeq: number;
  retentionDays: number;
  legalHold: number;
  closedAt: number | null;
}

/** Membership, policy and key look-ups for messaging (hot path: every send and sync). */
export interface AccessRepository {
  channel(channelId: string): ChannelRow | undefined;
  isCurrentMember(channelId: string, officerId: string): boolean;
  /** True when feed position `pos` of the channel lies inside one of the officer's membership spans. */
  spanCovers(channelId: string, officerId: string, pos: number): boolean;
  memberAgencyIds(channelId: string): string[];
  currentMemberIds(channelId: string): string[];
  channelsOf(officerId: string): string[];
  /** The agreement's parties as stored (JSON array), if it exists. */
  agreementParties(agreementId: string): string | undefined;
  agreementWindow(agreementId: string): { validFrom: number | null; validUntil: number | null } | undefined;
  /** The earliest expiry after `now` of an unrevoked extended-access grant. */
  nextGrantExpiry(now: number): number | null;
  /**
   * A value that changes whenever anything may have been written since it was last read (by this
   * process or another one): caches derived from stored rows are valid while it is unchanged.
   */
  changeStamp(): string;
}
