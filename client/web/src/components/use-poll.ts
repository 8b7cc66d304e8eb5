import { useEffect } from 'preact/hooks';

/**
 * Runs `fn` now and every `ms` while the component is mounted, skipping beats while the tab is hidden (one runs
 * when it shows again). Failures are left to the next beat: a poll must never break the screen.
 */
export function usePoll(fn: () => Promise<unknown>, ms: number): void {
  useEffect(() => {
    const run = () => {
      if (!document.hidden) void fn().catch(() => undefined);
    };
    run();
    const timer = setInterval(run, ms);
    document.addEventListener('visibilitychange', run);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', run);
    };
  }, [ms]);
}
