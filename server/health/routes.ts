import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/health.ts';
import { route } from '../http/route.ts';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Probes are polled by orchestrators: never throttled.
  const options = { config: { rateLimit: false as const } };

  route(app, contracts.live, options, async () => ({ status: 'ok' }));

  route(app, contracts.ready, options, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await app.ctx.store.ping();
      checks.database = 'ok';
      checks.migrations = (await app.ctx.store.migrationsUpToDate()) ? 'ok' : 'pending';
    } catch {
      checks.database = 'unreachable';
    }
    const ok = checks.database === 'ok' && checks.migrations === 'ok';
    if (!ok) {
      return reply.status(503).send({ error: { code: 'not_ready', message: `Not ready: ${JSON.stringify(checks)}` } });
    }
    return { status: 'ready', checks };
  });
};
