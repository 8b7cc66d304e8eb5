import type { AppConfig } from '../../server/config.ts';
import type { Account } from '../world/world.ts';
import { bearer, makeApp, worldOf, type TestApp } from '../world/app.ts';
import { rawDb } from '../world/db.ts';

/** Put in every name the server knows about the officer; a notification must never carry it. */
export const MARKER = 'ZQX-MARKER-5150';

export { LogCapture } from '../world/log-capture.ts';

export interface AlertingWorld extends TestApp {
  officer: Account;
  other: Account;
  headers: Record<string, string>;
}

/** An app with the given alerting config, an agency and two officers whose names carry MARKER. */
export async function alertingWorld(opts: { alerting?: Partial<AppConfig['alerting']>; config?: Partial<AppConfig>; logStream?: NodeJS.WritableStream } = {}): Promise<AlertingWorld> {
  const t = await makeApp({
    config: { alerting: { timeoutMs: 5_000, ...opts.alerting }, ...opts.config },
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
  const w = worldOf(t);
  const agency = await w.agency({ name: `Policia ${MARKER}`, country: 'PT', admin: 'pt-admin', adminDisplayName: `Admin ${MARKER}` });
  const officer = await w.officer(agency, 'ana.silva', `Ana ${MARKER} Silva`);
  const other = await w.officer(agency, 'rui.costa', `Rui ${MARKER} Costa`);
  return { ...t, officer, other, headers: bearer(officer.tokens) };
}

export function auditRows(t: TestApp, actionPrefix: string): { action: string; actor: string | null; target: string | null; outcome: string; details: string }[] {
  return rawDb(t.app)
    .prepare(`SELECT action, actor_id AS actor, target_id AS target, outcome, details FROM audit_events WHERE action LIKE ? ORDER BY seq`)
    .all(`${actionPrefix}%`) as { action: string; actor: string | null; target: string | null; outcome: string; details: string }[];
}
