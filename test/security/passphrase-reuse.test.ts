import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, LiaisonClientError, MemoryStore } from '../../client/sdk/index.ts';
import { errorText } from '../../client/web/src/lib/errors.ts';
import { passphraseProblem } from '../../client/web/src/lib/password.ts';
import { bearer, makeApp, provision, STRONG_PASSWORD, totpCode, type TestApp } from '../world/app.ts';

const GOOD_PASSPHRASE = 'an unrelated backup passphrase 77';

/** Ways to reuse the sign-in password as the key-backup passphrase. */
const REUSES = [STRONG_PASSWORD, STRONG_PASSWORD.toUpperCase(), ` ${STRONG_PASSWORD} `, `${STRONG_PASSWORD} and more`, 'correct horse battery staple'];

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

const newClient = (t: TestApp, baseUrl: string, store = new MemoryStore()) =>
  new LiaisonClient({ baseUrl, store, now: () => t.clock.now(), retry: { attempts: 1, baseDelayMs: 10 } });

async function refusedCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LiaisonClientError);
  return (err as LiaisonClientError).code;
}

describe('security: the key-backup passphrase cannot be the sign-in password (SDK)', () => {
  it('createIdentity after sign-in refuses the password, in any case, padded, extended or truncated, and uploads nothing', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    const baseUrl = await listen(t);
    const net = await provision(t);
    const client = newClient(t, baseUrl);
    await client.login({ username: net.officer.username, password: net.officer.password, totp: totpCode(net.officer.totpSecret, t.clock.now()) });
    for (const reuse of REUSES) {
      expect([reuse, await refusedCode(client.createIdentity(reuse))]).toEqual([reuse, 'backup/passphrase-is-password']);
    }
    // Nothing reached the server: no keys, no sealed backup.
    expect(await t.app.ctx.keys.registeredKeys(net.officer.id)).toBeUndefined();
    expect(await client.createIdentity(GOOD_PASSPHRASE)).toEqual({ agencyRoot: false });
    await t.app.close();
  });

  it('createIdentity right after enrolment (the web app’s path) refuses the password chosen at enrolment', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    const baseUrl = await listen(t);
    const net = await provision(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'joao.costa', displayName: 'Joao Costa' },
    });
    const { officer, enrolment } = res.json() as { officer: { id: string }; enrolment: { token: string } };
    const client = newClient(t, baseUrl);
    const { totpSecret } = await client.enrolBegin(enrolment.token, 'Violet Harbour Lantern 1987 Quay');
    await client.enrolComplete(enrolment.token, totpCode(totpSecret, t.clock.now()));
    expect(await refusedCode(client.createIdentity('violet harbour lantern 1987 quay'))).toBe('backup/passphrase-is-password');
    expect(await t.app.ctx.keys.registeredKeys(officer.id)).toBeUndefined();
    await t.app.close();
  });

  it('after a resumed session the SDK asks for the password instead of skipping the check', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    const baseUrl = await listen(t);
    const net = await provision(t);
    const store = new MemoryStore();
    const first = newClient(t, baseUrl, store);
    await first.login({ username: net.officer.username, password: net.officer.password, totp: totpCode(net.officer.totpSecret, t.clock.now()) });
    first.disconnect();
    const resumed = newClient(t, baseUrl, store);
    expect(await resumed.resume()).toBe(true);
    expect(resumed.knowsSignInPassword).toBe(false);
    expect(await refusedCode(resumed.createIdentity(STRONG_PASSWORD))).toBe('backup/password-required');
    expect(await refusedCode(resumed.createIdentity(STRONG_PASSWORD.toUpperCase(), { password: STRONG_PASSWORD }))).toBe('backup/passphrase-is-password');
    expect(await t.app.ctx.keys.registeredKeys(net.officer.id)).toBeUndefined();
    expect(await resumed.createIdentity(GOOD_PASSPHRASE, { password: STRONG_PASSWORD })).toEqual({ agencyRoot: false });
    await t.app.close();
  });
});

describe('security: the key-backup passphrase cannot be the sign-in password (web app)', () => {
  it('the key screen’s check refuses the password, case-insensitively, inside or around the passphrase', () => {
    for (const reuse of REUSES) expect([reuse, passphraseProblem(reuse, reuse, STRONG_PASSWORD)]).toEqual([reuse, expect.stringMatching(/sign-in password/)]);
    expect(passphraseProblem(GOOD_PASSPHRASE, GOOD_PASSPHRASE, STRONG_PASSWORD)).toBeNull();
  });

  it('the SDK refusal reads as a sentence for the officer', () => {
    const text = errorText(new LiaisonClientError('backup/passphrase-is-password', 'createIdentity: x'));
    expect(text).toMatch(/different from your sign-in password/);
    expect(errorText(new LiaisonClientError('backup/password-required', 'createIdentity: x'))).toMatch(/sign-in password/);
  });
});
