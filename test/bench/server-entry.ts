/**
 * The Liaison server process the benches start: `server/main.ts` without its start-up web-app build
 * (as test/faults/server-entry.ts: in a shared checkout that Vite build would race with other
 * engineers' edits), plus the bench-only memory probe (test/bench/memory-probe.ts) when started with
 * an IPC channel. loadConfig → buildApp → listen, graceful SIGTERM/SIGINT shutdown.
 */
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { installMemoryProbe } from './memory-probe.ts';

const config = loadConfig();
const app = await buildApp(config);
let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
installMemoryProbe();
await app.listen({ port: config.port, host: config.host });
process.stdout.write(`bench server listening on ${config.publicUrl} (pid ${process.pid})\n`);
