import {
  compareHandling,
  forwardingAllowed,
  isHandlingAllowed,
  messageEnvelopeCodec,
  vocabularyOf,
  MAX_CIPHERTEXT_BYTES,
  toB64,
  verifyEnvelopeSignature,
  type MessageEnvelope,
  type VerifyDetached,
} from '../../shared/crypto/index.ts';
import type { ReadMarker, SendMessageBody, SendResult, StoredMessage } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { AttachmentsService } from '../attachments/service.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { RoutedFeedItem } from '../feed/feed.ts';
import type { ChannelAccess, ChannelRow } from '../channels/access.ts';
import type { MessageRow } from './repository.ts';
import type { GroupCommitter, Store, Tx } from '../store/store.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import { FeedReader, type SyncPage } from '../feed/sync.ts';
import { ReceiptsService, type ReceiptKind, type RecipientStatus } from './receipts.ts';
import { RetentionSweeper, type SweepResult } from './retention.ts';
import type { MessagePagePlan, MessagePages } from '../alerting/message-pages.ts';
import { toStoredMessage } from './stored-message.ts';
import type { RequestPlan, RequestsService } from '../requests/service.ts';

const DAY_MS = 24 * 3600 * 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A send that passed every check that needs no write lock; applied inside the group transaction. */
interface SendJob {
  actor: Actor;
  channelId: string;
  envelope: MessageEnvelope;
  /** The canonical wire form (re-encoded once) and its JSON, stored and compared for idempotency. */
  wire: Record<string, unknown>;
  envelopeJson: string;
  size: number;
  ackRequired: boolean;
  attachmentIds: string[];
  forwardedFrom: string | null;
  /** True when the envelope was verified with the sending device's own key (re-checked for revocation in the batch). */
  deviceSigned: boolean;
  /** The desk page an urgent or acknowledgement-requested message opens in the batch, or null. */
  page: MessagePagePlan | null;
  /** A request or a request's state change (declared metadata, checked), or null. */
  request: RequestPlan | null;
  /** A `use-grant` message's declaration (PROTOCOL.md §8.3), stored with it. */
  grant: SendMessageBody['grant'] | null;
}

interface Applied {
  result: SendResult;
  feed: RoutedFeedItem | null;
}

export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

function staleEpoch(): ConflictError {
  return new ConflictError('The channel moved to a new epoch; sync the membership chain and re-encrypt', 'stale_epoch');
}

function deviceRevoked(): ForbiddenError {
  return new ForbiddenError('This device was revoked; sign in on another device', 'device_revoked');
}

function idConflict(): ConflictError {
  return new ConflictError('This message id is already used by a different message', 'message_id_conflict');
}

/** base64url without padding: 4 characters per 3 bytes. */
function b64Length(s: string): number {
  return Math.floor((s.length * 3) / 4);
}

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
  /** Desk pages for flagged messages and their acknowledgement through receipts (server/alerting/message-pages.ts). */
  pager?: MessagePager;
  /** Declared request metadata: checked before the batch, applied in it (server/requests). */
  requests?: MessageRequests;
}

/** The messaging side of requests: the only way sends reach the requests domain. */
export type MessageRequests = Pick<RequestsService, 'plan' | 'applyIn'>;

/** The messaging side of desk paging: the only way sends and receipts reach alerting. */
export type MessagePager = Pick<MessagePages, 'plan' | 'openIn' | 'acknowledgeIn'>;

/** Messages, receipts, sync and retention (docs/MESSAGING.md). */
export class MessagesService {
  readonly access: ChannelAccess;
  private readonly store: Store;
  private readonly commit: GroupCommitter<SendJob, Applied>;
  private readonly clock: Clock;
  private readonly feed: FeedWriter;
  private readonly attachments: Pick<AttachmentsService, 'channelOf'>;
  private readonly verifyDetached: VerifyDetached;
  private readonly receipts: ReceiptsService;
  private readonly reader: FeedReader;
  private readonly sweeper: RetentionSweeper;
  private readonly pager: MessagePager | undefined;
  private readonly requests: MessageRequests | undefined;
  private readonly audit: AuditService;

