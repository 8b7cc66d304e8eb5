import { KeyLogError, initSodium, type FilePayload, type HandlingCode, type Payload, type ReplyRef, type SafetyNumber } from '../../shared/crypto/index.ts';
import type { Agreement, ProposeAgreementBody } from '../../shared/schemas/agreements.ts';
import type { Me } from '../../shared/schemas/accounts.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import type { ReadMarker, SendResult } from '../../shared/schemas/channels.ts';
import type { CreateDirectoryEntryBody, DirectoryEntry, DirectoryPage, UpdateDirectoryEntryBody } from '../../shared/schemas/directory.ts';
import { AgreementsApi, type AgreementVerification } from './agreements.ts';
import { AttachmentsApi, type Progress, type UploadOptions } from './attachments.ts';
import { AuditHeadMonitor, type AuditHeadCheck } from './audit-head.ts';
import { ChainStore } from './chains.ts';
import { ChannelsApi, type ChannelInfo, type ChannelMemberInfo, type CreateChannelInput, type InvitationView } from './channels.ts';
import { newId, type SdkContext } from './context.ts';
import { DevicesApi, type DeviceView } from './devices.ts';
import { DesksApi } from './desks.ts';
import { RequestsApi } from './requests.ts';
import { CodesApi } from './codes.ts';
import { DirectoryApi, type ContactOptions, type ContactResult, type ContactTargetView, type DirectoryFilters } from './directory.ts';
import { TypedEmitter, type Handler, type LiaisonEvents, type ReceivedMessage } from './events.ts';
import { HttpClient, type CallArgs, type CallResult, type FetchFn } from './http.ts';
import type { Endpoint } from '../../shared/api/endpoint.ts';
import { api } from '../../shared/api/index.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import { KeyLogAuditor, type KeyLogAuditResult } from './keylog.ts';
import { KeysApi, type CertificateStatus, type RootSetOutcome } from './keys.ts';
import { KeyedMutex } from './lock.ts';
import type { ChannelMeta } from './meta.ts';
import { MessagingApi, type ReceiptStatus, type SendOptions } from './messaging.ts';
import { PinStore } from './pins.ts';
import { RealtimeConnection, httpTransport, type RealtimeOptions } from './realtime.ts';
import type { RetryOptions } from './retry.ts';
import { RevocationChecker } from './revocations.ts';
import { SealedStore } from './sealed-store.ts';
import { EpochSecrets } from './secrets.ts';
import { SessionApi, type EnrolBeginResult, type LoginInput } from './session.ts';
import { MemoryStore, type StateStore } from './store.ts';
import { FeedPipeline } from './sync.ts';

export { LiaisonApiError, LiaisonClientError, NetworkError, type ClientErrorCode, type ErrorCode, type ProtocolErrorCode, type ServerErrorCode } from './errors.ts';
export { api } from '../../shared/api/index.ts';
export type { CallArgs, CallOptions, CallResult } from './http.ts';
export { MemoryStore, type StateStore } from './store.ts';
export { TypedEmitter } from './events.ts';
export type { RootSetOutcome } from './keys.ts';
export type * from './events.ts';
export type { ChannelInfo, ChannelMemberInfo, CreateChannelInput, InvitationView } from './channels.ts';
export type { SendOptions, ReceiptStatus } from './messaging.ts';
export type { AgreementVerification } from './agreements.ts';
export type { ChannelMeta } from './meta.ts';
export type { ContactOptions, ContactResult, ContactTargetView, DirectoryFilters } from './directory.ts';
export type { KeyLogAuditResult } from './keylog.ts';
export type { CertificateStatus } from './keys.ts';
export type { DeviceView } from './devices.ts';
export type { DeskInboxItem, HandoverNote } from './desks.ts';
export { RequestsApi, formatDeadline, type DeadlineViews, type NewRequest, type StepOptions } from './requests.ts';
export type { CodesApi, UseVerdict } from './codes.ts';
export type { AuditHeadCheck } from './audit-head.ts';

