import { createRequire } from 'node:module';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { helmetOptions, securityHeaders } from '../../server/http/security-headers.ts';

type Helmet = (o: unknown) => (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
const helmet = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'))('helmet') as Helmet;

function response(): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  res.setHeader('X-Powered-By', 'something');
  return { req, res };
}

describe('security headers', () => {
  it.each(['https://liaison.example', 'http://localhost:3000'])('precomputed once, they equal what helmet sets per request (%s)', (publicUrl) => {
    const byHelmet = response();
    helmet(helmetOptions({ publicUrl }))(byHelmet.req, byHelmet.res, () => {});
    const precomputed = response();
    securityHeaders({ publicUrl })(precomputed.req, precomputed.res);
    expect(precomputed.res.getHeaders()).toEqual(byHelmet.res.getHeaders());
    expect(precomputed.res.getHeaderNames()).toEqual(byHelmet.res.getHeaderNames());
    expect(precomputed.res.getHeader('x-powered-by')).toBeUndefined();
    expect(String(precomputed.res.getHeader('content-security-policy'))).toContain(`connect-src 'self' ${publicUrl}`);
  });
});
