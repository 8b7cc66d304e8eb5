import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { bearer, enrol, makeApp, runCli, tempDir } from '../world/app.ts';

interface Created {
  agency?: { id: string; name: string };
  admin?: { username: string; role: string };
  officer?: { id: string; username: string; role: string };
  enrolment: { token: string; link: string; expiresAt: number };
}

function tokenFromLink(link: string): string {
  const m = /\/#\/enrol\/([A-Za-z0-9_-]+)$/.exec(link);
  if (!m?.[1]) throw new Error(`no enrolment token in link ${link}`);
  return m[1];
}

describe('operator CLI (real process)', () => {
  it('init prints an enrolment link, refuses a second init, creates agencies and officers whose links enrol through the app', { timeout: 480_000 }, async () => {
    const dir = tempDir();
    const init = runCli(dir, ['init', '--username', 'root', '--country', 'be']);
    expect(init.code, init.stderr).toBe(0);
    const link = /(https?:\/\/\S+\/#\/enrol\/[A-Za-z0-9_-]+)/.exec(init.stdout)?.[1];
    expect(link).toBeDefined();
    expect(init.stdout).toContain('"root"');

    const again = runCli(dir, ['init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already initialised/i);

    const agency = runCli(dir, [
      'agency', 'create', '--json',
      '--name', 'Federale Politie', '--country', 'BE', '--kind', 'police',
      '--admin-username', 'be-admin', '--admin-name', 'BE Admin',
    ]);
    expect(agency.code, agency.stderr).toBe(0);
    const a = JSON.parse(agency.stdout) as Created;
    expect(a.admin).toMatchObject({ username: 'be-admin', role: 'agency_admin' });
    expect(a.enrolment.link).toContain('/#/enrol/');

    const officer = runCli(dir, ['officer', 'create', '--json', '--agency', a.agency?.id ?? '', '--username', 'jan.peeters', '--name', 'Jan Peeters']);
    expect(officer.code, officer.stderr).toBe(0);
    const o = JSON.parse(officer.stdout) as Created;
    expect(o.officer).toMatchObject({ username: 'jan.peeters', role: 'officer' });

    // `agency list` shows the ids a newcomer needs; `--agency` also takes an exact name or a unique country code.
    const listed = runCli(dir, ['agency', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${a.agency?.id ?? 'missing'}\\s+BE\\s+police\\s+active\\s+Federale Politie`));
    const byName = runCli(dir, ['officer', 'create', '--json', '--agency', 'federale politie', '--username', 'eva.maes', '--name', 'Eva Maes']);
    expect(byName.code, byName.stderr).toBe(0);
    expect((JSON.parse(byName.stdout) as Created).officer).toMatchObject({ role: 'officer' });
    // Two agencies are Belgian (the secretariat made by init, and this one): a country code alone is ambiguous.
    const ambiguous = runCli(dir, ['officer', 'create', '--agency', 'be', '--username', 'tom.claes', '--name', 'Tom Claes']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/names 2 agencies .*Federale Politie/);
    expect(JSON.parse(runCli(dir, ['agency', 'list', '--json']).stdout)).toMatchObject({ agencies: expect.arrayContaining([expect.objectContaining({ name: 'Federale Politie' })]) });

    // `officer list` (all agencies, or one given by name) and `officer link` take usernames where ids were asked.
    const officers = runCli(dir, ['officer', 'list']);
    expect(officers.code, officers.stderr).toBe(0);
    expect(officers.stdout.split('\n')[0]).toMatch(/^username\s+role\s+status\s+agency\s+name\s+id$/);
    expect(officers.stdout).toMatch(new RegExp(`jan\\.peeters\\s+officer\\s+invited\\s+Federale Politie\\s+Jan Peeters\\s+${o.officer?.id ?? 'missing'}`));
    expect(officers.stdout).toMatch(/root\s+platform_admin\s+invited\s+Network Secretariat/);
    const ofAgency = runCli(dir, ['officer', 'list', '--agency', 'Federale Politie']);
    expect(ofAgency.code, ofAgency.stderr).toBe(0);
    expect(ofAgency.stdout).toContain('eva.maes');
    expect(ofAgency.stdout).not.toContain('root ');
    const relinked = runCli(dir, ['officer', 'link', '--json', '--officer', 'Jan.Peeters']);
    expect(relinked.code, relinked.stderr).toBe(0);
    const newLink = (JSON.parse(relinked.stdout) as { enrolment: { link: string } }).enrolment.link;
    expect(newLink).not.toBe(o.enrolment.link);
    const noOfficer = runCli(dir, ['officer', 'link', '--officer', 'nobody']);
    expect(noOfficer.code).toBe(2);
    expect(noOfficer.stderr).toContain('--officer "nobody" is no officer\'s id or username; "officer list" shows them');
    // A sponsor is named like an agency: "Federale Politie" is no NCB, which the service refuses (exit 1).
    const sponsored = runCli(dir, ['agency', 'create', '--name', 'CTIF', '--country', 'BE', '--kind', 'fiu', '--sponsor', 'Federale Politie', '--admin-username', 'ctif-admin', '--admin-name', 'CTIF Admin']);
    expect(sponsored.code).toBe(1);
    expect(sponsored.stderr).toMatch(/must be an NCB/);

    // Bad input: exit codes 1 (domain error) and 2 (usage).
    const unknown = runCli(dir, ['officer', 'create', '--agency', 'nope', '--username', 'x.y.z', '--name', 'X']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"agency list" shows them');
    expect(runCli(dir, ['officer', 'create', '--agency', a.agency?.id ?? '', '--username', 'jan.peeters', '--name', 'Again']).code).toBe(1);
    expect(runCli(dir, ['agency', 'create', '--name', 'X']).code).toBe(2);

    // The links work in the app, on the same data directory (the clock is real: links were made "now").
    const t = await makeApp({ config: { dataDir: dir }, clock: new ManualClock(Date.now()) });
    const root = await enrol(t, tokenFromLink(link ?? ''));
    expect(root.tokens.officer).toMatchObject({ username: 'root', role: 'platform_admin' });
    const jan = await enrol(t, tokenFromLink(newLink));
    expect(jan.tokens.officer.agencyId).toBe(a.agency?.id);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(root.tokens) });
    expect((list.json().agencies as { name: string }[]).map((x) => x.name).sort()).toEqual(['Federale Politie', 'Network Secretariat']);
    // CLI actions are in the audit trail.
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=officer.created', headers: bearer(root.tokens) });
    expect((audit.json().events as { actorId: string }[]).map((e) => e.actorId)).toEqual(['system:cli', 'system:cli', 'system:cli']);
  });
});