/** Options of `LiaisonClient.request()`. */
export interface ApiRequestOptions {
  /** JSON body. */
  body?: unknown;
  /** Query parameters; undefined values are left out, booleans sent as `true`/`false`. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Send the session's bearer token (default true). */
  auth?: boolean;
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface LiaisonClientOptions {
  /** Server origin, e.g. `https://liaison.example` (the SDK adds `/api/v1`). */
  baseUrl: string;
  store?: StateStore;
  fetch?: FetchFn;
  /** Clock for signed times (tests inject the server's manual clock). */
  now?: () => number;
  retry?: RetryOptions;
  realtime?: RealtimeOptions;
  /** This installation's name in the officer's device list (PROTOCOL.md §4.5), e.g. "Chromium on Linux". */
  deviceName?: string;
  /**
   * Desk supervisors: on every unlock, reconcile the desk channels of the desks I supervise with their rosters
   * in the background (`client.desks.syncSupervised()`; docs/DESKS.md "Desk intake"). Default false.
   */
  syncDesksOnUnlock?: boolean;
}

/** The Liaison SDK: sign-in, keys, agreements, channels, end-to-end encrypted messages and files. */
export class LiaisonClient {
  private readonly ctx: SdkContext;
  private readonly emitter = new TypedEmitter<LiaisonEvents>();
  private readonly session: SessionApi;
  private readonly pins: PinStore;
  private readonly keylog: KeyLogAuditor;
  private readonly keysApi: KeysApi;
  private readonly agreementsApi: AgreementsApi;
  private readonly chains: ChainStore;
  private readonly secrets: EpochSecrets;
  private readonly channelsApi: ChannelsApi;
  private readonly messaging: MessagingApi;
  private readonly feed: FeedPipeline;
  private readonly realtime: RealtimeConnection;
  private readonly files: AttachmentsApi;
  private readonly directory: DirectoryApi;
  private readonly auditHead: AuditHeadMonitor;
  private readonly devicesApi: DevicesApi;
  private readonly desksApi: DesksApi;
  private readonly requestsApi: RequestsApi;
  private readonly codesApi: CodesApi;
  private deviceReady: Promise<void> | null = null;

  constructor(opts: LiaisonClientOptions) {
    const store = opts.store ?? new MemoryStore();
    const http = new HttpClient(opts.baseUrl, opts.fetch);
    this.ctx = {
      http,
      store,
      sealed: new SealedStore(store),
      events: this.emitter,
      now: opts.now ?? (() => Date.now()),
      officer: null,
      deviceId: '',
      keys: null,
      signInPassword: null,
    };
    http.onSignedOut = (reason) => this.emitter.emit('connection', { state: 'signed_out', reason });
    const mutex = new KeyedMutex();
    this.session = new SessionApi(this.ctx);
    this.pins = new PinStore(store, this.emitter);
    this.keylog = new KeyLogAuditor(this.ctx, this.pins, () => this.keysApi.mine());
    this.keysApi = new KeysApi(this.ctx, this.pins, this.keylog, this.emitter);
    this.devicesApi = new DevicesApi(this.ctx, this.keylog, opts.deviceName ?? 'Liaison SDK', () => this.renewDeviceId());
    this.agreementsApi = new AgreementsApi(this.ctx, this.keysApi);
    this.chains = new ChainStore(this.ctx, this.keysApi, this.pins);
    this.secrets = new EpochSecrets(this.ctx.sealed);
    const revocations = new RevocationChecker(this.keylog, this.keysApi);
    this.chains.revocations = revocations;
    this.channelsApi = new ChannelsApi(this.ctx, this.keysApi, this.chains, this.secrets, mutex, this.agreementsApi, revocations);
    const viaHttp = httpTransport(this.ctx);
    this.messaging = new MessagingApi(this.ctx, this.chains, this.channelsApi, this.secrets, this.keylog, this.devicesApi, mutex, () => this.realtime, opts.retry);
    this.messaging.revocations = revocations;
    this.feed = new FeedPipeline(this.ctx, this.channelsApi, this.messaging);
    this.realtime = new RealtimeConnection(this.ctx, this.feed, viaHttp, opts.realtime);
    this.files = new AttachmentsApi(this.ctx);
    this.auditHead = new AuditHeadMonitor(this.ctx);
    this.requestsApi = new RequestsApi(
      this.ctx,
      (channelId, payload, o) => this.messaging.send(channelId, payload, o),
      (intake, requestId, payload) => this.desksApi.sealSpocCopy(intake, requestId, payload),
    );
    this.codesApi = new CodesApi(this.ctx, this.channelsApi, this.messaging);
    this.directory = new DirectoryApi(this.ctx, this.channelsApi, (channelId, payload) => this.messaging.send(channelId, payload));
    this.desksApi = new DesksApi(this.ctx, this.keysApi, this.pins, this.chains, this.channelsApi, (channelId, payload, o) => this.messaging.send(channelId, payload, o), (channelId) =>
      this.messaging.history(channelId),
    );
    this.keysApi.onUnlocked = async () => {
      await this.devicesApi.ensure();
      // Not awaited: unlocking never waits for desk channels (each change needs this supervisor's signature).
      if (opts.syncDesksOnUnlock) this.desksApi.startSync();
    };
  }

