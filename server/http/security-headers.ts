import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { AppConfig } from '../config.ts';

/**
 * The one security-header policy: @fastify/helmet applies it to Fastify's responses, and
 * `securityHeaders` applies the same to the responses Fastify never sees (socket.io's).
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

/** Sets the security headers on a raw response (synchronously, before anything is written). */
export function securityHeaders(config: Pick<AppConfig, 'publicUrl'>): (req: IncomingMessage, res: ServerResponse) => void {
  const apply = helmet(helmetOptions(config));
  return (req, res) => apply(req, res, () => {});
}
