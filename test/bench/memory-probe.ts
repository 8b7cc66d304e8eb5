/**
 * Bench-only memory probe for child server processes (never imported by production code): when the
 * process has an IPC channel and was started with `--expose-gc`, a 'memory' message runs several full
 * garbage collections (across turns, so finalizers and weak maps settle) and answers with
 * process.memoryUsage().
 */
export function installMemoryProbe(): void {
  if (!process.send) return;
  process.on('message', (msg: unknown) => {
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
