import pg from 'pg';

/**
 * Bench-only memory probe for child server processes (never imported by production code): when the
 * process has an IPC channel and was started with `--expose-gc`, a 'memory' message runs several full
 * garbage collections (across turns, so finalizers and weak maps settle) and answers with
 * process.memoryUsage().
 */
export function installMemoryProbe(): void {
  if (!process.send) return;
  // PostgreSQL round trips: every statement (or simple multi-statement query) the process sends goes
  // through pg.Client#query, the pool's included; a 'pg-queries' message answers with the count so far.
  let pgQueries = 0;
  const query = pg.Client.prototype.query;
  // The wrapper forwards whatever overload it was called with; pg's overloads do not fit one signature.
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    pgQueries++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  };
  process.on('message', (msg: unknown) => {
    if (msg === 'pg-queries') {
      process.send!({ pgQueries });
      return;
    }
    if (msg !== 'memory') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) {
      process.send!({ error: 'memory probe: start the process with --expose-gc' });
      return;
    }
    let n = 0;
    const step = (): void => {
      gc();
      if (++n < 4) setTimeout(step, 100);
      else process.send!({ memory: process.memoryUsage() });
    };
    step();
  });
  // The channel must not keep the server alive on its own (SIGTERM shutdown exits anyway).
  process.channel?.unref();
}