  // ---- events ----

  /** Subscribe; returns the unsubscribe function. */
  on<K extends keyof LiaisonEvents>(event: K, handler: Handler<LiaisonEvents[K]>): () => void {
    return this.emitter.on(event, handler);
  }

  off<K extends keyof LiaisonEvents>(event: K, handler: Handler<LiaisonEvents[K]>): void {
    this.emitter.off(event, handler);
  }

  get officerId(): string | null {
    return this.ctx.officer?.id ?? null;
  }

  get deviceId(): string {
    return this.ctx.deviceId;
  }

  get unlocked(): boolean {
    return this.ctx.keys !== null;
  }

  // ---- any API call ----

  /**
   * A call of any `shared/api` contract with this client's session (bearer token, single-flight
   * refresh, `LiaisonApiError`), typed by the contract: `client.call(api.accounts.listOfficers,
   * { params: { id } })`. For the calls the SDK does not wrap (administration, sessions, audit);
   * prefer the wrapped methods where they exist, since they verify what the server says.
   */
  call<E extends Endpoint>(contract: E, ...args: CallArgs<E>): Promise<CallResult<E>> {
    return this.ctx.http.call(contract, ...args);
  }

  /**
   * An untyped JSON call to the Liaison API (`/api/v1` + `path`) with this client's session. Prefer
   * `call(contract, …)`, whose input and result are typed by the contract; this remains for callers
   * that only have a method and a path.
   */
  request(method: ApiMethod, path: string, opts: ApiRequestOptions = {}): Promise<unknown> {
    const segments = path.toLowerCase().replace(/%2e/g, '.').split('/');
    if (!path.startsWith('/') || path.includes('?') || path.includes('#') || path.includes('\\') || segments.some((s) => s === '.' || s === '..')) {
      return Promise.reject(new LiaisonClientError('request/invalid-path', `request: "${path}" must be an absolute API path without query, fragment or dot segments`));
    }
    const query: Record<string, string | number | undefined> = {};
    for (const [k, v] of Object.entries(opts.query ?? {})) query[k] = typeof v === 'boolean' ? String(v) : v;
    return this.ctx.http.request(method, path, { query, ...(opts.body !== undefined ? { body: opts.body } : {}), ...(opts.auth !== undefined ? { auth: opts.auth } : {}) });
  }

  // ---- auth ----

  async login(input: LoginInput): Promise<TokenPair> {
    await this.ready();
    const tokens = await this.session.login(input);
    // Still unlocked from before: the new session is bound to this device (PROTOCOL.md §4.5), so revoking
    // the device ends it too; a device revoked meanwhile continues as a new one.
    if (this.ctx.keys) await this.devicesApi.ensure();
    return tokens;
  }

  /** Resumes the session whose refresh token is in the store (false when there is none). */
  async resume(): Promise<boolean> {
    await this.ready();
    return this.session.resume();
  }

  async logout(): Promise<void> {
    this.disconnect();
    this.lock();
    await this.session.logout();
  }

  me(): Promise<Me> {
    return this.session.me();
  }

  async enrolBegin(token: string, password: string): Promise<EnrolBeginResult> {
    await this.ready();
    return this.session.enrolBegin(token, password);
  }

  async enrolComplete(token: string, totp: string): Promise<TokenPair> {
    await this.ready();
    return this.session.enrolComplete(token, totp);
  }

  // ---- keys ----

  /**
   * First keys of this officer. The passphrase must not equal, contain or be part of the sign-in
   * password (`backup/passphrase-is-password`); the password is the one this client signed in or
   * enrolled with, or `opts.password` after a resumed session (else `backup/password-required`).
   */
  createIdentity(passphrase: string, opts: { password?: string } = {}): Promise<{ agencyRoot: boolean }> {
    return this.keysApi.createIdentity(passphrase, opts);
  }

