/**
 * `LiaisonClient.call(contract, input)`: path params filled and encoded, query and body sent, the
 * token left off public contracts, results typed by the contract (checked by tsc via expectTypeOf).
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { api, LiaisonApiError, LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import type { Me } from '../../shared/schemas/accounts.ts';
import type { Session } from '../../shared/schemas/auth.ts';
import { makeApp, provision, totpCode } from '../world/app.ts';

describe('SDK call()', () => {
  it('calls contracts with the session, typed by the contract', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const net = await provision(t, { prefix: 'c-' });
    const seen: { url: string; authorization: string | null }[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return fetch(input, init);
    };
    const admin = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), fetch: recording });
    const who = net.agencyAdmin;
    await admin.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) });

    const me = await admin.call(api.auth.me);
    expectTypeOf(me).toEqualTypeOf<Me>();
    expect(me.officer.username).toBe(who.username);

    const { sessions } = await admin.call(api.auth.listSessions);
    expectTypeOf(sessions).toEqualTypeOf<Session[]>();
    expect(sessions.length).toBeGreaterThan(0);

    const { officers } = await admin.call(api.accounts.listOfficers, { params: { id: net.agency.id } });
    expect(officers.map((o) => o.username)).toContain(net.officer.username);
    expect(seen.at(-1)?.url).toBe(`${baseUrl}/api/v1/agencies/${net.agency.id}/officers`);
    expect(seen.at(-1)?.authorization).toMatch(/^Bearer /);

    const page = await admin.call(api.audit.list, { query: { limit: 1 } });
    expect(page.events).toHaveLength(1);
    expect(seen.at(-1)?.url).toBe(`${baseUrl}/api/v1/audit?limit=1`);

    // A path parameter is encoded: "a/b" reaches the route as one (invalid) id, not another path.
    const bad = await admin.call(api.accounts.getAgency, { params: { id: 'a/b' } }).catch((e: unknown) => e);
    expect(seen.at(-1)?.url).toBe(`${baseUrl}/api/v1/agencies/a%2Fb`);
    expect(bad).toBeInstanceOf(LiaisonApiError);
    expect((bad as LiaisonApiError).status).toBe(400);

    // A public contract is sent without the bearer token even when signed in.
    const lookup = await admin.call(api.enrolment.lookup, { body: { token: 'x'.repeat(43) } }).catch((e: unknown) => e);
    expect(seen.at(-1)?.url).toBe(`${baseUrl}/api/v1/enrolment/lookup`);
    expect(seen.at(-1)?.authorization).toBeNull();
    expect(lookup).toBeInstanceOf(LiaisonApiError);
  });

  it('types inputs from the contract (checked by tsc; never run)', () => {
    const check = async (client: LiaisonClient): Promise<void> => {
      // @ts-expect-error path params are required where the path has them
      await client.call(api.channels.get);
      // @ts-expect-error the body must match the contract
      await client.call(api.auth.login, { body: { username: 'x' } });
      // @ts-expect-error the query must match the contract
      await client.call(api.audit.list, { query: { limit: 'ten' } });
    };
    expect(typeof check).toBe('function');
  });
});
