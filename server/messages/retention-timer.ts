import type { FastifyInstance } from 'fastify';

/** Runs the retention sweeper on an interval (unref'd, stopped on close); 0 disables it. */
export function scheduleRetention(app: FastifyInstance): void {
  const every = app.ctx.config.messaging.retentionSweepMs;
  if (every <= 0) return;
  const sweep = async () => {
    try {
      const r = await app.ctx.messages.sweepExpired(app.ctx.clock.now());
      if (r.messages > 0 || r.attachments > 0) app.log.info({ sweep: r }, 'retention sweep');
    } catch (err) {
      app.log.error({ err }, 'retention sweep failed');
    }
  };
  const timer = setInterval(() => void sweep(), every);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