  /** False after a resumed session: createIdentity then needs `opts.password`. */
  get knowsSignInPassword(): boolean {
    return this.ctx.signInPassword !== null;
  }

  unlock(passphrase: string): Promise<void> {
    return this.keysApi.unlock(passphrase);
  }

  /** The unlocked identity secrets for a session-scoped wrap (a copy; wipe it after use). See KeysApi.exportSecrets. */
  exportSecrets(): Uint8Array {
    return this.keysApi.exportSecrets();
  }

  /** Unlocks from `exportSecrets()`'s bytes, with the same key-log check as `unlock`. */
  unlockWithSecrets(secrets: Uint8Array): Promise<void> {
    return this.keysApi.unlockWithSecrets(secrets);
  }

  /**
   * Application data sealed like the SDK's own secret entries (same local store key, entry name bound as AD),
   * under the `app:` prefix of the store: a web client's search index, for instance. Needs the keys unlocked.
   */
  readonly appSealed = {
    get: <T>(name: string): Promise<T | undefined> => this.ctx.sealed.get<T>(`app:${name}`),
    set: (name: string, value: unknown): Promise<void> => this.ctx.sealed.set(`app:${name}`, value),
    delete: (name: string): Promise<void> => this.ctx.sealed.delete(`app:${name}`),
    names: async (prefix: string): Promise<string[]> => (await this.ctx.store.keys(`app:${prefix}`)).map((k) => k.slice(4)),
  };

  /**
   * Deletes the locally cached (sealed) messages of a channel sent before `before` (ms): client-side retention.
   * Returns the ids removed. The server applies the channel's retention to its own copy.
   */
  forgetMessagesBefore(channelId: string, before: number): Promise<string[]> {
    return this.messaging.forgetBefore(channelId, before);
  }

  /** Wipes identity keys, epoch secrets and the local store key from memory. */
  lock(): void {
    this.secrets.wipe();
    this.devicesApi.lock();
    this.keysApi.lock();
  }

  // ---- devices (PROTOCOL.md §4.5) ----

  /**
   * This officer's devices: `list()` (newest first, revoked ones included; `current` marks this one) and
   * `revoke(deviceId)` for a lost device (identity-signed device-revoke: its sessions end, its sends are
   * refused, clients refuse its envelopes from then on). Needs the keys unlocked.
   */
  get devices(): { list(): Promise<DeviceView[]>; revoke(deviceId: string): Promise<DeviceView> } {
    return { list: () => this.devicesApi.list(), revoke: (deviceId) => this.devicesApi.revoke(deviceId) };
  }

  // ---- desk intake (PROTOCOL.md §11, docs/DESKS.md "Desk intake") ----

  /**
   * Desk intake. Supervisors: `setupIntake(deskId)`, `rotateIntake(deskId)`, `syncDeskChannel(deskId)`.
   * Members: `acceptSecrets`, `inbox`, `claim`, `handover`, `handovers`. Requesters: `request(entryId, { text })`,
   * `myRequests()` (which also joins the case channel a claimer opened). Needs the keys unlocked.
   */
  get desks(): DesksApi {
    return this.desksApi;
  }

  // ---- requests (PROTOCOL.md §9.2, docs/REQUESTS.md) ----

  /**
   * Requests with legal deadlines: `send`, `answer`, `clarify`, `refuse`, `judicialPending`, `withdraw` (each a signed
   * message with declared metadata), `list`, `get`, `deskOverdue`, `agencyOverdue`, `deadlines`, `timeZoneOf`, `setTimeZone`.
   */
  get requests(): RequestsApi {
    return this.requestsApi;
  }

  /** Handling and evaluation codes: channel policy, use grants, `canUse` before export (docs/CODES.md). */
  get codes(): CodesApi {
    return this.codesApi;
  }

  certifyPending(): Promise<string[]> {
    return this.keysApi.certifyPending();
  }

  /**
   * This officer's certificate (expiry, renewal due date, whether a renewal was asked for); asks the
   * agency root for a renewal when it is due (PROTOCOL.md §4.2). `sync()` and `unlock()` call it too.
   */
  certificate(opts: { refresh?: boolean } = {}): Promise<CertificateStatus | null> {
    return this.keysApi.renewIfDue(opts);
  }

  // ---- agency root sets (PROTOCOL.md §4.4) ----

