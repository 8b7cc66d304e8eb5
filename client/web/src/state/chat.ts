import { NetworkError, type ChannelInfo, type CorrectionNotice, type TypingNotice, type InvitationView, type LiaisonClient, type ReceivedMessage, type SendOptions } from '../../../sdk/index.ts';
import type { Payload } from '../../../../shared/crypto/payload.ts';
import { MAX_PROFILE_IDS, type Agency, type Me, type OfficerProfile } from '../../../../shared/schemas/accounts.ts';
import type { Agreement } from '../../../../shared/schemas/agreements.ts';
import type { ReadMarker, Receipt, SendResult } from '../../../../shared/schemas/channels.ts';
import type { MyDeskRequest } from '../../../../shared/schemas/intake.ts';
import type { PendingOfficerKeys } from '../../../../shared/schemas/keys.ts';
import { applyReceipt, type RecipientRow } from '../lib/receipts.ts';
import type { Api } from './api.ts';
import type { StateStore } from '../../../sdk/index.ts';
import { SearchIndex } from './search-index.ts';
import { Observable } from './observable.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { notifyNewMessage } from '../lib/desktop-notify.ts';

/** How long another member shows as typing after their last notice (PROTOCOL.md §9.3 **Typing**). */
export const TYPING_MS = 5000;

