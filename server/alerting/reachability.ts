import type { FastifyInstance } from 'fastify';
import { shiftsBetween, type Rota } from '../../shared/desks/rota.ts';
import type { ReachabilityNumbers, ReachabilityReport } from '../../shared/schemas/pages.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import { auditEvents, type AuditActor } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { DesksService, PagingDesk } from '../desks/service.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { ReachabilityReportRow } from './paging-repository.ts';
import { reachabilityMail } from './render.ts';
import type { AlertingService } from './service.ts';
import { JOB_LOCK, oneNodeAtATime } from '../store/cluster.ts';

/** How often the scheduler looks for desks whose last period has no report yet. */
export const REACHABILITY_TICK_MS = 60_000;
export const DEFAULT_REPORT_HOURS = 24;
/** Desks reported per tick at most (the rest on the next tick). */
const BATCH = 100;
const LIST_LIMIT = 100;
const HOUR_MS = 3_600_000;

export interface ReachabilityDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  desks: Pick<DesksService, 'pagingDesk' | 'standingOn' | 'activeOfficers'>;
  alerting: Pick<AlertingService, 'transportsOf' | 'mailTo'>;
  /** REACHABILITY_REPORT_HOURS. */
  periodHours?: number;
}

/**
 * Periodic reachability reports per desk (docs/DESKS.md "Reachability reports"). Periods are aligned
 * to multiples of the period since the epoch (UTC midnights for 24 h). A scheduler (every minute; the
 * injected Clock decides what is due) reports each desk's last completed period once: the report row
 * is unique per desk and period end, so of two schedulers (two nodes, a restarted process) one insert
 * wins, and only the winner audits and e-mails, after its commit.
 */
export class ReachabilityService {
  onError: (err: unknown) => void = () => {};

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly desks: ReachabilityDeps['desks'];
  private readonly alerting: ReachabilityDeps['alerting'];
  readonly periodMs: number;
  private running: Promise<unknown> = Promise.resolve();

  constructor(deps: ReachabilityDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.desks = deps.desks;
    this.alerting = deps.alerting;
    this.periodMs = (deps.periodHours ?? DEFAULT_REPORT_HOURS) * HOUR_MS;
  }

  /** Reports every desk's last completed period that has no report yet; resolves with how many this call stored. */
  tick(): Promise<number> {
    const run = this.running.then(() => this.runDue());
    this.running = run.catch(() => undefined);
    return run;
  }

  async settle(): Promise<void> {
    await this.running;
  }

