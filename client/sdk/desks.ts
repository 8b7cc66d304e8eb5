import {
  acceptIntakeSecret,
  certificateCodec,
  checkIntakeChannel,
  createDeskRequest,
  createIntakeKeyStatement,
  CryptoError,
  deskRequestCodec,
  fromB64,
  generateIntakeKey,
  INTAKE_ROTATION_MS,
  intakeKeyPayload,
  intakeKeyStatementCodec,
  membershipEventCodec,
  nextIntakePin,
  openDeskRequest,
  toB64,
  verifyIntakeKeyStatement,
  INTAKE_KEY_HANDLING,
  type IntakeKeyPair,
  type IntakeKeyStatement,
  type Payload,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { Desk } from '../../shared/schemas/desks.ts';
import type { DeskRequestCreated, MyDeskRequest } from '../../shared/schemas/intake.ts';
import type { SendResult } from '../../shared/schemas/channels.ts';
import type { ChainStore } from './chains.ts';
import type { ChannelsApi } from './channels.ts';
import { newId, requireKeys, type SdkContext } from './context.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { ReceivedMessage } from './events.ts';
import type { KeysApi } from './keys.ts';
import type { SendOptions } from './messaging.ts';
import type { PinStore } from './pins.ts';

/** The `case-note` case reference that marks a handover note in the desk channel. */
export const HANDOVER_CASE_REF = 'desk-handover';

/** An opened desk request, as `inbox()` returns it: the payload (null when this client cannot open it) and the server's state. */
export interface DeskInboxItem {
  /** The server's id of the stored request. */
  id: string;
  requestId: string;
  requesterOfficerId: string;
  requesterAgencyId: string;
  version: number;
  /** The server's stamp (PROTOCOL.md §11.3: shown as the request's time). */
  receivedAt: number;
  /** The requester's own clock (never displayed as the time). */
  time: number;
  payload: Payload | null;
  /** Why it did not open (an `intake/…` or `keys/…` code), when `payload` is null. */
  error: string | null;
  /** `copy`: an Art. 4(1) copy of an outgoing request of the desk's agency (never claimed; `copyOf` names the request). */
  state: 'open' | 'claimed' | 'copy';
  copyOf: string | null;
  claimedBy: string | null;
  claimedAt: number | null;
  caseChannelId: string | null;
  pageId: string | null;
}

export interface HandoverNote {
  messageId: string;
  authorId: string;
  text: string;
  /** The server's stamp. */
  at: number;
}

type Sender = (channelId: string, payload: Payload, opts?: SendOptions) => Promise<SendResult>;
type History = (channelId: string) => Promise<ReceivedMessage[]>;

/**
 * Desk intake (PROTOCOL.md §11, docs/DESKS.md "Desk intake"): supervisors set up and rotate the desk's
 * intake key and keep the desk channel's membership equal to the desk's roster; members accept the intake
 * secret from the desk channel, read the inbox, claim requests and write handover notes; requesters seal
 * requests to a desk they found in the directory.
 */
export class DesksApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly keys: KeysApi,
    private readonly pins: PinStore,
    private readonly chains: ChainStore,
    private readonly channels: ChannelsApi,
    private readonly send: Sender,
    private readonly history: History,
  ) {}

  // ---- supervisors ----

  /**
   * Creates the desk channel when the desk has none (owned by the supervisors, members = the roster),
   * publishes intake key version 1 and sends its secret in the desk channel. Idempotent: a desk with a key
   * keeps it (its channel is reconciled instead). Returns the current version.
   */
  async setupIntake(deskId: string): Promise<{ channelId: string; version: number }> {
    const desk = await this.desk(deskId);
    const latest = await this.latestStatement(deskId);
    if (latest) {
      await this.syncDeskChannel(deskId);
      return { channelId: latest.channelId, version: (await this.latestStatement(deskId))!.version };
    }
    const me = requireKeys(this.ctx, 'setupIntake');
    const others = roster(desk).filter((id) => id !== me.officerId);
    const channel = await this.channels.create({ kind: 'team', title: `Desk: ${desk.name}`, members: others, policy: { minimum: 'TLP:CLEAR' } });
    for (const s of desk.supervisors) if (s !== me.officerId) await this.channels.setMemberRole(channel.id, s, 'owner');
    const version = await this.publish(desk, channel.id, 1);
    return { channelId: channel.id, version };
  }

  /** A new intake key (version + 1) in the same desk channel, its secret sent there (PROTOCOL.md §11.1 **Rotation**). */
  async rotateIntake(deskId: string): Promise<number> {
    const desk = await this.desk(deskId);
    const latest = await this.latestStatement(deskId);
    if (!latest) throw new LiaisonClientError('intake/no-key', 'rotateIntake: the desk has no intake key yet (setupIntake first)');
    return this.publish(desk, latest.channelId, latest.version + 1);
  }

  /**
   * Makes the desk channel's verified membership the desk's roster (members and supervisors; supervisors
   * own it): adds who is missing, removes who left and then rotates the intake key (§11.1), and whenever a
   * new epoch started, sends every intake secret this client holds in it (§11.2), so that new members read
   * the desk's history too. Supervisors only (owners of the desk channel).
   */
  async syncDeskChannel(deskId: string): Promise<{ added: string[]; removed: string[]; rotated: boolean }> {
    const me = requireKeys(this.ctx, 'syncDeskChannel');
    const desk = await this.desk(deskId);
    const latest = await this.latestStatement(deskId);
    if (!latest) return { added: [], removed: [], rotated: false };
    const channelId = latest.channelId;
    const state = await this.chains.pull(channelId);
    const wanted = new Set(roster(desk));
    const current = new Map([...state.current.members.values()].map((m) => [m.cert.officerId, m.role]));
    const added: string[] = [];
    const removed: string[] = [];
    for (const id of wanted) {
      if (current.has(id)) continue;
      await this.channels.addMember(channelId, id);
      added.push(id);
    }
    for (const s of desk.supervisors) if (s !== me.officerId && (current.get(s) ?? 'member') !== 'owner') await this.channels.setMemberRole(channelId, s, 'owner');
    for (const id of current.keys()) {
      if (wanted.has(id) || id === me.officerId) continue;
      await this.channels.removeMember(channelId, id);
      removed.push(id);
    }
    let rotated = false;
    // Whoever left may still hold the secret: a new version, sent in the epoch without them. A key older than
    // 7 days is rotated too (§11.1 **Rotation**): it bounds what an unnoticed leak of one version exposes.
    const stale = this.ctx.now() - latest.createdAt >= INTAKE_ROTATION_MS;
    if (removed.length > 0 || stale) {
      await this.publish(desk, channelId, (await this.latestStatement(deskId))!.version + 1);
      rotated = true;
    }
    if (added.length > 0 || removed.length > 0) await this.resendSecrets(deskId);
    return { added, removed, rotated };
  }

  /**
   * `syncDeskChannel` for every desk I supervise that has an intake key, one after another; a desk that
   * fails does not stop the others (its error is returned). Started in the background by `startSync`.
   */
  async syncSupervised(): Promise<{ deskId: string; error: unknown }[]> {
    const me = this.ctx.officer?.id;
    const failed: { deskId: string; error: unknown }[] = [];
    if (!me || !this.ctx.keys) return failed;
    const { desks } = await this.ctx.http.call(api.desks.list);
    for (const desk of desks.filter((d) => d.supervisors.includes(me))) {
      try {
        await this.syncDeskChannel(desk.id);
      } catch (error) {
        failed.push({ deskId: desk.id, error });
      }
    }
    return failed;
  }

  private background: Promise<unknown> = Promise.resolve();

  /** Runs `syncSupervised` without blocking the caller (after unlock); `settled()` waits for it. */
  startSync(): void {
    this.background = this.background.then(() => this.syncSupervised()).catch(() => undefined);
  }

  /** Resolves when the background desk-channel sync started by `startSync` is done. */
  async settled(): Promise<void> {
    await this.background;
  }

  // ---- members ----

  /**
   * Reads the desk channel for `desk-intake-key` messages and keeps (sealed) every secret that matches a
   * verified statement of the desk, owners of the desk channel as signers (§11.1 step 4, §11.2 **Accepting**).
   * Returns the versions this client holds.
   */
  async acceptSecrets(deskId: string): Promise<number[]> {
    const desk = await this.desk(deskId);
    let statements: IntakeKeyStatement[];
    try {
      statements = await this.verifiedStatements(desk);
    } catch (err) {
      // On the roster but not (yet) in the desk channel: a supervisor's client adds me (syncDeskChannel).
      if (err instanceof LiaisonApiError && err.status === 404) return this.heldVersions(deskId);
      throw err;
    }
    const byVersion = new Map(statements.map((s) => [s.version, s]));
    const channelId = statements[0]?.channelId;
    if (channelId) {
      for (const msg of await this.history(channelId)) {
        if (msg.payload.kind !== 'desk-intake-key' || msg.payload.deskId !== deskId) continue;
        const stmt = byVersion.get(msg.payload.version);
        if (!stmt) continue;
        try {
          const pair = acceptIntakeSecret({ payload: msg.payload, statement: stmt, channelId: msg.channelId, handling: msg.handling });
          await this.saveSecret(pair);
        } catch (err) {
          if (!(err instanceof CryptoError)) throw err;
          this.ctx.events.emit('security', { kind: 'message_rejected', message: `desk intake secret refused: ${err.message}`, channelId: msg.channelId, code: err.code });
        }
      }
    }
    return this.heldVersions(deskId);
  }

  /**
   * The desk's requests, opened with the intake secrets this client holds (§11.3 **Opening**), oldest first;
   * a second request with the same (requester, requestId) is dropped as a replay. A request this client cannot
   * open is listed with `payload: null` and the reason.
   */
  async inbox(deskId: string, opts: { state?: 'open' | 'claimed' | 'copy' | 'all' } = {}): Promise<DeskInboxItem[]> {
    await this.acceptSecrets(deskId);
    const { requests } = await this.ctx.http.call(api.intake.deskRequests, { params: { id: deskId }, query: { state: opts.state ?? 'all' } });
    const held = new Map<number, IntakeKeyPair>();
    for (const v of await this.heldVersions(deskId)) {
      const pair = await this.secret(deskId, v);
      if (pair) held.set(v, pair);
    }
    const certs = new Map<string, Awaited<ReturnType<KeysApi['certified']>>>();
    const seen = new Set<string>();
    const out: DeskInboxItem[] = [];
    for (const r of [...requests].sort((a, b) => a.receivedAt - b.receivedAt || a.id.localeCompare(b.id))) {
      const request = deskRequestCodec.fromWire(r.request);
      const key = `${request.requesterOfficerId}\n${request.requestId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let payload: Payload | null = null;
      let error: string | null = null;
      try {
        let certified = certs.get(request.requesterOfficerId);
        if (!certified) certs.set(request.requesterOfficerId, (certified = await this.keys.certified(request.requesterOfficerId)));
        const { cert } = certified;
        payload = openDeskRequest({
          request,
          deskId,
          requesterCert: cert,
          authority: await this.keys.agencyRoot(cert.agencyId),
          intakeKey: (v) => held.get(v),
          now: this.ctx.now(),
        }).payload;
      } catch (err) {
        if (!(err instanceof CryptoError || err instanceof LiaisonClientError)) throw err;
        error = err.code;
      }
      out.push({
        id: r.id,
        requestId: request.requestId,
        requesterOfficerId: request.requesterOfficerId,
        requesterAgencyId: request.requesterAgencyId,
        version: request.version,
        receivedAt: r.receivedAt,
        time: request.time,
        payload,
        error,
        state: r.state,
        claimedBy: r.claimedBy,
        claimedAt: r.claimedAt,
        caseChannelId: r.caseChannelId,
        copyOf: r.copyOf,
        pageId: r.pageId,
      });
    }
    return out;
  }

  /**
   * "I take this": claims the request (409 `already_claimed` when someone was first; the page is acknowledged
   * with it), then opens the case channel with the requester and links it. The request's text waits sealed on
   * this client and is posted as the case channel's first message once the requester has joined. For a request
   * I already claimed whose case channel was not opened (the claim went through, the channel did not), it opens
   * the channel without claiming again; when it exists, it returns it.
   */
  async claim(deskId: string, id: string): Promise<{ caseChannelId: string }> {
    const item = (await this.inbox(deskId)).find((r) => r.id === id);
    if (!item) throw new LiaisonClientError('intake/not-found', `claim: no request ${id} at desk ${deskId}`);
    const mine = item.state === 'claimed' && item.claimedBy === this.ctx.officer?.id;
    if (mine && item.caseChannelId !== null) return { caseChannelId: item.caseChannelId };
    if (!mine) await this.ctx.http.call(api.intake.claim, { params: { id: deskId, requestId: id } });
    const desk = await this.desk(deskId);
    const { channelId, invited } = await this.channels.openCaseChannel(deskId, id, item.requesterOfficerId, `${desk.name}: request ${item.requestId}`);
    const text = item.payload?.kind === 'text' ? item.payload.text : null;
    if (text !== null) {
      const quoted = `Request received ${new Date(item.receivedAt).toISOString()}:\n${text}`;
      if (invited) await this.ctx.sealed.set(`contact-intro:${channelId}`, quoted);
      else await this.send(channelId, { kind: 'text', text: quoted });
    }
    return { caseChannelId: channelId };
  }

  /** A shift handover note: a `case-note` (case reference "desk-handover") in the desk channel, readable by the roster. */
  async handover(deskId: string, text: string): Promise<SendResult> {
    const latest = await this.latestStatement(deskId);
    if (!latest) throw new LiaisonClientError('intake/no-key', 'handover: the desk has no desk channel yet');
    return this.send(latest.channelId, { kind: 'case-note', caseRef: HANDOVER_CASE_REF, text });
  }

  /** The desk's handover notes, oldest first. */
  async handovers(deskId: string): Promise<HandoverNote[]> {
    const latest = await this.latestStatement(deskId);
    if (!latest) return [];
    const out: HandoverNote[] = [];
    for (const m of await this.history(latest.channelId)) {
      if (m.payload.kind === 'case-note' && m.payload.caseRef === HANDOVER_CASE_REF) out.push({ messageId: m.messageId, authorId: m.senderId, text: m.payload.text, at: m.sentAt });
    }
    return out;
  }

  // ---- requesters ----

  /**
   * Seals a request to the desk of a directory entry: fetches the current statement, verifies it under the
   * desk agency's root and against this client's pin (refusing a rollback or an equivocation, §11.1 step 7),
   * pins it, seals and signs the text (createDeskRequest) and sends it. The desk is paged at once.
   */
  async request(entryId: string, input: { text: string; priority?: 'urgent' | 'normal'; requestId?: string }): Promise<DeskRequestCreated & { requestId: string }> {
    const me = requireKeys(this.ctx, 'desks.request');
    const { statement: wire, signerCertificate } = await this.ctx.http.call(api.intake.directoryIntake, { params: { id: entryId } });
    const stmt = await this.verifiedIntake(wire, signerCertificate);
    const requestId = input.requestId ?? newId();
    const request = createDeskRequest({ statement: stmt, requestId, time: this.ctx.now(), payload: { kind: 'text', text: input.text } }, me);
    const created = await this.ctx.http.call(api.intake.submitRequest, { params: { id: entryId }, body: { request: deskRequestCodec.toWire(request), priority: input.priority ?? 'urgent' } });
    return { ...created, requestId };
  }

  /**
   * Seals an Art. 4(1) copy of a request payload to the agency's SPOC desk (docs/REQUESTS.md): verifies and pins the
   * statement the request settings served, exactly as for a directory intake, and returns the signed wire request.
   */
  async sealSpocCopy(intake: { statement: Record<string, unknown>; signerCertificate: Record<string, unknown> }, requestId: string, payload: Payload): Promise<Record<string, unknown>> {
    const me = requireKeys(this.ctx, 'desks.sealSpocCopy');
    const stmt = await this.verifiedIntake(intake.statement, intake.signerCertificate);
    return deskRequestCodec.toWire(createDeskRequest({ statement: stmt, requestId, time: this.ctx.now(), payload }, me)) as Record<string, unknown>;
  }

  /** §11.1 steps 1–7 against this client's pin (a rollback or equivocation raises a security event), then pins it. */
  private async verifiedIntake(wire: Record<string, unknown>, signerCertificate: Record<string, unknown>): Promise<IntakeKeyStatement> {
    const stmt = intakeKeyStatementCodec.fromWire(wire);
    const signerCert = certificateCodec.fromWire(signerCertificate);
    const pinned = (await this.pins.intake(stmt.deskId)) ?? null;
    try {
      verifyIntakeKeyStatement(stmt, { signerCert, authority: await this.keys.agencyRoot(stmt.agencyId), now: this.ctx.now(), pinned });
    } catch (err) {
      if (err instanceof CryptoError && (err.code === 'intake/rollback' || err.code === 'intake/equivocation')) {
        this.ctx.events.emit('security', { kind: 'key_changed', message: `the server presents an intake key for desk ${stmt.deskId} that contradicts the pinned one (${err.code})`, code: err.code });
      }
      throw err;
    }
    await this.pins.saveIntake(stmt.deskId, nextIntakePin(pinned, stmt));
    return stmt;
  }

  /**
   * My desk requests with their state. A request claimed and linked to a case channel whose pending invitation
   * comes from the claimer is accepted here (co-signed after ChannelsApi.acceptInvitation's checks): the
   * requester asked this desk, and the server linked that channel to the request.
   */
  async myRequests(): Promise<MyDeskRequest[]> {
    const { requests } = await this.ctx.http.call(api.intake.myRequests);
    const linked = requests.filter((r) => r.caseChannelId !== null && r.claimedBy !== null);
    if (linked.length > 0) {
      const invitations = await this.channels.invitations();
      for (const r of linked) {
        const inv = invitations.find((i) => i.channelId === r.caseChannelId && i.createdBy === r.claimedBy && i.inviteeId === this.ctx.officer?.id);
        // The signed add must be the claimer's own (acceptInvitation then verifies its signature, chain and keys).
        if (!inv || membershipEventCodec.fromWire(inv.event).actorOfficerId !== r.claimedBy) continue;
        try {
          await this.channels.acceptInvitation(inv.id);
        } catch (err) {
          // acceptInvitation refused what the server presents: report it, keep listing.
          if (!(err instanceof LiaisonClientError)) throw err;
          this.ctx.events.emit('security', { kind: 'chain_invalid', message: `case channel of desk request ${r.id} refused: ${err.message}`, channelId: inv.channelId, code: err.code });
        }
      }
    }
    return requests;
  }

  // ---- internals ----

  private async desk(deskId: string): Promise<Desk> {
    return (await this.ctx.http.call(api.desks.get, { params: { id: deskId } })).desk;
  }

  private async latestStatement(deskId: string): Promise<IntakeKeyStatement | undefined> {
    const { keys } = await this.ctx.http.call(api.intake.listKeys, { params: { id: deskId } });
    const last = keys[keys.length - 1];
    return last ? intakeKeyStatementCodec.fromWire(last.statement) : undefined;
  }

  /** Every statement of the desk verified as a member verifies it: signer certified, an owner of the desk channel. */
  private async verifiedStatements(desk: Desk): Promise<IntakeKeyStatement[]> {
    const { keys } = await this.ctx.http.call(api.intake.listKeys, { params: { id: desk.id } });
    if (keys.length === 0) return [];
    const statements = keys.map((k) => intakeKeyStatementCodec.fromWire(k.statement));
    const channelId = statements[0]!.channelId;
    if (statements.some((s) => s.channelId !== channelId)) throw new LiaisonClientError('intake/wrong-channel', 'the desk statements name different channels');
    const state = await this.chains.pull(channelId);
    const owners = new Set([...state.current.members.values()].filter((m) => m.role === 'owner').map((m) => m.cert.officerId));
    const authority = await this.keys.agencyRoot(desk.agencyId);
    const out: IntakeKeyStatement[] = [];
    for (const s of statements) {
      try {
        const { cert } = await this.keys.certified(s.signerOfficerId);
        verifyIntakeKeyStatement(s, { deskId: desk.id, agencyId: desk.agencyId, signerCert: cert, authority, now: this.ctx.now(), supervisors: owners });
        out.push(s);
      } catch (err) {
        // One bad statement (e.g. signed by someone who does not own the desk channel, §11.4) does not hide the others.
        if (!(err instanceof CryptoError || err instanceof LiaisonClientError)) throw err;
        this.ctx.events.emit('security', { kind: 'key_changed', message: `desk ${desk.id}: intake key statement v${s.version} refused (${err.message})`, channelId, code: err.code });
      }
    }
    return out;
  }

  /** Generates version `version`, publishes its statement and sends its secret in the checked desk channel. */
  private async publish(desk: Desk, channelId: string, version: number): Promise<number> {
    const me = requireKeys(this.ctx, 'publishIntake');
    const key = generateIntakeKey(desk.id, version);
    const statement = createIntakeKeyStatement({ deskId: desk.id, channelId, key, createdAt: this.ctx.now() }, me);
    checkIntakeChannel(statement, await this.chains.pull(channelId));
    try {
      await this.ctx.http.call(api.intake.publishKey, { params: { id: desk.id }, body: { statement: intakeKeyStatementCodec.toWire(statement) } });
    } catch (err) {
      if (err instanceof LiaisonApiError) wipeKey(key);
      throw err;
    }
    await this.saveSecret(key);
    await this.send(channelId, intakeKeyPayload(key), { handling: INTAKE_KEY_HANDLING });
    return version;
  }

  /** Sends every intake secret this client holds in the desk channel's current epoch (§11.2). */
  private async resendSecrets(deskId: string): Promise<void> {
    const latest = await this.latestStatement(deskId);
    if (!latest) return;
    // Another device of mine may have generated some versions: collect what the channel holds first.
    await this.acceptSecrets(deskId);
    checkIntakeChannel(latest, await this.chains.pull(latest.channelId));
    for (const v of await this.heldVersions(deskId)) {
      const pair = await this.secret(deskId, v);
      if (pair) await this.send(latest.channelId, intakeKeyPayload(pair), { handling: INTAKE_KEY_HANDLING });
    }
  }

  private async saveSecret(pair: IntakeKeyPair): Promise<void> {
    await this.ctx.sealed.set(`intake:${pair.deskId}:${pair.version}`, { publicKey: toB64(pair.publicKey), secretKey: toB64(pair.secretKey) });
    const versions = new Set(await this.heldVersions(pair.deskId));
    versions.add(pair.version);
    await this.ctx.store.set(`intake-versions:${pair.deskId}`, [...versions].sort((a, b) => a - b));
  }

  private async secret(deskId: string, version: number): Promise<IntakeKeyPair | undefined> {
    const v = await this.ctx.sealed.get<{ publicKey: string; secretKey: string }>(`intake:${deskId}:${version}`);
    return v ? { deskId, version, publicKey: fromB64(v.publicKey), secretKey: fromB64(v.secretKey) } : undefined;
  }

  private async heldVersions(deskId: string): Promise<number[]> {
    return (await this.ctx.store.get<number[]>(`intake-versions:${deskId}`)) ?? [];
  }
}

/** Who reads the desk channel: the desk's roster (members and supervisors), not only who is on duty now. */
function roster(desk: Desk): string[] {
  return [...new Set([...desk.supervisors, ...desk.members])];
}

/** A key the server refused is never used: zero its secret. */
function wipeKey(key: IntakeKeyPair): void {
  key.secretKey.fill(0);
}
