import type { ChannelRow, ChannelsRepository, EventRow, InvitationRow, KeyEnvelopeRow, NewChannel, NewChannelMember, NewInvitation, SpanRow } from '../../channels/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, setList } from './row-mapping.ts';
import { channelMembers, channels, invitations, keyEnvelopes, membershipEvents } from './schema.ts';
import { tableMap } from './tables.ts';

const CHANNELS = tableMap<typeof channels, ChannelRow>(channels, ['legalHold']);
const MEMBERS = tableMap(channelMembers);
const EVENTS = tableMap(membershipEvents);
const INVITATIONS = tableMap(invitations);
const ENVELOPES = tableMap(keyEnvelopes);
const CHANNEL = selectList(CHANNELS);
const CHANNEL_C = selectList(CHANNELS, 'c');
const SPAN = selectList(MEMBERS);
const INVITATION = selectList(INVITATIONS);
const ENVELOPE = selectList(ENVELOPES);

/** PostgreSQL SQL for channels, membership spans, the stored chain, invitations and key envelopes (mirrors SqliteChannelsRepository). */
export class PgChannelsRepository implements ChannelsRepository {
  constructor(private readonly q: PgExecutor) {}

  async channel(id: string): Promise<ChannelRow | undefined> {
    return (await this.q.query<ChannelRow>(`SELECT ${CHANNEL} FROM channels WHERE id = $1`, [id])).rows[0];
  }

  async insertChannel(row: NewChannel): Promise<void> {
    const { text, params } = insertSql(CHANNELS, row);
    await this.q.query(text, params);
  }

  async advanceHead(id: string, from: number, head: { headSeq: number; headHash: string; policy: string }): Promise<boolean> {
    const r = await this.q.query('UPDATE channels SET head_seq = $3, head_hash = $4, policy = $5 WHERE id = $1 AND head_seq = $2', [
      id,
      from,
      head.headSeq,
      head.headHash,
      head.policy,
    ]);
    return r.rowCount === 1;
  }