  constructor(deps: MessagesDeps) {
    this.audit = deps.audit;
    this.pager = deps.pager;
    this.requests = deps.requests;
    this.access = deps.access;
    this.store = deps.store;
    this.clock = deps.clock;
    this.feed = deps.feed;
    this.attachments = deps.attachments;
    this.verifyDetached = deps.verifyDetached;
    const { feed } = deps;
    this.commit = deps.store.groupCommit<SendJob, Applied>(
      (tx, job) => this.apply(tx, job),
      (done) => {
        feed.publish(done.flatMap((d) => (d.feed ? [d.feed] : [])));
      },
      // The batch writes only message, attachment-link, feed and last-seq rows: access caches stay valid.
      (run) => this.access.withOwnWrites(run),
    );
    this.receipts = new ReceiptsService(deps, this.access);
    this.reader = new FeedReader();
    this.sweeper = new RetentionSweeper(deps);
  }

  async history(actor: Actor, channelId: string, afterSeq = 0, limit = DEFAULT_PAGE): Promise<{ messages: StoredMessage[]; hasMore: boolean; acknowledged: string[] }> {
    await this.access.requireMember(actor, channelId);
    // Committed state on the reader connection.
    return this.store.read(async (r) => {
      const rows = await r.messages.history(channelId, actor.officerId, afterSeq, limit + 1);
      const messages = rows.slice(0, limit).map(toStoredMessage);
      const last = messages.length > 0 ? messages[messages.length - 1]!.seq : afterSeq;
      // The caller's own acknowledgements of this page, so a fresh device shows them (docs/MESSAGING.md "Read markers").
      const acked = new Set(messages.length > 0 ? await r.messages.acknowledgedBy(channelId, actor.officerId, afterSeq, last) : []);
      return { messages, hasMore: rows.length > limit, acknowledged: messages.filter((m) => acked.has(m.messageId)).map((m) => m.messageId) };
    });
  }

  /**
   * Moves the caller's read marker forward to `seq` (a current member only; never backwards; at most the
   * channel's last seq). A move is a `read_marker` feed item addressed to the caller, so the officer's
   * other devices follow in feed order. Returns the marker as it stands.
   */
  async setReadMarker(actor: Actor, channelId: string, seq: number): Promise<ReadMarker> {
    const channel = await this.access.requireMember(actor, channelId);
    const at = this.clock.now();
    let item: RoutedFeedItem | null = null;
    const marker = await this.store.write(async (tx) => {
      const last = (await tx.channels.channel(channelId))?.lastMessageSeq ?? channel.lastMessageSeq;
      if (seq > last) throw new ValidationError(`seq ${seq} is past the channel's last message (${last})`, 'read_marker_ahead');
      if (!(await tx.messages.raiseReadMarker(channelId, actor.officerId, seq, at))) {
        return { channelId, officerId: actor.officerId, seq: await tx.messages.readMarker(channelId, actor.officerId), at };
      }
      const data: ReadMarker = { channelId, officerId: actor.officerId, seq, at };
      item = await this.feed.append({ channelId, kind: 'read_marker', data, createdAt: at, recipientId: actor.officerId }, tx.feed);
      const published = item;
      tx.onCommit(() => this.feed.publish([published]));
      return data;
    });
    return marker;
  }

  recordReceipts(actor: Actor, channelId: string, kind: ReceiptKind, messageIds: readonly string[]): Promise<{ stored: number }> {
    return this.receipts.record(actor, channelId, kind, messageIds);
  }

  receiptStatus(actor: Actor, messageId: string): Promise<{ messageId: string; recipients: RecipientStatus[] }> {
    return this.receipts.statusOf(actor, messageId);
  }

  /**
   * The feed after `cursor`, read on committed state (the reader connection): every send and receipt
   * resolves only after its commit, so a sync that follows it sees it.
   */
  sync(actor: Actor, cursor = 0, limit = DEFAULT_SYNC_PAGE): Promise<SyncPage> {
    return this.store.read((r) => this.reader.read(r.feed, actor.officerId, cursor, limit));
  }

  /** sync() as the JSON the HTTP route sends (same page, stored JSON embedded without a parse). */
  syncJson(actor: Actor, cursor = 0, limit = DEFAULT_SYNC_PAGE): Promise<string> {
    return this.store.read((r) => this.reader.readJson(r.feed, actor.officerId, cursor, limit));
  }

  sweepExpired(now: number): Promise<SweepResult> {
    return this.sweeper.sweep(now);
  }

