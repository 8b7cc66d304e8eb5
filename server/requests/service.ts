import { randomUUID } from 'node:crypto';
import {
  REQUEST_STATES,
  RUNNING_STATES,
  TERMINAL_STATES,
  computeDeadline,
  isTimeZone,
  nextRequestState,
  type RequestChange,
  type RequestSide,
  type RequestState,
} from '../../shared/requests/lifecycle.ts';
import type { RequestDeclared, RequestDetail, RequestSettings, RequestView } from '../../shared/schemas/requests.ts';
import type { SendResult } from '../../shared/schemas/channels.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { ChannelDeskLookup } from '../alerting/channel-desk.ts';
import type { PagingService } from '../alerting/escalation.ts';
import { auditEvents } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import { isAdmin, type Actor } from '../auth/actor.ts';
import type { ChannelAccess } from '../channels/access.ts';
import type { Clock } from '../clock.ts';
import type { DesksService } from '../desks/service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Store, Tx } from '../store/store.ts';
import type { RequestRow } from './repository.ts';
import type { IntakeService } from '../intake/service.ts';
import { AppError } from '../errors.ts';

/** Where the calendar-day deadline is counted when neither the requested desk nor the agency names a zone. */
export const DEFAULT_REQUEST_TIME_ZONE = 'UTC';
/** Reminders handled per tick and kind (the rest wait for the next tick). */
const REMINDER_BATCH = 50;

/** A request message checked before the send's transaction (no write lock); applied in it by `applyIn`. */
export interface RequestPlan {
  declared: RequestDeclared;
  /** The metadata stored with the message and served to its readers (no case index). */
  stored: RequestDeclared;
  side: RequestSide;
  create: {
    requesterCountry: string;
    requestedAgencyId: string;
    requestedCountry: string;
    agreementId: string | null;
    deskId: string | null;
    timeZone: string;
    /** The requesting agency's SPOC desk when its Art. 4(1) copy rule is on. */
    spocDeskId: string | null;
  } | null;
}

export interface RequestsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  accounts: Pick<AccountsService, 'getAgency'>;
  access: Pick<ChannelAccess, 'memberAgencyIds' | 'isCurrentMember'>;
  desks: Pick<DesksService, 'zoneOf' | 'standingOn'>;
  lookup: Pick<ChannelDeskLookup, 'deskOf'>;
  paging: Pick<PagingService, 'openIn' | 'cancelIn'>;
  intake: Pick<IntakeService, 'spocIntake' | 'isSpocCandidate' | 'linkCopyIn'>;
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, 'invalid_request_metadata');
}

/** Only the fields a kind allows (PROTOCOL.md §9.2 "Declared metadata"). */
function checkShape(d: RequestDeclared): void {
  const allowed: Record<RequestDeclared['kind'], readonly string[]> = {
    request: ['ref', 'kind', 'template', 'urgency', 'directAccess', 'requestedAgencyId', 'caseIndex', 'spocCopy'],
    answer: ['ref', 'kind', 'state'],
    clarification: ['ref', 'kind', 'state'],
    refusal: ['ref', 'kind', 'ground'],
    'judicial-pending': ['ref', 'kind'],
    withdrawal: ['ref', 'kind'],
  };
  const extra = Object.keys(d).filter((k) => !allowed[d.kind].includes(k));
  if (extra.length > 0) throw invalid(`request.${extra[0]} does not belong to a ${d.kind}`);
  if (d.kind === 'request' && (d.template === undefined || d.urgency === undefined)) throw invalid('A request declares its template and urgency');
  if (d.kind === 'answer' && d.state !== 'full' && d.state !== 'partial') throw invalid('An answer declares state full or partial');
  if (d.kind === 'clarification' && d.state !== 'asked' && d.state !== 'given') throw invalid('A clarification declares state asked or given');
  if (d.kind === 'refusal' && d.ground === undefined) throw invalid('A refusal declares its Art. 6(1) ground');
}

function transitionError(code: 'request_terminal' | 'request_wrong_side' | 'invalid_request_transition', row: RequestRow, change: RequestChange): Error {
  if (code === 'request_terminal') return new ConflictError(`The request is ${row.state}; it changes no more`, 'request_closed');
  if (code === 'request_wrong_side') {
    const who = change.kind === 'withdrawal' || (change.kind === 'clarification' && change.state === 'given') ? 'the requesting agency' : 'the requested agency';
    return new ForbiddenError(`Only ${who} sends a ${change.kind}${change.state ? ` (${change.state})` : ''}`, 'request_wrong_side');
  }
  return new ConflictError(`A ${change.kind}${change.state ? ` (${change.state})` : ''} cannot follow state ${row.state}`, 'invalid_request_transition');
}