  /** The root set in force for an agency (default: mine) and, for my agency's administrators, the pending proposal. */
  agencyRootSet(agencyId?: string): ReturnType<KeysApi['rootSet']> {
    const id = agencyId ?? this.ctx.officer?.agencyId;
    if (!id) throw new LiaisonClientError('auth/not-signed-in', 'agencyRootSet: sign in first');
    return this.keysApi.rootSet(id);
  }

  /** Proposes my agency's next root set (administrators by officer id, and a threshold); signed by me. */
  proposeRootSet(members: string[], threshold: number): Promise<RootSetOutcome> {
    return this.keysApi.proposeRootSet(members, threshold);
  }

  /** Checks and co-signs my agency's pending root-set proposal; null when none is pending. */
  approveRootSet(): Promise<RootSetOutcome | null> {
    return this.keysApi.approveRootSet();
  }

  /**
   * Agency root: signs the `cert-revoke` of every certificate the server lists as to be revoked
   * (officers suspended while certified; PROTOCOL.md §4.3 **Revocation**). Call it alongside
   * `certifyPending()`. Returns the officer ids revoked.
   */
  revokePending(): Promise<string[]> {
    return this.keysApi.revokePending();
  }

  /**
   * Administrators: suspends an officer (their sessions end at once) and, when this client holds the
   * agency root's keys, revokes their certificate right away; otherwise the root's next
   * `revokePending()` does. Channel owners then remove the officer on their next `sync()`.
   */
  async suspendOfficer(officerId: string): Promise<{ revoked: boolean }> {
    await this.ctx.http.call(api.accounts.suspendOfficer, { params: { id: officerId } });
    if (!this.ctx.keys || !this.ctx.officer || this.ctx.officer.role === 'officer') return { revoked: false };
    try {
      return { revoked: (await this.keysApi.revokePending()).includes(officerId) };
    } catch (err) {
      // Not this agency's root (403 not_agency_root / agency_root_revoked): the root revokes later.
      if (err instanceof LiaisonApiError && err.status === 403) return { revoked: false };
      throw err;
    }
  }

  async auditKeyLog(): Promise<KeyLogAuditResult> {
    if (this.ctx.officer) await this.keysApi.agencyRoot(this.ctx.officer.agencyId).catch(() => undefined);
    return this.keylog.audit();
  }

  /**
   * Administrators: checks the server's signed audit head against the highest one this client has
   * seen (kept in the store); throws `audit/rollback` (and emits a `security` event) on a shorter chain.
   */
  checkAuditHead(): Promise<AuditHeadCheck> {
    return this.auditHead.check();
  }

  markVerified(officerId: string): Promise<void> {
    return this.keysApi.markVerified(officerId);
  }

  safetyNumber(officerId: string): Promise<SafetyNumber> {
    return this.keysApi.safetyNumber(officerId);
  }

  // ---- agreements ----

  proposeAgreement(body: ProposeAgreementBody): Promise<Agreement> {
    return this.agreementsApi.propose(body);
  }

  signAgreement(id: string): Promise<Agreement> {
    return this.agreementsApi.sign(id);
  }

  agreements(): Promise<Agreement[]> {
    return this.agreementsApi.list();
  }

  agreement(id: string): Promise<Agreement> {
    return this.agreementsApi.get(id);
  }

  verifyAgreement(a: Agreement): Promise<AgreementVerification> {
    return this.agreementsApi.verify(a);
  }

  // ---- channels ----

  createChannel(input: CreateChannelInput): Promise<ChannelInfo> {
    return this.channelsApi.create(input);
  }

  channels(): Promise<ChannelInfo[]> {
    return this.channelsApi.list();
  }

  /** Channels for a case reference (server blind-index lookup for my own, local match for the rest). */
  findChannelsByCaseRef(caseRef: string): Promise<ChannelInfo[]> {
    return this.channelsApi.findByCaseRef(caseRef);
  }

  channel(channelId: string): Promise<ChannelInfo> {
    return this.channelsApi.get(channelId);
  }

  members(channelId: string): Promise<ChannelMemberInfo[]> {
    return this.channelsApi.members(channelId);
  }

  invitations(): Promise<InvitationView[]> {
    return this.channelsApi.invitations();
  }

  acceptInvitation(id: string): Promise<ChannelInfo> {
    return this.channelsApi.acceptInvitation(id);
  }

