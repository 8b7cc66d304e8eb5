import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { AppConfig } from '../config.ts';

/**
 * The one security-header policy, rendered by helmet once (`staticSecurityHeaders`) and applied by
 * `securityHeaders` to Fastify's responses and to the ones Fastify never sees (socket.io's).
 */
export function helmetOptions(config: Pick<AppConfig, 'publicUrl'>): FastifyHelmetOptions {
  const origin = new URL(config.publicUrl);
  // 'self' plus the public origin, spelled out for http(s) and ws(s) (older browsers do not map 'self' to ws:).
  const wsOrigin = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // libsodium runs as WebAssembly in the browser.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", origin.origin, wsOrigin],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  };
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type HelmetFactory = (options?: Readonly<FastifyHelmetOptions>) => Middleware;

// The very helmet @fastify/helmet uses (its dependency, not ours), so both paths set identical headers.
const requireFromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
const helmet = requireFromPlugin('helmet') as HelmetFactory;

type HeaderValue = string | number | readonly string[];

/**
 * Helmet's headers for this policy, computed once: every header in it is static (no nonces, no
 * per-route options), and building helmet's middleware per request cost as much as a signature check.
 */
export function staticSecurityHeaders(config: Pick<AppConfig, 'publicUrl'>): ReadonlyArray<readonly [string, HeaderValue]> {
  const headers: Array<readonly [string, HeaderValue]> = [];
  const recorder = {
    setHeader: (name: string, value: HeaderValue) => headers.push([name, value]),
    removeHeader: () => {},
  } as unknown as ServerResponse;
  helmet(helmetOptions(config))({} as IncomingMessage, recorder, (err) => {
    if (err) throw err;
  });
  return headers;
}

/** Sets the security headers on a raw response (synchronously, before anything is written), as helmet would. */
export function securityHeaders(config: Pick<AppConfig, 'publicUrl'>): (req: IncomingMessage, res: ServerResponse) => void {
  const headers = staticSecurityHeaders(config);
  return (_req, res) => {
    res.removeHeader('X-Powered-By');
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