/**
 * Requests and their lifecycle (docs/REQUESTS.md): the send path's checks of declared request metadata, the state
 * machine and the deadlines, the listings and overdue boards, and the deadline reminders. Never sees content.
 */
export class RequestsService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly deps: RequestsDeps;
  /** Set by the scheduler: a reminder that failed (the tick goes on with the next). */
  onError: (err: unknown) => void = () => {};
  private running: Promise<void> | null = null;

  constructor(deps: RequestsDeps) {
    this.deps = deps;
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
  }

  // ---- the send path (server/messages) ----

  /** Before the send's transaction: validates the declared metadata and resolves the parties, desk and zone. */
  async plan(actor: Actor, channel: { id: string; agreementId: string | null }, declared: RequestDeclared): Promise<RequestPlan> {
    checkShape(declared);
    const { caseIndex: _caseIndex, spocCopy: _spocCopy, ...stored } = declared;
    if (declared.kind !== 'request') {
      const row = await this.store.read((r) => r.requests.byRef(channel.id, declared.ref));
      if (!row) throw new NotFoundError('Request');
      const side = this.sideOf(actor, row);
      const next = nextRequestState(row.state as RequestState, { kind: declared.kind, ...(declared.state ? { state: declared.state } : {}) }, side, (row.resumeState ?? 'open') as RequestState);
      if (next === 'request_terminal' || next === 'request_wrong_side' || next === 'invalid_request_transition') throw transitionError(next, row, declared as RequestChange);
      return { declared, stored, side, create: null };
    }
    if (await this.store.read((r) => r.requests.byRef(channel.id, declared.ref))) throw new ConflictError('This requestRef is already used in the channel', 'request_ref_taken');
    const spocDeskId = await this.store.read((r) => r.requests.spocDeskOf(actor.agencyId));
    if (spocDeskId !== null && declared.spocCopy === undefined) {
      throw new ConflictError("Your agency copies every outgoing request to its single point of contact (Art. 4(1)): declare the sealed copy's id as request.spocCopy", 'spoc_copy_required');
    }
    const others = (await this.deps.access.memberAgencyIds(channel.id)).filter((a) => a !== actor.agencyId);
    const requestedAgencyId = declared.requestedAgencyId ?? (others.length === 1 ? others[0] : undefined);
    if (requestedAgencyId === undefined || !others.includes(requestedAgencyId)) {
      throw new ValidationError('Name the requested agency (request.requestedAgencyId): another agency with members in the channel', 'request_target_required');
    }
    const [mine, theirs] = [await this.deps.accounts.getAgency(actor.agencyId), await this.deps.accounts.getAgency(requestedAgencyId)];
    const found = await this.deps.lookup.deskOf(channel.id);
    const desk = found ? await this.deps.desks.zoneOf(found.deskId) : undefined;
    const deskId = desk && desk.agencyId === requestedAgencyId ? found!.deskId : null;
    const timeZone = (deskId ? desk!.timeZone : undefined) ?? (await this.store.read((r) => r.requests.timeZoneOf(requestedAgencyId))) ?? DEFAULT_REQUEST_TIME_ZONE;
    return {
      declared,
      stored,
      side: 'requester',
      create: { requesterCountry: mine.country, requestedAgencyId, requestedCountry: theirs.country, agreementId: channel.agreementId, deskId, timeZone, spocDeskId },
    };
  }

  /** In the send's transaction (its own savepoint): records the request or applies the change, re-checking the state. */
  async applyIn(tx: Tx, plan: RequestPlan, channelId: string, messageId: string, actor: Actor, now: number): Promise<NonNullable<SendResult['request']>> {
    const d = plan.declared;
    if (plan.create) {
      if (await tx.requests.byRef(channelId, d.ref)) throw new ConflictError('This requestRef is already used in the channel', 'request_ref_taken');
      const c = plan.create;
      const duplicates = d.caseIndex ? (await tx.requests.openWithCaseIndex(d.caseIndex, actor.agencyId, c.requestedAgencyId)).map((r) => r.id) : [];
      const urgency = d.urgency!;
      const row: RequestRow = {
        id: randomUUID(),
        channelId,
        ref: d.ref,
        messageId,
        template: d.template!,
        urgency,
        directAccess: d.directAccess ?? false,
        requesterId: actor.officerId,
        requesterAgencyId: actor.agencyId,
        requesterCountry: c.requesterCountry,
        requestedAgencyId: c.requestedAgencyId,
        requestedCountry: c.requestedCountry,
        agreementId: c.agreementId,
        deskId: c.deskId,
        timeZone: c.timeZone,
        state: 'open',
        resumeState: null,
        receivedAt: now,
        deadline: computeDeadline(now, urgency, d.directAccess ? 'direct' : 'indirect', c.timeZone),
        suspendedMs: 0,
        clarificationSince: null,
        judicialPendingSince: null,
        firstAnswerAt: null,
        closedAt: null,
        refusalGround: null,
        caseIndex: d.caseIndex ?? null,
        remindedEarlyAt: null,
        remindedDueAt: null,
        updatedAt: now,
      };
      await tx.requests.insert(row);
      if (c.spocDeskId !== null) {
        await this.deps.intake.linkCopyIn(tx, d.spocCopy!, { spocDeskId: c.spocDeskId, requesterId: actor.officerId, channelId, ref: d.ref, requestRowId: row.id });
      }
      await tx.requests.insertEvent({ requestId: row.id, messageId, kind: 'request', detail: null, state: 'open', actorId: actor.officerId, agencyId: actor.agencyId, at: now });
      await this.audit.record(
        tx,
        auditEvents.requestReceived(actor, { type: 'request', id: row.id }, { channelId, template: row.template, urgency, requestedAgencyId: row.requestedAgencyId, deadline: row.deadline }),
      );
      return { id: row.id, state: 'open', deadline: row.deadline, ...(duplicates.length > 0 ? { possibleDuplicates: duplicates } : {}) };
    }
    const row = await tx.requests.byRef(channelId, d.ref);
    if (!row) throw new NotFoundError('Request');
    const change = { kind: d.kind, ...(d.state ? { state: d.state } : {}) } as RequestChange;
    const next = nextRequestState(row.state as RequestState, change, plan.side, (row.resumeState ?? 'open') as RequestState);
    if (next === 'request_terminal' || next === 'request_wrong_side' || next === 'invalid_request_transition') throw transitionError(next, row, change);
    const changes: Parameters<Tx['requests']['update']>[1] = { state: next, updatedAt: now };
    if (d.kind === 'clarification' && d.state === 'asked') Object.assign(changes, { resumeState: row.state, clarificationSince: now });
    if (d.kind === 'clarification' && d.state === 'given') {
      // Art. 6(3): the deadline is suspended while the requester owes the clarification.
      const suspended = Math.max(0, now - (row.clarificationSince ?? now));
      Object.assign(changes, { resumeState: null, clarificationSince: null, deadline: row.deadline + suspended, suspendedMs: row.suspendedMs + suspended });
    }
    if (d.kind === 'judicial-pending') changes.judicialPendingSince = now;
    if (d.kind === 'answer' && row.firstAnswerAt === null) changes.firstAnswerAt = now;
    if (d.kind === 'refusal') changes.refusalGround = d.ground!;
    if (TERMINAL_STATES.includes(next)) changes.closedAt = now;
    await tx.requests.update(row.id, changes);
    if (TERMINAL_STATES.includes(next) && row.deskId) await this.cancelDeadlinePages(tx, row, actor);
    const detail = d.state ?? d.ground ?? null;
    await tx.requests.insertEvent({ requestId: row.id, messageId, kind: d.kind, detail, state: next, actorId: actor.officerId, agencyId: actor.agencyId, at: now });
    await this.audit.record(tx, auditEvents.requestStateChanged(actor, { type: 'request', id: row.id }, { channelId, kind: d.kind, detail, from: row.state, to: next }));
    return { id: row.id, state: next, deadline: changes.deadline ?? row.deadline };
  }

  /**
   * A closed request needs no more reminding: its open `deadline` pages on the desk are cancelled in the closing
   * message's transaction, so no later escalation step fires. Pages carry the channel, not the request, so when
   * another request of the same channel and desk is still running and was reminded, its pages are left open
   * (reminding that one matters more than silencing this one).
   */
  private async cancelDeadlinePages(tx: Tx, row: RequestRow, actor: Actor): Promise<void> {
    const pages = (await tx.paging.openPagesOfChannel(row.channelId)).filter((p) => p.reason === 'deadline' && p.deskId === row.deskId);
    if (pages.length === 0) return;
    const others = await tx.requests.list({ agencyId: row.requestedAgencyId, role: 'received', states: REQUEST_STATES.filter((st) => !TERMINAL_STATES.includes(st)), deskId: row.deskId!, limit: 500 });
    if (others.some((o) => o.id !== row.id && o.channelId === row.channelId && (o.remindedEarlyAt !== null || o.remindedDueAt !== null))) return;
    for (const p of pages) await this.deps.paging.cancelIn(tx, p.id, actor, 'request_closed');
  }

  private sideOf(actor: Actor, row: RequestRow): RequestSide {
    if (actor.agencyId === row.requesterAgencyId) return 'requester';
    if (actor.agencyId === row.requestedAgencyId) return 'requested';
    throw new ForbiddenError("Only the requesting and the requested agency change a request's state", 'request_not_party');
  }

  // ---- reading ----

  /** Requests of the caller's agency; an officer sees those of channels they are a current member of. */
  async list(actor: Actor, q: { role?: 'sent' | 'received'; state?: RequestState; overdue?: boolean; limit?: number }): Promise<RequestView[]> {
    const now = this.clock.now();
    const rows = await this.store.read((r) =>
      r.requests.list({
        agencyId: actor.agencyId,
        role: q.role ?? 'both',
        ...(q.overdue ? { states: q.state ? [q.state].filter((s) => RUNNING_STATES.includes(s)) : RUNNING_STATES, deadlineBefore: now } : q.state ? { states: [q.state] } : {}),
        limit: q.limit ?? 200,
      }),
    );
    const visible = isAdmin(actor) ? rows : await this.membersOnly(actor, rows);
    const views = visible.map((r) => view(r, now));
    return q.overdue === false ? views.filter((v) => !v.overdue) : views;
  }

  async get(actor: Actor, id: string): Promise<RequestDetail> {
    const row = await this.store.read((r) => r.requests.byId(id));
    if (!row || !(await this.mayRead(actor, row))) throw new NotFoundError('Request');
    const events = await this.store.read((r) => r.requests.events(id));
    return { request: view(row, this.clock.now()), timeline: events.map(({ requestId: _r, ...e }) => e as RequestDetail['timeline'][number]) };
  }

  /** The desk's overdue board: its members, supervisors and its agency's administrators (others 404, as on every desk route). */
  async deskOverdue(actor: Actor, deskId: string): Promise<RequestView[]> {
    const { desk } = await this.deps.desks.standingOn(actor, deskId);
    return this.overdue(desk.agencyId, deskId);
  }

  /** The agency's overdue board: its administrators. */
  async agencyOverdue(actor: Actor, agencyId: string): Promise<RequestView[]> {
    if (actor.agencyId !== agencyId) throw new NotFoundError('Agency');
    if (!isAdmin(actor)) throw new ForbiddenError("Only the agency's administrators see its overdue board");
    return this.overdue(agencyId, undefined);
  }

  private async overdue(agencyId: string, deskId: string | undefined): Promise<RequestView[]> {
    const now = this.clock.now();
    const rows = await this.store.read((r) => r.requests.list({ agencyId, role: 'received', states: RUNNING_STATES, deadlineBefore: now, ...(deskId ? { deskId } : {}), limit: 500 }));
    return rows.map((r) => view(r, now));
  }

  private async mayRead(actor: Actor, row: RequestRow): Promise<boolean> {
    if (isAdmin(actor) && (actor.agencyId === row.requesterAgencyId || actor.agencyId === row.requestedAgencyId)) return true;
    return this.deps.access.isCurrentMember(row.channelId, actor.officerId);
  }

  private async membersOnly(actor: Actor, rows: RequestRow[]): Promise<RequestRow[]> {
    const member = new Map<string, boolean>();
    const out: RequestRow[] = [];
    for (const r of rows) {
      if (!member.has(r.channelId)) member.set(r.channelId, await this.deps.access.isCurrentMember(r.channelId, actor.officerId));
      if (member.get(r.channelId)) out.push(r);
    }
    return out;
  }

  // ---- settings ----

  /** The zone and the SPOC desk; the agency's own officers also get the SPOC desk's intake statement (to seal copies). */
  async settings(actor: Actor, agencyId: string): Promise<RequestSettings> {
    await this.deps.accounts.getAgency(agencyId);
    const [timeZone, spocDeskId] = await this.store.read(async (r) => [await r.requests.timeZoneOf(agencyId), await r.requests.spocDeskOf(agencyId)] as const);
    const spoc = spocDeskId !== null && actor.agencyId === agencyId ? await this.deps.intake.spocIntake(spocDeskId) : undefined;
    return { agencyId, timeZone: timeZone ?? DEFAULT_REQUEST_TIME_ZONE, spocDeskId, ...(spoc ? { spoc } : {}) };
  }

  /** The agency's SPOC desk for copies, or 422 spoc_desk_invalid when its copy rule is off. */
  async spocDeskFor(actor: Actor, agencyId: string): Promise<string> {
    if (actor.agencyId !== agencyId) throw new NotFoundError('Agency');
    const deskId = await this.store.read((r) => r.requests.spocDeskOf(agencyId));
    if (deskId === null) throw new AppError(422, 'spoc_desk_invalid', 'Your agency has no single point of contact desk for request copies');
    return deskId;
  }

  async updateSettings(actor: Actor, agencyId: string, body: { timeZone?: string; spocDeskId?: string | null }): Promise<RequestSettings> {
    if (actor.agencyId !== agencyId) throw new NotFoundError('Agency');
    if (!isAdmin(actor)) throw new ForbiddenError("Only the agency's administrators set its request settings");
    const { timeZone, spocDeskId } = body;
    if (timeZone !== undefined && (!isTimeZone(timeZone) || /^(UTC|GMT)?[+-]/.test(timeZone))) throw new ValidationError(`${timeZone} is not an IANA region zone (e.g. Europe/Lisbon)`, 'validation_failed');
    if (spocDeskId && !(await this.deps.intake.isSpocCandidate(agencyId, spocDeskId))) {
      throw new AppError(422, 'spoc_desk_invalid', 'The single point of contact must be a desk of your agency with an intake key');
    }
    const now = this.clock.now();
    await this.store.write(async (tx) => {
      if (timeZone !== undefined) await tx.requests.setTimeZone(agencyId, timeZone, now, actor.officerId);
      if (spocDeskId !== undefined) await tx.requests.setSpocDesk(agencyId, spocDeskId, DEFAULT_REQUEST_TIME_ZONE, now, actor.officerId);
      await this.audit.record(tx, auditEvents.requestSettingsChanged(actor, { type: 'agency', id: agencyId }, { ...(timeZone !== undefined ? { timeZone } : {}), ...(spocDeskId !== undefined ? { spocDeskId } : {}) }));
    });
    return this.settings(actor, agencyId);
  }

  /** Kept for callers of the zone alone. */
  async setTimeZone(actor: Actor, agencyId: string, timeZone: string): Promise<RequestSettings> {
    return this.updateSettings(actor, agencyId, { timeZone });
  }

  // ---- reminders ----

  /**
   * One scheduler pass: every running request past 75 % of its legal period, then past its deadline, is reminded once
   * (the conditional update claims it, so two ticks, two processes or a restart send it once): a content-free desk page
   * (reason `deadline`) when the request reached a desk, else only the audit row.
   */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.remind().finally(() => (this.running = null));
    return this.running;
  }

  /** Resolves once the pass in flight (if any) finished. */
  async settle(): Promise<void> {
    await this.running;
  }

  private async remind(): Promise<void> {
    for (const which of ['early', 'due'] as const) {
      const now = this.clock.now();
      const rows = await this.store.read((r) => r.requests.dueReminders(which, RUNNING_STATES, now, REMINDER_BATCH));
      for (const row of rows) {
        try {
          await this.store.write(async (tx) => {
            if (!(await tx.requests.claimReminder(row.id, which, now))) return;
            let pageId: string | null = null;
            if (row.deskId) {
              const input = { deskId: row.deskId, priority: row.urgency === 'urgent' ? 'urgent' : 'normal', ackRequested: false, channelId: row.channelId, reason: 'deadline', requesterId: null } as const;
              pageId = (await this.deps.paging.openIn(tx, input, null, { at: now })).page.id;
            }
            await this.audit.record(tx, auditEvents.requestReminded(null, { type: 'request', id: row.id, agencyId: row.requestedAgencyId }, { which, deskId: row.deskId, pageId }));
          });
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }
}

function view(r: RequestRow, now: number): RequestView {
  return {
    id: r.id,
    channelId: r.channelId,
    ref: r.ref,
    messageId: r.messageId,
    template: r.template as RequestView['template'],
    urgency: r.urgency,
    directAccess: r.directAccess,
    requesterId: r.requesterId,
    requesterAgencyId: r.requesterAgencyId,
    requesterCountry: r.requesterCountry,
    requestedAgencyId: r.requestedAgencyId,
    requestedCountry: r.requestedCountry,
    agreementId: r.agreementId,
    deskId: r.deskId,
    timeZone: r.timeZone,
    state: r.state as RequestState,
    receivedAt: r.receivedAt,
    deadline: r.deadline,
    suspendedMs: r.suspendedMs,
    clarificationSince: r.clarificationSince,
    judicialPendingSince: r.judicialPendingSince,
    firstAnswerAt: r.firstAnswerAt,
    closedAt: r.closedAt,
    refusalGround: r.refusalGround as RequestView['refusalGround'],
    overdue: RUNNING_STATES.includes(r.state as RequestState) && now > r.deadline,
  };
}
