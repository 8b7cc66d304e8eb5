import type { Static } from 'typebox';
import {
  applyEvent,
  ChannelStateError,
  constantTimeEqual,
  DIRECT_CHANNEL_MAX_MEMBERS,
  membershipEventCodec,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { Channel, Invitation } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { apiError, parseWire, verified, wireJson } from '../keys/wire.ts';
import type { Effects } from './effects.ts';
import { checkCosigner, checkCoverage, checkNewMember, type PolicyDeps } from './policy.ts';
import type { ChannelRow, InvitationRow } from './repository.ts';
import type { ChannelsDeps, ChannelsService } from './service.ts';
import { CommitThenThrow, type Repositories, type Store, type Tx } from '../store/store.ts';
import { auditEvents } from '../audit/actions.ts';

type InvitationView = Static<typeof Invitation>;

/** Cross-agency adds wait for the co-signature of the added officer's side (PROTOCOL.md §5.2 rule 3). */
export class ChannelInvitations {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly feed: FeedWriter;
  private readonly auditLog: AuditService;
  private readonly keys: ChannelsDeps['keys'];
  private readonly policy: PolicyDeps;

  constructor(
    deps: ChannelsDeps,
    private readonly channels: ChannelsService,
  ) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.feed = deps.feed;
    this.auditLog = deps.audit;
    this.keys = deps.keys;
    this.policy = deps;
  }

  /** The add verified except for the co-signature: store it and tell the invitee. */
  async invite(actor: Actor, row: ChannelRow, state: ChannelState, event: MembershipEvent): Promise<InvitationView> {
    await this.check(state, event, row.contactRequest !== null);
    const fx = this.channels.effects();
    const view = await this.store.write((tx) => this.record(tx, actor, row.id, event, fx));
    fx.publish();
    return view;
  }

  /** Server policy for an add awaiting co-signature: a real, active, certified officer; coverage as if applied. */
  async check(state: ChannelState, event: MembershipEvent, contactRequest: boolean): Promise<void> {
    const member = event.member!;
    await checkNewMember(this.policy, member);
    const members = new Map([...state.current.members, [member.officerId, { cert: member, role: event.role! }]]);
    await checkCoverage(this.policy, { ...state, current: { ...state.current, members } }, { contactRequest });
  }

  /**
   * The cross-agency adds sent with a create (on the created state `state`): each must verify in every
   * respect except the invitee's missing co-signature, and the agreement must cover all invitees at once.
   */
  async checkProposed(state: ChannelState, events: readonly MembershipEvent[]): Promise<void> {
    const seen = new Set<string>();
    await this.channels.loadRoots(events);
    const creatorAgency = state.current.members.get(state.current.authorOfficerId)?.cert.agencyId;
    for (const [i, event] of events.entries()) {
      const member = event.member;
      if (event.kind !== 'add' || !member || event.cosignature) {
        throw new ValidationError(`invites[${i}] must add an officer, without co-signature`, 'invalid_invite');
      }
      if (member.agencyId === creatorAgency) {
        throw new ValidationError(`invites[${i}]: officers of your own agency are added directly (in events), not invited`, 'invalid_invite');
      }
      if (seen.has(member.officerId)) throw new ValidationError(`invites[${i}]: this officer is already invited`, 'invalid_invite');
      seen.add(member.officerId);
      try {
        applyEvent(state, event, this.channels.chain);
      } catch (err) {
        if (!(err instanceof ChannelStateError && err.code === 'chain/missing-cosignature')) throw apiError(err, `invites[${i}]`);
      }
      await checkNewMember(this.policy, member);
    }
    const members = new Map(state.current.members);
    for (const e of events) members.set(e.member!.officerId, { cert: e.member!, role: e.role! });
    if (state.channelKind === 'direct' && members.size > DIRECT_CHANNEL_MAX_MEMBERS) {
      throw new ValidationError('A direct channel has two members; open a case or team channel for more', 'invalid_invite');
    }
    await checkCoverage(this.policy, { ...state, current: { ...state.current, members } });
  }

  /** Stores the invitation and its feed item (to the invitee) inside the caller's transaction. */
  async record(tx: Tx, actor: Actor, channelId: string, event: MembershipEvent, fx: Effects): Promise<InvitationView> {
    const member = event.member!;
    const now = this.clock.now();
    const id = newId();
    // A newer invitation for the same officer supersedes the older one.
    await tx.channels.supersedeInvitations(channelId, member.officerId, now);
    await tx.channels.insertInvitation({
      id,
      channelId,
      event: wireJson(membershipEventCodec, event),
      inviteeId: member.officerId,
      inviteeAgencyId: member.agencyId,
      createdBy: actor.officerId,
      createdAt: now,
      status: 'pending',
    });
    const inv = await this.view(tx, (await tx.channels.invitation(id))!);
    fx.items.push(await this.feed.append({ channelId, kind: 'invitation', data: inv, createdAt: now, recipientId: member.officerId }, tx.feed));
    await this.auditLog.record(tx, auditEvents.channelInvited(actor, { type: 'channel', id: channelId }, { invitation: id, invitee: member.officerId, seq: event.seq }));
    return inv;
  }

  listPending(actor: Actor): Promise<InvitationView[]> {
    return this.store.read(async (r) => {
      const rows = await r.channels.pendingInvitations(actor.officerId, actor.role === 'agency_admin' ? actor.agencyId : null);
      return Promise.all(rows.map((row) => this.view(r, row)));
    });
  }

  /** The invitee (or an admin of their agency) posts the co-signed event; applied if the head has not moved. */
  async accept(actor: Actor, id: string, json: Record<string, unknown>): Promise<Channel> {
    const inv = await this.pending(actor, id);
    const contact = (await this.store.read((r) => r.channels.channel(inv.channelId)))?.contactRequest === 'pending';
    const event = parseWire(membershipEventCodec, json, 'event');
    const cos = event.cosignature;
    if (!cos) throw new ValidationError('The event carries no co-signature', 'chain_missing_cosignature');
    if (wireJson(membershipEventCodec, { ...event, cosignature: undefined }) !== inv.event) {
      throw new ValidationError('The event differs from the invitation', 'event_mismatch');
    }
    const refusal = await this.keys.certificateRefusal(actor.officerId);
    if (refusal) throw refusal;
    const mine = await this.keys.certificate(actor.officerId);
    if (cos.cert.officerId !== actor.officerId || !mine || !constantTimeEqual(mine.signPublicKey, cos.cert.signPublicKey)) {
      throw new ForbiddenError('The co-signature must be yours, with your certified keys', 'cosigner_mismatch');
    }
    const state = await this.channels.headState(inv.channelId);
    if (event.seq !== state.current.epoch + 1 || !constantTimeEqual(event.prevHash, state.current.stateHash)) {
      await this.store.write(async (tx) => {
        await tx.channels.decideInvitation(id, 'stale', this.clock.now());
        await this.auditLog.record(tx, auditEvents.channelInvitationStale(actor, { type: 'channel', id: inv.channelId }, { invitation: id }));
        return new CommitThenThrow(new ConflictError('The channel changed since the invitation; the inviter must invite again', 'invitation_stale'));
      });
    }
    const reason = await this.channels.readOnlyReason(inv.channelId);
    if (reason !== null && !(contact && reason === 'contact_request_pending')) throw new ConflictError(`The channel is read-only (${reason})`, 'channel_read_only');
    await this.channels.loadRoots([event]);
    const next = verified(() => applyEvent(state, event, this.channels.chain), 'event');
    await checkNewMember(this.policy, event.member!);
    await checkCosigner(this.policy, event);
    await checkCoverage(this.policy, next, { contactRequest: contact });
    return this.channels.commitEvent(actor, state, next, event, async (tx, fx) => {
      const now = this.clock.now();
      await tx.channels.decideInvitation(id, 'accepted', now);
      await this.auditLog.record(tx, auditEvents.channelInvitationAccepted(actor, { type: 'channel', id: inv.channelId }, { invitation: id }));
      if (contact) {
        await tx.channels.updateChannel(inv.channelId, { contactRequest: 'accepted' });
        await this.auditLog.record(tx, auditEvents.channelContactRequestAccepted(actor, { type: 'channel', id: inv.channelId }, { invitation: id, requester: inv.createdBy }));
        // Both participants are members now: the channel item reaches both, live.
        const view = await this.channels.view((await tx.channels.channel(inv.channelId))!, tx);
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: view, createdAt: now }, tx.feed));
      }
    });
  }

  /**
   * The chain up to the add's prevHash, for the invitee to verify before co-signing (PROTOCOL.md §5.5). Only the
   * invited officer (not an admin of their agency, not anyone else: 404) and only while pending (409).
   */
  async events(actor: Actor, id: string): Promise<Record<string, unknown>[]> {
    const found = await this.store.read((r) => r.channels.invitation(id));
    if (found?.inviteeId !== actor.officerId) throw new NotFoundError('Invitation');
    const inv = await this.pending(actor, id);
    const seq = membershipEventCodec.fromWire(JSON.parse(inv.event)).seq;
    const rows = await this.store.read((r) => r.channels.eventsAfter(inv.channelId, -1));
    return rows.filter((e) => e.seq < seq).map((e) => JSON.parse(e.event) as Record<string, unknown>);
  }

  async decline(actor: Actor, id: string): Promise<InvitationView> {
    const inv = await this.pending(actor, id);
    const now = this.clock.now();
    const fx = this.channels.effects();
    const view = await this.store.write(async (tx) => {
      await tx.channels.decideInvitation(id, 'declined', now);
      const v = await this.view(tx, (await tx.channels.invitation(id))!);
      fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'invitation', data: v, createdAt: now, recipientId: inv.createdBy }, tx.feed));
      await this.auditLog.record(tx, auditEvents.channelInvitationDeclined(actor, { type: 'channel', id: inv.channelId }, { invitation: id }));
      if ((await tx.channels.channel(inv.channelId))?.contactRequest === 'pending') {
        // A declined contact request closes the channel for good: sends and adds are refused from now on.
        await tx.channels.updateChannel(inv.channelId, { contactRequest: 'declined', closedAt: now, closedReason: 'contact_request_declined' });
        await this.auditLog.record(tx, auditEvents.channelContactRequestDeclined(actor, { type: 'channel', id: inv.channelId }, { invitation: id, requester: inv.createdBy }));
        const channel = await this.channels.view((await tx.channels.channel(inv.channelId))!, tx);
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: channel, createdAt: now }, tx.feed));
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: channel, createdAt: now, recipientId: inv.inviteeId }, tx.feed));
      }
      return v;
    });
    fx.publish();
    return view;
  }

  private async pending(actor: Actor, id: string): Promise<InvitationRow> {
    const { inv, channel } = await this.store.read(async (r) => {
      const found = await r.channels.invitation(id);
      return { inv: found, channel: found ? await r.channels.channel(found.channelId) : undefined };
    });
    const mayAnswer = inv && (inv.inviteeId === actor.officerId || (actor.role === 'agency_admin' && inv.inviteeAgencyId === actor.agencyId));
    if (!inv || !mayAnswer) throw new NotFoundError('Invitation');
    if (inv.inviteeId !== actor.officerId && channel?.contactRequest === 'pending') {
      throw new ForbiddenError('Only the contacted officer answers a contact request', 'contact_request_invitee_only');
    }
    if (inv.status !== 'pending') throw new ConflictError(`The invitation is ${inv.status}`, inv.status === 'stale' ? 'invitation_stale' : 'invitation_closed');
    return inv;
  }

  private async view(uow: Pick<Repositories, 'channels'>, r: InvitationRow): Promise<InvitationView> {
    const contactRequest = (await uow.channels.channel(r.channelId))?.contactRequest != null;
    return {
      id: r.id,
      channelId: r.channelId,
      event: JSON.parse(r.event) as Record<string, unknown>,
      inviteeId: r.inviteeId,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      status: r.status,
      ...(contactRequest && { contactRequest }),
    };
  }

}
