import { describe, expect, it } from 'vitest';
import { bearer, login, makeApp, pgTestStore, provision } from '../world/app.ts';

/** Service flows through the HTTP API on the PostgreSQL store (STORE=postgres), each on a fresh schema. */
describe('the app on PostgreSQL', () => {
  it('provisions, enrols and signs in over HTTP; the audit chain verifies; a second node on the same schema sees it all', async () => {
    const store = pgTestStore();
    const t = await makeApp({ config: { store } });
    expect(t.app.ctx.store.constructor.name).toBe('PgStore');
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });

    const net = await provision(t);
    await login(t, net.officer);

    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, problem: null });
    const checked = verify.json().eventsChecked as number;
    expect(checked).toBeGreaterThan(5);

    // Another node (another pool) on the same database and schema: same officers, same chain.
    const other = await makeApp({ config: { store, dataDir: t.config.dataDir }, clock: t.clock });
    t.clock.advance(60_000); // a fresh TOTP step for the second sign-in
    const tokens = await login(other, net.officer);
    expect(tokens.accessToken).toBeTruthy();
    const again = await other.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(again.json()).toMatchObject({ ok: true, problem: null });
    expect(again.json().eventsChecked).toBeGreaterThan(checked);
  });
});
