import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/notifications.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

/** Test notifications per client address per minute: each one reaches real phones, mailboxes and gateways. */
export const TEST_NOTIFICATIONS_PER_MINUTE = 5;

export const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.vapidPublicKey, async (req) => {
    actorOf(req);
    return { publicKey: ctx.alerting.vapidPublicKey };
  });

  route(app, contracts.subscribe, async (req, reply) => {
    const { subscription, created } = await ctx.alerting.subscribe(actorOf(req), req.body);
    return reply.status(created ? 201 : 200).send({ subscription });
  });

  route(app, contracts.subscriptions, async (req) => ({ subscriptions: await ctx.alerting.subscriptions(actorOf(req)) }));

  route(app, contracts.unsubscribe, async (req) => {
    await ctx.alerting.unsubscribe(actorOf(req), req.params.id);
    return { ok: true as const };
  });

  route(app, contracts.settings, async (req) => ctx.alerting.settings(actorOf(req)));

  route(app, contracts.putSettings, async (req) => ctx.alerting.putSettings(actorOf(req), req.body));

  route(app, contracts.test, { config: { rateLimit: { max: TEST_NOTIFICATIONS_PER_MINUTE, timeWindow: 60_000 } } }, async (req) => ({
    results: await ctx.alerting.sendTest(actorOf(req)),
  }));
};
