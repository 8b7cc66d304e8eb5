import { caseRefIndex, normaliseCaseRef } from './case-index.ts';
import {
  CryptoError,
  EpochError,
  applyEvent,
  constantTimeEqual,
  cosignMembershipEvent,
  createKeyEnvelope,
  createMembershipEvent,
  isEpochDistributor,
  keyEnvelopeCodec,
  labelledVerify,
  membershipEventCodec,
  membershipEventFields,
  membershipEventHash,
  openKeyEnvelope,
  policyFromMinimum,
  verifyChain,
  type ChannelKind,
  type ChannelState,
  type HandlingCode,
  type HandlingPolicy,
  type CodeProfile,
  type KeyEnvelope,
  type MembershipEvent,
  type MemberRole,
  type OfficerCertificate,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import { api } from '../../shared/api/index.ts';
import type { Channel, Invitation } from '../../shared/schemas/channels.ts';
import type { ContactTarget } from '../../shared/schemas/directory.ts';
import type { Agreement } from '../../shared/schemas/agreements.ts';
import type { AgreementsApi } from './agreements.ts';
import type { ChainStore } from './chains.ts';
import { newId, requireKeys, type SdkContext } from './context.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { KeysApi } from './keys.ts';
import type { KeyedMutex } from './lock.ts';
import { decryptMeta, encryptMeta, metaEpoch, type ChannelMeta } from './meta.ts';
import type { RevocationChecker } from './revocations.ts';
import type { EpochSecrets } from './secrets.ts';

export type InvitationView = Static<typeof Invitation>;

export interface CreateChannelInput {
  kind: ChannelKind;
  agreementId?: string | null;
  title: string;
  description?: string;
  caseRef?: string;
  /** Officer ids other than me. Same-agency officers are added at once, others are invited. */
  members: string[];
  /**
   * Every code of the minimum's vocabulary at or above it; `profile` (PROTOCOL.md §8) names the vocabularies —
   * absent = TLP 2.0 without evaluation. A Europol channel: `{ minimum: 'H0', defaultCode: 'H2', profile: { handling: 'europol-h', evaluation: 'europol-4x4' } }`.
   */
  policy?: { minimum: HandlingCode; defaultCode?: HandlingCode; profile?: CodeProfile };
  retentionDays?: number;
}

export interface ChannelInfo {
  id: string;
  kind: Channel['kind'];
  agreementId: string | null;
  title: string | null;
  description: string | null;
  caseRef: string | null;
  readOnly: string | null;
  headSeq: number;
  lastMessageSeq: number;
  /** My read marker (highest seq read on any of my devices; 0 = none): unread = lastMessageSeq − readSeq. */
  readSeq: number;
  members: Channel['members'];
  /** Set when this client detected a fork, rewind or invalid event: sending is refused. */
  untrusted: string | null;
  /** Contact request state (direct channel between agencies without agreement), null otherwise. */
  contactRequest: Channel['contactRequest'];
  /** The directory entry the channel was opened from, if any. */
  contactEntryId: string | null;
  /** Days the server keeps the channel's messages; clients apply the same retention to their local copies. */
  retentionDays: number;
  /** While any agency's legal hold stands, retention deletes nothing (here nor on the server). */
  legalHold: boolean;
}

/** What `GET /directory/:id/contact` says about reaching an entry. */
export type ContactTargetView = ContactTarget;

export interface ChannelMemberInfo {
  officerId: string;
  agencyId: string;
  role: MemberRole;
}

interface InviteQueue {
  queue: string[];
  outstanding: { officerId: string; invitationId: string } | null;
}

const MEMBERSHIP_LABEL = 'liaison/v1/membership-event';

/** Channels, membership chains, invitations, key distribution and encrypted channel meta. */
export class ChannelsApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly keys: KeysApi,
    private readonly chains: ChainStore,
    private readonly secrets: EpochSecrets,
    private readonly mutex: KeyedMutex,
    private readonly agreements: AgreementsApi,
    private readonly revocations: RevocationChecker | null = null,
  ) {}

  /** `channelId:epoch` → the key-envelope fetch `info()` made for a missing meta key (once per session). */
  private readonly metaKeyFetches = new Map<string, Promise<void>>();

  /** Called (outside the channel lock) once an add I authored is applied and its epoch distributed. */
  onOwnAddApplied: ((channelId: string, officerId: string) => Promise<void>) | null = null;

  /**
   * Opens a direct channel from a directory entry (POST /directory/:id/contact): the create event
   * (agreement = the covering one, or '' for a contact request) and the recipient's add, which for
   * another agency waits as an invitation the recipient co-signs. Returns the channel and that invitation.
   */
  async openFromDirectory(target: ContactTargetView, recipientId: string, title: string): Promise<{ channel: ChannelInfo; invitationId: string | null }> {
    const { res } = await this.openDirect(recipientId, target.agreementId ?? '', title, (body) => this.ctx.http.call(api.directory.contact, { params: { id: target.entryId }, body: { recipientId, ...body } }));
    return { channel: await this.info(res.channel), invitationId: res.invitation?.id ?? null };
  }

  /**
   * The case channel of a claimed desk request (docs/DESKS.md "Desk intake"): a direct channel with the
   * requester, opened like a directory contact (a contact request between agencies, agreement ""), posted to
   * POST /desks/:id/requests/:requestId/case-channel, which links it to the request in the same transaction.
   */
  async openCaseChannel(deskId: string, requestId: string, requesterId: string, title: string): Promise<{ channelId: string; invited: boolean }> {
    const { channelId, res } = await this.openDirect(requesterId, '', title, async (body) => {
      const out = await this.ctx.http.call(api.intake.caseChannel, { params: { id: deskId, requestId }, body });
      return { invitation: out.invitationId === null ? null : { id: out.invitationId } };
    });
    return { channelId, invited: res.invitation !== null };
  }

  /** Builds and posts a direct channel with `recipientId` (create + add, or create + invite for another agency). */
  private async openDirect<R extends { invitation: { id: string } | null }>(
    recipientId: string,
    agreementId: string,
    title: string,
    post: (body: { events: Record<string, unknown>[]; invite?: Record<string, unknown>; keyEnvelope: Record<string, unknown>; encryptedMeta: string }) => Promise<R>,
  ): Promise<{ channelId: string; res: R }> {
    const me = requireKeys(this.ctx, 'contact');
    const myCert = await this.trustedCert(me.officerId);
    const cert = await this.trustedCert(recipientId);
    const channelId = newId();
    const time = this.ctx.now();
    const actor = { actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId };
    const create = createMembershipEvent(
      null,
      { channelId, kind: 'create', time, ...actor, channelKind: 'direct', agreementId, policy: policyFromMinimum('TLP:CLEAR'), member: myCert },
      me,
    );
    await this.chains.loadRoots([create]);
    let state = applyEvent(null, create, this.chains.chainCtx);
    const add = createMembershipEvent(state, { kind: 'add', time, ...actor, member: cert, role: 'member' }, me);
    await this.chains.loadRoots([add]);
    const sameAgency = cert.agencyId === me.agencyId;
    const events = [create];
    if (sameAgency) {
      state = applyEvent(state, add, this.chains.chainCtx);
      events.push(add);
    }
    const { envelope, epochSecret } = createKeyEnvelope({ state, sender: me, deviceId: this.ctx.deviceId });
    await this.secrets.save(channelId, state.current.epoch, epochSecret);
    const meta: ChannelMeta = { title };
    await this.ctx.sealed.set(`meta:${channelId}`, meta);
    const res = await post({
      events: events.map((e) => membershipEventCodec.toWire(e)),
      ...(sameAgency ? {} : { invite: membershipEventCodec.toWire(add) }),
      keyEnvelope: keyEnvelopeCodec.toWire(envelope),
      encryptedMeta: encryptMeta(channelId, state.current.epoch, epochSecret, meta),
    });
    await this.chains.extend(channelId, events);
    if (res.invitation) {
      // The invite queue re-invites after a stale invitation and drops a declined one (onInvitation).
      await this.ctx.store.set(`invites:${channelId}`, { queue: [], outstanding: { officerId: recipientId, invitationId: res.invitation.id } } satisfies InviteQueue);
    }
    return { channelId, res };
  }

  async create(input: CreateChannelInput): Promise<ChannelInfo> {
    const me = requireKeys(this.ctx, 'createChannel');
    const myCert = await this.trustedCert(me.officerId);
    const ids = [...new Set(input.members)].filter((id) => id !== me.officerId);
    const certs: OfficerCertificate[] = [];
    for (const id of ids) certs.push(await this.trustedCert(id));
    const channelId = newId();
    const time = this.ctx.now();
    const actor = { actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId };
    const minimum = input.policy?.minimum ?? 'TLP:CLEAR';
    const events: MembershipEvent[] = [
      createMembershipEvent(
        null,
        { channelId, kind: 'create', time, ...actor, channelKind: input.kind, agreementId: input.agreementId ?? '', policy: policyFromMinimum(minimum, input.policy?.defaultCode ?? minimum, input.policy?.profile), member: myCert },
        me,
      ),
    ];
    await this.chains.loadRoots([events[0]!]);
    let state = applyEvent(null, events[0]!, this.chains.chainCtx);
    for (const cert of certs.filter((c) => c.agencyId === me.agencyId)) {
      const add = createMembershipEvent(state, { kind: 'add', time, ...actor, member: cert, role: 'member' }, me);
      await this.chains.loadRoots([add]);
      state = applyEvent(state, add, this.chains.chainCtx);
      events.push(add);
    }
    // Other agencies' officers are invited with the create: the server checks them all before it
    // writes anything, so a refused member (no agreement, not covered) leaves no channel behind.
    const remote = certs.filter((c) => c.agencyId !== me.agencyId);
    const invites = remote.map((cert) => createMembershipEvent(state, { kind: 'add', time, ...actor, member: cert, role: 'member' }, me));
    const { envelope, epochSecret } = createKeyEnvelope({ state, sender: me, deviceId: this.ctx.deviceId });
    const meta: ChannelMeta = { title: input.title, ...(input.description ? { description: input.description } : {}), ...(input.caseRef ? { caseRef: input.caseRef } : {}) };
    const { channel, invitation } = await this.ctx.http.call(api.channels.create, {
      body: {
        events: events.map((e) => membershipEventCodec.toWire(e)),
        keyEnvelope: keyEnvelopeCodec.toWire(envelope),
        encryptedMeta: encryptMeta(channelId, state.current.epoch, epochSecret, meta),
        ...(input.caseRef ? { caseRefIndex: caseRefIndex(me, input.caseRef) } : {}),
        ...(input.retentionDays ? { retentionDays: input.retentionDays } : {}),
        ...(invites.length ? { invites: invites.map((e) => membershipEventCodec.toWire(e)) } : {}),
      },
    });
    // Local state only once the server took the channel: a refused create leaves nothing here either.
    await this.secrets.save(channelId, state.current.epoch, epochSecret);
    await this.ctx.sealed.set(`meta:${channelId}`, meta);
    await this.chains.extend(channelId, events);
    if (remote.length) {
      const [first, ...rest] = remote.map((c) => c.officerId);
      const outstanding = invitation ? { officerId: first!, invitationId: invitation.id } : null;
      await this.ctx.store.set(`invites:${channelId}`, { queue: outstanding ? rest : [first!, ...rest], outstanding } satisfies InviteQueue);
      if (!outstanding) await this.postNextInvite(channelId);
    }
    return this.info(channel);
  }

  /**
   * Channels for a case reference: the server's blind-index lookup finds the ones this officer
   * created; the rest are matched on the decrypted case references of the caller's channels.
   */
  async findByCaseRef(ref: string): Promise<ChannelInfo[]> {
    const me = requireKeys(this.ctx, 'findChannelsByCaseRef');
    const wanted = normaliseCaseRef(ref);
    const index = caseRefIndex(me, ref);
    const { channels } = await this.ctx.http.call(api.channels.list, { query: { caseRefIndex: index } });
    const found = new Map<string, ChannelInfo>();
    for (const c of channels) found.set(c.id, await this.info(c));
    for (const c of await this.list()) {
      if (!found.has(c.id) && c.caseRef !== null && normaliseCaseRef(c.caseRef) === wanted) found.set(c.id, c);
    }
    return [...found.values()];
  }

  async list(): Promise<ChannelInfo[]> {
    const { channels } = await this.ctx.http.call(api.channels.list);
    const out: ChannelInfo[] = [];
    for (const c of channels) out.push(await this.info(c));
    return out;
  }

  async get(channelId: string): Promise<ChannelInfo> {
    const { channel } = await this.ctx.http.call(api.channels.get, { params: { id: channelId } });
    return this.info(channel);
  }

  /** The handling policy of the current epoch (codes, default, profile), from the locally verified chain. */
  async policy(channelId: string): Promise<HandlingPolicy> {
    const state = (await this.chains.state(channelId)) ?? (await this.chains.pull(channelId));
    return state.current.policy;
  }

  /** Members of the current epoch, from the locally verified chain (not the server's list). */
  async members(channelId: string): Promise<ChannelMemberInfo[]> {
    const state = (await this.chains.state(channelId)) ?? (await this.chains.pull(channelId));
    return [...state.current.members.values()].map((m) => ({ officerId: m.cert.officerId, agencyId: m.cert.agencyId, role: m.role }));
  }

  async invitations(): Promise<InvitationView[]> {
    return (await this.ctx.http.call(api.channels.invitations)).invitations;
  }

  /**
   * Co-signs an invitation only after verifying what the co-signature covers (PROTOCOL.md §5.5): the add
   * adds me with my keys; the chain before it (fetched for the invitee) verifies from create and ends at the
   * add's prevHash; the add, co-signed by me, verifies on it (actor an owner with a root-certified key in the
   * chain, signature, channel kind, contact-request rule); the actor's key is the one the key log and my pins
   * certify; the channel's agreement is active, signed by both agencies and covers mine. Refuses otherwise.
   */
  async acceptInvitation(invitationId: string): Promise<ChannelInfo> {
    const me = requireKeys(this.ctx, 'acceptInvitation');
    const inv = (await this.invitations()).find((i) => i.id === invitationId);
    if (!inv) throw new LiaisonClientError('invitation/not-found', `acceptInvitation: no pending invitation ${invitationId}`);
    const event = membershipEventCodec.fromWire(inv.event);
    if (event.kind !== 'add' || event.channelId !== inv.channelId || !event.member) throw new LiaisonClientError('invitation/invalid', 'acceptInvitation: not an add event for this channel');
    const m = event.member;
    if (m.officerId !== me.officerId || !constantTimeEqual(m.signPublicKey, me.signPublicKey) || !constantTimeEqual(m.dhPublicKey, me.dhPublicKey)) {
      throw new LiaisonClientError('invitation/not-my-keys', 'acceptInvitation: the event does not add me with my keys');
    }
    const myCert = await this.trustedCert(me.officerId);
    const cosigned = cosignMembershipEvent(event, me, myCert);
    const state = await this.verifyInvitation(invitationId, event, cosigned);
    const actorCert = await this.trustedCert(event.actorOfficerId);
    const actorInChain = state.current.members.get(event.actorOfficerId)!.cert;
    if (!constantTimeEqual(actorCert.signPublicKey, actorInChain.signPublicKey)) {
      throw new LiaisonClientError('invitation/actor-not-certified', 'acceptInvitation: the inviter\'s key in the chain is not its certified, logged key');
    }
    const { signature, cosignature: _ignored, ...unsigned } = event;
    if (!labelledVerify(MEMBERSHIP_LABEL, membershipEventFields(unsigned), signature, actorCert.signPublicKey)) {
      throw new LiaisonClientError('invitation/bad-signature', 'acceptInvitation: the add event is not signed by its actor');
    }
    if (state.agreementId !== '') await this.checkInvitationAgreement(state.agreementId, me.agencyId, actorCert.agencyId);
    const { channel } = await this.ctx.http.call(api.channels.acceptInvitation, {
      params: { id: invitationId },
      body: { event: membershipEventCodec.toWire(cosigned) },
    });
    await this.mutex.run(channel.id, async () => {
      const state = await this.chains.pull(channel.id);
      const at = this.chains.eventAt(channel.id, cosigned.seq);
      const view = state.epochs.get(cosigned.seq);
      if (!at || !view || !constantTimeEqual(view.stateHash, membershipEventHash(cosigned))) {
        throw new LiaisonClientError('invitation/not-applied', 'acceptInvitation: the chain does not contain the accepted event');
      }
      await this.fetchKeyEnvelopes(channel.id);
    });
    return this.info(channel);
  }

  /**
   * The chain before the add, from the server, verified from create under my pinned roots, must end exactly at the
   * add's prevHash; then the add with my co-signature must verify on it. Returns the state the add builds on.
   */
  private async verifyInvitation(invitationId: string, event: MembershipEvent, cosigned: MembershipEvent): Promise<ChannelState> {
    const { events } = await this.ctx.http.call(api.channels.invitationEvents, { params: { id: invitationId } });
    let state: ChannelState;
    try {
      const prior = events.map((e) => membershipEventCodec.fromWire(e));
      await this.chains.loadRoots([...prior, event]);
      state = verifyChain(prior, this.chains.chainCtx);
    } catch (cause) {
      throw new LiaisonClientError('invitation/bad-chain', `acceptInvitation: the channel's chain does not verify (${codeOf(cause)})`, { cause });
    }
    if (state.channelId !== event.channelId || state.current.epoch !== event.seq - 1 || !constantTimeEqual(state.current.stateHash, event.prevHash)) {
      throw new LiaisonClientError('invitation/bad-chain', 'acceptInvitation: the add does not build on the head of the chain the server showed');
    }
    try {
      applyEvent(state, cosigned, this.chains.chainCtx);
    } catch (cause) {
      throw new LiaisonClientError('invitation/bad-add', `acceptInvitation: the add does not verify on the channel's chain (${codeOf(cause)})`, { cause });
    }
    return state;
  }

  /** The channel's agreement: active now, my agency and the inviter's are parties, and both signatures verify. */
  private async checkInvitationAgreement(agreementId: string, myAgency: string, actorAgency: string): Promise<void> {
    const refuse = (why: string): never => {
      throw new LiaisonClientError('invitation/bad-agreement', `acceptInvitation: agreement ${agreementId} ${why}`);
    };
    let agreement: Agreement;
    try {
      agreement = (await this.ctx.http.call(api.agreements.get, { params: { id: agreementId } })).agreement;
    } catch (cause) {
      if (cause instanceof LiaisonApiError && cause.status === 404) {
        // An institution with extended access (PROTOCOL.md §5.5) is not a party and cannot read its sponsor's
        // agreement: the server's coverage check (an active grant from a party) is then the only check.
        const { agency } = await this.ctx.http.call(api.accounts.getAgency, { params: { id: myAgency } });
        if (agency.sponsorAgencyId) return;
        refuse('is unknown');
      }
      throw cause;
    }
    const now = this.ctx.now();
    if (agreement.id !== agreementId) refuse('is another agreement');
    if (agreement.status !== 'active' || now < agreement.validFrom || now >= agreement.validUntil) refuse(`is not active (${agreement.status})`);
    const parties = agreement.parties.map((p) => p.agencyId);
    if (!parties.includes(myAgency) || !parties.includes(actorAgency)) refuse('does not cover both agencies');
    const check = await this.agreements.verify(agreement);
    if (!check.valid || !check.verifiedParties.includes(myAgency) || !check.verifiedParties.includes(actorAgency)) {
      refuse(`is not signed by both agencies (${check.problems.join('; ') || 'missing signatures'})`);
    }
  }

  async declineInvitation(invitationId: string): Promise<void> {
    await this.ctx.http.call(api.channels.declineInvitation, { params: { id: invitationId } });
  }

  /** Same agency: added at once with a new epoch; other agency: an invitation the invitee co-signs. */
  async addMember(channelId: string, officerId: string): Promise<'added' | 'invited'> {
    const me = requireKeys(this.ctx, 'addMember');
    const cert = await this.trustedCert(officerId);
    if (cert.agencyId !== me.agencyId) {
      const q = (await this.ctx.store.get<InviteQueue>(`invites:${channelId}`)) ?? { queue: [], outstanding: null };
      if (!q.queue.includes(officerId)) q.queue.push(officerId);
      await this.ctx.store.set(`invites:${channelId}`, q);
      await this.postNextInvite(channelId);
      return 'invited';
    }
    await this.appendOwnEvent(channelId, (state) => createMembershipEvent(state, { kind: 'add', time: this.ctx.now(), actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId, member: cert, role: 'member' }, me));
    return 'added';
  }

  /** A new epoch whose secret goes to the remaining members only. */
  async removeMember(channelId: string, officerId: string): Promise<void> {
    const me = requireKeys(this.ctx, 'removeMember');
    await this.appendOwnEvent(channelId, (state) => createMembershipEvent(state, { kind: 'remove', time: this.ctx.now(), actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId, targetOfficerId: officerId }, me));
  }

  /**
   * A new epoch with the same members and policy (PROTOCOL.md §5.3: MUST once the current epoch is 7 days old or
   * a sender device spent its 1,000 messages in it); any member may. The send path calls it when due.
   */
  async rekey(channelId: string): Promise<void> {
    const me = requireKeys(this.ctx, 'rekey');
    await this.appendOwnEvent(channelId, (state) => createMembershipEvent(state, { kind: 'rekey', time: this.ctx.now(), actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId }, me));
  }

  /** A new epoch (same members) in which `officerId` has `role`. */
  async setMemberRole(channelId: string, officerId: string, role: MemberRole): Promise<void> {
    const me = requireKeys(this.ctx, 'setMemberRole');
    await this.appendOwnEvent(channelId, (state) => createMembershipEvent(state, { kind: 'set-role', time: this.ctx.now(), actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId, targetOfficerId: officerId, role }, me));
  }

  async updateMeta(channelId: string, meta: ChannelMeta): Promise<void> {
    await this.ctx.sealed.set(`meta:${channelId}`, meta);
    const state = await this.chains.pull(channelId);
    await this.publishMeta(channelId, state);
  }

  // ---- feed handlers (called in feed order by the sync pipeline) ----

  async onMembership(channelId: string, data: unknown): Promise<void> {
    const event = membershipEventCodec.fromWire(data);
    await this.mutex.run(channelId, async () => {
      const local = await this.chains.state(channelId);
      const state = !local || event.seq > local.current.epoch + 1 ? await this.chains.pull(channelId) : await this.chains.extend(channelId, [event]);
      this.ctx.events.emit('membership', {
        channelId,
        epoch: event.seq,
        kind: event.kind,
        actorOfficerId: event.actorOfficerId,
        members: [...(state.epochs.get(event.seq) ?? state.current).members.keys()].sort(),
      });
      await this.afterApplied(channelId, state, event);
    });
  }

  async onKeyEnvelope(channelId: string, data: unknown): Promise<void> {
    const envelope = keyEnvelopeCodec.fromWire(data);
    await this.mutex.run(channelId, () => this.openEnvelope(channelId, envelope));
  }

  async onInvitation(data: InvitationView): Promise<void> {
    const me = this.ctx.officer?.id;
    if (data.createdBy === me && (data.status === 'declined' || data.status === 'stale')) {
      const q = await this.ctx.store.get<InviteQueue>(`invites:${data.channelId}`);
      if (q?.outstanding?.invitationId === data.id) {
        // A stale invitation is retried on the new head; a declined one is dropped.
        if (data.status === 'stale') q.queue.unshift(q.outstanding.officerId);
        q.outstanding = null;
        await this.ctx.store.set(`invites:${data.channelId}`, q);
        await this.postNextInvite(data.channelId);
      }
    }
  }

  /** Extended access revoked: an owner signs the removal the server cannot sign. */
  async onRekeyRequired(channelId: string, removed: readonly string[]): Promise<void> {
    const me = this.ctx.officer?.id;
    const state = await this.chains.pull(channelId);
    if (!me || state.current.members.get(me)?.role !== 'owner') return;
    for (const officerId of removed) {
      if (state.current.members.has(officerId)) await this.removeMember(channelId, officerId);
    }
  }

  /**
   * PROTOCOL.md §5.2 rule 7: in every channel I own, removes the members whose certificate my audited
   * key log shows revoked by their agency root, and keys the new epoch. Also, in a channel the server
   * reports as `coverage_lost` (an institution's extended access expired), the members whose agency is
   * not a party to the channel's agreement (§4.3 **Revocation**, "Not a cert-revoke"). Called by
   * `sync()` after the key-log audit. Returns the channels changed. Another owner's remove winning the
   * race is not an error: the chain is re-read and a member already gone needs nothing more.
   */
  async removeRevokedMembers(): Promise<string[]> {
    const me = this.ctx.keys;
    const checker = this.revocations;
    if (!me || !checker) return [];
    const revokedIds = new Set((await checker.revokedOfficerIds()).filter((id) => id !== me.officerId));
    let channels: Channel[];
    try {
      channels = (await this.ctx.http.call(api.channels.list)).channels;
    } catch (err) {
      // A server that cannot list the channels now: the next sync tries again (transport failures propagate).
      if (err instanceof LiaisonApiError) return [];
      throw err;
    }
    const changed: string[] = [];
    for (const c of channels) {
      try {
        if (await this.deprovisionIn(c, me.officerId, revokedIds)) changed.push(c.id);
      } catch (err) {
        // One channel's failure (refused event, invalid chain: already reported) does not stop the others.
        if (err instanceof LiaisonApiError || err instanceof CryptoError || err instanceof LiaisonClientError) continue;
        throw err;
      }
    }
    return changed;
  }

  /** The deprovisioning removals of one channel I may own: uncovered members of a coverage_lost channel, else revoked members. */
  private async deprovisionIn(c: Channel, myId: string, revokedIds: ReadonlySet<string>): Promise<boolean> {
    const checker = this.revocations!;
    if (c.readOnly === 'coverage_lost' && c.agreementId && c.members.some((m) => m.officerId === myId && m.role === 'owner')) {
      const { agreement } = await this.ctx.http.call(api.agreements.get, { params: { id: c.agreementId } });
      const parties = new Set(agreement.parties.map((p) => p.agencyId));
      const uncovered = async (view: ChannelState['current']): Promise<string[]> =>
        [...view.members.values()].filter((m) => !parties.has(m.cert.agencyId)).map((m) => m.cert.officerId);
      return this.removeIn(c.id, myId, uncovered);
    }
    if (revokedIds.size === 0) return false;
    // Cheap filter on both the server's list and my verified chain; the removal itself re-checks the chain.
    const local = await this.chains.state(c.id);
    const ids = [...c.members.map((m) => m.officerId), ...(local ? [...local.current.members.keys()] : [])];
    if (!ids.some((id) => revokedIds.has(id))) return false;
    const revoked = async (view: ChannelState['current']): Promise<string[]> => (await checker.revokedMembers(view)).map((r) => r.officerId);
    return this.removeIn(c.id, myId, revoked);
  }

  private async removeIn(channelId: string, myId: string, select: (view: ChannelState['current']) => Promise<string[]>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.mutex.run(channelId, () => this.removeOnce(channelId, myId, select));
      } catch (err) {
        // 409: another owner moved the head (e.g. removed the same member first): re-read and re-check.
        if (err instanceof LiaisonApiError && err.status === 409 && attempt < 3) continue;
        throw err;
      }
    }
  }

  /** One attempt, under the channel lock: every selected member removed, only the last new epoch keyed. */
  private async removeOnce(channelId: string, myId: string, select: (view: ChannelState['current']) => Promise<string[]>): Promise<boolean> {
    const me = requireKeys(this.ctx, 'removeRevokedMembers');
    const state = await this.chains.pull(channelId);
    if (state.current.members.get(myId)?.role !== 'owner') return false;
    const targets = (await select(state.current)).filter((id) => id !== myId);
    if (targets.length === 0) return false;
    let next = state;
    const events: MembershipEvent[] = [];
    for (const targetOfficerId of targets) {
      const event = createMembershipEvent(next, { kind: 'remove', time: this.ctx.now(), actorOfficerId: myId, actorDeviceId: this.ctx.deviceId, targetOfficerId }, me);
      await this.chains.loadRoots([event]);
      next = applyEvent(next, event, this.chains.chainCtx);
      events.push(event);
    }
    await this.revocations?.assertEpochRecipients(next.current);
    // Intermediate epochs (several members removed) still list a removed member: only the last is keyed.
    const { envelope, epochSecret } = createKeyEnvelope({ state: next, sender: me, deviceId: this.ctx.deviceId });
    for (const [i, event] of events.entries()) {
      const last = i === events.length - 1;
      await this.ctx.http.call(api.channels.appendEvent, {
        params: { id: channelId },
        body: { event: membershipEventCodec.toWire(event), ...(last ? { keyEnvelope: keyEnvelopeCodec.toWire(envelope) } : {}) },
      });
      if (last) await this.secrets.save(channelId, next.current.epoch, epochSecret);
      await this.chains.extend(channelId, [event]);
    }
    await this.publishMeta(channelId, next);
    return true;
  }

  /** Opens every key envelope the server holds for me that I have not opened yet. */
  async fetchKeyEnvelopes(channelId: string): Promise<void> {
    const { keyEnvelopes } = await this.ctx.http.call(api.channels.keyEnvelopes, { params: { id: channelId } });
    for (const wire of keyEnvelopes) await this.openEnvelope(channelId, keyEnvelopeCodec.fromWire(wire));
  }

  /**
   * Keys the current epoch of `state` when this client is its distributor (PROTOCOL.md §6,
   * `epochDistributor`: the author's device while the author is a member, else any device of the
   * first remaining owner) and no secret for it is known yet: creates the secret, posts the key
   * envelope and re-publishes the meta. Returns the epoch's secret, or null when this client is not
   * its distributor. The caller holds the channel lock.
   */
  async keyEpochIfDistributor(channelId: string, state: ChannelState): Promise<Uint8Array | null> {
    const me = this.ctx.keys;
    const view = state.current;
    if (!me || !isEpochDistributor(view, me.officerId, this.ctx.deviceId)) return null;
    const known = await this.secrets.load(channelId, view.epoch);
    if (known) return known;
    // An alternate distributor may have several devices: another one may have keyed the epoch already.
    if (view.authorOfficerId !== me.officerId) {
      const fetched = await this.fetchedSecret(channelId, view.epoch);
      if (fetched) return fetched;
    }
    // §4.3 Revocation: never seal an epoch to a member revoked before it opened (an owner removes them first).
    await this.revocations?.assertEpochRecipients(view);
    const { envelope, epochSecret } = createKeyEnvelope({ state, sender: me, deviceId: this.ctx.deviceId });
    try {
      await this.ctx.http.call(api.channels.postKeyEnvelope, { params: { id: channelId }, body: { keyEnvelope: keyEnvelopeCodec.toWire(envelope) } });
    } catch (err) {
      // Keyed meanwhile (another of my devices, or my own earlier post whose answer was lost): use the stored envelope.
      if (err instanceof LiaisonApiError && err.code === 'key_envelope_exists') return this.fetchedSecret(channelId, view.epoch);
      throw err;
    }
    // Saved only once the server took the envelope: a failed post is retried (the secret is not yet "known").
    await this.secrets.save(channelId, view.epoch, epochSecret);
    await this.publishMeta(channelId, state);
    return epochSecret;
  }

  // ---- internals ----

  private async fetchedSecret(channelId: string, epoch: number): Promise<Uint8Array | null> {
    await this.fetchKeyEnvelopes(channelId);
    return (await this.secrets.load(channelId, epoch)) ?? null;
  }

  private async openEnvelope(channelId: string, envelope: KeyEnvelope): Promise<void> {
    const me = requireKeys(this.ctx, 'onKeyEnvelope');
    if (await this.secrets.load(channelId, envelope.epoch)) return;
    let state = (await this.chains.state(channelId)) ?? (await this.chains.pull(channelId));
    if (!state.epochs.has(envelope.epoch)) state = await this.chains.pull(channelId);
    try {
      const view = state.epochs.get(envelope.epoch);
      if (view && this.revocations) {
        // §4.3 Revocation: refuse an epoch keyed by a revoked distributor, or opened after a member's revocation with that member still in.
        await this.revocations.assertEpochSender(view, envelope.senderOfficerId);
        await this.revocations.assertEpochRecipients(view);
      }
      await this.secrets.save(channelId, envelope.epoch, openKeyEnvelope({ state, envelope, me }));
    } catch (err) {
      if (err instanceof EpochError && err.code === 'epoch/not-recipient') return;
      if (err instanceof EpochError) {
        this.ctx.events.emit('security', { kind: 'key_envelope_invalid', channelId, code: err.code, message: err.message });
        return;
      }
      throw err;
    }
  }

  private async appendOwnEvent(channelId: string, build: (state: ChannelState) => MembershipEvent): Promise<void> {
    const me = requireKeys(this.ctx, 'appendOwnEvent');
    await this.mutex.run(channelId, async () => {
      const state = await this.chains.pull(channelId);
      const event = build(state);
      await this.chains.loadRoots([event]);
      const next = applyEvent(state, event, this.chains.chainCtx);
      if (next.current.members.has(me.officerId)) await this.revocations?.assertEpochRecipients(next.current);
      const keyEnvelope = next.current.members.has(me.officerId) ? createKeyEnvelope({ state: next, sender: me, deviceId: this.ctx.deviceId }) : null;
      await this.ctx.http.call(api.channels.appendEvent, {
        params: { id: channelId },
        body: { event: membershipEventCodec.toWire(event), ...(keyEnvelope ? { keyEnvelope: keyEnvelopeCodec.toWire(keyEnvelope.envelope) } : {}) },
      });
      // Only once the server took the event: a refused event must not leave a secret for an epoch
      // that another event will start (it would also stop this client distributing that epoch).
      if (keyEnvelope) await this.secrets.save(channelId, next.current.epoch, keyEnvelope.epochSecret);
      await this.chains.extend(channelId, [event]);
      if (keyEnvelope) await this.publishMeta(channelId, next);
    });
  }

  /**
   * Runs after a membership event was verified: key the current epoch when this client is its
   * distributor (the author's device, or the first remaining owner after the author left), continue invitations.
   */
  private async afterApplied(channelId: string, state: ChannelState, event: MembershipEvent): Promise<void> {
    const me = this.ctx.keys;
    if (!me) return;
    if (event.seq === state.current.epoch) await this.keyEpochIfDistributor(channelId, state);
    if (event.kind === 'add' && event.actorOfficerId === me.officerId) {
      const q = await this.ctx.store.get<InviteQueue>(`invites:${channelId}`);
      if (q?.outstanding && q.outstanding.officerId === event.member?.officerId) {
        q.outstanding = null;
        await this.ctx.store.set(`invites:${channelId}`, q);
        // Outside the channel lock: postNextInvite takes it itself.
        queueMicrotask(() => void this.postNextInvite(channelId).catch(() => undefined));
      }
      const added = event.member?.officerId;
      const hook = this.onOwnAddApplied;
      if (hook && added && event.seq === state.current.epoch) queueMicrotask(() => void hook(channelId, added).catch(() => undefined));
    }
  }

  private async postNextInvite(channelId: string): Promise<void> {
    const me = requireKeys(this.ctx, 'invite');
    await this.mutex.run(channelId, async () => {
      const q = await this.ctx.store.get<InviteQueue>(`invites:${channelId}`);
      if (!q || q.outstanding || q.queue.length === 0) return;
      const officerId = q.queue[0]!;
      const cert = await this.trustedCert(officerId);
      const state = await this.chains.pull(channelId);
      const event = createMembershipEvent(state, { kind: 'add', time: this.ctx.now(), actorOfficerId: me.officerId, actorDeviceId: this.ctx.deviceId, member: cert, role: 'member' }, me);
      const res = await this.ctx.http.call(api.channels.appendEvent, {
        params: { id: channelId },
        body: { event: membershipEventCodec.toWire(event) },
      });
      q.queue.shift();
      // 202 (an invitation) when the add crosses agencies, 200 (applied) otherwise.
      q.outstanding = 'invitation' in res ? { officerId, invitationId: res.invitation.id } : null;
      await this.ctx.store.set(`invites:${channelId}`, q);
    });
  }

  /** Owners re-encrypt the channel meta under the current epoch's dedicated meta key. */
  private async publishMeta(channelId: string, state: ChannelState): Promise<void> {
    const me = this.ctx.officer?.id;
    if (!me || state.current.members.get(me)?.role !== 'owner') return;
    const secret = await this.secrets.load(channelId, state.current.epoch);
    const meta = await this.ctx.sealed.get<ChannelMeta>(`meta:${channelId}`);
    if (!secret || !meta) return;
    await this.ctx.http.call(api.channels.update, { params: { id: channelId }, body: { encryptedMeta: encryptMeta(channelId, state.current.epoch, secret, meta) } });
  }

  private async trustedCert(officerId: string): Promise<OfficerCertificate> {
    const { cert, trusted } = await this.keys.certified(officerId);
    if (!trusted) throw new LiaisonClientError('keys/unverified-member', `${officerId}'s key changed; compare safety numbers and markVerified() first`);
    return cert;
  }

  private async info(c: Channel): Promise<ChannelInfo> {
    let meta: ChannelMeta | null = null;
    const epoch = metaEpoch(c.encryptedMeta);
    if (epoch !== null && this.ctx.keys) {
      let secret = await this.secrets.load(c.id, epoch);
      // A new device (or one offline while the channel was rekeyed) has not opened this epoch's key envelope yet:
      // fetch the envelopes once per epoch and session, so the title is readable in the list without opening it.
      // Concurrent calls (the list refreshed while the first fetch runs) wait for that same fetch.
      if (!secret) {
        const attempt = `${c.id}:${epoch}`;
        let fetching = this.metaKeyFetches.get(attempt);
        if (!fetching) {
          // A failed fetch (offline) is forgotten, so a later list tries again.
          fetching = this.fetchKeyEnvelopes(c.id).catch(() => void this.metaKeyFetches.delete(attempt));
          this.metaKeyFetches.set(attempt, fetching);
        }
        await fetching;
        secret = await this.secrets.load(c.id, epoch);
      }
      try {
        meta = decryptMeta(c.id, c.encryptedMeta, () => secret);
        if (meta) await this.ctx.sealed.set(`meta:${c.id}`, meta);
      } catch {
        meta = null;
      }
    }
    return {
      id: c.id,
      kind: c.kind,
      agreementId: c.agreementId,
      title: meta?.title ?? null,
      description: meta?.description ?? null,
      caseRef: meta?.caseRef ?? null,
      readOnly: c.readOnly,
      headSeq: c.headSeq,
      lastMessageSeq: c.lastMessageSeq,
      readSeq: c.readSeq ?? 0,
      members: c.members,
      untrusted: this.chains.untrustedReason(c.id),
      contactRequest: c.contactRequest,
      contactEntryId: c.contactEntryId ?? null,
      retentionDays: c.retentionDays,
      legalHold: c.legalHold,
    };
  }
}

function codeOf(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : String(err);
}
