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
import { CommitThenThrow, type Store, type Tx } from '../store/store.ts';
import type { AuditAction, AuditDetails } from '../audit/actions.ts';

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
    this.check(state, event, row.contactRequest !== null);
    const fx = this.channels.effects();
    const view = await this.store.write((tx) => this.record(tx, actor, row.id, event, fx));
    fx.publish();
    return view;
  }

  /** Server policy for an add awaiting co-signature: a real, active, certified officer; coverage as if applied. */
  check(state: ChannelState, event: MembershipEvent, contactRequest: boolean): void {
    const member = event.member!;
    checkNewMember(this.policy, member);
    const members = new Map([...state.current.members, [member.officerId, { cert: member, role: event.role! }]]);
    checkCoverage(this.policy, { ...state, current: { ...state.current, members } }, { contactRequest });
  }

  /**
   * The cross-agency adds sent with a create (on the created state `state`): each must verify in every
   * respect except the invitee's missing co-signature, and the agreement must cover all invitees at once.
   */
  checkProposed(state: ChannelState, events: readonly MembershipEvent[]): void {
    const seen = new Set<string>();
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
      checkNewMember(this.policy, member);
    }
    const members = new Map(state.current.members);
    for (const e of events) members.set(e.member!.officerId, { cert: e.member!, role: e.role! });
    if (state.channelKind === 'direct' && members.size > DIRECT_CHANNEL_MAX_MEMBERS) {
      throw new ValidationError('A direct channel has two members; open a case or team channel for more', 'invalid_invite');
    }
    checkCoverage(this.policy, { ...state, current: { ...state.current, members } });
  }

  /** Stores the invitation and its feed item (to the invitee) inside the caller's transaction. */
  async record(tx: Tx, actor: Actor, channelId: string, event: MembershipEvent, fx: Effects): Promise<InvitationView> {
    const member = event.member!;
    const now = this.clock.now();
    const id = newId();
    // A newer invitation for the same officer supersedes the older one.
    this.channels.repo.supersedeInvitations(channelId, member.officerId, now);
    this.channels.repo.insertInvitation({
      id,
      channelId,
      event: wireJson(membershipEventCodec, event),
      inviteeId: member.officerId,
      inviteeAgencyId: member.agencyId,
      createdBy: actor.officerId,
      createdAt: now,
      status: 'pending',
    });
    const inv = this.view(this.channels.repo.invitation(id)!);
    fx.items.push(await this.feed.append({ channelId, kind: 'invitation', data: inv, createdAt: now, recipientId: member.officerId }));
    await this.audit(tx, actor, 'channel.invited', channelId, { invitation: id, invitee: member.officerId, seq: event.seq });
    return inv;
  }

  listPending(actor: Actor): InvitationView[] {
    return this.channels.repo.pendingInvitations(actor.officerId, actor.role === 'agency_admin' ? actor.agencyId : null).map((r) => this.view(r));
  }

  /** The invitee (or an admin of their agency) posts the co-signed event; applied if the head has not moved. */
  async accept(actor: Actor, id: string, json: Record<string, unknown>): Promise<Channel> {
    const inv = this.pending(actor, id);
    const contact = this.channels.repo.channel(inv.channelId)?.contactRequest === 'pending';
    const event = parseWire(membershipEventCodec, json, 'event');
    const cos = event.cosignature;
    if (!cos) throw new ValidationError('The event carries no co-signature', 'chain_missing_cosignature');
    if (wireJson(membershipEventCodec, { ...event, cosignature: undefined }) !== inv.event) {
      throw new ValidationError('The event differs from the invitation', 'event_mismatch');
    }
    const mine = this.keys.certificate(actor.officerId);
    if (cos.cert.officerId !== actor.officerId || !mine || !constantTimeEqual(mine.signPublicKey, cos.cert.signPublicKey)) {
      throw new ForbiddenError('The co-signature must be yours, with your certified keys', 'cosigner_mismatch');
    }
    const state = this.channels.headState(inv.channelId);
    if (event.seq !== state.current.epoch + 1 || !constantTimeEqual(event.prevHash, state.current.stateHash)) {
      await this.store.write(async (tx) => {
        tx.channels.decideInvitation(id, 'stale', this.clock.now());
        await this.audit(tx, actor, 'channel.invitation_stale', inv.channelId, { invitation: id });
        return new CommitThenThrow(new ConflictError('The channel changed since the invitation; the inviter must invite again', 'invitation_stale'));
      });
    }
    const reason = this.channels.readOnlyReason(inv.channelId);
    if (reason !== null && !(contact && reason === 'contact_request_pending')) throw new ConflictError(`The channel is read-only (${reason})`, 'channel_read_only');
    const next = verified(() => applyEvent(state, event, this.channels.chain), 'event');
    checkNewMember(this.policy, event.member!);
    checkCosigner(this.policy, event);
    checkCoverage(this.policy, next, { contactRequest: contact });
    return this.channels.commitEvent(actor, state, next, event, async (tx, fx) => {
      const now = this.clock.now();
      this.channels.repo.decideInvitation(id, 'accepted', now);
      await this.audit(tx, actor, 'channel.invitation_accepted', inv.channelId, { invitation: id });
      if (contact) {
        this.channels.repo.updateChannel(inv.channelId, { contactRequest: 'accepted' });
        await this.audit(tx, actor, 'channel.contact_request_accepted', inv.channelId, { invitation: id, requester: inv.createdBy });
        // Both participants are members now: the channel item reaches both, live.
        const view = this.channels.view(this.channels.repo.channel(inv.channelId)!);
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: view, createdAt: now }));
      }
    });
  }

  async decline(actor: Actor, id: string): Promise<InvitationView> {
    const inv = this.pending(actor, id);
    const now = this.clock.now();
    const fx = this.channels.effects();
    const view = await this.store.write(async (tx) => {
      tx.channels.decideInvitation(id, 'declined', now);
      const v = this.view(tx.channels.invitation(id)!);
      fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'invitation', data: v, createdAt: now, recipientId: inv.createdBy }));
      await this.audit(tx, actor, 'channel.invitation_declined', inv.channelId, { invitation: id });
      if (tx.channels.channel(inv.channelId)?.contactRequest === 'pending') {
        // A declined contact request closes the channel for good: sends and adds are refused from now on.
        tx.channels.updateChannel(inv.channelId, { contactRequest: 'declined', closedAt: now, closedReason: 'contact_request_declined' });
        await this.audit(tx, actor, 'channel.contact_request_declined', inv.channelId, { invitation: id, requester: inv.createdBy });
        const channel = this.channels.view(tx.channels.channel(inv.channelId)!);
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: channel, createdAt: now }));
        fx.items.push(await this.feed.append({ channelId: inv.channelId, kind: 'channel', data: channel, createdAt: now, recipientId: inv.inviteeId }));
      }
      return v;
    });
    fx.publish();
    return view;
  }

  private pending(actor: Actor, id: string): InvitationRow {
    const inv = this.channels.repo.invitation(id);
    const mayAnswer = inv && (inv.inviteeId === actor.officerId || (actor.role === 'agency_admin' && inv.inviteeAgencyId === actor.agencyId));
    if (!inv || !mayAnswer) throw new NotFoundError('Invitation');
    if (inv.inviteeId !== actor.officerId && this.channels.repo.channel(inv.channelId)?.contactRequest === 'pending') {
      throw new ForbiddenError('Only the contacted officer answers a contact request', 'contact_request_invitee_only');
    }
    if (inv.status !== 'pending') throw new ConflictError(`The invitation is ${inv.status}`, inv.status === 'stale' ? 'invitation_stale' : 'invitation_closed');
    return inv;
  }

  private view(r: InvitationRow): InvitationView {
    const contactRequest = this.channels.repo.channel(r.channelId)?.contactRequest != null;
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

  private async audit<A extends AuditAction>(tx: Tx, actor: Actor, action: A, channelId: string, details: AuditDetails<A>): Promise<void> {
    await this.auditLog.record(tx, { action, actorId: actor.officerId, agencyId: actor.agencyId, targetType: 'channel', targetId: channelId, ip: actor.ip, details });
  }
}
