import type { FastifyInstance } from 'fastify';
import { shiftsBetween } from '../../shared/desks/rota.ts';
import type { ContentFreeNotification, DeliveryResult, QuietHours } from '../../shared/schemas/notifications.ts';
import type { Page, PageDelivery, PagedOfficer, PageState, TestPageResult } from '../../shared/schemas/pages.ts';
import { isAdmin, type Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import { auditEvents, type AuditActor, type AuditTarget } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { DesksService, PagingDesk } from '../desks/service.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { Store, Tx } from '../store/store.ts';
import type { PageDeliveryRow, PageRow } from './paging-repository.ts';
import { inQuietHours } from './quiet-hours.ts';
import type { AlertingService } from './service.ts';
import { JOB_LOCK, oneNodeAtATime } from '../store/cluster.ts';

/**
 * Paging and escalation (docs/DESKS.md "Paging and escalation"). A page is persisted with its step
 * and the instant its next step is due; a scheduler polls due pages and advances each with a
 * conditional update (`UPDATE … WHERE id AND step AND state = 'open'`) in one transaction, and
 * notifies only after that commit. A restart, a second scheduler or a second node therefore never
 * pages the same step twice: whoever loses the update sends nothing.
 *
 * The ladder: step 0 the officers on duty now (`onDuty` order; the backup desk's when nobody is);
 * step 1 the next officer(s) on the rota (the earliest upcoming shift of someone not yet paged, else
 * the remaining members); step 2 the desk's supervisors; step 3 exhausted (the requester is shown the
 * desk's 24/7 phone number). A step with nobody to page is skipped at once.
 */
export const STEP_ON_DUTY = 0;
export const STEP_NEXT = 1;
export const STEP_SUPERVISORS = 2;
export const STEP_EXHAUSTED = 3;

/** How often the scheduler looks for due pages. */
export const PAGING_TICK_MS = 15_000;
/** Pages advanced per tick at most (the rest wait for the next tick). */
const DUE_BATCH = 200;
/** How far ahead step 1 looks for the next shift. */
const NEXT_SHIFT_HORIZON_MS = 7 * 24 * 3_600_000;
/** Pages listed per request. */
const LIST_LIMIT = 200;

export interface PagingDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  desks: Pick<DesksService, 'pagingDesk' | 'standingOn' | 'staffOf' | 'activeOfficers'>;
  alerting: Pick<AlertingService, 'notify'>;
}

/** What opens a page: the stored row's own fields, the rest (step, state, times) is the ladder's. */
export type OpenPageInput = Pick<PageRow, 'deskId' | 'priority' | 'ackRequested' | 'channelId' | 'reason' | 'requesterId'>;

/** A step taken in a committed transaction, waiting to be sent. */
interface Taken {
  page: PageRow;
  step: number;
  officerIds: string[];
}