  async updateChannel(id: string, patch: Partial<NewChannel>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE channels SET ${setList(CHANNELS, patch, params)} WHERE id = $1`, params);
  }

  async legalHolds(channelId: string): Promise<string[]> {
    const r = await this.q.query<{ agencyId: string }>('SELECT agency_id AS "agencyId" FROM channel_legal_holds WHERE channel_id = $1 ORDER BY agency_id COLLATE "C"', [channelId]);
    return r.rows.map((h) => h.agencyId);
  }

  async placeLegalHold(channelId: string, agencyId: string, setBy: string, setAt: number): Promise<boolean> {
    const r = await this.q.query(
      'INSERT INTO channel_legal_holds (channel_id, agency_id, set_by, set_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [channelId, agencyId, setBy, setAt],
    );
    await this.q.query('UPDATE channels SET legal_hold = 1 WHERE id = $1', [channelId]);
    return r.rowCount === 1;
  }

  async liftLegalHold(channelId: string, agencyId: string): Promise<boolean> {
    const lifted = (await this.q.query('DELETE FROM channel_legal_holds WHERE channel_id = $1 AND agency_id = $2', [channelId, agencyId])).rowCount === 1;
    if (lifted && (await this.legalHolds(channelId)).length === 0) await this.q.query('UPDATE channels SET legal_hold = 0 WHERE id = $1', [channelId]);
    return lifted;
  }

  async channelsByAgreement(agreementIds: readonly string[]): Promise<ChannelRow[]> {
    if (agreementIds.length === 0) return [];
    return (await this.q.query<ChannelRow>(`SELECT ${CHANNEL} FROM channels WHERE agreement_id = ANY($1::text[])`, [[...agreementIds]])).rows;
  }

  async channelsOf(officerId: string): Promise<ChannelRow[]> {
    return (await this.q.query<ChannelRow>(
      `SELECT ${CHANNEL_C} FROM channels c
       WHERE c.id IN (SELECT channel_id FROM channel_members WHERE officer_id = $1 AND until_pos IS NULL) ORDER BY c.created_at`,
      [officerId],
    )).rows;
  }

  async openSpans(channelId: string): Promise<SpanRow[]> {
    return (await this.q.query<SpanRow>(`SELECT ${SPAN} FROM channel_members WHERE channel_id = $1 AND until_pos IS NULL ORDER BY from_pos`, [channelId])).rows;
  }

  async insertSpan(row: NewChannelMember): Promise<void> {
    const { text, params } = insertSql(MEMBERS, row);
    await this.q.query(text, params);
  }

  async closeSpan(channelId: string, officerId: string, untilEpoch: number, untilPos: number): Promise<boolean> {
    const r = await this.q.query(
      'UPDATE channel_members SET until_epoch = $3, until_pos = $4 WHERE channel_id = $1 AND officer_id = $2 AND until_pos IS NULL',
      [channelId, officerId, untilEpoch, untilPos],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async setSpanRole(channelId: string, officerId: string, role: SpanRow['role']): Promise<void> {
    await this.q.query('UPDATE channel_members SET role = $3 WHERE channel_id = $1 AND officer_id = $2 AND until_pos IS NULL', [channelId, officerId, role]);
  }

  async insertEvent(row: EventRow): Promise<void> {
    const { text, params } = insertSql(EVENTS, row);
    await this.q.query(text, params);
  }

  async eventsAfter(channelId: string, afterSeq: number): Promise<EventRow[]> {
    return (await this.q.query<EventRow>(`SELECT ${selectList(EVENTS)} FROM membership_events WHERE channel_id = $1 AND seq > $2 ORDER BY seq`, [channelId, afterSeq])).rows;
  }

  async invitation(id: string): Promise<InvitationRow | undefined> {
    return (await this.q.query<InvitationRow>(`SELECT ${INVITATION} FROM invitations WHERE id = $1`, [id])).rows[0];
  }

  async insertInvitation(row: NewInvitation): Promise<void> {
    const { text, params } = insertSql(INVITATIONS, row);
    await this.q.query(text, params);
  }

  async decideInvitation(id: string, status: InvitationRow['status'], at: number): Promise<void> {
    await this.q.query('UPDATE invitations SET status = $2, decided_at = $3 WHERE id = $1', [id, status, at]);
  }

  async supersedeInvitations(channelId: string, inviteeId: string, at: number): Promise<void> {
    await this.q.query(
      "UPDATE invitations SET status = 'stale', decided_at = $3 WHERE channel_id = $1 AND invitee_id = $2 AND status = 'pending'",
      [channelId, inviteeId, at],
    );
  }

  async contactRecipient(channelId: string): Promise<string | undefined> {
    const r = await this.q.query<{ id: string }>('SELECT invitee_id AS id FROM invitations WHERE channel_id = $1 ORDER BY created_at LIMIT 1', [channelId]);
    return r.rows[0]?.id;
  }

  async pendingContactRequest(requesterId: string, recipientId: string): Promise<string | undefined> {
    const r = await this.q.query<{ id: string }>(
      `SELECT c.id FROM channels c JOIN invitations i ON i.channel_id = c.id
       WHERE c.created_by = $1 AND c.contact_request = 'pending' AND i.invitee_id = $2 LIMIT 1`,
      [requesterId, recipientId],
    );
    return r.rows[0]?.id;
  }

  async pendingInvitations(officerId: string, agencyId: string | null): Promise<InvitationRow[]> {
    if (agencyId === null) {
      return (await this.q.query<InvitationRow>(`SELECT ${INVITATION} FROM invitations WHERE status = 'pending' AND invitee_id = $1 ORDER BY created_at`, [officerId])).rows;
    }
    return (await this.q.query<InvitationRow>(
      `SELECT ${INVITATION} FROM invitations WHERE status = 'pending' AND (invitee_id = $1 OR invitee_agency_id = $2) ORDER BY created_at`,
      [officerId, agencyId],
    )).rows;
  }

  async keyEnvelope(channelId: string, epoch: number): Promise<KeyEnvelopeRow | undefined> {
    return (await this.q.query<KeyEnvelopeRow>(`SELECT ${ENVELOPE} FROM key_envelopes WHERE channel_id = $1 AND epoch = $2`, [channelId, epoch])).rows[0];
  }

  async insertKeyEnvelope(row: KeyEnvelopeRow): Promise<void> {
    const { text, params } = insertSql(ENVELOPES, row);
    await this.q.query(text, params);
  }

  async keyEnvelopes(channelId: string): Promise<KeyEnvelopeRow[]> {
    return (await this.q.query<KeyEnvelopeRow>(`SELECT ${ENVELOPE} FROM key_envelopes WHERE channel_id = $1 ORDER BY epoch`, [channelId])).rows;
  }
}
