/**
 * The Liaison server process the benches start: `server/main.ts` without its start-up web-app build
 * (start, listen and graceful shutdown are main.ts's own `serve`), plus the bench-only memory probe
 * (test/bench/memory-probe.ts) when started with an IPC channel.
 */
import { loadConfig } from '../../server/config.ts';
import { serve } from '../../server/serve.ts';
import { installMemoryProbe } from './memory-probe.ts';

const config = loadConfig();
await serve(config);
installMemoryProbe();
process.stdout.write(`bench server listening on ${config.publicUrl} (pid ${process.pid})\n`);