  declineInvitation(id: string): Promise<void> {
    return this.channelsApi.declineInvitation(id);
  }

  addMember(channelId: string, officerId: string): Promise<'added' | 'invited'> {
    return this.channelsApi.addMember(channelId, officerId);
  }

  /** Removes a member; `officerId` = my own id leaves the channel (an owner only while another owner remains). */
  removeMember(channelId: string, officerId: string): Promise<void> {
    return this.channelsApi.removeMember(channelId, officerId);
  }

  /** Makes a member an owner or a plain member (owners only; the last owner cannot be demoted). */
  setMemberRole(channelId: string, officerId: string, role: 'owner' | 'member'): Promise<void> {
    return this.channelsApi.setMemberRole(channelId, officerId, role);
  }

  updateChannelMeta(channelId: string, meta: ChannelMeta): Promise<void> {
    return this.channelsApi.updateMeta(channelId, meta);
  }

  // ---- directory and contact requests ----

  /** Search contact points (text, filters, `availableNow`); follow `nextCursor` for more. */
  searchDirectory(filters: DirectoryFilters = {}): Promise<DirectoryPage> {
    return this.directory.search(filters);
  }

  directoryEntry(id: string): Promise<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null }> {
    return this.directory.entry(id);
  }

  /** Whom an entry reaches and on which terms (contact request or ordinary direct channel). */
  contactTarget(entryId: string): Promise<ContactTargetView> {
    return this.directory.target(entryId);
  }

  /**
   * Opens a direct channel to the entry's contact: a contact request between agencies without a covering
   * agreement (the recipient accepts or declines), an ordinary direct channel otherwise.
   */
  contact(entryId: string, opts?: ContactOptions): Promise<ContactResult> {
    return this.directory.contact(entryId, opts);
  }

  /** Pending contact requests addressed to me. */
  contactRequests(): Promise<InvitationView[]> {
    return this.directory.contactRequests();
  }

  /** Accept (co-sign) a contact request: I join the direct channel and messages can flow. */
  acceptContactRequest(invitationId: string): Promise<ChannelInfo> {
    return this.channelsApi.acceptInvitation(invitationId);
  }

  /** Decline a contact request: the channel is closed for good. */
  declineContactRequest(invitationId: string): Promise<void> {
    return this.channelsApi.declineInvitation(invitationId);
  }

  createDirectoryEntry(body: CreateDirectoryEntryBody): Promise<DirectoryEntry> {
    return this.directory.create(body);
  }

  updateDirectoryEntry(id: string, body: UpdateDirectoryEntryBody): Promise<DirectoryEntry> {
    return this.directory.update(id, body);
  }

  confirmDirectoryEntry(id: string): Promise<DirectoryEntry> {
    return this.directory.confirm(id);
  }

  retireDirectoryEntry(id: string): Promise<void> {
    return this.directory.retire(id);
  }

