/**
 * The server process the fault suites start: `server/main.ts` without its start-up web-app build
 * (a SIGKILL in the middle of a Vite build would leave a half-written client/web/dist behind).
 * Start, listen and graceful shutdown are main.ts's own (`serve`).
 */
import { loadConfig } from '../../server/config.ts';
import { serve } from '../../server/serve.ts';

const config = loadConfig();
await serve(config);
console.log(`fault-suite server listening on ${config.publicUrl} (pid ${process.pid})`);
