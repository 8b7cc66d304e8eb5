import { NetworkError, type ChannelInfo, type InvitationView, type LiaisonClient, type ReceivedMessage, type SendOptions } from '../../../sdk/index.ts';
import type { Payload } from '../../../../shared/crypto/payload.ts';
import type { Agency, Me } from '../../../../shared/schemas/accounts.ts';
import type { Agreement } from '../../../../shared/schemas/agreements.ts';
import type { ReadMarker, Receipt, SendResult } from '../../../../shared/schemas/channels.ts';
import type { MyDeskRequest } from '../../../../shared/schemas/intake.ts';
import { applyReceipt, type RecipientRow } from '../lib/receipts.ts';
import type { Api } from './api.ts';
import type { LocalStore } from './local-store.ts';
import { Observable } from './observable.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { notifyNewMessage } from '../lib/desktop-notify.ts';

/** A plain send waiting in the outbox (kept in memory only, while unlocked). */
export interface QueuedSend {
  payload: Payload;
  opts: SendOptions;
}

/**
 * A cache of what the server keeps for me (docs/MESSAGING.md "Read markers"): my read marker per channel
 * (`ChannelInfo.readSeq`, `readMarker` events) and the messages I acknowledged (`ownReceipt` events,
 * `acknowledgedByMe` in history). Every device of mine converges on the server's state.
 */
interface UiMarks {
  /** Highest message seq seen per channel (unread = lastMessageSeq − max(seen, readSeq)). */
  seen: Record<string, number>;
  /** Message ids I acknowledged (on any device). */
  acked: string[];
}

/**
 * Everything decrypted or derived while unlocked. One instance per unlock; `dispose()` on lock
 * drops every reference (messages, titles, names) so nothing decrypted outlives the keys.
 */
export class ChatData {
  readonly channels = new Observable<ChannelInfo[]>([]);
  readonly invitations = new Observable<InvitationView[]>([]);
  readonly agencies = new Observable<Record<string, Agency>>({});
  readonly agreements = new Observable<Agreement[]>([]);
  readonly names = new Observable<Record<string, string>>({});
  readonly marks = new Observable<UiMarks>({ seen: {}, acked: [] });
  readonly certified = new Observable<string[]>([]);
  /** My requests to desks (null until first read). */
  readonly myRequests = new Observable<MyDeskRequest[] | null>(null);
  private readonly messages = new Map<string, Observable<ReceivedMessage[]>>();
  private readonly receipts = new Map<string, Observable<RecipientRow[]>>();
  private readonly off: (() => void)[] = [];
  private readonly requesters = new Map<string, Promise<{ agencyId: string; fingerprint: string }>>();
  private disposed = false;
  /** The channel on screen: its messages count as seen and get read receipts. */
  openChannelId: string | null = null;
  /** Sends made offline, delivered in order when the connection returns (docs/WEB.md "Outbox"). */
  readonly outbox = new Outbox<QueuedSend>((e) => this.deliverQueued(e), (err) => err instanceof NetworkError);
  /** The composer's unsent text per channel: kept in memory while unlocked, never written to storage. */
  readonly drafts = new Map<string, string>();

  constructor(
    readonly client: LiaisonClient,
    readonly api: Api,
    readonly me: Me,
    private readonly store: LocalStore,
  ) {
    this.off.push(
      client.on('message', (m) => this.onMessage(m)),
      client.on('receipt', (r) => this.onReceipt(r)),
      client.on('ownReceipt', (r) => this.onOwnReceipt(r)),
      client.on('readMarker', (m) => this.onReadMarker(m)),
      client.on('invitation', () => void this.onInvitation()),
      client.on('membership', () => void this.refreshChannels()),
      client.on('channel', () => void this.refreshChannels()),
      client.on('connection', (e) => {
        if (e.state === 'connected') void this.outbox.flush();
      }),
    );
    const online = () => void this.outbox.flush();
    globalThis.addEventListener?.('online', online);
    this.off.push(() => globalThis.removeEventListener?.('online', online));
    this.names.set({ [me.officer.id]: me.officer.displayName });
  }