  staleDirectoryEntries(opts?: { limit?: number; cursor?: string }): Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }> {
    return this.directory.stale(opts);
  }

  // ---- messages ----

  send(channelId: string, payload: Payload, opts?: SendOptions): Promise<SendResult> {
    return this.messaging.send(channelId, payload, opts);
  }

  history(channelId: string, opts?: { afterSeq?: number }): Promise<ReceivedMessage[]> {
    return this.messaging.history(channelId, opts);
  }

  /** A message I hold (sent or received, as it stands after corrections), or null. */
  message(channelId: string, messageId: string): Promise<ReceivedMessage | null> {
    return this.messaging.message(channelId, messageId);
  }

  /** The `replyTo` for quoting a message I hold (PROTOCOL.md §9.3 R1), or null when it cannot be quoted. */
  replyRef(channelId: string, messageId: string): Promise<ReplyRef | null> {
    return this.messaging.replyRef(channelId, messageId);
  }

  /**
   * Edits one of my text messages (§9.3): an `edit` message, sealed like any other, at the target's handling code
   * unless a higher one is given. Refused (`correction/*`) for another officer's message or a lower code.
   */
  edit(channelId: string, messageId: string, text: string, opts: { reason?: string; handling?: HandlingCode } = {}): Promise<SendResult> {
    const payload: Payload = { kind: 'edit', target: messageId, text, ...(opts.reason ? { reason: opts.reason } : {}) };
    return this.messaging.send(channelId, payload, opts.handling ? { handling: opts.handling } : {});
  }

  /** Withdraws one of my messages with a reason (§9.3): every member's client drops its content. */
  redact(channelId: string, messageId: string, reason: string, opts: { handling?: HandlingCode } = {}): Promise<SendResult> {
    return this.messaging.send(channelId, { kind: 'redaction', target: messageId, reason }, opts.handling ? { handling: opts.handling } : {});
  }

  /** Tells the channel's other members I am typing (§9.3 **Typing**); at most once per 3 s, ephemeral, best effort. */
  typing(channelId: string): void {
    this.realtime.typing(channelId);
  }

  /**
   * Marks messages read. With a seq: moves my read marker (kept by the server, shared by all my devices;
   * never backwards) and resolves to the marker as it stands. With message ids: sends read receipts to
   * their senders (which also reach my other devices as `ownReceipt`).
   */
  markRead(channelId: string, seq: number): Promise<ReadMarker>;
  markRead(channelId: string, messageIds: string[]): Promise<void>;
  markRead(channelId: string, upTo: number | string[]): Promise<ReadMarker | void> {
    return typeof upTo === 'number' ? this.messaging.setReadMarker(channelId, upTo) : this.messaging.readReceipts(channelId, upTo);
  }

  acknowledge(channelId: string, messageId: string): Promise<void> {
    return this.messaging.acknowledge(channelId, messageId);
  }

  receipts(messageId: string): Promise<ReceiptStatus> {
    return this.messaging.receipts(messageId);
  }

  // ---- sync / realtime ----

  /** Pulls every feed item after the stored cursor (until hasMore is false); returns how many. */
  async sync(): Promise<number> {
    // The key log first, so this very sync already refuses what a revocation forbids (PROTOCOL.md §4.3 **Revocation**).
    const audited = await this.auditForRevocations();
    const handled = await this.feed.sync();
    if (audited) await this.channelsApi.removeRevokedMembers();
    // Certificate renewal at 80 % of its lifetime (PROTOCOL.md §4.2); a refusal never fails the sync.
    await this.keysApi.renewIfDueQuietly();
    return handled;
  }

  /**
   * Audits the key log (when unlocked) for `sync()`: false when locked or when the audit failed (already
   * reported as a `security` event), so that the sync goes on but no owner removal runs on a log it did not verify.
   * Then, PROTOCOL.md §5.2 rule 7: in every channel I own, members whose certificate their agency root revoked
   * are removed and the new epoch keyed (`removeRevokedMembers`).
   */
  private async auditForRevocations(): Promise<boolean> {
    if (!this.ctx.keys) return false;
    try {
      // As auditKeyLog(): my agency's root pinned first, so its certificates of my keys are recognised.
      await this.auditKeyLog();
      return true;
    } catch (err) {
      if (err instanceof KeyLogError || (err instanceof LiaisonClientError && err.code.startsWith('keylog/'))) return false;
      throw err;
    }
  }

  async connect(): Promise<void> {
    await this.ready();
    await this.realtime.connect();
  }

  disconnect(): void {
    this.realtime.disconnect();
  }

  get connected(): boolean {
    return this.realtime.connected;
  }

  /** Resolves when every received feed item has been handled (tests, UI "settled" states). */
  idle(): Promise<void> {
    return this.feed.idle();
  }

  // ---- attachments ----

  uploadAttachment(channelId: string, bytes: Uint8Array, opts?: UploadOptions): Promise<FilePayload> {
    return this.files.upload(channelId, bytes, opts);
  }

  downloadAttachment(file: FilePayload, opts?: { onProgress?: Progress }): Promise<Uint8Array> {
    return this.files.download(file, opts);
  }

  /** A new installation id, after the old one was revoked (DevicesApi.ensure). */
  private async renewDeviceId(): Promise<string> {
    const id = newId();
    await this.ctx.store.set('device:id', id);
    this.ctx.deviceId = id;
    return id;
  }

  /** Loads libsodium and the installation's device id (idempotent). */
  ready(): Promise<void> {
    this.deviceReady ??= (async () => {
      await initSodium();
      let id = await this.ctx.store.get<string>('device:id');
      if (!id) {
        id = newId();
        await this.ctx.store.set('device:id', id);
      }
      this.ctx.deviceId = id;
    })();
    return this.deviceReady;
  }
}
