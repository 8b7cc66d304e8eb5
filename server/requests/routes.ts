import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/requests.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';
import { JOB_LOCK, oneNodeAtATime } from '../store/cluster.ts';

/** How often the deadline reminders are looked for (the injected clock decides what is due). */
export const REQUEST_REMINDER_TICK_MS = 60_000;

export const requestsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.list, async (req) => ({ requests: await ctx.requests.list(actorOf(req), req.query) }));

  route(app, contracts.get, async (req) => ctx.requests.get(actorOf(req), req.params.id));

  route(app, contracts.deskOverdue, async (req) => ({ requests: await ctx.requests.deskOverdue(actorOf(req), req.params.id) }));

  route(app, contracts.agencyOverdue, async (req) => ({ requests: await ctx.requests.agencyOverdue(actorOf(req), req.params.id) }));

  route(app, contracts.getSettings, async (req) => ctx.requests.settings(actorOf(req), req.params.id));

  route(app, contracts.putSettings, async (req) => ctx.requests.updateSettings(actorOf(req), req.params.id, req.body));

  route(app, contracts.submitSpocCopy, async (req, reply) => {
    const actor = actorOf(req);
    const deskId = await ctx.requests.spocDeskFor(actor, req.params.id);
    return reply.status(201).send(await ctx.intake.submitCopy(actor, deskId, req.body.request));
  });
};

/** The deadline reminders (docs/REQUESTS.md "Reminders"): one pass a minute on the writable node. */
export function scheduleRequestReminders(app: FastifyInstance): void {
  const requests = app.ctx.requests;
  requests.onError = (err) => app.log.error({ errName: err instanceof Error ? err.name : typeof err }, 'request reminder failed');
  const tick = oneNodeAtATime(app.ctx.store.cluster, JOB_LOCK.requestReminders, () => requests.tick());
  const timer = setInterval(() => void tick(), REQUEST_REMINDER_TICK_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await requests.settle();
  });
}
