import {
  applyEvent,
  certificateCodec,
  ChannelStateError,
  constantTimeEqual,
  deskRequestCodec,
  fromB64,
  intakeKeyStatementCodec,
  labelledVerify,
  membershipEventCodec,
  verifyDeskRequestSignature,
  INTAKE_KEY_LABEL,
  intakeKeyStatementFields,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { CaseChannelBody, CaseChannelCreated, DeskRequestCreated, DeskRequestView, DirectoryIntake, IntakeKeyView, MyDeskRequest, SpocCopyCreated } from '../../shared/schemas/intake.ts';
import { spocCopyRequestId } from '../../shared/requests/lifecycle.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AgreementsService } from '../agreements/service.ts';
import { auditEvents, type AuditTarget } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import type { PagingService } from '../alerting/escalation.ts';
import type { ChannelsService } from '../channels/service.ts';
import type { Clock } from '../clock.ts';
import type { DomainEventBus } from '../events.ts';
import type { DeskNotice } from '../../shared/realtime.ts';
import type { DesksService, PagingDesk } from '../desks/service.ts';
import type { DirectoryService } from '../directory/service.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { KeysService } from '../keys/service.ts';
import { apiError, parseWire, verified } from '../keys/wire.ts';
import type { Store, Tx } from '../store/store.ts';
import type { DeskRequestRow, DeskRequestState, IntakeKeyRow } from './repository.ts';

/** Requests listed per call. */
const LIST_LIMIT = 200;

export interface IntakeDeps {
  store: Store;
  events: DomainEventBus;
  clock: Clock;
  audit: AuditService;
  desks: Pick<DesksService, 'standingOn' | 'channelIn' | 'setChannelIn' | 'pagingDesk'>;
  directory: Pick<DirectoryService, 'liveRow'>;
  keys: Pick<KeysService, 'certificate' | 'registeredKeys'>;
  accounts: Pick<AccountsService, 'officer'>;
  channels: Pick<ChannelsService, 'currentMembers' | 'create' | 'invitations' | 'loadRoots' | 'chain' | 'pendingContactRequest'>;
  agreements: Pick<AgreementsService, 'coveringAgreement'>;
  paging: Pick<PagingService, 'openIn' | 'acknowledgeIn'>;
}

/**
 * Desk intake (PROTOCOL.md §11, docs/DESKS.md "Desk intake"). The server stores what it cannot read:
 * supervisor-signed intake key statements and sealed desk requests. It checks what §11.3 "What the
 * server checks" lists, pages the desk when a request arrives, lets one officer claim it and links the
 * case channel the claimer opens with the requester. Requesters reach a desk only through its
 * directory entry; on every /desks route anyone without a standing on the desk gets 404.
 */
export class IntakeService {
  constructor(private readonly d: IntakeDeps) {}

  // ---- intake key statements ----

  async publishKey(actor: Actor, deskId: string, wire: unknown): Promise<IntakeKeyView> {
    // An administrator who also supervises the desk may: the list decides, not the strongest standing.
    const { desk } = await this.d.desks.standingOn(actor, deskId);
    if (!desk.supervisors.includes(actor.officerId)) throw new ForbiddenError("Only the desk's supervisors publish its intake key");
    const stmt = parseWire(intakeKeyStatementCodec, wire, 'statement');
    if (stmt.deskId !== desk.id || stmt.agencyId !== desk.agencyId) throw new ValidationError('statement: names another desk or agency', 'intake_wrong_desk');
    if (stmt.signerOfficerId !== actor.officerId) throw new ForbiddenError('statement: must be signed by you', 'intake_wrong_signer');
    const keys = await this.d.keys.registeredKeys(actor.officerId);
    if (!keys || !constantTimeEqual(fromB64(keys.signPublicKey), stmt.signerSignPublicKey)) {
      throw new ValidationError("statement: the signer key is not your registered identity key", 'intake_wrong_signer');
    }
    if (!labelledVerify(INTAKE_KEY_LABEL, intakeKeyStatementFields(stmt), stmt.signature, stmt.signerSignPublicKey)) {
      throw new ValidationError('statement: signature does not verify', 'intake_bad_signature');
    }
    await this.checkDeskChannel(actor, desk, stmt.channelId);
    const now = this.d.clock.now();
    return this.d.store.write(async (tx) => {
      const latest = await tx.intake.latestKey(desk.id);
      const expected = (latest?.version ?? 0) + 1;
      if (stmt.version !== expected) throw new ConflictError(`statement: version must be ${expected}`, 'intake_version_conflict');
      // Re-read in the transaction: the desk channel is set once, by the first statement.
      const current = await this.d.desks.channelIn(tx, desk.id);
      if (current !== null && current !== stmt.channelId) {
        throw new ConflictError('statement: the desk channel is fixed by the first statement (create a new desk to move it)', 'intake_channel_changed');
      }
      if (current === null) await this.d.desks.setChannelIn(tx, desk.id, stmt.channelId);
      const row: IntakeKeyRow = { deskId: desk.id, version: stmt.version, statement: JSON.stringify(intakeKeyStatementCodec.toWire(stmt)), signerId: actor.officerId, createdAt: now };
      await tx.intake.insertKey(row);
      await this.d.audit.record(tx, auditEvents.intakeKeyPublished(actor, deskTarget(desk), { version: stmt.version, channelId: stmt.channelId, signerId: actor.officerId }));
      return keyView(row);
    });
  }

  async listKeys(actor: Actor, deskId: string): Promise<IntakeKeyView[]> {
    await this.d.desks.standingOn(actor, deskId);
    return (await this.d.store.read((r) => r.intake.keys(deskId))).map(keyView);
  }

  /** The channel the statement names exists, the caller owns it, and every current member is an officer of the desk's agency. */
  private async checkDeskChannel(actor: Actor, desk: PagingDesk, channelId: string): Promise<void> {
    // No open spans: the channel does not exist (or has no members), refused alike.
    const members = await this.d.channels.currentMembers(channelId);
    const me = members.find((m) => m.officerId === actor.officerId);
    if (!me || me.role !== 'owner') throw new ValidationError('statement: the desk channel must exist with you as an owner', 'intake_channel_invalid');
    if (members.some((m) => m.agencyId !== desk.agencyId)) throw new ValidationError("statement: every member of the desk channel must be an officer of the desk's agency", 'intake_channel_invalid');
  }

  // ---- requesters, through the directory ----

  /** The current statement of the entry's desk and its signer's certificate; 404 no_intake_key otherwise. */
  async directoryIntake(_actor: Actor, entryId: string): Promise<DirectoryIntake> {
    const entry = await this.d.directory.liveRow(entryId);
    const latest = entry.deskId === null ? undefined : await this.d.store.read((r) => r.intake.latestKey(entry.deskId!));
    const cert = latest ? await this.d.keys.certificate(latest.signerId) : undefined;
    if (!latest || !cert) throw noIntakeKey();
    return { statement: JSON.parse(latest.statement) as Record<string, unknown>, signerCertificate: certificateCodec.toWire(cert) as Record<string, unknown> };
  }

  /** PROTOCOL.md §11.3 "What the server checks", then stored and paged (urgent, acknowledgement requested) in one transaction. */
  async submit(actor: Actor, entryId: string, wire: unknown, priority: 'urgent' | 'normal' = 'urgent'): Promise<DeskRequestCreated> {
    const entry = await this.d.directory.liveRow(entryId);
    if (entry.deskId === null) throw noIntakeKey();
    const deskId = entry.deskId;
    const request = parseWire(deskRequestCodec, wire, 'request');
    if (request.requesterOfficerId !== actor.officerId || request.requesterAgencyId !== actor.agencyId) {
      throw new ForbiddenError('request: the requester must be you', 'actor_mismatch');
    }
    if (request.deskId !== deskId) throw new ValidationError("request: addressed to another desk than the entry's", 'intake_wrong_desk');
    const keys = await this.d.keys.registeredKeys(actor.officerId);
    if (!keys || !verified(() => verifyDeskRequestSignature(request, fromB64(keys.signPublicKey)), 'request')) {
      throw new ValidationError("request: signature does not verify under your registered key", 'bad_signature');
    }
    const bytes = request.sealed.length;
    const id = newId();
    return this.d.store.write(async (tx) => {
      if (!(await tx.intake.key(deskId, request.version))) throw new ValidationError(`request: the desk has no intake key of version ${request.version}`, 'intake_unknown_version');
      if (await tx.intake.requestByRequester(actor.officerId, request.requestId)) throw new ConflictError('request: you already sent a request with this id', 'duplicate_request');
      const now = this.d.clock.now();
      const page = await this.d.paging.openIn(tx, { deskId, priority, ackRequested: true, channelId: null, reason: 'desk_request', requesterId: actor.officerId }, actor);
      await tx.intake.insertRequest({
        id,
        deskId,
        requesterId: actor.officerId,
        requestId: request.requestId,
        version: request.version,
        request: JSON.stringify(deskRequestCodec.toWire(request)),
        receivedAt: now,
        pageId: page.page.id,
        state: 'open',
        claimedBy: null,
        claimedAt: null,
        caseChannelId: null,
        copyOf: null,
      });
      this.notifyAfter(tx, deskId, { deskId, kind: 'request', requestId: id, at: now });
      await this.d.audit.record(tx, auditEvents.deskRequestReceived(actor, { type: 'desk', id: deskId, agencyId: entry.agencyId }, { deskRequestId: id, version: request.version, bytes, pageId: page.page.id }));
      return { id, receivedAt: now, pageId: page.page.id };
    });
  }

  // ---- Art. 4(1) copies to the agency's own SPOC desk (docs/REQUESTS.md, PROTOCOL.md §9.2 "SPOC copy") ----

  /** The SPOC desk's current statement and its signer's certificate, or undefined when it has none. */
  async spocIntake(deskId: string): Promise<DirectoryIntake | undefined> {
    const latest = await this.d.store.read((r) => r.intake.latestKey(deskId));
    const cert = latest ? await this.d.keys.certificate(latest.signerId) : undefined;
    if (!latest || !cert) return undefined;
    return { statement: JSON.parse(latest.statement) as Record<string, unknown>, signerCertificate: certificateCodec.toWire(cert) as Record<string, unknown> };
  }

  /** Whether the desk may be an agency's SPOC desk: the agency's own, with an intake key. */
  async isSpocCandidate(agencyId: string, deskId: string): Promise<boolean> {
    const desk = await this.d.desks.pagingDesk(deskId);
    return !!desk && desk.agencyId === agencyId && !!(await this.d.store.read((r) => r.intake.latestKey(deskId)));
  }

  /** §11.3 "What the server checks" for a copy to `spocDeskId` (the caller's agency's SPOC desk); stored as `copy`, no page. */
  async submitCopy(actor: Actor, spocDeskId: string, wire: unknown): Promise<SpocCopyCreated> {
    const request = parseWire(deskRequestCodec, wire, 'request');
    if (request.requesterOfficerId !== actor.officerId || request.requesterAgencyId !== actor.agencyId) {
      throw new ForbiddenError('request: the requester must be you', 'actor_mismatch');
    }
    if (request.deskId !== spocDeskId) throw new ValidationError("request: addressed to another desk than the agency's SPOC desk", 'intake_wrong_desk');
    const keys = await this.d.keys.registeredKeys(actor.officerId);
    if (!keys || !verified(() => verifyDeskRequestSignature(request, fromB64(keys.signPublicKey)), 'request')) {
      throw new ValidationError('request: signature does not verify under your registered key', 'bad_signature');
    }
    const id = newId();
    return this.d.store.write(async (tx) => {
      if (!(await tx.intake.key(spocDeskId, request.version))) throw new ValidationError(`request: the desk has no intake key of version ${request.version}`, 'intake_unknown_version');
      if (await tx.intake.requestByRequester(actor.officerId, request.requestId)) throw new ConflictError('request: you already sent a request with this id', 'duplicate_request');
      const now = this.d.clock.now();
      await tx.intake.insertRequest({
        id,
        deskId: spocDeskId,
        requesterId: actor.officerId,
        requestId: request.requestId,
        version: request.version,
        request: JSON.stringify(deskRequestCodec.toWire(request)),
        receivedAt: now,
        pageId: null,
        state: 'copy',
        claimedBy: null,
        claimedAt: null,
        caseChannelId: null,
        copyOf: null,
      });
      await this.d.audit.record(tx, auditEvents.deskRequestReceived(actor, { type: 'desk', id: spocDeskId, agencyId: actor.agencyId }, { deskRequestId: id, version: request.version, bytes: request.sealed.length, pageId: null, spocCopy: true }));
      return { id, receivedAt: now };
    });
  }

  /**
   * In the request's transaction: links the declared copy to the request, after checking it is a copy to the SPOC
   * desk by this requester for this channel and ref, not linked yet (409 spoc_copy_invalid otherwise).
   */
  async linkCopyIn(tx: Tx, copyId: string, expect: { spocDeskId: string; requesterId: string; channelId: string; ref: string; requestRowId: string }): Promise<void> {
    const row = await tx.intake.request(copyId);
    const ok =
      row !== undefined &&
      row.state === 'copy' &&
      row.deskId === expect.spocDeskId &&
      row.requesterId === expect.requesterId &&
      row.requestId === spocCopyRequestId(expect.channelId, expect.ref) &&
      (await tx.intake.linkCopy(copyId, expect.requestRowId));
    if (!ok) throw new ConflictError("request.spocCopy: not an unlinked copy of this request to the agency's SPOC desk", 'spoc_copy_invalid');
  }

  async mine(actor: Actor): Promise<MyDeskRequest[]> {
    const rows = await this.d.store.read((r) => r.intake.requestsOf(actor.officerId, LIST_LIMIT));
    return rows.map((r) => ({ id: r.id, deskId: r.deskId, requestId: r.requestId, ...statusOf(r) }));
  }

  // ---- the desk ----

  async deskRequests(actor: Actor, deskId: string, state: DeskRequestState | 'all' = 'all'): Promise<DeskRequestView[]> {
    await this.d.desks.standingOn(actor, deskId);
    const rows = await this.d.store.read((r) => r.intake.requestsOfDesk(deskId, state === 'all' ? undefined : state, LIST_LIMIT));
    return rows.map(requestView);
  }

  /** First claim wins; the request's page is acknowledged in the same transaction, so its ladder stops. */
  async claim(actor: Actor, deskId: string, id: string): Promise<DeskRequestView> {
    const { desk } = await this.d.desks.standingOn(actor, deskId);
    if (!desk.members.includes(actor.officerId) && !desk.supervisors.includes(actor.officerId)) throw new ForbiddenError("Only the desk's members and supervisors claim its requests");
    return this.d.store.write(async (tx) => {
      const row = await tx.intake.request(id);
      if (!row || row.deskId !== deskId) throw new NotFoundError('Desk request');
      if (row.state === 'copy') throw new ConflictError('A copy of an outgoing request is for information; it is not claimed', 'not_claimable');
      if (!(await tx.intake.claim(id, actor.officerId, this.d.clock.now()))) {
        const who = row.claimedBy === actor.officerId ? 'you' : row.claimedBy;
        throw new ConflictError(`The request was already claimed by ${who}`, 'already_claimed');
      }
      if (row.pageId !== null) await this.d.paging.acknowledgeIn(tx, row.pageId, actor);
      this.notifyAfter(tx, deskId, { deskId, kind: 'claimed', requestId: id, officerId: actor.officerId, at: this.d.clock.now() });
      await this.d.audit.record(tx, auditEvents.deskRequestClaimed(actor, deskTarget(desk), { deskRequestId: id, pageId: row.pageId }));
      return requestView((await tx.intake.request(id))!);
    });
  }

  /**
   * The claimer opens the case channel with the requester, as a directory contact is opened
   * (server/directory/contact.ts): between agencies without a covering agreement it is a contact request
   * whose invitation the requester's SDK co-signs. The link commits with the channel.
   */
  async openCaseChannel(actor: Actor, deskId: string, id: string, body: CaseChannelBody): Promise<CaseChannelCreated> {
    const { desk } = await this.d.desks.standingOn(actor, deskId);
    const row = await this.d.store.read((r) => r.intake.request(id));
    if (!row || row.deskId !== deskId) throw new NotFoundError('Desk request');
    if (row.claimedBy !== actor.officerId) throw new ForbiddenError('Only the officer who claimed the request opens its case channel', 'not_claimer');
    if (row.caseChannelId !== null) throw new ConflictError('The request has its case channel', 'case_channel_exists');
    const requester = await this.d.accounts.officer(row.requesterId);
    if (!requester) throw new NotFoundError('Requester');
    const events = body.events.map((e, i) => parseWire(membershipEventCodec, e, `events[${i}]`));
    const create = events[0]!;
    if (create.kind !== 'create' || create.channelKind !== 'direct') throw new ValidationError('events[0] must create a direct channel', 'direct_required');
    const crossAgency = requester.agencyId !== actor.agencyId;
    const contactRequest = crossAgency && create.agreementId === '';
    let invite: MembershipEvent | null = null;
    if (crossAgency) {
      if (events.length !== 1 || !body.invite) throw new ValidationError("Another agency: send the create event alone and the requester's add as `invite`", 'invite_required');
      invite = parseWire(membershipEventCodec, body.invite, 'invite');
      if (invite.kind !== 'add' || invite.member?.officerId !== requester.id || invite.cosignature) throw new ValidationError('`invite` must add the requester, without co-signature', 'invalid_invite');
      if (invite.actorOfficerId !== actor.officerId) throw new ForbiddenError('Every event must be signed by you', 'actor_mismatch');
      if (!contactRequest && create.agreementId !== (await this.d.agreements.coveringAgreement(actor.agencyId, requester.agencyId))) {
        throw new ValidationError('The channel must carry the covering agreement, or none', 'invalid_agreement');
      }
      if (contactRequest && (await this.d.channels.pendingContactRequest(actor.officerId, requester.id))) {
        throw new ConflictError('You already have a pending contact request to this officer', 'contact_request_exists');
      }
      await this.d.channels.loadRoots([create, invite]);
      await this.checkInvite(verified(() => applyEvent(null, create, this.d.channels.chain), 'events[0]'), invite, contactRequest);
    } else {
      const add = events[1];
      if (body.invite || !add || add.kind !== 'add' || add.member?.officerId !== requester.id) {
        throw new ValidationError("Same agency: send the create event and the requester's add as `events`", 'invalid_events');
      }
    }
    const pending = invite;
    let invitationId: string | null = null;
    await this.d.channels.create(
      actor,
      { events: body.events, encryptedMeta: body.encryptedMeta, ...(body.keyEnvelope ? { keyEnvelope: body.keyEnvelope } : {}) },
      {
        contactRequest,
        inTransaction: async (tx, fx, state) => {
          const now = await tx.intake.request(id);
          if (!now || now.caseChannelId !== null) throw new ConflictError('The request has its case channel', 'case_channel_exists');
          if (pending) invitationId = (await this.d.channels.invitations.record(tx, actor, state.channelId, pending, fx)).id;
          await tx.intake.setCaseChannel(id, state.channelId);
          await this.d.audit.record(tx, auditEvents.deskRequestCaseChannel(actor, deskTarget(desk), { deskRequestId: id, channelId: state.channelId }));
        },
      },
    );
    return { request: requestView((await this.d.store.read((r) => r.intake.request(id)))!), invitationId };
  }

  /** After `tx` commits: the content-free notice to the sockets of the desk's members and supervisors. */
  private notifyAfter(tx: Tx, deskId: string, notice: DeskNotice): void {
    tx.onCommit(() => {
      void this.d.desks.pagingDesk(deskId).then(
        (desk) => desk && this.d.events.emit('desk.notice', { officerIds: [...new Set([...desk.members, ...desk.supervisors])], notice }),
        () => undefined,
      );
    });
  }

  /** The add must verify in every respect except the requester's missing co-signature, then pass server policy. */
  private async checkInvite(state: ChannelState, event: MembershipEvent, contactRequest: boolean): Promise<void> {
    try {
      applyEvent(state, event, this.d.channels.chain);
    } catch (err) {
      if (!(err instanceof ChannelStateError && err.code === 'chain/missing-cosignature')) throw apiError(err, 'invite');
    }
    await this.d.channels.invitations.check(state, event, contactRequest);
  }
}

/** 404: the entry has no desk, or the desk no intake key (certified signer) yet. */
function noIntakeKey(): AppError {
  return new AppError(404, 'no_intake_key', 'This entry does not accept sealed desk requests');
}

function deskTarget(desk: { id: string; agencyId: string }): AuditTarget {
  return { type: 'desk', id: desk.id, agencyId: desk.agencyId };
}

function keyView(row: IntakeKeyRow): IntakeKeyView {
  return { deskId: row.deskId, version: row.version, statement: JSON.parse(row.statement) as Record<string, unknown>, signerId: row.signerId, createdAt: row.createdAt };
}

function requestView(r: DeskRequestRow): DeskRequestView {
  return { id: r.id, deskId: r.deskId, request: JSON.parse(r.request) as Record<string, unknown>, ...statusOf(r) };
}

/** What both the desk's and the requester's views say of a request beyond its bytes: stamp, page, claim. */
function statusOf(r: DeskRequestRow): Pick<DeskRequestView, 'receivedAt' | 'pageId' | 'state' | 'claimedBy' | 'claimedAt' | 'caseChannelId' | 'copyOf'> {
  return { receivedAt: r.receivedAt, pageId: r.pageId, state: r.state, claimedBy: r.claimedBy, claimedAt: r.claimedAt, caseChannelId: r.caseChannelId, copyOf: r.copyOf };
}
