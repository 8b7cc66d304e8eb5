import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { FastifyPluginAsync } from 'fastify';

const NS_PER_S = 1e9;

/**
 * Prometheus text exposition of process health. The event-loop delay histogram covers the time
 * since the previous scrape (it resets on every scrape), so a scrape before and after a load test
 * brackets exactly that load.
 */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  app.addHook('onClose', async () => loop.disable());
  let requests = 0;
  app.addHook('onResponse', async () => {
    requests++;
  });

  app.get('/metrics', { config: { auth: false, rateLimit: false }, schema: { tags: ['health'], security: [], hide: true } }, async (_req, reply) => {
    const mem = process.memoryUsage();
    const q = (p: number) => (loop.count > 0 ? loop.percentile(p) / NS_PER_S : 0);
    const lines = [
      '# HELP liaison_event_loop_delay_seconds Event-loop delay since the previous scrape.',
      '# TYPE liaison_event_loop_delay_seconds summary',
      `liaison_event_loop_delay_seconds{quantile="0.5"} ${q(50)}`,
      `liaison_event_loop_delay_seconds{quantile="0.99"} ${q(99)}`,
      `liaison_event_loop_delay_seconds{quantile="1"} ${loop.count > 0 ? loop.max / NS_PER_S : 0}`,
      '# HELP liaison_http_requests_total HTTP responses sent.',
      '# TYPE liaison_http_requests_total counter',
      `liaison_http_requests_total ${requests}`,
      '# HELP liaison_process_resident_memory_bytes Resident set size.',
      '# TYPE liaison_process_resident_memory_bytes gauge',
      `liaison_process_resident_memory_bytes ${mem.rss}`,
      `liaison_process_heap_used_bytes ${mem.heapUsed}`,
      '',
    ];
    loop.reset();
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n'));
  });
};

/** Reads one sample (`name` including any labels) from Prometheus text. */
export function parseMetric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