/** What the composer of a channel works on besides a new message: a reply to, or an edit of, a message. */
export type ComposeMode = { kind: 'reply'; message: ReceivedMessage } | { kind: 'edit'; message: ReceivedMessage };

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
  /** Name and agency of officers I can see (channel members, inviters), from GET /officers/profiles. */
  readonly profiles = new Observable<Record<string, OfficerProfile>>({});
  readonly marks = new Observable<UiMarks>({ seen: {}, acked: [] });
  readonly certified = new Observable<string[]>([]);
  /** Administrators: my agency's officers whose keys wait for certification (polled, see refreshPendingCerts). */
  readonly pendingCerts = new Observable<PendingOfficerKeys[]>([]);
  /** My requests to desks (null until first read). */
  readonly myRequests = new Observable<MyDeskRequest[] | null>(null);
  private readonly messages = new Map<string, Observable<ReceivedMessage[]>>();
  private readonly receipts = new Map<string, Observable<RecipientRow[]>>();
  private readonly off: (() => void)[] = [];
  private readonly requesters = new Map<string, Promise<{ agencyId: string; fingerprint: string }>>();
  private disposed = false;
  /** refreshChannels() calls started / the latest whose answer was applied. */
  private channelsGeneration = 0;
  private channelsApplied = 0;
  /** The channel on screen: its messages count as seen and get read receipts. */
  openChannelId: string | null = null;
  /** Sends made offline, delivered in order when the connection returns (docs/WEB.md "Outbox"). */
  readonly outbox = new Outbox<QueuedSend>((e) => this.deliverQueued(e), (err) => err instanceof NetworkError);
  /** The composer's unsent text per channel: kept in memory while unlocked, never written to storage. */
  readonly drafts = new Map<string, string>();
  /** Local search over what this browser decrypted (sealed in IndexedDB; search-index.ts). */
  readonly search: SearchIndex;
  /** Who is typing per channel: officer id → when the notice expires (PROTOCOL.md §9.3 **Typing**, 5 s). */
  readonly typing = new Observable<Record<string, Record<string, number>>>({});
  /** The composer's reply or edit in progress per channel (set from a message's menu, cleared on send or cancel). */
  readonly compose = new Observable<Record<string, ComposeMode>>({});
  /** Messages that mention me (§9.3 **Mentions**) arrived while their channel was not in view, per channel; cleared when it is seen. */
  readonly mentioned = new Observable<Record<string, number>>({});
  private readonly typingTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    readonly client: LiaisonClient,
    readonly api: Api,
    readonly me: Me,
    private readonly store: StateStore,
  ) {
    this.search = new SearchIndex(client);
    this.off.push(
      client.on('message', (m) => this.onMessage(m)),
      client.on('receipt', (r) => this.onReceipt(r)),
      client.on('ownReceipt', (r) => this.onOwnReceipt(r)),
      client.on('readMarker', (m) => this.onReadMarker(m)),
      client.on('corrected', (c) => this.onCorrected(c)),
      client.on('typing', (n) => this.onTyping(n)),
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
      this.refreshAgencies(),
      this.loadNames(),
    ]);
  }

  dispose(): void {
    this.disposed = true;
    this.search.dispose();
    for (const timer of this.typingTimers) clearTimeout(timer);
    this.typingTimers.clear();
    this.typing.set({});
    this.compose.set({});
    this.mentioned.set({});
    for (const off of this.off.splice(0)) off();
    for (const o of this.messages.values()) o.set([]);
    this.messages.clear();
    this.receipts.clear();
    this.outbox.entries.set([]);
    this.drafts.clear();
    this.channels.set([]);
    this.names.set({});
    this.profiles.set({});
    this.myRequests.set(null);
  }

  private guard<T>(v: T): T | undefined {
    return this.disposed ? undefined : v;
  }

  async refreshChannels(): Promise<void> {
    // Refreshes overlap (a feed event during the first load): an older answer landing after a newer one is dropped.
    const generation = ++this.channelsGeneration;
    const list = await this.client.channels();
    if (!this.guard(list) || generation < this.channelsApplied) return;
    this.channelsApplied = generation;
    const before = new Map(this.channels.get().map((c) => [c.id, c.contactRequest]));
    this.channels.set(list);
    void this.learnProfiles(list.flatMap((c) => c.members.map((m) => m.officerId)));
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
    if (!this.guard(list)) return;
    const mine = list.filter((i) => i.status === 'pending' && i.inviteeId === this.me.officer.id);
    // Names first: an invitation says who invites, from which agency.
    await this.learnProfiles(mine.map((i) => i.createdBy));
    if (this.guard(mine)) this.invitations.set(mine);
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

  private readonly asked = new Set<string>();

  /** Fetches name and agency of the ids not yet known (each id asked once per unlock). */
  async learnProfiles(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.asked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.asked.add(id);
    for (let i = 0; i < missing.length; i += MAX_PROFILE_IDS) {
      const found = await this.api.officerProfiles(missing.slice(i, i + MAX_PROFILE_IDS)).catch(() => []);
      if (this.disposed || found.length === 0) continue;
      this.profiles.update((p) => ({ ...p, ...Object.fromEntries(found.map((x) => [x.officerId, x])) }));
      this.names.update((n) => ({ ...n, ...Object.fromEntries(found.map((x) => [x.officerId, x.displayName])) }));
    }
  }

  /** The agency's name of an officer I can see, if known. */
  agencyNameOf(officerId: string): string | undefined {
    const profile = this.profiles.get()[officerId];
    if (profile) return profile.agencyName;
    const agencyId = this.channels.get().flatMap((c) => c.members).find((m) => m.officerId === officerId)?.agencyId;
    return agencyId ? this.agencies.get()[agencyId]?.name : undefined;
  }

  /** Display name (directory, my agency, GET /officers/profiles); else "Officer 1a2b3c (Agency)". */
  nameOf(officerId: string): string {
    const known = this.names.get()[officerId];
    if (known) return known;
    const agency = this.agencyNameOf(officerId);
    return `Officer ${officerId.slice(0, 6)}${agency ? ` (${agency})` : ''}`;
  }

  /** "Name (Agency)", the agency left out for my own agency's officers. */
  whoOf(officerId: string): string {
    const agency = this.agencyNameOf(officerId);
    const name = this.nameOf(officerId);
    return agency && agency !== this.me.agency.name && !name.endsWith(`(${agency})`) ? `${name} (${agency})` : name;
  }

  /**
   * What a channel is called here: a direct channel after the other side ("Name (Agency)") on both sides — its
   * stored title is the opener's wording (often the recipient's own desk); other channels by their title.
   */
  titleOf(c: ChannelInfo): string | null {
    if (c.kind === 'direct') {
      const other = c.members.find((m) => m.officerId !== this.me.officer.id);
      if (other && (this.names.get()[other.officerId] || !c.title)) return this.whoOf(other.officerId);
    }
    return c.title;
  }

  async refreshAgencies(): Promise<void> {
    const list = await this.api.agencies();
    if (this.guard(list)) this.agencies.set(Object.fromEntries(list.map((a) => [a.id, a])));
  }

  /** Administrators: who waits for certification now (the navigation's count and the Officers tab follow it). */
  async refreshPendingCerts(): Promise<void> {
    if (this.me.officer.role === 'officer') return;
    const list = await this.api.pendingCertifications();
    if (this.guard(list)) this.pendingCerts.set(list);
  }

  async certifyPending(): Promise<void> {
    const ids = await this.client.certifyPending().catch(() => []);
    if (ids.length) this.certified.update((c) => [...c, ...ids]);
    await this.refreshPendingCerts().catch(() => undefined);
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
    void this.search.add(list);
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
    this.stopTyping(m.channelId, m.senderId);
    void this.search.add([m]);
    const o = this.messagesOf(m.channelId);
    o.set(merge(o.get(), [m]));
    this.channels.update((list) => list.map((c) => (c.id === m.channelId && m.seq > c.lastMessageSeq ? { ...c, lastMessageSeq: m.seq } : c)));
    // A message read before (on this or another device) that the feed replays, e.g. to a new device, is not news.
    const unseenFromOther = m.senderId !== this.me.officer.id && m.seq > this.seenSeq(m.channelId);
    if (unseenFromOther && m.mentionsMe) this.mentioned.update((all) => ({ ...all, [m.channelId]: (all[m.channelId] ?? 0) + 1 }));
    if (this.openChannelId === m.channelId && document.visibilityState !== 'hidden') void this.markSeen(m.channelId);
    // Content-free: the channel title only, and whether I was mentioned (docs/WEB.md "Notifications").
    const channel = this.channels.get().find((c) => c.id === m.channelId);
    if (unseenFromOther) notifyNewMessage(m.channelId, channel ? this.titleOf(channel) : null, m.mentionsMe === true);
  }

  /** An edit or redaction applied to a message I hold: the message shows as it stands now (§9.3 C6). */
  private onCorrected(c: CorrectionNotice): void {
    if (this.disposed) return;
    const o = this.messagesOf(c.channelId);
    const prev = o.get().find((m) => m.messageId === c.target.messageId);
    // Keep the seq this list knows (a message of mine shown before the feed brought it).
    o.set(merge(o.get(), [prev ? { ...c.target, seq: prev.seq >= 0 ? prev.seq : c.target.seq } : c.target]));
    if (c.target.withdrawn) void this.search.remove(c.channelId, [c.target.messageId]);
    else if (c.target.edits?.length) void this.search.add([c.target]);
  }

  /** Another member types: shown for 5 s unless repeated (the SDK sends at most one notice per 3 s). */
  private onTyping(n: TypingNotice): void {
    if (this.disposed || n.officerId === this.me.officer.id) return;
    const until = Date.now() + TYPING_MS;
    this.typing.update((all) => ({ ...all, [n.channelId]: { ...all[n.channelId], [n.officerId]: until } }));
    const timer = setTimeout(() => {
      this.typingTimers.delete(timer);
      const now = Date.now();
      this.typing.update((all) => {
        const live = Object.fromEntries(Object.entries(all[n.channelId] ?? {}).filter(([, at]) => at > now));
        return { ...all, [n.channelId]: live };
      });
    }, TYPING_MS + 50);
    this.typingTimers.add(timer);
  }

  /** A new message from someone stops their "typing" line at once. */
  private stopTyping(channelId: string, officerId: string): void {
    const list = this.typing.get()[channelId];
    if (!list?.[officerId]) return;
    const { [officerId]: _gone, ...rest } = list;
    this.typing.update((all) => ({ ...all, [channelId]: rest }));
  }

  /** Sets (or clears, with null) the reply or edit the composer of a channel works on. */
  setCompose(channelId: string, mode: ComposeMode | null): void {
    this.compose.update((all) => {
      const { [channelId]: _old, ...rest } = all;
      return mode ? { ...rest, [channelId]: mode } : rest;
    });
  }

  /** Edits my message (§9.3): shown at once, the feed brings it to the others. */
  async edit(channelId: string, messageId: string, text: string): Promise<void> {
    await this.client.edit(channelId, messageId, text);
    await this.refreshOne(channelId, messageId);
  }

  /** Withdraws my message with a reason (§9.3): every member's client drops its content. */
  async redact(channelId: string, messageId: string, reason: string): Promise<void> {
    await this.client.redact(channelId, messageId, reason);
    await this.refreshOne(channelId, messageId);
    void this.search.remove(channelId, [messageId]);
  }

  /** Replaces a message of the list with the SDK's copy as it stands after corrections. */
  private async refreshOne(channelId: string, messageId: string): Promise<void> {
    const now = await this.client.message(channelId, messageId);
    if (!now || this.disposed) return;
    const o = this.messagesOf(channelId);
    const prev = o.get().find((m) => m.messageId === messageId);
    o.set(merge(o.get(), [prev && prev.seq >= 0 ? { ...now, seq: prev.seq } : now]));
  }

  /** The channel's messages up to this seq are seen: on this device (its marks) or on any (the synced read marker). */
  private seenSeq(channelId: string): number {
    const channel = this.channels.get().find((c) => c.id === channelId);
    return Math.max(this.marks.get().seen[channelId] ?? 0, channel?.readSeq ?? 0);
  }

  /** Everything on screen counts as seen; read receipts go to the senders. */
  async markSeen(channelId: string): Promise<void> {
    if (this.mentioned.get()[channelId]) {
      this.mentioned.update((all) => {
        const { [channelId]: _seen, ...rest } = all;
        return rest;
      });
    }
    const msgs = this.messagesOf(channelId).get();
    const channel = this.channels.get().find((c) => c.id === channelId);
    const top = Math.max(channel?.lastMessageSeq ?? 0, ...msgs.map((m) => m.seq));
    const before = this.seenSeq(channelId);
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
