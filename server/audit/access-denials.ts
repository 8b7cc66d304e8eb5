import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { ConcealedDenialError, ForbiddenError } from '../errors.ts';
import type { AuditService } from './service.ts';
import { auditEvents } from './actions.ts';

const WINDOW_MS = 60_000;

/** Where the refused attempt came from: `GET /api/v1/channels/:id` or `socket send`, and the id it named. */
export interface DeniedAttempt {
  route: string;
  targetId: string | null;
}

interface Window {
  start: number;
  recorded: number;
  suppressed: number;
  agencyId: string;
  ip: string | null;
}

/** The reason code when `err` is an authorisation refusal (403, or a 404 that hides one); null otherwise. */
export function denialReason(err: unknown): { reason: string; resource: string | null } | null {
  if (err instanceof ConcealedDenialError) return { reason: err.reason, resource: err.resource };
  if (err instanceof ForbiddenError) return { reason: err.code, resource: null };
  return null;
}

/**
 * Records refused access attempts of signed-in officers (CJIS 5.4.1.1) as `access.denied`, at most
 * `perMinute` per officer per minute; the rest of that minute becomes one `access.denied_suppressed`
 * event with the count, so an attacker cannot flood the audit trail. The response the caller gets is
 * unchanged.
 */
export class AccessDenialAuditor {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {}

  /** Audits `err` if it is an authorisation refusal; returns whether it was one. */
  async fromError(actor: Actor, err: unknown, attempt: DeniedAttempt): Promise<boolean> {
    const denial = denialReason(err);
    if (!denial) return false;
    const now = this.clock.now();
    await this.flush(now);
    let w = this.windows.get(actor.officerId);
    if (!w) {
      w = { start: now, recorded: 0, suppressed: 0, agencyId: actor.agencyId, ip: actor.ip };
      this.windows.set(actor.officerId, w);
    }
    if (w.recorded >= this.perMinute) {
      w.suppressed++;
      return true;
    }
    w.recorded++;
    // Recorded under the officer's own agency (the actor's, the builder's default): their administrators
    // see what they tried (platform admins see all).
    const target = { type: denial.resource, id: attempt.targetId };
    await this.audit.recordAlone(auditEvents.accessDenied(actor, target, { route: attempt.route, reason: denial.reason }, 'denied'));
    return true;
  }

  /** Writes the summary of every window that has ended (all of them when `all`, e.g. at shutdown). */
  async flush(now: number = this.clock.now(), all = false): Promise<void> {
    for (const [officerId, w] of this.windows) {
      if (!all && now - w.start < WINDOW_MS) continue;
      this.windows.delete(officerId);
      if (w.suppressed === 0) continue;
      const details = { suppressed: w.suppressed, windowStart: w.start, windowMs: WINDOW_MS, recorded: w.recorded };
      await this.audit.recordAlone(auditEvents.accessDeniedSuppressed({ officerId, agencyId: w.agencyId, ip: w.ip }, null, details, 'denied'));
    }
  }
}