  // ---- sending ----

  /**
   * The one send path (HTTP and socket.io): stateless checks first (cheap rejections never touch
   * the write lock), then a group-committed transaction that re-checks the epoch and assigns `seq`;
   * resolves once the message is durable.
   */
  async sendMessage(actor: Actor, channelId: string, body: SendMessageBody): Promise<SendResult> {
    const channel = await this.access.requireMember(actor, channelId);
    const { value: envelope, wire } = this.parse(body);
    const envelopeJson = JSON.stringify(wire);
    // A repeat of a committed message is answered without the batch (which re-checks inside its transaction).
    const messageId = envelope.header.messageId;
    const existing = await this.store.read((r) => r.messages.byId(messageId));
    if (existing) return this.duplicate(existing, channelId, envelopeJson);
    const readOnly = await this.access.readOnlyReason(channel);
    if (readOnly) throw new ConflictError(`The channel is read-only (${readOnly}); history stays readable`, 'channel_read_only');
    this.checkHeader(actor, channel, envelope);
    // A revoked certificate's key sends nothing more (PROTOCOL.md §4.3 **Revocation**), before the owners remove it.
    await this.access.requireCertified(actor.officerId);
    const deviceSigned = await this.checkSender(actor, envelope);
    const attachmentIds = body.attachmentIds ?? [];
    // Awaited only when there are attachments, so a plain send takes no extra read.
    if (attachmentIds.length > 0) await this.checkAttachments(channelId, attachmentIds);
    const forwardedFrom = body.forwardedFrom ? await this.checkForwarding(actor, channelId, envelope, body.forwardedFrom.messageId, body.forwardedFrom.grantId) : null;
    if (body.grant) await this.checkGrantDeclaration(actor, channelId, body.grant);
    const ackRequired = body.ackRequired ?? false;
    const urgent = body.urgent ?? false;
    // Only a flagged message looks for a desk to page, outside the write lock.
    const page = (urgent || ackRequired) && this.pager ? await this.pager.plan(actor.officerId, channelId, { urgent, ackRequired }) : null;
    if (body.request && !this.requests) throw new ValidationError('Requests are not handled here', 'invalid_request_metadata');
    const request = body.request ? await this.requests!.plan(actor, channel, body.request) : null;
    const applied = await this.commit.submit({
      actor,
      channelId,
      envelope,
      wire,
      envelopeJson,
      size: envelope.ciphertext.length,
      ackRequired,
      attachmentIds,
      forwardedFrom,
      deviceSigned,
      page,
      request,
      grant: body.grant ?? null,
    });
    return applied.result;
  }

  /** The envelope and its canonical wire form (built from the input's own strings, no re-encoding). */
  private parse(body: SendMessageBody): { value: MessageEnvelope; wire: Record<string, unknown> } {
    const ct = body.envelope['ciphertext'];
    if (typeof ct === 'string' && b64Length(ct) > MAX_CIPHERTEXT_BYTES) {
      throw new PayloadTooLargeError(`Ciphertext exceeds ${MAX_CIPHERTEXT_BYTES} bytes; send large content as an attachment`);
    }
    let parsed: { value: MessageEnvelope; wire: Record<string, unknown> };
    try {
      parsed = messageEnvelopeCodec.fromWireCanonical(body.envelope);
    } catch (cause) {
      throw new ValidationError(`Malformed envelope: ${(cause as Error).message}`, 'invalid_envelope', { cause });
    }
    if (!ID_PATTERN.test(parsed.value.header.messageId)) {
      throw new ValidationError('Envelope messageId must be 1-64 characters of [A-Za-z0-9_-]', 'invalid_envelope');
    }
    return parsed;
  }

  private duplicate(existing: MessageRow, channelId: string, envelopeJson: string): SendResult {
    if (existing.channelId !== channelId || existing.envelope !== envelopeJson) throw idConflict();
    return { channelId, messageId: existing.id, seq: existing.seq, createdAt: existing.createdAt, duplicate: true };
  }

