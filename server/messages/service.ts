import type { SendMessageBody, SendResult, StoredMessage } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { AttachmentsService } from '../attachments/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import type { VerifyDetached } from '../../shared/crypto/primitives.ts';
import { FeedReader, type SyncPage } from '../feed/sync.ts';
import type { ChannelAccess } from './channel-access.ts';
import { ReceiptsService, type ReceiptKind, type RecipientStatus } from './receipts.ts';
import type { MessagesRepository } from './repository.ts';
import { RetentionSweeper, type SweepResult } from './retention.ts';
import { MessageSender } from './send.ts';
import { toStoredMessage } from './stored-message.ts';
import type { Store } from '../store/store.ts';

export const DEFAULT_PAGE = 100;
export const DEFAULT_SYNC_PAGE = 500;

export interface MessagesDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  feed: FeedWriter;
  /** The membership rule, shared with attachments (built by the composition root). */
  access: ChannelAccess;
  attachments: Pick<AttachmentsService, 'channelOf' | 'removeBlob'>;
  /** Ed25519 detached verification for envelope signatures (native libsodium on the server). */
  verifyDetached: VerifyDetached;
}

/** Messages, receipts, sync and retention (docs/MESSAGING.md). */
export class MessagesService {
  readonly access: ChannelAccess;
  private readonly repo: MessagesRepository;
  private readonly sender: MessageSender;
  private readonly receipts: ReceiptsService;
  private readonly reader: FeedReader;
  private readonly sweeper: RetentionSweeper;

  constructor(deps: MessagesDeps) {
    this.access = deps.access;
    this.repo = deps.store.messages;
    this.sender = new MessageSender(deps, this.access, this.repo, deps.verifyDetached);
    this.receipts = new ReceiptsService(deps, this.access, this.repo);
    this.reader = new FeedReader(deps.store.feed);
    this.sweeper = new RetentionSweeper(deps);
  }

  /** The one send path (HTTP and socket.io); resolves once the message is durable. */
  sendMessage(actor: Actor, channelId: string, body: SendMessageBody): Promise<SendResult> {
    return this.sender.send(actor, channelId, body);
  }

  history(actor: Actor, channelId: string, afterSeq = 0, limit = DEFAULT_PAGE): { messages: StoredMessage[]; hasMore: boolean } {
    this.access.requireMember(actor, channelId);
    const rows = this.repo.history(channelId, actor.officerId, afterSeq, limit + 1);
    return { messages: rows.slice(0, limit).map(toStoredMessage), hasMore: rows.length > limit };
  }

  recordReceipts(actor: Actor, channelId: string, kind: ReceiptKind, messageIds: readonly string[]): Promise<{ stored: number }> {
    return this.receipts.record(actor, channelId, kind, messageIds);
  }

  receiptStatus(actor: Actor, messageId: string): { messageId: string; recipients: RecipientStatus[] } {
    return this.receipts.statusOf(actor, messageId);
  }

  sync(actor: Actor, cursor = 0, limit = DEFAULT_SYNC_PAGE): SyncPage {
    return this.reader.read(actor.officerId, cursor, limit);
  }

  /** sync() as the JSON the HTTP route sends (same page, stored JSON embedded without a parse). */
  syncJson(actor: Actor, cursor = 0, limit = DEFAULT_SYNC_PAGE): string {
    return this.reader.readJson(actor.officerId, cursor, limit);
  }

  sweepExpired(now: number): Promise<SweepResult> {
    return this.sweeper.sweep(now);
  }
}
