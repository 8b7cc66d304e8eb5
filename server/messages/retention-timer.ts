import type { FastifyInstance } from 'fastify';
import { JOB_LOCK, oneNodeAtATime } from '../store/cluster.ts';

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
  const tick = oneNodeAtATime(app.ctx.store.cluster, JOB_LOCK.retention, sweep);
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