export class PagingService {
  /** Set by the app to log a failure of the paging machinery (ids only). */
  onError: (err: unknown) => void = () => {};

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly desks: PagingDeps['desks'];
  private readonly alerting: PagingDeps['alerting'];
  /** Ticks run one after another on this node (other nodes are kept out by the conditional update). */
  private running: Promise<unknown> = Promise.resolve();
  /** Deliveries started by an after-commit hook (a contact request's page), awaited by `idle()`. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(deps: PagingDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.desks = deps.desks;
    this.alerting = deps.alerting;
  }

  // ---- opening ----

  /**
   * Opens a page in the caller's transaction `tx`: step 0 is recorded with the page, and its
   * notifications go out once `tx` has committed (never on rollback). `sent` settles when they have.
   * `at` is the page's creation instant (default: now), e.g. the stored instant of the message that opened it.
   * The requester (whoever's item opened the page) is never paged by it, except by a test page.
   */
  async openIn(
    tx: Tx,
    input: OpenPageInput,
    actor: AuditActor,
    opts: { at?: number } = {},
  ): Promise<{ page: PageRow; officerIds: string[]; fromBackupDesk: boolean; sent: Promise<PagedOfficer[]> }> {
    const desk = await this.desks.pagingDesk(input.deskId);
    if (!desk) throw new NotFoundError('Desk');
    const now = opts.at ?? this.clock.now();
    const test = input.reason === 'test';
    const staff = await this.desks.staffOf(desk.id, now);
    const onDutyNow = staff.officerIds.filter((id) => id !== notPaged(input));
    // A test page runs step 0 only; a real one skips empty steps until someone can be paged.
    const planned = test ? { step: STEP_ON_DUTY, officerIds: onDutyNow } : await this.plan(desk, STEP_ON_DUTY, now, new Set(), notPaged(input), onDutyNow);
    const fromBackupDesk = staff.fromBackupDesk;
    const exhausted = planned.step >= STEP_EXHAUSTED;
    const page: PageRow = {
      id: newId(),
      ...input,
      createdAt: now,
      step: Math.min(planned.step, STEP_EXHAUSTED),
      state: exhausted ? 'exhausted' : 'open',
      nextFireAt: exhausted || test ? null : now + desk.ackMinutes * 60_000,
      ackedAt: null,
      ackedBy: null,
    };
    await tx.paging.insertPage(page);
    for (const officerId of planned.officerIds) await tx.paging.insertDelivery({ pageId: page.id, step: page.step, officerId, outcomes: null, at: now });
    await this.audit.record(
      tx,
      auditEvents.pageOpened(actor, target(page, desk), { deskId: desk.id, reason: page.reason, priority: page.priority, channelId: page.channelId, paged: planned.officerIds }),
    );
    if (exhausted) await this.audit.record(tx, auditEvents.pageExhausted(null, target(page, desk), { deskId: desk.id }));
    let release: (v: PagedOfficer[]) => void = () => {};
    const sent = new Promise<PagedOfficer[]>((resolve) => (release = resolve));
    tx.onCommit(() => {
      const p = this.send({ page, step: page.step, officerIds: planned.officerIds }).then(release);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    });
    return { page, officerIds: planned.officerIds, fromBackupDesk: planned.step === STEP_ON_DUTY && fromBackupDesk, sent };
  }

  /**
   * Cancels an open page in the caller's transaction (its item was taken care of, e.g. a desk request
   * claimed by an officer): no further step is taken. Audited as `page.cancelled`. False when the page
   * was not open (acknowledged, exhausted or cancelled already), which is not an error.
   */
  async cancelIn(tx: Tx, pageId: string, actor: AuditActor, cause: 'claimed' | 'withdrawn' | 'request_closed'): Promise<boolean> {
    const page = await tx.paging.page(pageId);
    if (!page || !(await tx.paging.cancel(pageId))) return false;
    const desk = await this.desks.pagingDesk(page.deskId);
    await this.audit.record(tx, auditEvents.pageCancelled(actor, target(page, desk), { deskId: page.deskId, step: page.step, cause }));
    return true;
  }

  /** A test page (supervisors and administrators): step 0 only, no escalation; answers each transport's outcome. */
  async testPage(actor: Actor, deskId: string): Promise<TestPageResult> {
    const { desk, standing } = await this.desks.standingOn(actor, deskId);
    if (standing === 'member') throw new ForbiddenError("Only the desk's supervisors and agency administrators send a test page");
    const opened = await this.store.write((tx) =>
      this.openIn(tx, { deskId, priority: 'normal', ackRequested: true, channelId: null, reason: 'test', requesterId: actor.officerId }, actor),
    );
    const paged = await opened.sent;
    return { page: view(opened.page, desk), paged, fromBackupDesk: opened.fromBackupDesk };
  }

  // ---- the scheduler ----