  async load(): Promise<void> {
    const marks = await this.store.get<UiMarks>('ui:marks');
    if (marks) this.marks.set(marks);
    await Promise.all([
      this.refreshChannels(),
      this.refreshInvitations(),
      this.refreshAgreements().catch(() => undefined),
      this.api.agencies().then((list) => this.agencies.set(Object.fromEntries(list.map((a) => [a.id, a])))),
      this.loadNames(),
    ]);
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.off.splice(0)) off();
    for (const o of this.messages.values()) o.set([]);
    this.messages.clear();
    this.receipts.clear();
    this.outbox.entries.set([]);
    this.drafts.clear();
    this.channels.set([]);
    this.names.set({});
    this.myRequests.set(null);
  }

  private guard<T>(v: T): T | undefined {
    return this.disposed ? undefined : v;
  }

  async refreshChannels(): Promise<void> {
    const list = await this.client.channels();
    if (!this.guard(list)) return;
    const before = new Map(this.channels.get().map((c) => [c.id, c.contactRequest]));
    this.channels.set(list);
    // My contact request was accepted: the SDK now sends the introduction it kept on this device.
    // It does not come back as a `message` event (it is mine), so reload the history a few times.
    for (const c of list) if (before.get(c.id) === 'pending' && c.contactRequest === 'accepted') void this.reloadAfterAcceptance(c.id);
  }

  private async reloadAfterAcceptance(channelId: string): Promise<void> {
    for (const ms of [300, 1000, 3000]) {
      await new Promise((r) => setTimeout(r, ms));
      if (this.disposed) return;
      const list = await this.client.history(channelId).catch(() => null);
      if (!list || this.disposed) return;
      const o = this.messagesOf(channelId);
      const grew = list.some((m) => !o.get().some((x) => x.messageId === m.messageId));
      o.set(merge(o.get(), list));
      if (grew) {
        if (this.openChannelId === channelId) await this.markSeen(channelId);
        return;
      }
    }
  }

  /** Who asks (contact requests): agency and key fingerprint from the key directory, name when the directory knows it. */
  async requester(officerId: string): Promise<{ agencyId: string; fingerprint: string }> {
    let p = this.requesters.get(officerId);
    if (!p) {
      p = this.api.officerKeys(officerId).then((k) => ({ agencyId: k.agencyId, fingerprint: k.fingerprint }));
      p.catch(() => this.requesters.delete(officerId));
      this.requesters.set(officerId, p);
    }
    return p;
  }

  async answerContactRequest(invitationId: string, accept: boolean): Promise<string | null> {
    const ch = accept ? await this.client.acceptContactRequest(invitationId) : (await this.client.declineContactRequest(invitationId), null);
    await Promise.all([this.refreshInvitations(), this.refreshChannels()]);
    return ch?.id ?? null;
  }

  /**
   * A new invitation may be the case channel of a desk request of mine: myRequests() co-signs it when the SDK's
   * checks pass (the claimer of my own request invited me), so I join without a click.
   */
  private async onInvitation(): Promise<void> {
    await this.refreshInvitations();
    await this.refreshMyRequests().catch((err: unknown) => console.warn('my desk requests', err));
  }

  private myRequestsInFlight: Promise<MyDeskRequest[]> | null = null;

  /**
   * My desk requests (client.desks.myRequests, which co-signs a case channel's invitation from the claimer), one
   * call at a time: the invitation event and the My requests screen must not accept the same invitation twice.
   */
  refreshMyRequests(): Promise<MyDeskRequest[]> {
    this.myRequestsInFlight ??= (async () => {
      try {
        const list = await this.client.desks.myRequests();
        if (this.guard(list)) this.myRequests.set(list);
        if (list.some((r) => r.caseChannelId !== null)) await Promise.all([this.refreshInvitations(), this.refreshChannels()]);
        return list;
      } finally {
        this.myRequestsInFlight = null;
      }
    })();
    return this.myRequestsInFlight;
  }

  async refreshInvitations(): Promise<void> {
    const list = await this.client.invitations();
    if (this.guard(list)) this.invitations.set(list.filter((i) => i.status === 'pending' && i.inviteeId === this.me.officer.id));
  }

  async refreshAgreements(): Promise<void> {
    const list = await this.client.agreements();
    if (this.guard(list)) this.agreements.set(list);
  }

  private async loadNames(): Promise<void> {
    const names: Record<string, string> = {};
    if (this.me.officer.role !== 'officer') {
      const own = await this.api.officers(this.me.agency.id).catch(() => []);
      for (const o of own) names[o.id] = o.displayName;
    }
    const dir = await this.api.directory({ limit: 100 }).catch(() => null);
    for (const e of dir?.entries ?? []) if (e.officer) names[e.officer.id] = e.officer.displayName;
    this.learnNames(names);
  }

  learnNames(names: Record<string, string>): void {
    if (!this.disposed) this.names.update((n) => ({ ...names, ...n }));
  }

  /** Display name; officers of other agencies are known only from the directory, else "Officer 1a2b3c (Agency)". */
  nameOf(officerId: string): string {
    const known = this.names.get()[officerId];
    if (known) return known;
    const agencyId = this.channels.get().flatMap((c) => c.members).find((m) => m.officerId === officerId)?.agencyId;
    const agency = agencyId ? this.agencies.get()[agencyId]?.name : undefined;
    return `Officer ${officerId.slice(0, 6)}${agency ? ` (${agency})` : ''}`;
  }

  async certifyPending(): Promise<void> {
    const ids = await this.client.certifyPending().catch(() => []);
    if (ids.length) this.certified.update((c) => [...c, ...ids]);
  }

  /** Agency root: signs the cert-revoke of officers suspended while certified (PROTOCOL.md §4.3 **Revocation**). */
  async revokePending(): Promise<void> {
    await this.client.revokePending().catch(() => []);
  }

  // ---- messages ----

  messagesOf(channelId: string): Observable<ReceivedMessage[]> {
    let o = this.messages.get(channelId);
    if (!o) {
      o = new Observable<ReceivedMessage[]>([]);
      this.messages.set(channelId, o);
    }
    return o;
  }

  async openChannel(channelId: string): Promise<void> {
    this.openChannelId = channelId;
    const list = await this.client.history(channelId);
    if (this.disposed) return;
    const o = this.messagesOf(channelId);
    o.set(merge(o.get(), list));
    // Acknowledged on another device (the server lists them in history).
    const ackedElsewhere = list.filter((m) => m.acknowledgedByMe).map((m) => m.messageId);
    if (ackedElsewhere.length) await this.rememberAcks(ackedElsewhere);
    await this.markSeen(channelId);
    // Delivery status for my recent messages.
    const mine = o.get().filter((m) => m.senderId === this.me.officer.id).slice(-30);
    await Promise.all(
      mine.map(async (m) => {
        const status = await this.client.receipts(m.messageId).catch(() => null);
        if (status && !this.disposed) this.receiptsOf(m.messageId).update((rows) => mergeRows(status.recipients, rows));
      }),
    );
  }

  closeChannel(channelId: string): void {
    if (this.openChannelId === channelId) this.openChannelId = null;
  }

  private onMessage(m: ReceivedMessage): void {
    const o = this.messagesOf(m.channelId);
    o.set(merge(o.get(), [m]));
    this.channels.update((list) => list.map((c) => (c.id === m.channelId && m.seq > c.lastMessageSeq ? { ...c, lastMessageSeq: m.seq } : c)));
    if (this.openChannelId === m.channelId && document.visibilityState !== 'hidden') void this.markSeen(m.channelId);
    // Content-free: the channel title only (docs/WEB.md "Notifications").
    if (m.senderId !== this.me.officer.id) notifyNewMessage(m.channelId, this.channels.get().find((c) => c.id === m.channelId)?.title ?? null);
  }

  /** Everything on screen counts as seen; read receipts go to the senders. */
  async markSeen(channelId: string): Promise<void> {
    const msgs = this.messagesOf(channelId).get();
    const channel = this.channels.get().find((c) => c.id === channelId);
    const top = Math.max(channel?.lastMessageSeq ?? 0, ...msgs.map((m) => m.seq));
    const before = Math.max(this.marks.get().seen[channelId] ?? 0, channel?.readSeq ?? 0);
    const unreadFromOthers = msgs.filter((m) => m.seq > before && m.senderId !== this.me.officer.id).map((m) => m.messageId);
    await this.saveMarks({ ...this.marks.get(), seen: { ...this.marks.get().seen, [channelId]: Math.max(before, top) } });
    // The server's marker is what my other devices count from; it never moves backwards.
    if (top > (channel?.readSeq ?? 0)) {
      const marker = await this.client.markRead(channelId, top).catch(() => null);
      if (marker) this.onReadMarker(marker);
    }
    if (unreadFromOthers.length) await this.client.markRead(channelId, unreadFromOthers).catch(() => undefined);
  }

  unread(c: ChannelInfo): number {
    return Math.max(0, c.lastMessageSeq - Math.max(c.readSeq, this.marks.get().seen[c.id] ?? 0));
  }

  /** Unread messages over every channel (the tab title and the navigation show it). */
  totalUnread(): number {
    return this.channels.get().reduce((n, c) => n + this.unread(c), 0);
  }

  /** My read marker moved (here or on another device of mine). */
  private onReadMarker(m: ReadMarker): void {
    if (this.disposed) return;
    this.channels.update((list) => list.map((c) => (c.id === m.channelId && m.seq > c.readSeq ? { ...c, readSeq: m.seq } : c)));
  }

  /** My own receipt from another device: an acknowledgement shows on every device. */
  private onOwnReceipt(r: Receipt): void {
    if (r.kind === 'acknowledged') void this.rememberAcks([r.messageId]);
  }

  private async rememberAcks(ids: string[]): Promise<void> {
    const acked = this.marks.get().acked;
    const fresh = ids.filter((id) => !acked.includes(id));
    if (fresh.length) await this.saveMarks({ ...this.marks.get(), acked: [...acked, ...fresh] });
  }

  /** Sends and shows the message at once; `post` replaces the plain send (e.g. `client.requests.send`, which declares a request's metadata). */
  async send<R extends SendResult = SendResult>(channelId: string, payload: Payload, opts?: SendOptions, post?: () => Promise<R>): Promise<R> {
    if (post) return this.shown(channelId, payload, opts, await post());
    // A plain send has its client id before it leaves: the outbox retries it under the same id (idempotent).
    const sendOpts: SendOptions = { ...opts, messageId: opts?.messageId ?? crypto.randomUUID() };
    const offline = globalThis.navigator?.onLine === false;
    try {
      if (offline) throw new NetworkError('offline');
      return this.shown(channelId, payload, sendOpts, (await this.client.send(channelId, payload, sendOpts)) as R);
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      this.queue(channelId, payload, sendOpts);
      return { channelId, messageId: sendOpts.messageId!, seq: -1, createdAt: Date.now(), duplicate: false } as R;
    }
  }

  /** Shows a queued send in its channel (at the end, marked by its outbox status) and queues it. */
  private queue(channelId: string, payload: Payload, opts: SendOptions): void {
    const now = Date.now();
    const pending: ReceivedMessage = {
      channelId,
      messageId: opts.messageId!,
      seq: -1,
      senderId: this.me.officer.id,
      handling: opts.handling ?? 'TLP:CLEAR',
      codes: opts.codes ?? {},
      payload,
      sentAt: now,
      headerTime: now,
      timeSkew: false,
      ackRequired: !!opts.ackRequired,
      forwardedFrom: opts.forwardedFrom?.messageId ?? null,
    };
    const o = this.messagesOf(channelId);
    o.set(merge(o.get(), [pending]));
    this.outbox.enqueue(channelId, opts.messageId!, { payload, opts });
  }

  private async deliverQueued(e: OutboxEntry<QueuedSend>): Promise<void> {
    const res = await this.client.send(e.channelId, e.item.payload, e.item.opts);
    const o = this.messagesOf(e.channelId);
    o.set(o.get().filter((m) => !(m.messageId === res.messageId && m.seq < 0)));
    await this.shown(e.channelId, e.item.payload, e.item.opts, res);
  }

  /** Shows my sent message at once (the feed may bring it too). */
  private async shown<R extends SendResult>(channelId: string, payload: Payload, opts: SendOptions | undefined, res: R): Promise<R> {
    // Without an explicit code the SDK sent the channel's default, not CLEAR.
    const handling = opts?.handling ?? (await this.client.codes.policy(channelId)).defaultCode;
    const mine: ReceivedMessage = {
      channelId,
      messageId: res.messageId,
      seq: res.seq,
      senderId: this.me.officer.id,
      handling,
      codes: opts?.codes ?? {},
      payload,
      sentAt: res.createdAt,
      headerTime: res.createdAt,
      timeSkew: false,
      ackRequired: !!opts?.ackRequired,
      forwardedFrom: opts?.forwardedFrom?.messageId ?? null,
    };
    const o = this.messagesOf(channelId);
    // The feed may have delivered it first (with the real handling code): keep that one.
    if (!o.get().some((m) => m.messageId === res.messageId)) o.set(merge(o.get(), [mine]));
    this.channels.update((list) => list.map((c) => (c.id === channelId && res.seq > c.lastMessageSeq ? { ...c, lastMessageSeq: res.seq } : c)));
    await this.markSeen(channelId);
    return res;
  }

  async acknowledge(channelId: string, messageId: string): Promise<void> {
    await this.client.acknowledge(channelId, messageId);
    await this.rememberAcks([messageId]);
  }

  // ---- receipts ----

  receiptsOf(messageId: string): Observable<RecipientRow[]> {
    let o = this.receipts.get(messageId);
    if (!o) {
      o = new Observable<RecipientRow[]>([]);
      this.receipts.set(messageId, o);
    }
    return o;
  }

  private onReceipt(r: Receipt): void {
    if (r.officerId === this.me.officer.id) return;
    this.receiptsOf(r.messageId).update((rows) => applyReceipt(rows, r));
  }

  private async saveMarks(marks: UiMarks): Promise<void> {
    if (this.disposed) return;
    this.marks.set(marks);
    await this.store.set('ui:marks', marks);
  }
}

/** Merge by message id, ordered by seq (locally sent messages carry their server seq). */
export function merge(a: ReceivedMessage[], b: ReceivedMessage[]): ReceivedMessage[] {
  const byId = new Map(a.map((m) => [m.messageId, m]));
  for (const m of b) {
    const prev = byId.get(m.messageId);
    byId.set(m.messageId, prev && prev.seq >= 0 && m.seq < 0 ? prev : m);
  }
  // Messages still in the outbox (seq −1) come last, in the order they were written.
  const key = (m: ReceivedMessage) => (m.seq < 0 ? Number.MAX_SAFE_INTEGER : m.seq);
  return [...byId.values()].sort((x, y) => key(x) - key(y) || x.sentAt - y.sentAt);
}

function mergeRows(server: RecipientRow[], live: RecipientRow[]): RecipientRow[] {
  let rows = server;
  for (const l of live) {
    for (const kind of ['delivered', 'read', 'acknowledged'] as const) {
      const at = l[kind];
      if (at) rows = applyReceipt(rows, { officerId: l.officerId, kind, at });
    }
  }
  return rows;
}
