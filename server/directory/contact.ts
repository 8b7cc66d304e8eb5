import {
  applyEvent,
  ChannelStateError,
  membershipEventCodec,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { Channel, Invitation } from '../../shared/schemas/channels.ts';
import type { ContactBody, ContactTarget } from '../../shared/schemas/directory.ts';
import type { Static } from 'typebox';
import type { Actor } from '../auth/actor.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AgreementsService } from '../agreements/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { ChannelsService } from '../channels/service.ts';
import type { KeysService } from '../keys/service.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { apiError, parseWire, verified } from '../keys/wire.ts';
import type { DirectoryService } from './service.ts';
import type { Clock } from '../clock.ts';
import type { DesksService } from '../desks/service.ts';
import type { PagingService } from '../alerting/escalation.ts';

type InvitationView = Static<typeof Invitation>;

export interface ContactResult {
  channel: Channel;
  /** The recipient's pending invitation (another agency); null when they were added at once (same agency). */
  invitation: InvitationView | null;
  /** A desk entry: the urgent page opened for the desk (GET /pages/:id shows the desk phone once it is exhausted). */
  pageId?: string;
}

/**
 * "Reach them": an officer opens a direct channel from a directory entry to the entry's linked officer
 * or, for a desk without one, to one of the agency's active administrators with certified keys.
 * Between agencies without a covering agreement the channel is a contact request under the network
 * charter (docs/MESSAGING.md "Contact requests"): `direct`, agreement '', `contact_request = pending`,
 * with the recipient's add waiting as an invitation only they can co-sign (accept) or decline.
 */
export interface DirectoryContactsDeps {
  audit: AuditService;
  accounts: Pick<AccountsService, 'officer' | 'agency' | 'officersOf'>;
  channels: Pick<ChannelsService, 'pendingContactRequest' | 'chain' | 'loadRoots' | 'create' | 'invitations'>;
  keys: Pick<KeysService, 'certificate'>;
  agreements: Pick<AgreementsService, 'coveringAgreement'>;
  clock: Clock;
  desks: Pick<DesksService, 'staffOf'>;
  paging: Pick<PagingService, 'openIn'>;
}

export class DirectoryContacts {
  private readonly audit: DirectoryContactsDeps['audit'];
  private readonly accounts: DirectoryContactsDeps['accounts'];
  private readonly channels: DirectoryContactsDeps['channels'];
  private readonly keys: DirectoryContactsDeps['keys'];
  private readonly agreements: DirectoryContactsDeps['agreements'];
  private readonly clock: Clock;
  private readonly desks: DirectoryContactsDeps['desks'];
  private readonly paging: DirectoryContactsDeps['paging'];

  constructor(
    deps: DirectoryContactsDeps,
    private readonly directory: DirectoryService,
  ) {
    this.audit = deps.audit;
    this.accounts = deps.accounts;
    this.channels = deps.channels;
    this.keys = deps.keys;
    this.agreements = deps.agreements;
    this.clock = deps.clock;
    this.desks = deps.desks;
    this.paging = deps.paging;
  }

  /** Whom the caller may contact through the entry and on which terms (read-only; nothing is audited). */
  async target(actor: Actor, entryId: string): Promise<ContactTarget> {
    const entry = await this.directory.liveRow(entryId);
    const recipients = await this.recipients(actor, entry.agencyId, entry.officerId, entry.deskId);
    const sameAgency = entry.agencyId === actor.agencyId;
    const agreementId = sameAgency ? null : await this.agreements.coveringAgreement(actor.agencyId, entry.agencyId);
    const deskRequests = entry.deskId !== null && (await this.directory.deskTakesRequests(entry.deskId));
    return { entryId: entry.id, recipients, agreementId, contactRequest: !sameAgency && agreementId === null, deskRequests };
  }

  /** Creates the channel (and the recipient's invitation) in one transaction; audited as directory.contact. */
  async open(actor: Actor, entryId: string, body: ContactBody): Promise<ContactResult> {
    const target = await this.target(actor, entryId);
    const recipient = target.recipients.find((r) => r.officerId === body.recipientId);
    if (!recipient) throw new ValidationError('The recipient is not a contact of this entry', 'invalid_recipient');
    const events = body.events.map((e, i) => parseWire(membershipEventCodec, e, `events[${i}]`));
    const create = events[0]!;
    if (create.kind !== 'create' || create.channelKind !== 'direct') {
      throw new ValidationError('events[0] must create a direct channel', 'direct_required');
    }
    const crossAgency = recipient.agencyId !== actor.agencyId;
    const contactRequest = crossAgency && create.agreementId === '';
    if (!crossAgency && create.agreementId !== '') throw new ValidationError('A channel within one agency carries no agreement', 'invalid_agreement');
    const existing = contactRequest ? await this.channels.pendingContactRequest(actor.officerId, recipient.officerId) : undefined;
    if (existing) throw new ConflictError('You already have a pending contact request to this officer', 'contact_request_exists');

    let invite: MembershipEvent | null = null;
    if (crossAgency) {
      if (events.length !== 1 || !body.invite) {
        throw new ValidationError('Another agency: send the create event alone and the recipient\'s add as `invite`', 'invite_required');
      }
      invite = parseWire(membershipEventCodec, body.invite, 'invite');
      if (invite.kind !== 'add' || invite.member?.officerId !== recipient.officerId || invite.cosignature) {
        throw new ValidationError('`invite` must add the recipient, without co-signature', 'invalid_invite');
      }
    } else {
      const add = events[1];
      if (body.invite || !add || add.kind !== 'add' || add.member?.officerId !== recipient.officerId) {
        throw new ValidationError('Same agency: send the create event and the recipient\'s add as `events`', 'invalid_events');
      }
    }
    if (invite && invite.actorOfficerId !== actor.officerId) throw new ForbiddenError('Every event must be signed by you', 'actor_mismatch');

    if (invite) {
      await this.channels.loadRoots([create, invite]);
      await this.checkInvite(verified(() => applyEvent(null, create, this.channels.chain), 'events[0]'), invite, contactRequest);
    }
    const pending = invite;
    const result: { invitation: InvitationView | null; pageId?: string } = { invitation: null };
    // A desk entry without a linked officer: the desk is paged (urgent, acknowledgement requested) with the channel.
    const entry = await this.directory.liveRow(entryId);
    const pageDesk = entry.officerId === null ? entry.deskId : null;
    const channel = await this.channels.create(
      actor,
      { events: body.events, encryptedMeta: body.encryptedMeta, ...(body.keyEnvelope ? { keyEnvelope: body.keyEnvelope } : {}) },
      {
        contactEntryId: entryId,
        contactRequest,
        // Runs in the creating transaction: the invitation and the audit commit with the channel or not at all.
        inTransaction: async (tx, fx, state) => {
          if (pending) {
            result.invitation = await this.channels.invitations.record(tx, actor, state.channelId, pending, fx);
          }
          const event = contactRequest ? auditEvents.directoryContactRequested : auditEvents.directoryContacted;
          const details = { channelId: state.channelId, recipient: recipient.officerId, agreementId: state.agreementId || null };
          await this.audit.record(tx, event(actor, { type: 'directory_entry', id: entryId, agencyId: recipient.agencyId }, details));
          if (pageDesk !== null) {
            const input = { deskId: pageDesk, priority: 'urgent', ackRequested: true, channelId: state.channelId, reason: 'contact_request', requesterId: actor.officerId } as const;
            result.pageId = (await this.paging.openIn(tx, input, actor)).page.id;
          }
        },
      },
    );
    return { channel, invitation: result.invitation, ...(result.pageId !== undefined ? { pageId: result.pageId } : {}) };
  }

  /** The add must verify in every respect except the recipient's missing co-signature, then pass server policy. */
  private async checkInvite(state: ChannelState, event: MembershipEvent, contactRequest: boolean): Promise<void> {
    try {
      applyEvent(state, event, this.channels.chain);
    } catch (err) {
      if (!(err instanceof ChannelStateError && err.code === 'chain/missing-cosignature')) throw apiError(err, 'invite');
    }
    await this.channels.invitations.check(state, event, contactRequest);
  }

  /**
   * The linked officer when there is one (refused while suspended or not enrolled: the entry must be
   * fixed by its agency); for a desk entry, the desk's officers on duty now whose keys are certified
   * (`onDuty` order; the backup desk's when nobody is); otherwise, or when none of them has keys, the
   * agency's active administrators whose keys are certified.
   */
  private async recipients(actor: Actor, agencyId: string, officerId: string | null, deskId: string | null): Promise<ContactTarget['recipients']> {
    const agency = await this.accounts.agency(agencyId);
    if (!agency || agency.status !== 'active') throw new ConflictError('The agency is suspended', 'agency_suspended');
    const keyed = async (id: string) => (await this.keys.certificate(id)) !== undefined;
    let candidates;
    if (officerId !== null) {
      const officer = await this.accounts.officer(officerId);
      if (!officer || officer.status === 'suspended') throw new ConflictError('The linked officer is suspended', 'officer_suspended');
      if (officer.status !== 'active' || !(await keyed(officer.id))) throw new ConflictError('The linked officer cannot receive messages yet (no certified keys)', 'officer_unreachable');
      candidates = [officer];
    } else {
      candidates = [];
      if (deskId !== null) {
        for (const id of (await this.desks.staffOf(deskId, this.clock.now())).officerIds) {
          const o = await this.accounts.officer(id);
          if (o && o.status === 'active' && o.id !== actor.officerId && (await keyed(o.id))) candidates.push(o);
        }
      }
      if (candidates.length === 0) for (const o of await this.accounts.officersOf(agencyId)) {
        if (o.role === 'agency_admin' && o.status === 'active' && (await keyed(o.id))) candidates.push(o);
      }
      if (candidates.length === 0) throw new ConflictError('Nobody at this desk can receive messages yet', 'no_recipient');
    }
    const recipients = candidates.filter((o) => o.id !== actor.officerId);
    if (recipients.length === 0) throw new ConflictError('You are this entry\'s contact', 'contact_self');
    return recipients.map((o) => ({ officerId: o.id, agencyId: o.agencyId, displayName: o.displayName, role: o.role }));
  }
}
