import { describe, expect, it } from 'vitest';
import { allEndpoints, api, openApiPath } from '../../shared/api/index.ts';
import { route, type TypedApp } from '../../server/http/route.ts';
import { makeApp } from '../world/app.ts';

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe('OpenAPI from the shared contracts', () => {
  it('lists every contract, and only those, with its request and response schemas', async () => {
    const t = await makeApp();
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as { paths: Record<string, Record<string, Operation>> };

    const served = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const contracts = allEndpoints();
    expect(new Set(contracts.map((c) => `${c.method} ${openApiPath(c)}`)).size).toBe(contracts.length);
    expect(served.sort()).toEqual(contracts.map((c) => `${c.method} ${openApiPath(c)}`).sort());

    for (const c of contracts) {
      const op = doc.paths[openApiPath(c)]?.[c.method.toLowerCase()];
      const where = `${c.method} ${c.path}`;
      expect(op, where).toBeDefined();
      expect(Object.keys(op!.responses ?? {}).sort(), where).toEqual(Object.keys(c.response).sort());
      for (const status of Object.keys(c.response)) {
        const content = op!.responses![status]!.content ?? {};
        expect(Object.values(content).some((m) => m.schema !== undefined), `${where} ${status}`).toBe(true);
      }
      const names = (op!.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      for (const name of Object.keys((c.params as { properties?: object } | undefined)?.properties ?? {})) expect(names, where).toContain(`path:${name}`);
      for (const name of Object.keys((c.query as { properties?: object } | undefined)?.properties ?? {})) expect(names, where).toContain(`query:${name}`);
      // A raw (octet-stream) body has no JSON schema to validate against, so only JSON bodies are listed.
      if (c.body) expect(Object.keys(op!.requestBody?.content ?? {}), where).toContain('application/json');
      if (c.public) expect(op!.security, where).toEqual([]);
      else expect(op!.security, where).toBeUndefined();
    }
  });

  it('a public contract needs no token; any other is refused without one', async () => {
    const t = await makeApp();
    const open = await t.app.inject({ method: 'GET', url: openApiPath(api.health.live) });
    expect(open.statusCode).toBe(200);
    const closed = await t.app.inject({ method: 'GET', url: openApiPath(api.auth.me) });
    expect(closed.statusCode).toBe(401);
  });

  it('types route handlers from the contract (checked by tsc; never run)', () => {
    const check = (app: TypedApp): void => {
      // @ts-expect-error the answer must match the contract's 200 schema
      route(app, api.agreements.list, async () => ({ agreements: 5 }));
      // @ts-expect-error the contract has no such path parameter
      route(app, api.agreements.get, async (req) => req.params.nope);
      // @ts-expect-error the contract has no body
      route(app, api.agreements.list, async (req) => ({ agreements: req.body.agreements }));
    };
    expect(typeof check).toBe('function');
  });
});
