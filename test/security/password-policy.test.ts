import { describe, expect, it } from 'vitest';
import { strengthLabel } from '../../client/web/src/lib/password.ts';
import { assessPassword } from '../../shared/passwords/strength.ts';
import { bearer, makeApp, provision, STRONG_PASSWORD, type TestApp } from '../world/app.ts';

/** Guessable passwords of 12+ characters that a length-only rule accepted. */
const GUESSABLE = ['12345678901234', 'qwertyqwerty', '123123123123', 'abcabcabcabc', 'qwertyuiop12', '111122223333'];

async function newOfficerToken(t: TestApp): Promise<string> {
  const net = await provision(t);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agencies/${net.agency.id}/officers`,
    headers: bearer(net.agencyAdmin.tokens),
    payload: { username: 'joao.costa', displayName: 'Joao Costa' },
  });
  return (res.json() as { enrolment: { token: string } }).enrolment.token;
}

const begin = (t: TestApp, token: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/enrolment/begin', payload: { token, password } });

describe('security: guessable passwords are refused at enrolment', () => {
  it('refuses 12+ character guessable passwords (sequences, keyboard rows, repeats) with 400 weak_password and a reason', async () => {
    const t = await makeApp();
    const token = await newOfficerToken(t);
    for (const password of GUESSABLE) {
      const res = await begin(t, token, password);
      expect([password, res.statusCode]).toEqual([password, 400]);
      const { error } = res.json() as { error: { code: string; message: string } };
      expect(error.code).toBe('weak_password');
      expect(error.message).toMatch(/guess|common|breached/);
      expect(error.message).not.toContain(password);
    }
    // Nothing was kept from the refused attempts: the link still works with a strong password.
    expect((await begin(t, token, STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a password built from the officer’s own agency and name (server-side context), which is fine for someone else', async () => {
    const t = await makeApp();
    const token = await newOfficerToken(t);
    const res = await begin(t, token, 'Policia Judiciaria 2026');
    expect(res.statusCode).toBe(400);
    expect((res.json() as { error: { code: string; message: string } }).error).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/name, username or agency/) });
    // Without that context the same password scores as strong: the context is what refuses it.
    expect(assessPassword('Policia Judiciaria 2026', { username: 'someone.else' }).problem).toBeNull();
  });

  it('the fixture and demo passwords still pass the policy', () => {
    // Copies of test/world, test/browser, test/bench and scripts/demo.ts passwords with their owners.
    const used: [string, { username: string; displayName?: string; agencyName?: string }][] = [
      [STRONG_PASSWORD, { username: 'ana.silva', displayName: 'Ana Silva', agencyName: 'Policia Judiciaria' }],
      ['seeded network passphrase 1', { username: 'seed-officer-1' }],
      ['violet harbour lantern 1987 quay', { username: 'ana.silva', displayName: 'Ana Silva', agencyName: 'Policia Judiciaria' }],
      ['bench passphrase long enough 1', { username: 'bench-officer' }],
      ['amber lantern over quiet harbour 71', { username: 'platform.admin', displayName: 'Platform Administrator' }],
      ['cobalt ferry drifts past belem 48', { username: 'pj.admin', displayName: 'Helena Marques (PJ admin)', agencyName: 'Policia Judiciaria' }],
      ['granite owl watches douro bend 35', { username: 'ana.silva', displayName: 'Ana Silva', agencyName: 'Policia Judiciaria' }],
      ['saffron kite above toledo walls 62', { username: 'gc.admin', displayName: 'Luis Ortega (GC admin)', agencyName: 'Guardia Civil' }],
      ['velvet compass points to cadiz 19', { username: 'javier.moreno', displayName: 'Javier Moreno', agencyName: 'Guardia Civil' }],
      ['silver tram climbs alfama hill 83', { username: 'ncb.lisbon.admin', displayName: 'Pedro Nunes (NCB admin)' }],
      ['copper gull circles tagus pier 27', { username: 'rui.costa', displayName: 'Rui Costa' }],
      ['indigo ledger rests in porto vault 54', { username: 'uif.admin', displayName: 'Isabel Rocha (UIF admin)' }],
      ['hazel lighthouse blinks at sagres 90', { username: 'marta.lopes', displayName: 'Marta Lopes' }],
    ];
    for (const [password, owner] of used) expect([password, assessPassword(password, owner).problem]).toEqual([password, null]);
  });
});

describe('security: the web strength meter applies the server rule', () => {
  const owner = { username: 'joao.costa', displayName: 'Joao Costa', agencyName: 'Policia Judiciaria' };

  it('never shows green for a password the server refuses, and shows green for one it accepts', () => {
    for (const password of [...GUESSABLE, 'Policia Judiciaria 2026', 'password1234', 'joao.costa is here']) {
      const assessed = assessPassword(password, owner);
      expect(assessed.problem).not.toBeNull();
      expect([password, strengthLabel(assessed, password).level]).not.toEqual([password, 'good']);
    }
    const strong = assessPassword(STRONG_PASSWORD, owner);
    expect(strong.problem).toBeNull();
    expect(strengthLabel(strong, STRONG_PASSWORD).level).toBe('good');
  });

  it('judges only the first 100 characters, so a huge password costs bounded time', () => {
    const huge = 'qwertyuiop1234567890'.repeat(50);
    const res = assessPassword(huge, owner);
    expect(res.problem).not.toBeNull();
    // A strong tail after a weak 100-character head does not help: the estimator never sees it.
    const strongTail = 'quasar Lantern 7391 drizzle Obelisk marmalade';
    expect(assessPassword(strongTail, owner).problem).toBeNull();
    expect(assessPassword(`${huge.slice(0, 100)}${strongTail}`, owner).problem).not.toBeNull();
  });
});
