import { describe, expect, it } from 'vitest';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, login, makeApp, provision } from '../world/app.ts';

describe('restart', () => {
  it('data, sessions, keys and the audit chain survive closing the app and opening a new one on the same DATA_DIR', async () => {
    const first = await makeApp({ keepOpen: true });
    const net = await provision(first);
    const session = await login(first, net.officer);
    await first.app.close();

    const second = await makeApp({ config: { dataDir: first.config.dataDir }, clock: first.clock });
    // The access token issued before the restart is still valid (same JWT key, same session row).
    const me = await second.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session) });
    expect(me.statusCode).toBe(200);
    expect(me.json().sessionId).toBe(session.sessionId);
    // The refresh token still rotates.
    const refreshed = await second.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    expect((refreshed.json() as TokenPair).sessionId).toBe(session.sessionId);
    // Password and TOTP (sealed with the data key) still work; the used TOTP step is remembered.
    const again = await login(second, net.officer);
    expect(again.officer.id).toBe(net.officer.id);
    // The audit chain verifies across the restart, including the shutdown checkpoint.
    const admin = await login(second, net.admin);
    const verify = await second.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(admin) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, problem: null });
    expect(verify.json().checkpointsChecked).toBeGreaterThanOrEqual(1);
    expect(verify.json().eventsChecked).toBeGreaterThan(8);
  });
});
