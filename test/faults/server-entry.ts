/**
 * The server process the fault suites start: `server/main.ts` without its start-up web-app build.
 * main.ts (re)builds client/web/dist with Vite when the bundle is stale; in a shared checkout that
 * build races with other engineers' edits, and a SIGKILL in the middle of it would leave a
 * half-written dist behind. The API server itself is the same: loadConfig → buildApp → listen, and
 * the same graceful SIGTERM/SIGINT shutdown.
 */
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

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
await app.listen({ port: config.port, host: config.host });
console.log(`fault-suite server listening on ${config.publicUrl} (pid ${process.pid})`);
