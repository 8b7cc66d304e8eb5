import type { Static } from 'typebox';
import {
  applyEvent,
  constantTimeEqual,
  membershipEventCodec,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { Channel, Invitation } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/tx.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { parseWire, verified, wireJson } from '../keys/wire.ts';
import { checkCoverage, checkNewMember } from './policy.ts';
import type { ChannelRow, InvitationRow } from './repository.ts';
import type { ChannelsService } from './service.ts';

type InvitationView = Static<typeof Invitation>;

/** Cross-agency adds wait for the co-signature of the added officer's side (PROTOCOL.md §5.2 rule 3). */
export class ChannelInvitations {
  constructor(
    private readonly ctx: AppContext,
    private readonly channels: ChannelsService,
  ) {}

  /** The add verified except for the co-signature: store it and tell the invitee. */
  invite(actor: Actor, row: ChannelRow, state: ChannelState, event: MembershipEvent): InvitationView {
    const member = event.member!;
    checkNewMember(this.ctx, member);
    // Coverage as if the add had been applied.
    checkCoverage(this.ctx, { ...state, current: { ...state.current, members: new Map([...state.current.members, [member.officerId, { cert: member, role: event.role! }]]) } });
    const now = this.ctx.clock.now();
    const id = newId();
    const fx = this.channels.effects();
    const view = transact(this.ctx.sqlite, () => {
      // A newer invitation for the same officer supersedes the older one.
      this.channels.repo.supersedeInvitations(row.id, member.officerId, now);
      this.channels.repo.insertInvitation({
        id,
        channelId: row.id,
        event: wireJson(membershipEventCodec, event),
        inviteeId: member.officerId,
        inviteeAgencyId: member.agencyId,
        createdBy: actor.officerId,
        createdAt: now,
        status: 'pending',
      });
      const inv = this.view(this.channels.repo.invitation(id)!);
      fx.items.push(this.ctx.feed.append({ channelId: row.id, kind: 'invitation', data: inv, createdAt: now, recipientId: member.officerId }));
      this.audit(actor, 'channel.invited', row.id, { invitation: id, invitee: member.officerId, seq: event.seq });
      return inv;
    });
    fx.publish();
    return view;
  }

  listPending(actor: Actor): InvitationView[] {
    return this.channels.repo.pendingInvitations(actor.officerId, actor.role === 'agency_admin' ? actor.agencyId : null).map((r) => this.view(r));
  }

  /** The invitee (or an admin of their agency) posts the co-signed event; applied if the head has not moved. */
  accept(actor: Actor, id: string, json: Record<string, unknown>): Channel {
    const inv = this.pending(actor, id);
    const event = parseWire(membershipEventCodec, json, 'event');
    const cos = event.cosignature;
    if (!cos) throw new ValidationError('The event carries no co-signature', 'chain_missing_cosignature');
    if (wireJson(membershipEventCodec, { ...event, cosignature: undefined }) !== inv.event) {
      throw new ValidationError('The event differs from the invitation', 'event_mismatch');
    }
    const mine = this.ctx.keys.certificate(actor.officerId);
    if (cos.cert.officerId !== actor.officerId || !mine || !constantTimeEqual(mine.signPublicKey, cos.cert.signPublicKey)) {
      throw new ForbiddenError('The co-signature must be yours, with your certified keys', 'cosigner_mismatch');
    }
    const state = this.channels.headState(inv.channelId);
    if (event.seq !== state.current.epoch + 1 || !constantTimeEqual(event.prevHash, state.current.stateHash)) {
      transact(this.ctx.sqlite, () => {
        this.channels.repo.decideInvitation(id, 'stale', this.ctx.clock.now());
        this.audit(actor, 'channel.invitation_stale', inv.channelId, { invitation: id });
        return new ConflictError('The channel changed since the invitation; the inviter must invite again', 'invitation_stale');
      });
    }
    const reason = this.channels.readOnlyReason(inv.channelId);
    if (reason !== null) throw new ConflictError(`The channel is read-only (${reason})`, 'channel_read_only');
    const next = verified(() => applyEvent(state, event, this.channels.chain), 'event');
    checkNewMember(this.ctx, event.member!);
    checkCoverage(this.ctx, next);
    return this.channels.commitEvent(actor, state, next, event, () => {
      this.channels.repo.decideInvitation(id, 'accepted', this.ctx.clock.now());
      this.audit(actor, 'channel.invitation_accepted', inv.channelId, { invitation: id });
    });
  }

  decline(actor: Actor, id: string): InvitationView {
    const inv = this.pending(actor, id);
    const now = this.ctx.clock.now();
    const fx = this.channels.effects();
    const view = transact(this.ctx.sqlite, () => {
      this.channels.repo.decideInvitation(id, 'declined', now);
      const v = this.view(this.channels.repo.invitation(id)!);
      fx.items.push(this.ctx.feed.append({ channelId: inv.channelId, kind: 'invitation', data: v, createdAt: now, recipientId: inv.createdBy }));
      this.audit(actor, 'channel.invitation_declined', inv.channelId, { invitation: id });
      return v;
    });
    fx.publish();
    return view;
  }

  private pending(actor: Actor, id: string): InvitationRow {
    const inv = this.channels.repo.invitation(id);
    const mayAnswer = inv && (inv.inviteeId === actor.officerId || (actor.role === 'agency_admin' && inv.inviteeAgencyId === actor.agencyId));
    if (!inv || !mayAnswer) throw new NotFoundError('Invitation');
    if (inv.status !== 'pending') throw new ConflictError(`The invitation is ${inv.status}`, inv.status === 'stale' ? 'invitation_stale' : 'invitation_closed');
    return inv;
  }

  private view(r: InvitationRow): InvitationView {
    return { id: r.id, channelId: r.channelId, event: JSON.parse(r.event) as Record<string, unknown>, inviteeId: r.inviteeId, createdBy: r.createdBy, createdAt: r.createdAt, status: r.status };
  }

  private audit(actor: Actor, action: string, channelId: string, details: Record<string, unknown>): void {
    this.ctx.audit.record({ action, actorId: actor.officerId, agencyId: actor.agencyId, targetType: 'channel', targetId: channelId, ip: actor.ip, details });
  }
}
