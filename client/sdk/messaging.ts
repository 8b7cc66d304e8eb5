import {
  EPOCH_MAX_AGE_MS,
  EPOCH_MAX_MESSAGES,
  DecryptError,
  KeyLogError,
  compareHandling,
  forwardingAllowed,
  emptyKeyLog,
  emptyReceiverState,
  encryptMessage,
  messageEnvelopeCodec,
  openEnvelope,
  receiverStateCodec,
  sendingChainCodec,
  startSendingChain,
  toB64,
  toHex,
  fromB64,
  checkHeaderTime,
  HEADER_TIME_TOLERANCE_MS,
  validatePayload,
  decodePayload,
  reencodePayload,
  vocabularyOf,
  type HandlingCode,
  type MessageCodes,
  type UseGrantPayload,
  type UsePurpose,
  type Payload,
  type ReceiverState,
  type SendingChain,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import { api } from '../../shared/api/index.ts';
import type { ReadMarker, SendMessageBody, SendResult, StoredMessage } from '../../shared/schemas/channels.ts';
import type { ReceiptStatusList } from '../../shared/schemas/messages.ts';
import type { RequestDeclared } from '../../shared/schemas/requests.ts';
import { declaredMismatch } from '../../shared/requests/declared.ts';
import { blobIdOf, forgetBlobId, rememberBlobId } from './attachments.ts';
import { applyCorrection, checkReply, correctionRefusal, replyRefFor } from './corrections.ts';
import type { ChainStore } from './chains.ts';
import type { ChannelsApi } from './channels.ts';
import { newId, requireKeys, type SdkContext } from './context.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { ReceivedMessage } from './events.ts';
import type { ReplyRef } from '../../shared/crypto/index.ts';
import type { KeyLogAuditor } from './keylog.ts';
import type { DevicesApi } from './devices.ts';
import type { RevocationChecker } from './revocations.ts';
import type { KeyedMutex } from './lock.ts';
import { withRetry, type RetryOptions } from './retry.ts';
import type { EpochSecrets } from './secrets.ts';
import type { Transport } from './transport.ts';

export interface SendOptions {
  handling?: HandlingCode;
  /** Evaluation and handling conditions (PROTOCOL.md §8.2), checked against the channel's code profile. */
  codes?: MessageCodes;
  ackRequired?: boolean;
  /** Declares the message urgent: in a desk's channel it pages the desk (docs/DESKS.md "Pages for messages"). */
  urgent?: boolean;
  /** `grantId`: the originator's `use-grant` that allows an H2 message onward (§8.3); the SDK checks it first. */
  forwardedFrom?: { messageId: string; channelId: string; grantId?: string };
  /** Reuse an id (e.g. after the app itself crashed mid-send); default: a fresh UUID. */
  messageId?: string;
  /** A request message's declared metadata (client.requests builds it; PROTOCOL.md §9.2). */
  request?: RequestDeclared;
}

export type ReceiptStatus = Static<typeof ReceiptStatusList>;

function withoutCaseIndex(d: RequestDeclared): RequestDeclared {
  const { caseIndex: _caseIndex, ...rest } = d;
  return rest;
}

interface CachedMessage extends Omit<ReceivedMessage, 'payload'> {
  payload: string;
}

/** The most message ids one receipt request may carry (shared/schemas/channels.ts). */
const MAX_RECEIPT_IDS = 500;
/** `retention:<channelId>`: the time before which this client removed the channel's messages (client-side retention). */
const RETENTION_FLOOR = 'retention:';

/** Encrypt-and-send with per-epoch sending chains; the receive pipeline with persisted replay state. */
export class MessagingApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly chains: ChainStore,
    private readonly channels: ChannelsApi,
    private readonly secrets: EpochSecrets,
    private readonly keylog: KeyLogAuditor,
    private readonly devices: DevicesApi,
    private readonly mutex: KeyedMutex,
    private readonly transport: () => Transport,
    private readonly retry: RetryOptions = {},
  ) {}

  /** Set by LiaisonClient: refuses messages from revoked senders (PROTOCOL.md §4.3 **Revocation**). */
  revocations: RevocationChecker | null = null;

  async send(channelId: string, payloadIn: Payload, opts: SendOptions = {}): Promise<SendResult> {
    const me = requireKeys(this.ctx, 'send');
    const payload = validatePayload(payloadIn);
    const messageId = opts.messageId ?? newId();
    // An outbox retry of a send whose envelope was already built: the very same body goes again, so a first
    // attempt that did reach the server is answered as a duplicate rather than a conflicting re-encryption.
    const pendingKey = `pending:${channelId}:${messageId}`;
    const pending = opts.messageId ? await this.ctx.sealed.get<SendMessageBody>(pendingKey) : null;
    if (pending) return this.deliver(channelId, pending, pendingKey);
    const prepare = () => this.mutex.run(channelId, async (): Promise<SendMessageBody | 'rekey'> => {
      // Refuses when the verified chain differs from the server's head (pull throws and marks it untrusted).
      const state = await this.chains.pull(channelId);
      await this.chains.assertSendable(channelId, state);
      const view = state.current;
      // §5.3: an epoch 7 days old, or whose message budget this device spent, is replaced first (outside the lock).
      const stored = await this.ctx.sealed.get<Record<string, unknown>>(`send:${channelId}`);
      let sending: SendingChain | null = stored ? sendingChainCodec.fromWire(stored) : null;
      // A chain of another device id (this installation was revoked and renewed) is not continued.
      if (!sending || sending.epoch !== view.epoch || sending.deviceId !== this.ctx.deviceId) sending = null;
      if (view.members.has(me.officerId) && (this.ctx.now() - view.startedAt >= EPOCH_MAX_AGE_MS || (sending?.counter ?? 0) >= EPOCH_MAX_MESSAGES)) return 'rekey';
      // §9.3 C5: a correction defaults to its target's code (never lower); C1–C4 are checked before sealing.
      const target = payload.kind === 'edit' || payload.kind === 'redaction' ? await this.cached(channelId, payload.target) : null;
      const handling = opts.handling ?? target?.handling ?? view.policy.defaultCode;
      if (payload.kind === 'edit' || payload.kind === 'redaction') {
        const refused = correctionRefusal({ senderId: me.officerId, handling, seq: -1, payload }, target);
        if (refused) throw new LiaisonClientError(refused, `send: this ${payload.kind} cannot apply to ${payload.target} (${refused})`);
      }
      if (opts.forwardedFrom) await this.checkForward(opts.forwardedFrom, handling, me.agencyId, [...new Set([...view.members.values()].map((m) => m.cert.agencyId))]);
      const grant = payload.kind === 'use-grant' ? await this.grantDeclaration(channelId, me.officerId, payload) : null;
      let secret = await this.secrets.load(channelId, view.epoch);
      if (!secret) {
        await this.channels.fetchKeyEnvelopes(channelId);
        secret = await this.secrets.load(channelId, view.epoch);
      }
      // The distributor keys an epoch nobody keyed yet (e.g. the first remaining owner after its author left).
      secret ??= (await this.channels.keyEpochIfDistributor(channelId, state)) ?? undefined;
      if (!secret) throw new LiaisonClientError('epoch/no-key', `send: no secret for epoch ${view.epoch} of ${channelId} yet`);
      sending ??= startSendingChain(secret, { channelId, epoch: view.epoch, stateHash: view.stateHash, officerId: me.officerId, deviceId: this.ctx.deviceId });
      const head = await this.keylog.head();
      const out = encryptMessage({
        channel: state,
        sending,
        sender: me,
        messageId,
        handling,
        ...(opts.codes ? { codes: opts.codes } : {}),
        payload,
        time: this.ctx.now(),
        keyLogHead: head ? { size: head.size, hash: head.headHash } : { size: 0, hash: emptyKeyLog().headHash },
        // §4.5: signed with this device's certified key.
        device: this.devices.keys() ?? (await this.devices.ensure()),
      });
      // Persist the advanced chain before anything leaves: a counter is never used twice.
      await this.ctx.sealed.set(`send:${channelId}`, sendingChainCodec.toWire(out.sending));
      await this.cache(await this.annotate({ channelId, messageId, seq: -1, senderId: me.officerId, handling, codes: opts.codes ?? {}, payload, sentAt: out.envelope.header.time, headerTime: out.envelope.header.time, timeSkew: false, ackRequired: !!opts.ackRequired, forwardedFrom: opts.forwardedFrom?.messageId ?? null, ...(opts.request ? { request: withoutCaseIndex(opts.request) } : {}) }));
      return {
        envelope: messageEnvelopeCodec.toWire(out.envelope),
        ...(opts.ackRequired ? { ackRequired: true } : {}),
        ...(opts.urgent ? { urgent: true } : {}),
        ...(payload.kind === 'file' ? { attachmentIds: [(await blobIdOf(this.ctx, payload.hash)) ?? toHex(payload.hash)] } : {}),
        ...(opts.forwardedFrom ? { forwardedFrom: { messageId: opts.forwardedFrom.messageId, ...(opts.forwardedFrom.grantId ? { grantId: opts.forwardedFrom.grantId } : {}) } } : {}),
        ...(grant ? { grant } : {}),
        ...(opts.request ? { request: opts.request } : {}),
      };
    });
    let prepared = await prepare();
    if (prepared === 'rekey') {
      try {
        await this.channels.rekey(channelId);
      } catch (err) {
        // 409: another member moved the head first (perhaps rekeying too); the next pull sees it.
        if (!(err instanceof LiaisonApiError && err.status === 409)) throw err;
      }
      prepared = await prepare();
      if (prepared === 'rekey') throw new LiaisonClientError('epoch/expired', `send: the epoch of ${channelId} is due for a rekey and the rekey did not take`);
    }
    await this.ctx.sealed.set(pendingKey, prepared);
    return this.deliver(channelId, prepared, pendingKey);
  }

  private async deliver(channelId: string, body: SendMessageBody, pendingKey: string): Promise<SendResult> {
    // The same body (same id, same envelope) on every attempt: the server answers duplicates idempotently.
    let res: SendResult;
    try {
      res = await withRetry(() => this.transport().send(channelId, body), this.retry);
    } catch (err) {
      // A final answer (e.g. 409 stale_epoch) refused this envelope: a retry builds a new one. A network
      // failure keeps it for the retry.
      if (err instanceof LiaisonApiError) await this.ctx.sealed.delete(pendingKey);
      throw err;
    }
    await this.ctx.sealed.delete(pendingKey);
    // §7.1: once the server has stamped it, our own copy too is displayed at the server's time.
    await this.mutex.run(channelId, async () => {
      const mine = await this.cached(channelId, res.messageId);
      if (mine && mine.seq < 0) await this.cache({ ...mine, sentAt: res.createdAt });
    });
    return res;
  }

  /** Feed item `message`: verify, decrypt, persist replay state, emit, and acknowledge delivery. */
  async onMessage(data: StoredMessage, opts: { emit: boolean } = { emit: true }): Promise<ReceivedMessage | null> {
    const channelId = data.channelId;
    const cached = await this.cached(channelId, data.messageId);
    if (cached && cached.seq >= 0) {
      if (cached.seq === data.seq) return cached;
      // §7 replay: the server serves an envelope already opened at another position; the copy is not a message.
      this.replayed(channelId, data, `already received at position ${cached.seq}, served again at ${data.seq}`);
      return null;
    }
    const msg = await this.mutex.run(channelId, () => this.decrypt(data));
    if (!msg) return null;
    if (opts.emit) {
      this.ctx.events.emit('message', msg);
      const target = await this.correctedTarget(msg);
      if (target) this.ctx.events.emit('corrected', { channelId, target, correction: msg });
    }
    if (msg.senderId !== this.ctx.officer?.id) this.queueDelivered(channelId, msg.messageId);
    return msg;
  }

  /** Delivery receipts waiting to go, per channel: one request per channel and turn, not one per message. */
  private readonly delivered = new Map<string, Set<string>>();

  /**
   * Queues a `delivered` receipt; the queue is sent after the current turn in batches of at most 500 ids (the
   * API's limit), so reading a 500-message page makes one request instead of 500 parallel ones (which ran into
   * the server's per-address connection cap and reset the page read itself). Best effort, as before.
   */
  private queueDelivered(channelId: string, messageId: string): void {
    const pending = this.delivered.get(channelId);
    if (pending) {
      pending.add(messageId);
      return;
    }
    this.delivered.set(channelId, new Set([messageId]));
    setTimeout(() => {
      const ids = [...(this.delivered.get(channelId) ?? [])];
      this.delivered.delete(channelId);
      void (async () => {
        for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
          await this.transport()
            .receipt(channelId, 'delivered', ids.slice(i, i + MAX_RECEIPT_IDS))
            .catch(() => undefined);
        }
      })();
    }, 0);
  }

  /** Stored messages of a channel, decrypted (from the local cache where already opened). */
  async history(channelId: string, opts: { afterSeq?: number } = {}): Promise<ReceivedMessage[]> {
    const out: ReceivedMessage[] = [];
    // A message id is listed once even if the server serves its envelope again (replay).
    const seen = new Set<string>();
    let afterSeq = opts.afterSeq ?? 0;
    for (;;) {
      const page = await this.ctx.http.call(api.messages.history, {
        params: { id: channelId },
        query: { afterSeq, limit: 500 },
      });
      const acked = new Set(page.acknowledged);
      const floor = (await this.ctx.store.get<number>(`${RETENTION_FLOOR}${channelId}`)) ?? 0;
      for (const m of page.messages) {
        // Removed locally by retention (forgetBefore): its envelope was opened once and cannot be opened again.
        if (m.createdAt < floor) {
          afterSeq = Math.max(afterSeq, m.seq);
          continue;
        }
        const msg = await this.onMessage(m, { emit: false });
        if (msg && !seen.has(msg.messageId)) {
          seen.add(msg.messageId);
          out.push(acked.has(msg.messageId) ? { ...msg, acknowledgedByMe: true } : msg);
        }
        afterSeq = Math.max(afterSeq, m.seq);
      }
      if (!page.hasMore || page.messages.length === 0) break;
    }
    // §9.3: a message listed before its edit or redaction is listed as it stands after it.
    const corrected = new Set(out.flatMap((m) => (m.correction?.status === 'applied' && (m.payload.kind === 'edit' || m.payload.kind === 'redaction') ? [m.payload.target] : [])));
    if (corrected.size === 0) return out;
    return Promise.all(out.map(async (m) => (corrected.has(m.messageId) ? { ...((await this.cached(channelId, m.messageId)) ?? m), ...(m.acknowledgedByMe ? { acknowledgedByMe: true } : {}) } : m)));
  }

  /** Read receipts to the senders of these messages. */
  async readReceipts(channelId: string, messageIds: string[]): Promise<void> {
    await withRetry(() => this.transport().receipt(channelId, 'read', messageIds), this.retry);
  }

  /** Moves my read marker forward to `seq` (never backwards: the server keeps the higher one and returns it). */
  async setReadMarker(channelId: string, seq: number): Promise<ReadMarker> {
    return withRetry(() => this.ctx.http.call(api.messages.setReadMarker, { params: { id: channelId }, body: { seq } }), this.retry);
  }

  async acknowledge(channelId: string, messageId: string): Promise<void> {
    await withRetry(() => this.transport().receipt(channelId, 'acknowledged', [messageId]), this.retry);
  }

  receipts(messageId: string): Promise<ReceiptStatus> {
    return this.ctx.http.call(api.messages.receiptStatus, { params: { id: messageId } });
  }

  private async decrypt(data: StoredMessage): Promise<ReceivedMessage | null> {
    const channelId = data.channelId;
    const envelope = messageEnvelopeCodec.fromWire(data.envelope);
    const h = envelope.header;
    try {
      if (h.channelId !== channelId || h.senderOfficerId !== data.senderId || h.messageId !== data.messageId) {
        throw new DecryptError('envelope/metadata-mismatch', 'onMessage: stored metadata differs from the signed header');
      }
      let state = (await this.chains.state(channelId)) ?? (await this.chains.pull(channelId));
      if (!state.epochs.has(h.epoch)) state = await this.chains.pull(channelId);
      if (!(await this.secrets.load(channelId, h.epoch))) await this.channels.fetchKeyEnvelopes(channelId);
      const receiverWire = await this.ctx.sealed.get<Record<string, unknown>>(`recv:${channelId}`);
      const receiver: ReceiverState = receiverWire ? receiverStateCodec.fromWire(receiverWire) : emptyReceiverState(channelId);
      // §4.5: the sender's device must be resolvable from my audited log; the sender had audited its own
      // device-add before sending (its gossiped head), so a smaller log of mine is audited first.
      if (h.keyLogSize > ((await this.keylog.head())?.size ?? 0)) await this.keylog.audit();
      const devices = this.devices.resolver(await this.keylog.deviceEvents());
      const opened = openEnvelope({ channel: state, receiver, epochSecret: (e) => this.secrets.peek(channelId, e), envelope, now: this.ctx.now(), devices, serverTime: data.createdAt });
      // §9.2: the server enforced the lifecycle on the declared request metadata; it must be what the sender signed.
      const mismatch = declaredMismatch(data.request, opened.payload);
      if (mismatch) throw new LiaisonClientError('request/metadata-mismatch', `onMessage: ${mismatch}`);
      // §7 key-log gossip: the sender's audited head must be consistent with mine (a fork refuses the message).
      await this.keylog.checkGossip({ size: h.keyLogSize, hash: h.keyLogHash });
      // §4.3 Revocation: nothing from a key revoked before the message (its header time or the server's stamp).
      await this.revocations?.assertMessageSender(state.epochs.get(h.epoch)!, h.senderOfficerId, h.time, data.createdAt);
      await this.ctx.sealed.set(`recv:${channelId}`, receiverStateCodec.toWire(opened.receiver));
      // §7.1: the server's stamp is displayed; a header time far from it (or before the epoch) is marked, not refused.
      const skew = checkHeaderTime({ time: h.time, serverTime: data.createdAt, epochStart: state.epochs.get(h.epoch)!.startedAt });
      if (skew) {
        this.ctx.events.emit('security', {
          kind: 'message_time_skew',
          channelId,
          officerId: h.senderOfficerId,
          code: skew,
          message: `message ${data.messageId}: sender time ${new Date(h.time).toISOString()} is outside ±${HEADER_TIME_TOLERANCE_MS / 60_000} min of the server's ${new Date(data.createdAt).toISOString()}${skew === 'envelope/time-before-epoch' ? ' or before its epoch' : ''}`,
        });
      }
      const msg: ReceivedMessage = {
        channelId,
        messageId: h.messageId,
        seq: data.seq,
        senderId: h.senderOfficerId,
        handling: h.handling,
        codes: opened.codes,
        payload: opened.payload,
        sentAt: data.createdAt,
        headerTime: h.time,
        timeSkew: skew !== null,
        ackRequired: data.ackRequired,
        forwardedFrom: data.forwardedFrom,
        ...(data.request ? { request: data.request } : {}),
      };
      const annotated = await this.annotate(msg);
      await this.cache(annotated);
      if (msg.payload.kind === 'file' && data.attachmentIds.length === 1) await rememberBlobId(this.ctx, msg.payload.hash, data.attachmentIds[0]!);
      return annotated;
    } catch (err) {
      if (err instanceof DecryptError && err.code === 'envelope/replay') {
        // My own message echoed back while still cached unsent (seq −1): the cache holds its content.
        const mine = await this.cached(channelId, data.messageId);
        if (mine) return mine;
        // A counter already spent (or whose skipped key expired) under another message id: a replay or a sender reusing counters.
        this.replayed(channelId, data, err.message);
        return null;
      }
      if (
        err instanceof DecryptError ||
        err instanceof KeyLogError ||
        (err instanceof LiaisonClientError && (err.code === 'keylog/server-key-changed' || err.code === 'request/metadata-mismatch'))
      ) {
        this.ctx.events.emit('security', { kind: 'message_rejected', channelId, code: err.code, message: `message ${data.messageId}: ${err.message}` });
        return null;
      }
      throw err;
    }
  }

  /**
   * PROTOCOL.md §9.3: checks a reply's quote and flags a mention of me; applies an edit or redaction that passes
   * C1–C5 to the target I hold (a redaction drops the target's content and its attachment mapping) and marks
   * the correction; a violation is marked `rejected`, reported as `message_rejected`, and never applied.
   */
  private async annotate(msg: ReceivedMessage): Promise<ReceivedMessage> {
    const p = msg.payload;
    if (p.kind === 'text') {
      let out = msg;
      if (p.replyTo) out = { ...out, reply: checkReply(p.replyTo, await this.cached(msg.channelId, p.replyTo.messageId)) };
      if (this.ctx.officer && p.mentions?.includes(this.ctx.officer.id)) out = { ...out, mentionsMe: true };
      return out;
    }
    if (p.kind !== 'edit' && p.kind !== 'redaction') return msg;
    const target = await this.cached(msg.channelId, p.target);
    // The same correction again (my own, applied when sent, coming back through the feed or history): applied once, no refusal.
    if (target && (target.withdrawn?.messageId === msg.messageId || target.edits?.some((e) => e.messageId === msg.messageId))) {
      return { ...msg, correction: { status: 'applied' } };
    }
    const code = correctionRefusal(msg, target);
    if (code === null && target) {
      await this.cache(applyCorrection(target, msg));
      if (p.kind === 'redaction' && target.payload.kind === 'file') await forgetBlobId(this.ctx, target.payload.hash);
      return { ...msg, correction: { status: 'applied' } };
    }
    if (code === 'correction/target-unavailable') return { ...msg, correction: { status: 'target-unavailable', code } };
    // The sender's own earlier edit, read again after they withdrew the message: not applied (the content is gone),
    // but no forgery either, so no security notice.
    if (code === 'correction/target-withdrawn' && target?.senderId === msg.senderId) return { ...msg, correction: { status: 'rejected', code } };
    this.ctx.events.emit('security', { kind: 'message_rejected', channelId: msg.channelId, officerId: msg.senderId, code: code ?? 'correction/bad-target', message: `message ${msg.messageId}: ${p.kind} of ${p.target} refused (${code}); not applied` });
    return { ...msg, correction: { status: 'rejected', ...(code ? { code } : {}) } };
  }

  /** The target of an applied correction, as it stands now. */
  private async correctedTarget(msg: ReceivedMessage): Promise<ReceivedMessage | null> {
    const p = msg.payload;
    if (msg.correction?.status !== 'applied' || (p.kind !== 'edit' && p.kind !== 'redaction')) return null;
    return this.cached(msg.channelId, p.target);
  }

  /** The `replyTo` to send for a message I hold (§9.3 R1): its id, sender and excerpt; null when it cannot be quoted. */
  async replyRef(channelId: string, messageId: string): Promise<ReplyRef | null> {
    const original = await this.cached(channelId, messageId);
    return original ? replyRefFor(original) : null;
  }

  private replayed(channelId: string, data: StoredMessage, why: string): void {
    this.ctx.events.emit('security', { kind: 'message_replayed', channelId, officerId: data.senderId, code: 'envelope/replay', message: `message ${data.messageId}: ${why}; not shown again` });
  }

  /** PROTOCOL.md §8 before anything is sealed; the server applies the same rules to its own records. */
  private async checkForward(src: { messageId: string; channelId: string; grantId?: string }, handling: HandlingCode, myAgencyId: string, targetAgencyIds: string[]): Promise<void> {
    const source = await this.cached(src.channelId, src.messageId);
    if (!source) return; // The server enforces the rules on metadata as well.
    if (vocabularyOf(source.handling) === 'europol-h') {
      // §8.2: the code travels unchanged; H2 goes only where a valid grant of its originator allows.
      if (handling !== source.handling) throw new LiaisonClientError('handling/downgrade', `send: a forward keeps the source's handling code ${source.handling}`);
      const grant = src.grantId ? await this.validGrant(source, src.grantId, 'onward-to-third-party') : null;
      if (!forwardingAllowed({ code: source.handling, recipientAgencyId: myAgencyId, targetAgencyIds, clientAgencyIds: [], grantedAgencyIds: grant ? [grant.granteeAgencyId] : [] })) {
        throw new LiaisonClientError('handling/forward-denied', 'send: an H2 message goes onward only under a valid grant of its originator for every other agency of the channel');
      }
      return;
    }
    if (source.handling === 'TLP:RED') throw new LiaisonClientError('handling/forward-denied', 'send: TLP:RED messages may not be forwarded');
    if (vocabularyOf(handling) !== 'tlp-2.0' || compareHandling(handling, source.handling) < 0) throw new LiaisonClientError('handling/downgrade', 'send: a forward may not lower the handling code');
    // TLP:AMBER reaches the agency's clients: the institutions holding an active extended-access grant from it.
    const clientAgencyIds = source.handling === 'TLP:AMBER' ? await this.clientAgencyIds(myAgencyId) : [];
    if (!forwardingAllowed({ code: source.handling, recipientAgencyId: myAgencyId, targetAgencyIds, clientAgencyIds })) {
      const where = source.handling === 'TLP:AMBER' ? 'your agency and the institutions it sponsors' : 'your agency';
      throw new LiaisonClientError('handling/forward-denied', `send: a ${source.handling} message stays within ${where}; this channel has members of other agencies`);
    }
  }

  private async clientAgencyIds(agencyId: string): Promise<string[]> {
    const { grants } = await this.ctx.http.call(api.extendedAccess.list);
    return grants.filter((g) => g.active && g.sponsorAgencyId === agencyId).map((g) => g.agencyId);
  }

  /** Decrypted messages are kept sealed locally: replay protection forbids opening an envelope twice. */
  private async cache(msg: ReceivedMessage): Promise<void> {
    const { payload, ...rest } = msg;
    // As received: a payload sent under older send rules (e.g. a reported-site URL before normalisation) still fits.
    const value: CachedMessage = { ...rest, payload: toB64(reencodePayload(payload)) };
    await this.ctx.sealed.set(`msg:${msg.channelId}:${msg.messageId}`, value);
    if (payload.kind === 'use-grant') await this.indexGrant(msg.channelId, payload.sourceMessageId, msg.messageId);
  }

  // ---- use grants (PROTOCOL.md §8.3) ----

  /** `grants:<sourceMessageId>` lists the grant messages seen for it (sealed); each is re-checked when used. */
  private async indexGrant(channelId: string, sourceMessageId: string, grantMessageId: string): Promise<void> {
    const key = `grants:${sourceMessageId}`;
    const list = (await this.ctx.sealed.get<{ channelId: string; messageId: string }[]>(key)) ?? [];
    if (list.some((g) => g.messageId === grantMessageId)) return;
    await this.ctx.sealed.set(key, [...list, { channelId, messageId: grantMessageId }]);
  }

  /**
   * The originator's valid grants for a message I hold: `use-grant` messages, decision `granted`, in the message's
   * channel, from its sender, not expired (my clock), for `purpose` (and `granteeAgencyId` when given).
   */
  async grantsFor(channelId: string, sourceMessageId: string, purpose?: UsePurpose, granteeAgencyId?: string): Promise<(UseGrantPayload & { messageId: string })[]> {
    const source = await this.cached(channelId, sourceMessageId);
    if (!source) return [];
    const list = (await this.ctx.sealed.get<{ channelId: string; messageId: string }[]>(`grants:${sourceMessageId}`)) ?? [];
    const out: (UseGrantPayload & { messageId: string })[] = [];
    for (const ref of list) {
      const g = await this.validGrant(source, ref.messageId, purpose);
      if (g && (granteeAgencyId === undefined || g.granteeAgencyId === granteeAgencyId)) out.push({ ...g, messageId: ref.messageId });
    }
    return out;
  }

  private async validGrant(source: ReceivedMessage, grantMessageId: string, purpose?: UsePurpose): Promise<UseGrantPayload | null> {
    const m = await this.cached(source.channelId, grantMessageId);
    if (!m || m.payload.kind !== 'use-grant' || m.senderId !== source.senderId) return null;
    const g = m.payload;
    if (g.sourceMessageId !== source.messageId || g.decision !== 'granted' || g.expiresAt <= this.ctx.now()) return null;
    return purpose === undefined || g.purpose === purpose ? g : null;
  }

  /** A granted `use-grant` declares itself to the server (§8.3), which checks I sent the source in this channel. */
  private async grantDeclaration(channelId: string, officerId: string, p: UseGrantPayload): Promise<SendMessageBody['grant'] | null> {
    const source = await this.cached(channelId, p.sourceMessageId);
    if (!source || source.senderId !== officerId) throw new LiaisonClientError('grant/not-originator', 'send: only the sender of a message grants its use, in its channel');
    if (p.decision !== 'granted') return null;
    return { sourceMessageId: p.sourceMessageId, purpose: p.purpose, granteeAgencyId: p.granteeAgencyId, expiresAt: p.expiresAt };
  }

  /** Client-side retention: removes the cached messages of `channelId` sent before `before`; returns their ids. */
  async forgetBefore(channelId: string, before: number): Promise<string[]> {
    const prefix = `msg:${channelId}:`;
    const gone: string[] = [];
    const floor = (await this.ctx.store.get<number>(`${RETENTION_FLOOR}${channelId}`)) ?? 0;
    if (before > floor) await this.ctx.store.set(`${RETENTION_FLOOR}${channelId}`, before);
    for (const key of await this.ctx.store.keys(prefix)) {
      const v = await this.ctx.sealed.get<CachedMessage>(key);
      if (v && v.sentAt < before) {
        await this.ctx.sealed.delete(key);
        gone.push(key.slice(prefix.length));
      }
    }
    return gone;
  }

  /** A message I hold (sent or received), or null. */
  message(channelId: string, messageId: string): Promise<ReceivedMessage | null> {
    return this.cached(channelId, messageId);
  }

  private async cached(channelId: string, messageId: string): Promise<ReceivedMessage | null> {
    const v = await this.ctx.sealed.get<CachedMessage>(`msg:${channelId}:${messageId}`);
    return v ? { ...v, payload: decodePayload(fromB64(v.payload)) } : null;
  }
}
