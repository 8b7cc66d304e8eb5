import type { ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/i18n.ts';

export interface LazyComponent<P> extends FunctionComponent<P> {
  /** Starts loading the component's chunk (once); resolves when it is ready. */
  preload(): Promise<unknown>;
}

/**
 * A component whose code is a chunk of its own, fetched on first render or by `preload()` (issue 15 §9: the sign-in
 * form must not wait for the screens behind it). Until it arrives a polite "Loading…" is shown; a failed fetch
 * (offline) says so and offers to try again.
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): LazyComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const preload = () =>
    (pending ??= load().then(
      (c) => (loaded = c),
      (e: unknown) => {
        pending = null;
        throw e;
      },
    ));
  const Lazy = (props: P) => {
    const t = useT('app');
    const [failed, setFailed] = useState(false);
    const [, setReady] = useState(0);
    useEffect(() => {
      if (loaded || failed) return;
      let live = true;
      preload().then(
        () => live && setReady((n) => n + 1),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, [failed]);
    if (loaded) {
      const Loaded = loaded;
      return <Loaded {...props} />;
    }
    if (failed)
      return (
        <p role="alert" class="lazy-status">
          {t('loadFailed')}{' '}
          <button type="button" onClick={() => setFailed(false)}>
            {t('retry')}
          </button>
        </p>
      );
    return (
      <p role="status" class="lazy-status" aria-busy="true">
        {t('loading')}
      </p>
    );
  };
  return Object.assign(Lazy, { preload });
}