  private checkHeader(actor: Actor, channel: ChannelRow, envelope: MessageEnvelope): void {
    const h = envelope.header;
    if (h.channelId !== channel.id) throw new ValidationError('Envelope header names another channel', 'envelope_channel_mismatch');
    if (h.senderOfficerId !== actor.officerId) throw new ValidationError('Envelope sender is not the signed-in officer', 'envelope_sender_mismatch');
    if (h.epoch !== channel.headSeq || toB64(h.stateHash) !== channel.headHash) throw staleEpoch();
    if (!isHandlingAllowed(this.access.policy(channel), h.handling)) {
      throw new ValidationError(`Handling code ${h.handling} is not allowed by this channel's policy`, 'handling_not_allowed');
    }
  }

  /**
   * The envelope signature (PROTOCOL.md §4.5): by the key of the sending device when that device was
   * added (certified by the officer's identity key), by the identity key when it never was; a revoked
   * device sends nothing more. Both keys come from ChannelAccess's caches, which a device-add or
   * -revoke clears. Returns true when the device key verified it.
   */
  private async checkSender(actor: Actor, envelope: MessageEnvelope): Promise<boolean> {
    const signer = await this.access.deviceSigner(actor.officerId, envelope.header.senderDeviceId);
    if (signer.kind === 'revoked') throw deviceRevoked();
    const key = signer.kind === 'device' ? signer.signPublicKey : await this.access.signKey(actor.officerId);
    if (!key || !verifyEnvelopeSignature(envelope, key, this.verifyDetached)) {
      const whose = signer.kind === 'device' ? "the sending device's certified key" : "the sender's registered key";
      throw new ValidationError(`Envelope signature does not verify under ${whose}`, 'bad_signature');
    }
    return signer.kind === 'device';
  }