  /** The desk's reports whose period ends in (from, to], newest first (the desk's people). */
  async list(actor: Actor, deskId: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<ReachabilityReport[]> {
    if (to <= from) throw new ValidationError('`to` must be after `from`', 'invalid_window');
    await this.desks.standingOn(actor, deskId);
    const rows = await this.store.read((r) => r.paging.reports(deskId, from, to, LIST_LIMIT));
    return rows.map(view);
  }

  /** A report for the period that ends now (supervisors and administrators), stored, audited and e-mailed. */
  async run(actor: Actor, deskId: string): Promise<ReachabilityReport> {
    const { standing } = await this.desks.standingOn(actor, deskId);
    if (standing === 'member') throw new ForbiddenError("Only the desk's supervisors and agency administrators run a reachability report");
    const end = this.clock.now();
    const report = await this.report(deskId, end - this.periodMs, end, false, actor);
    // Unscheduled reports never collide; the desk exists (standingOn), so this is not null.
    return report!;
  }

  private async runDue(): Promise<number> {
    const end = Math.floor(this.clock.now() / this.periodMs) * this.periodMs;
    const deskIds = await this.store.read((r) => r.paging.desksWithoutReport(end, BATCH));
    let stored = 0;
    for (const deskId of deskIds) {
      try {
        if (await this.report(deskId, end - this.periodMs, end, true, null)) stored++;
      } catch (err) {
        this.onError(err);
      }
    }
    return stored;
  }

  /** Computes, stores (once, for a scheduled period), audits, then e-mails the supervisors. Null when another scheduler stored it. */
  private async report(deskId: string, start: number, end: number, scheduled: boolean, actor: AuditActor): Promise<ReachabilityReport | null> {
    const desk = await this.desks.pagingDesk(deskId);
    if (!desk) return null;
    const numbers = await this.compute(desk, start, end);
    const supervisors = await this.desks.activeOfficers(desk.supervisors);
    const row: ReachabilityReportRow = {
      id: newId(),
      deskId,
      periodStart: start,
      periodEnd: end,
      scheduled,
      report: JSON.stringify(numbers),
      createdAt: this.clock.now(),
      createdBy: actor?.officerId ?? null,
    };
    const stored = await this.store.write(async (tx) => {
      if (!(await tx.paging.insertReport(row))) return false;
      await this.audit.record(
        tx,
        auditEvents.deskReachabilityReported(actor, { type: 'desk', id: deskId, agencyId: desk.agencyId }, {
          reportId: row.id,
          periodStart: start,
          periodEnd: end,
          scheduled,
          pagesOpened: numbers.pagesOpened,
          acknowledged: numbers.acknowledged,
          exhausted: numbers.exhausted,
          supervisors: supervisors.length,
        }),
      );
      return true;
    });
    if (!stored) return null;
    const report = view(row);
    // After the commit: a crash here loses the e-mails, never repeats them (the report is stored).
    await Promise.all(supervisors.map((id) => this.alerting.mailTo(id, (publicUrl) => reachabilityMail(report, publicUrl))));
    return report;
  }

  /** The numbers of one desk over [start, end), from its pages, its people's transports and its rota. */
  async compute(desk: PagingDesk, start: number, end: number): Promise<ReachabilityNumbers> {
    const pages = await this.store.read((r) => r.paging.pagesOpenedBetween(desk.id, start, end));
    const real = pages.filter((p) => p.reason !== 'test');
    const ackTimes = real.filter((p) => p.state === 'acknowledged' && p.ackedAt !== null).map((p) => p.ackedAt! - p.createdAt);
    const people = await this.desks.activeOfficers([...new Set([...desk.members, ...desk.supervisors])]);
    const unreachable: string[] = [];
    for (const officerId of people) {
      const t = await this.alerting.transportsOf(officerId);
      if (!t.push && !t.email) unreachable.push(officerId);
    }
    return {
      pagesOpened: real.length,
      acknowledged: real.filter((p) => p.state === 'acknowledged').length,
      exhausted: real.filter((p) => p.state === 'exhausted').length,
      cancelled: real.filter((p) => p.state === 'cancelled').length,
      stillOpen: real.filter((p) => p.state === 'open').length,
      medianAckMs: percentile(ackTimes, 50),
      p90AckMs: percentile(ackTimes, 90),
      testPages: pages
        .filter((p) => p.reason === 'test')
        .map((p) => ({ pageId: p.id, createdAt: p.createdAt, acknowledged: p.state === 'acknowledged', ackMs: p.ackedAt === null ? null : p.ackedAt - p.createdAt })),
      officersWithoutTransport: unreachable,
      uncoveredHours: Math.round((uncoveredMs(desk.rota, start, end) / HOUR_MS) * 100) / 100,
    };
  }
}

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Milliseconds of [start, end) in which the rota has nobody on duty (overlapping shifts merged). */
export function uncoveredMs(rota: Rota, start: number, end: number): number {
  const shifts = shiftsBetween(rota, start, end)
    .map((s) => [Math.max(s.start, start), Math.min(s.end, end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = start;
  for (const [a, b] of shifts) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return end - start - covered;
}

function view(row: ReachabilityReportRow): ReachabilityReport {
  return {
    id: row.id,
    deskId: row.deskId,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    scheduled: row.scheduled,
    createdAt: row.createdAt,
    numbers: JSON.parse(row.report) as ReachabilityNumbers,
  };
}

/** Runs the report scheduler on an interval (unref'd); on close it stops and waits for the report in progress. */
export function scheduleReachability(app: FastifyInstance): void {
  const reachability = app.ctx.reachability;
  reachability.onError = (err) => app.log.error({ errName: err instanceof Error ? err.name : typeof err }, 'reachability report failed');
  const tick = oneNodeAtATime(app.ctx.store.cluster, JOB_LOCK.reachability, () => reachability.tick());
  const timer = setInterval(() => void tick(), REACHABILITY_TICK_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await reachability.settle();
  });
}
