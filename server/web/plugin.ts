import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { WEB_DIST } from './build.ts';

/** Paths that belong to the API and tooling: never answered with the web app. */
const RESERVED = /^\/(api|docs|health|metrics|socket\.io)(\/|$|\?)/;

export interface WebOptions {
  /** Directory of the Vite build (default `client/web/dist`). */
  root?: string;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Liaison</title>
<h1>The Liaison web app is not built</h1>
<p>Build it with <code>npx vite build --config client/web/vite.config.ts</code> (needs the dev dependencies) and restart the server. The API is available under <code>/api/v1</code>.</p>`;

/**
 * Serves the web app at `/`: hashed assets with long caching, `index.html` never cached, and the
 * SPA fallback (any other non-API GET that accepts HTML gets `index.html`; routing is in the #fragment).
 * Registered last, so the API, docs, health and socket.io routes keep priority and unknown API
 * routes still get the JSON 404.
 */
export async function webPlugin(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const root = opts.root ?? WEB_DIST;
  const built = fs.existsSync(path.join(root, 'index.html'));
  const sendIndex = (reply: FastifyReply) => {
    if (!built) return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  };

  if (built) {
    await app.register(fastifyStatic, {
      root,
      // Routes for the files present at start (a rebuild needs a restart, which `npm start` does).
      wildcard: false,
      index: false,
      serve: true,
      // The build writes .br and .gz beside each file (client/web/vite.config.ts): sent to browsers that accept them.
      preCompressed: true,
      // …but never as files of their own (they would go out with the wrong type).
      allowedPath: (pathName) => !/\.(br|gz)$/.test(pathName),
      setHeaders: (reply, file) => {
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }

  const fallback = { config: { auth: false }, schema: { hide: true } };
  app.get('/', fallback, async (_req, reply) => sendIndex(reply));
  app.get('/*', fallback, async (req, reply) => {
    const accepts = req.headers.accept ?? '';
    if (RESERVED.test(req.url) || !accepts.includes('text/html')) return reply.callNotFound();
    return sendIndex(reply);
  });
}
