import type { LiaisonClient, SecurityNotice } from '../../client/sdk/index.ts';
import { listen, type Host } from '../world/network.ts';
import { makeApp, type TestApp } from '../world/app.ts';
import type { AppConfig } from '../../server/config.ts';

/** A test app (closed after the test) listening on a random loopback port. */
export async function startHost(opts: { logStream?: NodeJS.WritableStream; config?: Partial<AppConfig> } = {}): Promise<Host & { t: TestApp }> {
  const t = await makeApp({ ...(opts.logStream ? { logStream: opts.logStream } : {}), ...(opts.config ? { config: opts.config } : {}) });
  const baseUrl = await listen(t.app);
  return { t, app: t.app, clock: t.clock, baseUrl };
}

/** Collects a client's `security` events. */
export function securityLog(client: LiaisonClient): SecurityNotice[] {
  const out: SecurityNotice[] = [];
  client.on('security', (e) => out.push(e));
  return out;
}
