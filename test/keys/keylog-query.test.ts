import { describe, expect, it } from 'vitest';
import { expectError, makeApp, provision } from '../world/app.ts';
import { registerKeys } from '../world/actors.ts';
import { call } from '../world/protocol.ts';

// Found by the fuzzer (fast-check seed 1318696315): Ajv's coercion turned `limit=1e309` into Infinity,
// let it past `maximum`, and the handler answered 500.
describe('query-string numbers', () => {
  it('non-finite and out-of-range numbers are a 400 validation_failed; exponent notation in range is accepted', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const admin = await registerKeys(t, net.agencyAdmin);
    for (const query of ['limit=1e309', 'limit=-1e309', 'from=1e309', 'from=-1', 'limit=0', 'limit=1001', 'limit=NaN', 'from=1.5']) {
      expectError(await call(t, admin, 'GET', `/keylog?${query}`), 400, 'validation_failed');
    }
    expectError(await call(t, admin, 'GET', '/audit?limit=1e309'), 400, 'validation_failed');
    expect((await call(t, admin, 'GET', '/keylog?limit=1e3')).statusCode).toBe(200);
  });
});