  private async checkAttachments(channelId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if ((await this.attachments.channelOf(id)) !== channelId) {
        throw new ValidationError(`Attachment ${id} was not uploaded to this channel`, 'unknown_attachment');
      }
    }
  }

  /** §8.3: only the originator of a message, in its channel, declares a grant for it. */
  private async checkGrantDeclaration(actor: Actor, channelId: string, grant: NonNullable<SendMessageBody['grant']>): Promise<void> {
    const source = await this.store.read((r) => r.messages.byId(grant.sourceMessageId));
    if (!source || source.channelId !== channelId || source.senderId !== actor.officerId) {
      throw new ValidationError('Only the sender of a message may grant its use, in the channel where it was sent', 'grant_invalid');
    }
    if (grant.expiresAt <= this.clock.now()) throw new ValidationError('A grant must expire in the future', 'grant_invalid');
  }

  /**
   * §8.3: an H2 source goes onward only under a grant its originator declared for it — purpose
   * `onward-to-third-party`, not expired — and only to the recipient's agency and the grant's agency.
   */
  private async grantedAgencies(source: MessageRow, grantId: string | undefined): Promise<string[]> {
    if (!grantId) return [];
    const g = await this.store.read((r) => r.messages.grantById(grantId));
    const valid = g && g.sourceMessageId === source.id && g.channelId === source.channelId && g.grantorId === source.senderId && g.purpose === 'onward-to-third-party' && g.expiresAt > this.clock.now();
    return valid ? [g.granteeAgencyId] : [];
  }

  /** DESIGN §4 on the source message's metadata; returns the source id to store. */
  private async checkForwarding(actor: Actor, channelId: string, envelope: MessageEnvelope, sourceId: string, grantId?: string): Promise<string> {
    const { source, pos } = await this.store.read(async (r) => {
      const m = await r.messages.byId(sourceId);
      return { source: m, pos: m ? await r.messages.feedPos(m.pk) : undefined };
    });
    if (
      !source ||
      pos === undefined ||
      !(await this.access.isCurrentMember(source.channelId, actor.officerId)) ||
      !(await this.access.spanCovers(source.channelId, actor.officerId, pos))
    ) {
      throw new NotFoundError('Forwarded message');
    }
    const sourceHandling = source.handling as StoredMessage['handling'];
    const allowed = forwardingAllowed({
      code: sourceHandling,
      recipientAgencyId: actor.agencyId,
      targetAgencyIds: await this.access.memberAgencyIds(channelId),
      clientAgencyIds: await this.access.clientAgencyIds(actor.agencyId),
      grantedAgencyIds: sourceHandling === 'H2' ? await this.grantedAgencies(source, grantId) : [],
    });
    if (!allowed) {
      const why = sourceHandling === 'H2' ? ' without a valid grant of its originator for every agency of it' : '';
      throw new ForbiddenError(`A ${sourceHandling} message may not be forwarded to this channel${why}`, 'forwarding_forbidden');
    }
    // Europol codes travel unchanged (§8.2): the restriction is the originator's, not the forwarder's to change.
    if (vocabularyOf(sourceHandling) === 'europol-h') {
      if (envelope.header.handling !== sourceHandling) throw new ForbiddenError(`A forward must keep the source's handling code (${sourceHandling})`, 'forwarding_forbidden');
    } else if (vocabularyOf(envelope.header.handling) !== 'tlp-2.0' || compareHandling(envelope.header.handling, sourceHandling) < 0) {
      throw new ForbiddenError(`A forward must keep at least the source's handling code (${sourceHandling})`, 'forwarding_forbidden');
    }
    return source.id;
  }

  /** Inside the group transaction (own savepoint), through `tx`: idempotency, epoch re-check, seq, insert, feed. */
  private async apply(tx: Tx, job: SendJob): Promise<Applied> {
    const h = job.envelope.header;
    const existing = await tx.messages.byId(h.messageId);
    if (existing) return { result: this.duplicate(existing, job.channelId, job.envelopeJson), feed: null };
    // A device revoked after the checks above (they ran outside the write lock) sends nothing more.
    if (job.deviceSigned) {
      const device = await tx.keys.device(job.actor.officerId, h.senderDeviceId);
      if (!device || device.revokedAt !== null) throw deviceRevoked();
    }
    const channel = await tx.access.channel(job.channelId);
    if (!channel) throw new NotFoundError('Channel');
    // Every membership change starts an epoch, so this also re-checks membership atomically.
    if (h.epoch !== channel.headSeq || toB64(h.stateHash) !== channel.headHash) throw staleEpoch();
    const now = this.clock.now();
    const seq = channel.lastMessageSeq + 1;
    // The state machine re-checked on the committed state; a refused change rolls back this job alone.
    const request = job.request ? await this.requests!.applyIn(tx, job.request, job.channelId, h.messageId, job.actor, now) : null;
    const requestMeta = job.request ? JSON.stringify(job.request.stored) : null;
    const pk = await tx.messages.insert({
      id: h.messageId,
      channelId: job.channelId,
      seq,
      senderId: job.actor.officerId,
      senderDeviceId: h.senderDeviceId,
      epoch: h.epoch,
      handling: h.handling,
      envelope: job.envelopeJson,
      size: job.size,
      ackRequired: job.ackRequired ? 1 : 0,
      forwardedFrom: job.forwardedFrom,
      createdAt: now,
      expiresAt: now + channel.retentionDays * DAY_MS,
      requestMeta,
    });
    await tx.messages.setLastSeq(job.channelId, seq);
    if (job.grant) {
      await tx.messages.insertGrant({ messageId: h.messageId, channelId: job.channelId, grantorId: job.actor.officerId, createdAt: now, ...job.grant });
      await this.audit.record(
        tx,
        auditEvents.useGrantDeclared(job.actor, { type: 'message', id: job.grant.sourceMessageId }, { grantId: h.messageId, channelId: job.channelId, purpose: job.grant.purpose, granteeAgencyId: job.grant.granteeAgencyId, expiresAt: job.grant.expiresAt }),
      );
    }
    for (const id of job.attachmentIds) await tx.messages.linkAttachment(pk, id);
    const stored: StoredMessage = {
      channelId: job.channelId,
      messageId: h.messageId,
      seq,
      senderId: job.actor.officerId,
      epoch: h.epoch,
      handling: h.handling,
      envelope: job.wire,
      ackRequired: job.ackRequired,
      attachmentIds: job.attachmentIds,
      forwardedFrom: job.forwardedFrom,
      createdAt: now,
      ...(job.request ? { request: job.request.stored } : {}),
    };
    const feed = await this.feed.append({ channelId: job.channelId, kind: 'message', data: stored, createdAt: now, messagePk: pk }, tx.feed);
    // The page commits with the message or not at all; its notifications go out after the commit.
    const pageId = job.page ? await this.pager!.openIn(tx, job.page, job.channelId, job.actor, now) : null;
    return { result: { channelId: job.channelId, messageId: h.messageId, seq, createdAt: now, duplicate: false, ...(pageId !== null ? { pageId } : {}), ...(request ? { request } : {}) }, feed };
  }
}
