import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../shared/schemas/common.ts';

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const opts = { config: { auth: false, rateLimit: false as const }, schema: { tags: ['health'], security: [] } };

  app.get('/health/live', { ...opts, schema: { ...opts.schema, response: { 200: Health } } }, async () => ({ status: 'ok' }));

  app.get(
    '/health/ready',
    { ...opts, schema: { ...opts.schema, response: { 200: Health, ...errorResponses(503) } } },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        app.ctx.store.ping();
        checks.database = 'ok';
        checks.migrations = app.ctx.store.migrationsUpToDate() ? 'ok' : 'pending';
      } catch {
        checks.database = 'unreachable';
      }
      const ok = checks.database === 'ok' && checks.migrations === 'ok';
      if (!ok) {
        return reply.status(503).send({ error: { code: 'not_ready', message: `Not ready: ${JSON.stringify(checks)}` } });
      }
      return { status: 'ready', checks };
    },
  );
};
