import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { channelLegalHolds, channelMembers, channels, invitations, keyEnvelopes, membershipEvents } from './schema.ts';
import type { ChannelsRepository, ChannelRow, SpanRow, EventRow, InvitationRow, KeyEnvelopeRow } from '../../channels/repository.ts';

/** SQL for channels, membership spans, the stored chain, invitations and key envelopes. */
export class SqliteChannelsRepository implements ChannelsRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      channel: db.select().from(channels).where(eq(channels.id, sql.placeholder('id'))).prepare(),
      openSpans: db
        .select()
        .from(channelMembers)
        .where(and(eq(channelMembers.channelId, sql.placeholder('id')), isNull(channelMembers.untilPos)))
        .orderBy(asc(channelMembers.fromPos))
        .prepare(),
      eventsAfter: db
        .select()
        .from(membershipEvents)
        .where(and(eq(membershipEvents.channelId, sql.placeholder('id')), gt(membershipEvents.seq, sql.placeholder('after'))))
        .orderBy(asc(membershipEvents.seq))
        .prepare(),
      holds: db
        .select({ agencyId: channelLegalHolds.agencyId })
        .from(channelLegalHolds)
        .where(eq(channelLegalHolds.channelId, sql.placeholder('id')))
        .orderBy(asc(channelLegalHolds.agencyId))
        .prepare(),
      invitation: db.select().from(invitations).where(eq(invitations.id, sql.placeholder('id'))).prepare(),
      envelope: db
        .select()
        .from(keyEnvelopes)
        .where(and(eq(keyEnvelopes.channelId, sql.placeholder('channelId')), eq(keyEnvelopes.epoch, sql.placeholder('epoch'))))
        .prepare(),
    };
  }

  async channel(id: string): Promise<ChannelRow | undefined> {
    return this.q.channel.get({ id });
  }

  async insertChannel(row: typeof channels.$inferInsert): Promise<void> {
    this.db.insert(channels).values(row).run();
  }

  /** Moves the head only if it is still where the caller verified it (optimistic guard). */
  async advanceHead(id: string, from: number, head: { headSeq: number; headHash: string; policy: string }): Promise<boolean> {
    return this.db.update(channels).set(head).where(and(eq(channels.id, id), eq(channels.headSeq, from))).run().changes === 1;
  }

  async updateChannel(id: string, patch: Partial<typeof channels.$inferInsert>): Promise<void> {
    this.db.update(channels).set(patch).where(eq(channels.id, id)).run();
  }

  /** Agencies holding the channel, sorted. */
  async legalHolds(channelId: string): Promise<string[]> {
    return this.q.holds.all({ id: channelId }).map((h) => h.agencyId);
  }

  /** Places the agency's hold (idempotent) and raises the channel's "held" flag; true when new. */
  async placeLegalHold(channelId: string, agencyId: string, setBy: string, setAt: number): Promise<boolean> {
    const added = this.db.insert(channelLegalHolds).values({ channelId, agencyId, setBy, setAt }).onConflictDoNothing().run().changes === 1;
    this.db.update(channels).set({ legalHold: true }).where(eq(channels.id, channelId)).run();
    return added;
  }

  /** Lifts the agency's own hold; the flag drops only when no other hold stands. True when one was lifted. */
  async liftLegalHold(channelId: string, agencyId: string): Promise<boolean> {
    const lifted =
      this.db
        .delete(channelLegalHolds)
        .where(and(eq(channelLegalHolds.channelId, channelId), eq(channelLegalHolds.agencyId, agencyId)))
        .run().changes === 1;
    if (lifted && (await this.legalHolds(channelId)).length === 0) this.db.update(channels).set({ legalHold: false }).where(eq(channels.id, channelId)).run();
    return lifted;
  }

  async channelsByAgreement(agreementIds: readonly string[]): Promise<ChannelRow[]> {
    if (agreementIds.length === 0) return [];
    return this.db.select().from(channels).where(inArray(channels.agreementId, [...agreementIds])).all();
  }

  async channelsOf(officerId: string): Promise<ChannelRow[]> {
    const ids = this.db
      .select({ id: channelMembers.channelId })
      .from(channelMembers)
      .where(and(eq(channelMembers.officerId, officerId), isNull(channelMembers.untilPos)));
    return this.db.select().from(channels).where(inArray(channels.id, ids)).orderBy(asc(channels.createdAt)).all();
  }

  async openSpans(channelId: string): Promise<SpanRow[]> {
    return this.q.openSpans.all({ id: channelId });
  }

  async insertSpan(row: typeof channelMembers.$inferInsert): Promise<void> {
    this.db.insert(channelMembers).values(row).run();
  }

  async closeSpan(channelId: string, officerId: string, untilEpoch: number, untilPos: number): Promise<boolean> {
    return (
      this.db
        .update(channelMembers)
        .set({ untilEpoch, untilPos })
        .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.officerId, officerId), isNull(channelMembers.untilPos)))
        .run().changes > 0
    );
  }

  async setSpanRole(channelId: string, officerId: string, role: SpanRow['role']): Promise<void> {
    this.db
      .update(channelMembers)
      .set({ role })
      .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.officerId, officerId), isNull(channelMembers.untilPos)))
      .run();
  }

  async insertEvent(row: typeof membershipEvents.$inferInsert): Promise<void> {
    this.db.insert(membershipEvents).values(row).run();
  }

  async eventsAfter(channelId: string, afterSeq: number): Promise<EventRow[]> {
    return this.q.eventsAfter.all({ id: channelId, after: afterSeq });
  }

  async invitation(id: string): Promise<InvitationRow | undefined> {
    return this.q.invitation.get({ id });
  }

  async insertInvitation(row: typeof invitations.$inferInsert): Promise<void> {
    this.db.insert(invitations).values(row).run();
  }

  async decideInvitation(id: string, status: InvitationRow['status'], at: number): Promise<void> {
    this.db.update(invitations).set({ status, decidedAt: at }).where(eq(invitations.id, id)).run();
  }

  async supersedeInvitations(channelId: string, inviteeId: string, at: number): Promise<void> {
    this.db
      .update(invitations)
      .set({ status: 'stale', decidedAt: at })
      .where(and(eq(invitations.channelId, channelId), eq(invitations.inviteeId, inviteeId), eq(invitations.status, 'pending')))
      .run();
  }

  /** The officer a contact request was addressed to (its first invitation). */
  async contactRecipient(channelId: string): Promise<string | undefined> {
    return this.db
      .select({ id: invitations.inviteeId })
      .from(invitations)
      .where(eq(invitations.channelId, channelId))
      .orderBy(asc(invitations.createdAt))
      .limit(1)
      .get()?.id;
  }

  /** A pending contact request from `requesterId` to `recipientId`, if any. */
  async pendingContactRequest(requesterId: string, recipientId: string): Promise<string | undefined> {
    return this.db
      .select({ id: channels.id })
      .from(channels)
      .innerJoin(invitations, eq(invitations.channelId, channels.id))
      .where(and(eq(channels.createdBy, requesterId), eq(channels.contactRequest, 'pending'), eq(invitations.inviteeId, recipientId)))
      .limit(1)
      .get()?.id;
  }

  /** Pending invitations addressed to the officer, or to anyone of their agency when `agencyId` is given (admins). */
  async pendingInvitations(officerId: string, agencyId: string | null): Promise<InvitationRow[]> {
    const who = agencyId === null ? eq(invitations.inviteeId, officerId) : or(eq(invitations.inviteeId, officerId), eq(invitations.inviteeAgencyId, agencyId));
    return this.db.select().from(invitations).where(and(eq(invitations.status, 'pending'), who)).orderBy(asc(invitations.createdAt)).all();
  }

  async keyEnvelope(channelId: string, epoch: number): Promise<KeyEnvelopeRow | undefined> {
    return this.q.envelope.get({ channelId, epoch });
  }

  async insertKeyEnvelope(row: typeof keyEnvelopes.$inferInsert): Promise<void> {
    this.db.insert(keyEnvelopes).values(row).run();
  }

  async keyEnvelopes(channelId: string): Promise<KeyEnvelopeRow[]> {
    return this.db.select().from(keyEnvelopes).where(eq(keyEnvelopes.channelId, channelId)).orderBy(asc(keyEnvelopes.epoch)).all();
  }
}