  /**
   * Takes every due step once: the scheduler's interval and the tests call this. Ticks on one node
   * queue behind one another; resolves with the number of steps this call took, after their
   * notifications were sent.
   */
  tick(): Promise<number> {
    const run = this.running.then(() => this.runDue());
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Resolves once deliveries started by committed transactions (contact requests' pages) are done. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Waits for the tick in progress and the deliveries in flight (the app closing). */
  async settle(): Promise<void> {
    await this.running;
    await this.idle();
  }

  private async runDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.store.read((r) => r.paging.due(now, DUE_BATCH));
    let taken = 0;
    for (const candidate of due) {
      try {
        const step = await this.store.write((tx) => this.takeStep(tx, candidate.id, now));
        if (step) {
          taken++;
          await this.send(step);
        }
      } catch (err) {
        this.onError(err);
      }
    }
    return taken;
  }

  /** In one transaction: re-read the page, plan its next step, claim it with the conditional update, record who is paged. */
  private async takeStep(tx: Tx, id: string, now: number): Promise<Taken | null> {
    const page = await tx.paging.page(id);
    if (!page || page.state !== 'open' || page.nextFireAt === null || page.nextFireAt > now) return null;
    const desk = await this.desks.pagingDesk(page.deskId);
    if (!desk) return null;
    const already = new Set((await tx.paging.deliveries(id)).map((d) => d.officerId));
    const planned = await this.plan(desk, page.step + 1, now, already, notPaged(page));
    const exhausted = planned.step >= STEP_EXHAUSTED;
    const patch = {
      step: Math.min(planned.step, STEP_EXHAUSTED),
      state: (exhausted ? 'exhausted' : 'open') as PageState,
      nextFireAt: exhausted ? null : now + desk.ackMinutes * 60_000,
    };
    // The fire-once guard: another scheduler (or this one before a restart) took this step already.
    if (!(await tx.paging.advance(id, page.step, patch))) return null;
    const next = { ...page, ...patch };
    for (const officerId of planned.officerIds) await tx.paging.insertDelivery({ pageId: id, step: next.step, officerId, outcomes: null, at: now });
    if (exhausted) await this.audit.record(tx, auditEvents.pageExhausted(null, target(next, desk), { deskId: desk.id }));
    else await this.audit.record(tx, auditEvents.pageEscalated(null, target(next, desk), { deskId: desk.id, step: next.step, paged: planned.officerIds }));
    return { page: next, step: next.step, officerIds: planned.officerIds };
  }

  /** From `from` on, the first step with someone to page (or exhausted). */
  /** `already`: paged by an earlier step (step 1 skips them); `exclude`: never paged by this page (its requester). */
  private async plan(
    desk: PagingDesk,
    from: number,
    now: number,
    already: Set<string>,
    exclude: string | null,
    onDutyNow?: string[],
  ): Promise<{ step: number; officerIds: string[] }> {
    // Step 1 looks past everyone it must not page (else the requester's own shift would hide the next one).
    const skip = exclude === null ? already : new Set([...already, exclude]);
    for (let step = from; step < STEP_EXHAUSTED; step++) {
      const officerIds = (await this.recipients(desk, step, now, skip, onDutyNow)).filter((o) => o !== exclude);
      if (officerIds.length > 0) return { step, officerIds };
    }
    return { step: STEP_EXHAUSTED, officerIds: [] };
  }

  private async recipients(desk: PagingDesk, step: number, now: number, already: Set<string>, onDutyNow?: string[]): Promise<string[]> {
    if (step === STEP_ON_DUTY) return onDutyNow ?? (await this.desks.staffOf(desk.id, now)).officerIds;
    if (step === STEP_SUPERVISORS) return this.desks.activeOfficers(desk.supervisors);
    // STEP_NEXT: who is on duty next (the earliest upcoming shift of someone not yet paged), else the remaining members.
    const shifts = shiftsBetween(desk.rota, now, now + NEXT_SHIFT_HORIZON_MS).filter((s) => !already.has(s.officerId));
    const active = new Set(await this.desks.activeOfficers([...new Set(shifts.map((s) => s.officerId))]));
    const upcoming = shifts.filter((s) => active.has(s.officerId));
    if (upcoming.length > 0) {
      const first = upcoming[0]!.start;
      return [...new Set(upcoming.filter((s) => s.start === first).map((s) => s.officerId))];
    }
    return this.desks.activeOfficers(desk.members.filter((m) => !already.has(m)));
  }

  /** Sends one step's notifications (after its commit) and records each officer's outcomes. Never throws. */
  private async send(taken: Taken): Promise<PagedOfficer[]> {
    const { page, step, officerIds } = taken;
    const now = this.clock.now();
    const n: ContentFreeNotification = {
      v: 1,
      id: page.id,
      kind: page.reason === 'test' ? 'test' : 'page',
      priority: page.priority,
      ackRequested: page.ackRequested,
      ...(page.channelId !== null ? { channelId: page.channelId } : {}),
      deskId: page.deskId,
      at: now,
    };
    const out = await Promise.all(
      officerIds.map(async (officerId): Promise<PagedOfficer> => {
        try {
          // Quiet hours hold back a normal page; an urgent one ignores them.
          if (page.priority === 'normal' && (await this.quiet(officerId, now))) {
            await this.store.write((tx) => tx.paging.setOutcomes(page.id, step, officerId, JSON.stringify({ skipped: 'quiet_hours' })));
            return { officerId, results: [], skipped: 'quiet_hours' };
          }
          const results: DeliveryResult[] = await this.alerting.notify(officerId, n);
          await this.store.write((tx) => tx.paging.setOutcomes(page.id, step, officerId, JSON.stringify(results)));
          return { officerId, results };
        } catch (err) {
          this.onError(err);
          return { officerId, results: [] };
        }
      }),
    );
    return out;
  }

  private async quiet(officerId: string, now: number): Promise<boolean> {
    const row = await this.store.read((r) => r.alerting.settings(officerId));
    if (!row || row.quietHours === null) return false;
    return inQuietHours(JSON.parse(row.quietHours) as QuietHours, now);
  }

  // ---- reading and acknowledging ----

  async deskPages(actor: Actor, deskId: string, state?: PageState): Promise<Page[]> {
    const { desk } = await this.desks.standingOn(actor, deskId);
    // With who was paged when (the desk's own history); other views leave it out.
    const rows = await this.store.read(async (r) => {
      const list = await r.paging.pagesOfDesk(deskId, state, LIST_LIMIT);
      return Promise.all(list.map(async (row) => ({ row, deliveries: await r.paging.deliveries(row.id) })));
    });
    return rows.map(({ row, deliveries }) => ({ ...view(row, desk), paged: deliveries.map(pagedView) }));
  }

  async mine(actor: Actor): Promise<Page[]> {
    const rows = await this.store.read((r) => r.paging.openPagesFor(actor.officerId, LIST_LIMIT));
    const out: Page[] = [];
    for (const row of rows) out.push(view(row, await this.desks.pagingDesk(row.deskId)));
    return out;
  }

  /** The officers it reached, the desk's people and the requester see a page; everyone else gets 404. */
  async get(actor: Actor, id: string): Promise<Page> {
    const { page, desk } = await this.visible(actor, id, true);
    return view(page, desk);
  }

  /** Stops the ladder. Idempotent on an acknowledged page; 409 page_closed when exhausted or cancelled. */
  async ack(actor: Actor, id: string): Promise<Page> {
    const { desk } = await this.visible(actor, id, false);
    return this.store.write(async (tx) => {
      const page = await tx.paging.page(id);
      if (!page) throw new NotFoundError('Page');
      if (page.state === 'acknowledged') return view(page, desk);
      if (page.state !== 'open') throw new ConflictError(`The page is ${page.state}`, 'page_closed');
      return view((await this.acknowledgeIn(tx, id, actor, 'page'))!, desk);
    });
  }

  /**
   * Acknowledges an open page in the caller's transaction, audited as `page.acknowledged` with `via`:
   * the page itself (`page`), a receipt for its message (`receipt`), or a claimed desk request (`claim`).
   * No visibility check: the caller decided the actor may. Null when it was not open.
   */
  async acknowledgeIn(tx: Tx, id: string, actor: Actor, via: 'page' | 'receipt' | 'claim' = 'claim'): Promise<PageRow | null> {
    const page = await tx.paging.page(id);
    if (!page || page.state !== 'open') return null;
    const now = this.clock.now();
    if (!(await tx.paging.acknowledge(id, actor.officerId, now))) return null;
    const acked: PageRow = { ...page, state: 'acknowledged', ackedAt: now, ackedBy: actor.officerId, nextFireAt: null };
    const desk = await this.desks.pagingDesk(page.deskId);
    await this.audit.record(tx, auditEvents.pageAcknowledged(actor, target(acked, desk), { deskId: page.deskId, step: page.step, via }));
    return acked;
  }

  /** Whether the actor may acknowledge the page: it reached them, or they are the desk's people (read in `tx`). */
  async mayAcknowledge(tx: Tx, page: PageRow, actor: Actor): Promise<boolean> {
    if ((await tx.paging.deliveries(page.id)).some((d) => d.officerId === actor.officerId)) return true;
    const desk = await this.desks.pagingDesk(page.deskId);
    return desk !== undefined && this.onDesk(actor, desk);
  }

  /** A page the caller may see: they were paged by it, are the desk's people, or (when `requester`) asked for it. */
  private async visible(actor: Actor, id: string, requester: boolean): Promise<{ page: PageRow; desk: PagingDesk | undefined }> {
    const found = await this.store.read(async (r) => {
      const page = await r.paging.page(id);
      return page ? { page, deliveries: await r.paging.deliveries(id) } : undefined;
    });
    if (!found) throw new NotFoundError('Page');
    const { page, deliveries } = found;
    const desk = await this.desks.pagingDesk(page.deskId);
    if (deliveries.some((d) => d.officerId === actor.officerId)) return { page, desk };
    if (requester && page.requesterId === actor.officerId) return { page, desk };
    if (desk && this.onDesk(actor, desk)) return { page, desk };
    throw new NotFoundError('Page');
  }

  private onDesk(actor: Actor, desk: PagingDesk): boolean {
    if (desk.members.includes(actor.officerId) || desk.supervisors.includes(actor.officerId)) return true;
    return isAdmin(actor) && actor.agencyId === desk.agencyId;
  }
}

/** Whom a page never pages: its requester (the sender of the message, the officer asking), except on a test page. */
function notPaged(page: Pick<PageRow, 'reason' | 'requesterId'>): string | null {
  return page.reason === 'test' ? null : page.requesterId;
}

function target(page: { id: string }, desk: { agencyId: string } | undefined): AuditTarget {
  return { type: 'page', id: page.id, agencyId: desk?.agencyId ?? null };
}

/** The page as the API shows it; the desk's phone number once the ladder is exhausted. */
function view(row: PageRow, desk: PagingDesk | undefined): Page {
  return {
    id: row.id,
    deskId: row.deskId,
    priority: row.priority,
    ackRequested: row.ackRequested,
    channelId: row.channelId,
    reason: row.reason,
    createdAt: row.createdAt,
    step: row.step,
    state: row.state,
    nextFireAt: row.nextFireAt,
    ackedAt: row.ackedAt,
    ackedBy: row.ackedBy,
    deskPhone: row.state === 'exhausted' && desk ? desk.phone : null,
  };
}

/** A delivery row as the desk's history shows it: outcomes are DeliveryResult[] JSON, {"skipped":…}, or null while sending. */
function pagedView(d: PageDeliveryRow): PageDelivery {
  const base = { step: d.step, officerId: d.officerId, at: d.at };
  if (d.outcomes === null) return { ...base, results: [] };
  const parsed = JSON.parse(d.outcomes) as DeliveryResult[] | { skipped: 'quiet_hours' };
  return Array.isArray(parsed) ? { ...base, results: parsed } : { ...base, results: [], skipped: parsed.skipped };
}

/** Runs the paging scheduler on an interval (unref'd); on close it stops and waits for deliveries in flight. */
export function schedulePaging(app: FastifyInstance): void {
  const paging = app.ctx.paging;
  paging.onError = (err) => app.log.error({ errName: err instanceof Error ? err.name : typeof err }, 'paging failed');
  const tick = oneNodeAtATime(app.ctx.store.cluster, JOB_LOCK.paging, () => paging.tick());
  const timer = setInterval(() => void tick(), PAGING_TICK_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await paging.settle();
  });
}
