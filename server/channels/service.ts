import type { Static } from 'typebox';
import {
  agenciesOf,
  applyEvent,
  certificateHash,
  ChannelStateError,
  constantTimeEqual,
  membershipEventCodec,
  membershipEventHash,
  toB64,
  type ChainContext,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { AppendEventBody, Channel, CreateChannelBody, Invitation, UpdateChannelBody } from '../../shared/schemas/channels.ts';
import type { Actor } from '../auth/actor.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AgreementsService } from '../agreements/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import type { DomainEventBus } from '../events.ts';
import type { FeedWriter, RoutedFeedItem } from '../feed/feed.ts';
import type { KeysService } from '../keys/service.ts';
import { ConcealedDenialError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { apiError, parseWire, verified } from '../keys/wire.ts';
import { Effects } from './effects.ts';
import { ChannelInvitations } from './invitations.ts';
import { KeyEnvelopes } from './key-envelopes.ts';
import { recordEvent, type RecordEventDeps } from './membership.ts';
import { checkCosigner, checkCoverage, checkNewMember, type PolicyDeps } from './policy.ts';
import type { ChannelRow, SpanRow } from './repository.ts';
import { certAgencies, type RootPins } from './roots.ts';
import { ChannelStateCache } from './state-cache.ts';
import type { Repositories, Store, Tx } from '../store/store.ts';

export type { ChannelRow } from './repository.ts';
type WireJson = Record<string, unknown>;
/** In-transaction extras of a channel opened from the directory (server/directory/contact.ts). */
export interface CreateOptions {
  contactEntryId?: string;
  contactRequest?: boolean;
  /** Runs after every check on the verified state and before anything is written; throws to refuse. */
  beforeWrite?: (state: ChannelState) => void | Promise<void>;
  /** Runs inside the creating transaction after the channel and its events are stored. */
  inTransaction?: (tx: Tx, fx: Effects, state: ChannelState) => Promise<void>;
}
export type AppendResult = { status: 'applied'; channel: Channel; duplicate: boolean } | { status: 'invited'; invitation: Static<typeof Invitation> };

export interface ChannelsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  feed: FeedWriter;
  events: DomainEventBus;
  keys: Pick<KeysService, 'loadRoots' | 'cachedRoot' | 'certificate' | 'registeredKeys' | 'certificateRefusal'>;
  accounts: Pick<AccountsService, 'officer' | 'agency'>;
  agreements: Pick<AgreementsService, 'coverage' | 'effectiveStatus' | 'sponsorAgreementIdsWithout'>;
}

/** Channels, their verified membership chain, spans, invitations and key envelopes (docs/MESSAGING.md). */
export class ChannelsService {
  readonly chain: ChainContext;
  readonly invitations: ChannelInvitations;
  readonly keyEnvelopes: KeyEnvelopes;
  private readonly states: ChannelStateCache;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly feed: FeedWriter;
  private readonly bus: DomainEventBus;
  private readonly keys: ChannelsDeps['keys'];
  private readonly roots: RootPins;
  private readonly agreements: ChannelsDeps['agreements'];
  private readonly policy: PolicyDeps;
  private readonly recording: RecordEventDeps;

  constructor(deps: ChannelsDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.feed = deps.feed;
    this.bus = deps.events;
    this.keys = deps.keys;
    this.roots = deps.keys;
    this.agreements = deps.agreements;
    this.policy = deps;
    this.recording = deps;
    this.chain = { agencyRoot: (agencyId) => deps.keys.cachedRoot(agencyId) };
    this.states = new ChannelStateCache(this.chain, deps.keys);
    this.invitations = new ChannelInvitations(deps, this);
    this.keyEnvelopes = new KeyEnvelopes(deps, this);
  }

  // ---- for other capabilities (messages, realtime, sync) ----

  /** The channel if the actor currently holds an open membership span; 404 otherwise (identical to missing). */
  requireMember(actor: Actor, channelId: string, uow?: Repositories): Promise<ChannelRow> {
    return this.reading(uow, async (r) => {
      const row = await r.channels.channel(channelId);
      if (!row) throw new NotFoundError('Channel');
      // The one definition of a current member (an open span), shared with ChannelAccess.
      if (!(await r.access.isCurrentMember(channelId, actor.officerId))) throw new ConcealedDenialError('Channel', 'not_a_member');
      return row;
    });
  }

  /** The requester's open contact request to the recipient, if any (one pending request per pair). */
  pendingContactRequest(requesterId: string, recipientId: string, uow?: Repositories): Promise<string | undefined> {
    return this.reading(uow, (r) => r.channels.pendingContactRequest(requesterId, recipientId));
  }

  /** The directory entry a channel was opened from ("Reach them"), or null (no caller check: ids only). */
  async contactEntryOf(channelId: string): Promise<string | null> {
    return (await this.store.read((r) => r.channels.channel(channelId)))?.contactEntryId ?? null;
  }

  /** Reads in the caller's unit of work when given (its uncommitted writes included), else committed state. */
  private reading<T>(uow: Repositories | undefined, fn: (r: Repositories) => Promise<T>): Promise<T> {
    return uow ? fn(uow) : this.store.read(fn);
  }

  /** 403 `certificate_revoked` when the officer's certificate was revoked (PROTOCOL.md §4.3 **Revocation**). */
  async requireCertified(officerId: string): Promise<void> {
    const refusal = await this.keys.certificateRefusal(officerId);
    if (refusal) throw refusal;
  }

  /** Null when sends are allowed; otherwise a stable reason code. Computed from the clock, so expiry needs no job. */
  readOnlyReason(channelId: string, uow?: Repositories): Promise<string | null> {
    return this.reading(uow, (r) => this.readOnlyIn(r, channelId));
  }

  /** `spans`: the channel's open spans when the caller has just read them in `r` (view does). */
  private async readOnlyIn(r: Repositories, channelId: string, spans?: SpanRow[]): Promise<string | null> {
    const row = await r.channels.channel(channelId);
    if (!row) return 'not_found';
    if (row.closedAt !== null) return 'closed';
    // A contact request carries no messages until the recipient accepts (their consent comes first).
    if (row.contactRequest === 'pending') return 'contact_request_pending';
    const state = await this.states.get(r.channels, channelId, row.headSeq, row.headHash);
    const open = new Set((spans ?? (await r.channels.openSpans(channelId))).map((s) => s.officerId));
    // Access revoked server-side, but the owners have not yet signed the removal: the epoch secret leaked to them.
    for (const officerId of state.current.members.keys()) if (!open.has(officerId)) return 'rekey_required';
    const agencies = agenciesOf(state.current);
    if (row.agreementId) {
      const status = await this.agreements.effectiveStatus(row.agreementId, r);
      if (status !== 'active') return `agreement_${status ?? 'missing'}`;
      if ((await this.agreements.coverage(row.agreementId, agencies, r)).uncovered.length > 0) return 'coverage_lost';
    } else if (agencies.length > 1 && row.contactRequest !== 'accepted') {
      return 'agreement_required';
    }
    return null;
  }

  async currentMembers(channelId: string, uow?: Repositories): Promise<{ officerId: string; agencyId: string; role: 'owner' | 'member' }[]> {
    const spans = await this.reading(uow, (r) => r.channels.openSpans(channelId));
    return spans.map((s) => ({ officerId: s.officerId, agencyId: s.agencyId, role: s.role }));
  }

  async memberAgencyIds(channelId: string, uow?: Repositories): Promise<string[]> {
    const spans = await this.reading(uow, (r) => r.channels.openSpans(channelId));
    return [...new Set(spans.map((s) => s.agencyId))].sort();
  }

  /** The verified crypto state at the stored head (cached per channel, keyed by head hash). */
  headState(channelId: string, uow?: Repositories): Promise<ChannelState> {
    return this.reading(uow, async (r) => {
      const row = await r.channels.channel(channelId);
      if (!row) throw new NotFoundError('Channel');
      return this.states.get(r.channels, channelId, row.headSeq, row.headHash);
    });
  }

  /** Pins the agency roots `events` need, so the synchronous chain rules can verify them. */
  loadRoots(events: readonly MembershipEvent[]): Promise<void> {
    return this.roots.loadRoots(certAgencies(events));
  }

  // ---- API ----

  /**
   * POST /channels: the create, its same-agency adds and the first cross-agency invitation are all
   * checked before anything is written and committed together, so a refused create leaves nothing.
   */
  async open(actor: Actor, body: Static<typeof CreateChannelBody>): Promise<{ channel: Channel; invitation: Static<typeof Invitation> | null }> {
    const { invites = [], ...rest } = body;
    const pending = invites.map((e, i) => parseWire(membershipEventCodec, e, `invites[${i}]`));
    if (pending.some((e) => e.actorOfficerId !== actor.officerId)) throw new ForbiddenError('Every event must be signed by you', 'actor_mismatch');
    let invitation: Static<typeof Invitation> | null = null;
    const channel = await this.create(actor, rest, {
      beforeWrite: (state) => this.invitations.checkProposed(state, pending),
      inTransaction: async (tx, fx, state) => {
        if (pending[0]) invitation = await this.invitations.record(tx, actor, state.channelId, pending[0], fx);
      },
    });
    return { channel, invitation };
  }

  async create(actor: Actor, body: Omit<Static<typeof CreateChannelBody>, 'invites'>, opts: CreateOptions = {}): Promise<Channel> {
    const events = body.events.map((e, i) => parseWire(membershipEventCodec, e, `events[${i}]`));
    const first = events[0]!;
    if (first.kind !== 'create') throw new ValidationError('events[0] must be the create event', 'create_required');
    if (events.some((e) => e.actorOfficerId !== actor.officerId)) throw new ForbiddenError('Every event must be signed by you', 'actor_mismatch');
    if (await this.store.read((r) => r.channels.channel(first.channelId))) throw new ConflictError('A channel with this id exists', 'channel_exists');
    await this.requireCertified(actor.officerId);
    const mine = await this.keys.certificate(actor.officerId);
    if (!mine) throw new ConflictError('Your keys are not certified yet', 'certificate_required');
    if (!constantTimeEqual(certificateHash(first.member!), certificateHash(mine))) {
      throw new ValidationError('The create event must carry your current certificate', 'certificate_mismatch');
    }
    const states: ChannelState[] = [];
    await this.loadRoots(events);
    for (const [i, e] of events.entries()) states.push(verified(() => applyEvent(states[i - 1] ?? null, e, this.chain), `events[${i}]`));
    const last = states[states.length - 1]!;
    for (const e of events.slice(1)) {
      if (e.kind !== 'add') continue;
      await checkNewMember(this.policy, e.member!);
      await checkCosigner(this.policy, e);
    }
    await checkCoverage(this.policy, last);
    const envelope = body.keyEnvelope ? this.keyEnvelopes.verify(actor, last, body.keyEnvelope) : null;
    await opts.beforeWrite?.(last);
    const now = this.clock.now();
    const fx = this.effects();
    const channel = await this.store.write(async (tx) => {
      await tx.channels.insertChannel({
        id: first.channelId,
        kind: last.channelKind,
        agreementId: last.agreementId === '' ? null : last.agreementId,
        createdBy: actor.officerId,
        createdAt: now,
        encryptedMeta: body.encryptedMeta,
        caseRefIndex: body.caseRefIndex ?? null,
        policy: JSON.stringify(states[0]!.current.policy),
        headSeq: 0,
        headHash: toB64(membershipEventHash(first)),
        ...(body.retentionDays ? { retentionDays: body.retentionDays } : {}),
        ...(opts.contactEntryId ? { contactEntryId: opts.contactEntryId } : {}),
        ...(opts.contactRequest ? { contactRequest: 'pending' as const } : {}),
      });
      for (const [i, event] of events.entries()) {
        await recordEvent(this.recording, tx, fx, { prev: states[i - 1] ?? null, next: states[i]!, event, actor });
      }
      if (envelope) await this.keyEnvelopes.store(tx, fx, envelope);
      tx.onCommit(() => this.states.put(last));
      await this.audit.record(
        tx,
        auditEvents.channelCreated(actor, { type: 'channel', id: first.channelId }, {
          kind: last.channelKind,
          agreementId: last.agreementId || null,
          members: last.current.members.size,
          ...(opts.contactEntryId ? { contactEntryId: opts.contactEntryId, contactRequest: opts.contactRequest === true } : {}),
        }),
      );
      await opts.inTransaction?.(tx, fx, last);
      return this.view((await tx.channels.channel(first.channelId))!, tx);
    });
    fx.publish();
    return channel;
  }

  /** The caller's current channels; `caseRefIndex` narrows to channels whose creator stored that blind index. */
  list(actor: Actor, filter: { caseRefIndex?: string } = {}): Promise<Channel[]> {
    return this.store.read(async (r) => {
      const rows = await r.channels.channelsOf(actor.officerId);
      const wanted = filter.caseRefIndex;
      // The caller's read markers (content-free; docs/MESSAGING.md "Read markers").
      const markers = await r.messages.readMarkersOf(actor.officerId);
      const out: Channel[] = [];
      for (const row of wanted === undefined ? rows : rows.filter((x) => x.caseRefIndex === wanted)) out.push({ ...(await this.view(row, r)), readSeq: markers.get(row.id) ?? 0 });
      return out;
    });
  }

  get(actor: Actor, channelId: string): Promise<Channel> {
    return this.store.read(async (r) => ({ ...(await this.view(await this.requireMember(actor, channelId, r), r)), readSeq: await r.messages.readMarker(channelId, actor.officerId) }));
  }

  events(actor: Actor, channelId: string, afterSeq: number): Promise<{ events: WireJson[]; headSeq: number; headHash: string }> {
    return this.store.read(async (r) => {
      const row = await this.requireMember(actor, channelId, r);
      const events = (await r.channels.eventsAfter(channelId, afterSeq)).map((e) => JSON.parse(e.event) as WireJson);
      return { events, headSeq: row.headSeq, headHash: row.headHash };
    });
  }

  async append(actor: Actor, channelId: string, body: Static<typeof AppendEventBody>): Promise<AppendResult> {
    const row = await this.requireMember(actor, channelId);
    const event = parseWire(membershipEventCodec, body.event, 'event');
    if (event.channelId !== channelId) throw new ValidationError('The event belongs to another channel', 'wrong_channel');
    if (event.actorOfficerId !== actor.officerId) throw new ForbiddenError('You can only post events you signed', 'actor_mismatch');
    await this.requireCertified(actor.officerId);
    const state = await this.headState(channelId);
    const duplicate = this.checkBuildsOnHead(state, event);
    if (duplicate) return { status: 'applied', channel: await this.store.read((r) => this.view(row, r)), duplicate: true };
    if (event.kind === 'add' && row.contactRequest !== null) await this.checkContactAdd(row, event);
    const readOnly = event.kind === 'add' ? await this.readOnlyReason(channelId) : null;
    if (readOnly !== null && readOnly !== 'contact_request_pending') {
      throw new ConflictError(`The channel is read-only (${readOnly})`, 'channel_read_only');
    }
    let next: ChannelState;
    await this.loadRoots([event]);
    try {
      next = applyEvent(state, event, this.chain);
    } catch (err) {
      // Every other rule passed: only the other agency's consent is missing.
      if (err instanceof ChannelStateError && err.code === 'chain/missing-cosignature') {
        return { status: 'invited', invitation: await this.invitations.invite(actor, row, state, event) };
      }
      throw apiError(err, 'event');
    }
    if (event.kind === 'add') {
      await checkNewMember(this.policy, event.member!);
      await checkCosigner(this.policy, event);
      await checkCoverage(this.policy, next, { contactRequest: row.contactRequest !== null });
    }
    const envelope = body.keyEnvelope ? this.keyEnvelopes.verify(actor, next, body.keyEnvelope) : null;
    const channel = await this.commitEvent(actor, state, next, event, async (tx, fx) => {
      if (envelope) await this.keyEnvelopes.store(tx, fx, envelope);
    });
    return { status: 'applied', channel, duplicate: false };
  }

  /** Applies a verified event (append or accepted invitation) and publishes its effects after commit. */
  async commitEvent(actor: Actor, prev: ChannelState, next: ChannelState, event: MembershipEvent, extra?: (tx: Tx, fx: Effects) => Promise<void>): Promise<Channel> {
    const fx = this.effects();
    const channel = await this.store.write(async (tx) => {
      await recordEvent(this.recording, tx, fx, { prev, next, event, actor });
      await extra?.(tx, fx);
      tx.onCommit(() => this.states.put(next));
      return this.view((await tx.channels.channel(event.channelId))!, tx);
    });
    fx.publish();
    return channel;
  }

  /**
   * A contact request never gains a member: the only add it takes is its recipient's, while pending
   * (a new invitation after a stale one). Checked before the chain rules so the error is explicit.
   */
  private async checkContactAdd(row: ChannelRow, event: MembershipEvent): Promise<void> {
    const recipient = await this.store.read((r) => r.channels.contactRecipient(row.id));
    if (row.contactRequest !== 'pending' || event.member?.officerId !== recipient) {
      throw new ConflictError(
        'A contact request is limited to its two participants; open a channel under an agreement to add others',
        'contact_request_members_fixed',
      );
    }
  }

  /** Returns true for an exact duplicate of a stored event; throws 409 stale_event unless it extends the head. */
  checkBuildsOnHead(state: ChannelState, event: MembershipEvent): boolean {
    if (event.seq <= state.current.epoch) {
      const known = state.epochs.get(event.seq);
      if (known && constantTimeEqual(known.stateHash, membershipEventHash(event))) return true;
      throw new ConflictError(`Seq ${event.seq} is already taken by another event (fork or stale head)`, 'stale_event');
    }
    if (event.seq !== state.current.epoch + 1 || !constantTimeEqual(event.prevHash, state.current.stateHash)) {
      throw new ConflictError('The event does not build on the current head; fetch the new events and retry', 'stale_event');
    }
    return false;
  }

  async update(actor: Actor, channelId: string, body: Static<typeof UpdateChannelBody>): Promise<Channel> {
    const { row, isMember } = await this.store.read(async (r) => {
      const found = await r.channels.channel(channelId);
      return { row: found, isMember: found !== undefined && (await r.access.isCurrentMember(channelId, actor.officerId)) };
    });
    const adminOfMemberAgency = row !== undefined && actor.role === 'agency_admin' && (await this.memberAgencyIds(channelId)).includes(actor.agencyId);
    if (!row) throw new NotFoundError('Channel');
    if (!(isMember || adminOfMemberAgency)) throw new ConcealedDenialError('Channel', 'not_a_member');
    const ownerFields = body.encryptedMeta !== undefined || body.retentionDays !== undefined;
    if (ownerFields && (await this.headState(channelId)).current.members.get(actor.officerId)?.role !== 'owner') {
      throw new ForbiddenError('Only channel owners change the title or retention');
    }
    if (body.legalHold !== undefined && !adminOfMemberAgency) throw new ForbiddenError('Only an administrator of a member agency sets a legal hold');
    if (body.legalHold === false) await this.checkLiftable(channelId, actor.agencyId);
    const fx = this.effects();
    const channel = await this.store.write(async (tx) => {
      const fields = {
        ...(body.encryptedMeta !== undefined ? { encryptedMeta: body.encryptedMeta } : {}),
        ...(body.retentionDays !== undefined ? { retentionDays: body.retentionDays } : {}),
      };
      if (Object.keys(fields).length > 0) {
        await tx.channels.updateChannel(channelId, fields);
        await this.audit.record(
          tx,
          auditEvents.channelUpdated(actor, { type: 'channel', id: channelId }, { meta: body.encryptedMeta !== undefined, retentionDays: body.retentionDays }),
        );
      }
      if (body.legalHold !== undefined) await this.changeLegalHold(tx, actor, channelId, body.legalHold);
      const view = await this.view((await tx.channels.channel(channelId))!, tx);
      fx.items.push(await this.feed.append({ channelId, kind: 'channel', data: view, createdAt: this.clock.now() }, tx.feed));
      return view;
    });
    fx.publish();
    return channel;
  }

  /** Only the agency that placed a hold lifts it; lifting when the agency holds nothing is a no-op. */
  private async checkLiftable(channelId: string, agencyId: string): Promise<void> {
    const holds = await this.store.read((r) => r.channels.legalHolds(channelId));
    if (holds.length > 0 && !holds.includes(agencyId)) {
      throw new ForbiddenError(
        'The legal hold on this channel was placed by another agency; only that agency\'s administrators can lift it',
        'legal_hold_not_yours',
      );
    }
  }

  /** Places or lifts the actor's agency's hold inside the caller's transaction; each change is audited. */
  private async changeLegalHold(tx: Tx, actor: Actor, channelId: string, hold: boolean): Promise<void> {
    const changed = hold
      ? await tx.channels.placeLegalHold(channelId, actor.agencyId, actor.officerId, this.clock.now())
      : await tx.channels.liftLegalHold(channelId, actor.agencyId);
    if (!changed) return;
    const event = hold ? auditEvents.channelLegalHoldPlaced : auditEvents.channelLegalHoldLifted;
    await this.audit.record(tx, event(actor, { type: 'channel', id: channelId }, { holdingAgency: actor.agencyId, remaining: await tx.channels.legalHolds(channelId) }));
  }

  // ---- called by agreements / extended access inside their transactions ----

  /** A `channel` feed item per channel held under the agreement (its writability changed). */
  async announceAgreementChange(tx: Tx, agreementId: string): Promise<RoutedFeedItem[]> {
    const now = this.clock.now();
    const items: RoutedFeedItem[] = [];
    for (const ch of await tx.channels.channelsByAgreement([agreementId])) {
      items.push(await this.feed.append({ channelId: ch.id, kind: 'channel', data: await this.view(ch, tx), createdAt: now }, tx.feed));
    }
    return items;
  }

  /**
   * Extended access revoked: close the institution officers' spans in every channel held under an
   * agreement of the sponsoring NCB (unless the institution is itself a party) and ask owners to rekey.
   */
  async revokeInstitution(tx: Tx, institutionId: string, sponsorId: string): Promise<Effects> {
    const fx = this.effects();
    const now = this.clock.now();
    const agreementIds = await this.agreements.sponsorAgreementIdsWithout(sponsorId, institutionId, tx);
    for (const ch of await tx.channels.channelsByAgreement(agreementIds)) {
      const removed = (await tx.channels.openSpans(ch.id)).filter((s) => s.agencyId === institutionId).map((s) => s.officerId);
      if (removed.length === 0) continue;
      const view = await this.view(ch, tx);
      const data = { ...view, members: view.members.filter((m) => !removed.includes(m.officerId)), readOnly: 'rekey_required', rekeyRequired: true, removedOfficerIds: removed };
      const item = await this.feed.append({ channelId: ch.id, kind: 'channel', data, createdAt: now }, tx.feed);
      for (const officerId of removed) await tx.channels.closeSpan(ch.id, officerId, ch.headSeq, item.pos);
      fx.items.push(item);
      fx.channelIds.add(ch.id);
      fx.membersChanged(ch.id, [], removed);
    }
    return fx;
  }

  // ---- views ----

  /** The API view of a channel, read in `uow` (a transaction's own writes included). */
  async view(row: ChannelRow, uow: Repositories): Promise<Channel> {
    const spans = await uow.channels.openSpans(row.id);
    const fromEpochs = new Map(spans.map((s) => [s.officerId, s.fromEpoch]));
    const holds = await uow.channels.legalHolds(row.id);
    const readOnly = await this.readOnlyIn(uow, row.id, spans);
    return {
      id: row.id,
      kind: row.kind,
      agreementId: row.agreementId,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      encryptedMeta: row.encryptedMeta,
      caseRefIndex: row.caseRefIndex,
      headSeq: row.headSeq,
      headHash: row.headHash,
      lastMessageSeq: row.lastMessageSeq,
      retentionDays: row.retentionDays,
      legalHold: row.legalHold || holds.length > 0,
      legalHoldAgencies: holds,
      readOnly,
      contactRequest: row.contactRequest,
      contactEntryId: row.contactEntryId,
      members: spans.map((s) => ({ officerId: s.officerId, agencyId: s.agencyId, role: s.role, fromEpoch: fromEpochs.get(s.officerId) ?? 0 })),
    };
  }

  effects(): Effects {
    return new Effects(this.feed, this.bus);
  }
}
