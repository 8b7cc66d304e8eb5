import type { FetchFn } from '../../client/sdk/http.ts';

export type Rewrite = (url: URL, method: string, body: unknown) => unknown;

/**
 * A fetch that forwards to the real server and lets the test (playing a malicious server) rewrite
 * JSON answers. `rewrite` null = honest.
 */
export function tamperableFetch(): { fetch: FetchFn; set(rewrite: Rewrite | null): void } {
  let rewrite: Rewrite | null = null;
  const fetchFn: FetchFn = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    const r = rewrite;
    if (!r || !(res.headers.get('content-type') ?? '').includes('application/json')) return res;
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const body: unknown = await res.json();
    const out = r(url, (init?.method ?? 'GET').toUpperCase(), body);
    return new Response(JSON.stringify(out), { status: res.status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  };
  return {
    fetch: fetchFn,
    set(next) {
      rewrite = next;
    },
  };
}
