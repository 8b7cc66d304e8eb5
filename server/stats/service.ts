import { STALE_AFTER_MS } from '../../shared/directory/vocabulary.ts';
import { STATS_REPORT_LABEL, type SignedStatsReport } from '../../shared/crypto/stats-report.ts';
import type { AgencyStats, NetworkStats } from '../../shared/schemas/stats.ts';
import { auditEvents } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import { isAdmin, type Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { statsCsv } from './csv.ts';
import { countryPairs, plain, responseTimes, sideFigures, suppress, yearPeriod } from './figures.ts';

/** Default k: counts 1..4 are suppressed (STATS_MIN_COUNT). */
export const DEFAULT_STATS_MIN_COUNT = 5;

export interface StatsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  /** k of docs/STATS.md "Small counts". */
  minCount: number;
}

export type StatsFormat = 'json' | 'csv';

/** Statistics without content (docs/STATS.md): computed on demand from the metadata the server holds. */
export class StatsService {
  constructor(private readonly deps: StatsDeps) {}

  /** The agency's figures: its administrators only (another agency's are not found, as for its overdue board). */
  async agency(actor: Actor, agencyId: string, year: number | undefined, format: StatsFormat): Promise<AgencyStats | string> {
    if (actor.agencyId !== agencyId) throw new NotFoundError('Agency');
    if (!isAdmin(actor)) throw new ForbiddenError("Only the agency's administrators see its statistics");
    const stats = await this.agencyStats(agencyId, year ?? this.currentYear());
    await this.audited(actor, { type: 'agency', id: agencyId }, 'agency', stats.year, format);
    return format === 'csv' ? statsCsv(stats) : stats;
  }

  /** The network's figures: the secretariat's platform administrators only. */
  async network(actor: Actor, year: number | undefined, format: StatsFormat): Promise<NetworkStats | string> {
    this.secretariatOnly(actor);
    const stats = await this.networkStats(year ?? this.currentYear());
    await this.audited(actor, null, 'network', stats.year, format);
    return format === 'csv' ? statsCsv(stats) : stats;
  }

  /** The network's figures as JSON text signed with the audit key. */
  async signedReport(actor: Actor, year: number | undefined): Promise<SignedStatsReport> {
    this.secretariatOnly(actor);
    const stats = await this.networkStats(year ?? this.currentYear());
    const report = JSON.stringify(stats);
    const { signature, publicKey } = this.deps.audit.signStatsReport(report);
    await this.deps.store.write(async (tx) => {
      await this.deps.audit.record(tx, auditEvents.statsExported(actor, null, { scope: 'network', year: stats.year, format: 'signed-json' }));
    });
    return { report, label: STATS_REPORT_LABEL, algorithm: 'ed25519', signature, publicKey };
  }

  private secretariatOnly(actor: Actor): void {
    if (actor.role !== 'platform_admin') throw new ForbiddenError("Only the secretariat's platform administrators see the network's statistics");
  }

  /** The year a request without `year` reports on: the clock's, in UTC. */
  currentYear(): number {
    return new Date(this.deps.clock.now()).getUTCFullYear();
  }

  private async audited(actor: Actor, target: { type: string; id: string } | null, scope: 'agency' | 'network', year: number, format: StatsFormat): Promise<void> {
    await this.deps.store.write(async (tx) => {
      await this.deps.audit.record(
        tx,
        format === 'csv' ? auditEvents.statsExported(actor, target, { scope, year, format: 'csv' }) : auditEvents.statsViewed(actor, target, { scope, year }),
      );
    });
  }

  async agencyStats(agencyId: string, year: number): Promise<AgencyStats> {
    const { from, to } = yearPeriod(year);
    const now = this.deps.clock.now();
    const k = this.deps.minCount;
    const { rows, health } = await this.deps.store.read(async (r) => ({
      rows: await r.stats.requestsIn(from, to, agencyId),
      health: await this.health(r.stats, from, to, agencyId, now),
    }));
    const received = rows.filter((r) => r.requestedAgencyId === agencyId);
    const sent = rows.filter((r) => r.requesterAgencyId === agencyId);
    return {
      scope: 'agency',
      agencyId,
      year,
      from,
      to,
      generatedAt: now,
      minCount: k,
      asRequested: sideFigures(received, (r) => r.requesterCountry, now, k),
      asRequesting: sideFigures(sent, (r) => r.requestedCountry, now, k),
      countryPairs: countryPairs(rows, k),
      responseTimes: responseTimes(received, k),
      directoryHealth: health,
    };
  }

  async networkStats(year: number): Promise<NetworkStats> {
    const { from, to } = yearPeriod(year);
    const now = this.deps.clock.now();
    const k = this.deps.minCount;
    const { rows, health } = await this.deps.store.read(async (r) => ({
      rows: await r.stats.requestsIn(from, to, null),
      health: await this.health(r.stats, from, to, null, now),
    }));
    const perAgency = new Map<string, { sent: number; received: number }>();
    const bump = (id: string, side: 'sent' | 'received') => {
      const e = perAgency.get(id) ?? { sent: 0, received: 0 };
      e[side]++;
      perAgency.set(id, e);
    };
    for (const r of rows) {
      bump(r.requesterAgencyId, 'sent');
      bump(r.requestedAgencyId, 'received');
    }
    return {
      scope: 'network',
      year,
      from,
      to,
      generatedAt: now,
      minCount: k,
      requests: sideFigures(rows, (r) => r.requesterCountry, now, k),
      agencies: [...perAgency.keys()].sort().map((id) => ({ agencyId: id, sent: suppress(perAgency.get(id)!.sent, k), received: suppress(perAgency.get(id)!.received, k) })),
      countryPairs: countryPairs(rows, k),
      responseTimes: responseTimes(rows, k),
      directoryHealth: health,
    };
  }

  private async health(stats: Parameters<Parameters<Store['read']>[0]>[0]['stats'], from: number, to: number, agencyId: string | null, now: number) {
    return {
      staleEntries: plain(await stats.staleEntries(agencyId, now - STALE_AFTER_MS)),
      desksTestUnacknowledged: plain(await stats.desksWithUnacknowledgedTest(agencyId)),
      exhaustedPages: plain(await stats.exhaustedPages(from, to, agencyId)),
    };
  }
}
