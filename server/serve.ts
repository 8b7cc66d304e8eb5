import { buildApp, type App } from './app.ts';
import type { AppConfig } from './config.ts';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Builds the app, listens, and shuts down gracefully on SIGINT/SIGTERM: stop accepting, let in-flight
 * requests finish, then the onClose hooks close the database. Used by `server/main.ts` and by the
 * test and benchmark server processes, so they exercise the same start and stop path.
 */
export async function serve(config: AppConfig): Promise<App> {
  const app = await buildApp(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  return app;
}
