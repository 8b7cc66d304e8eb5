/**
 * The pure logic of the code-profile choice, the permission workflow and the statistics screen (docs/WEB.md,
 * docs/CODES.md, docs/STATS.md): what a new channel's policy carries, which uses need the originator's permission,
 * H2 forward targets under a grant, grant expiry dates, suppressed figures in words and bar lengths.
 */
import { describe, expect, it } from 'vitest';
import { policyFromMinimum } from '../../shared/crypto/index.ts';
import { codesOf, defaultsFor, normaliseChoice, policyInput, type ProfileChoice } from '../../client/web/src/lib/profiles.ts';
import { defaultExpiryDate, expiryFromDate, grantForTarget, purposesNeedingPermission } from '../../client/web/src/lib/use-grants.ts';
import { forwardTargets, type ForwardChannel } from '../../client/web/src/lib/tlp.ts';
import { answeredBars, barLength, downloadName, figureText, formatDuration, formatShare, refusalBars, sideRows, statsViewFor, yearOptions } from '../../client/web/src/lib/stats.ts';
import type { Figure, SideFigures } from '../../shared/schemas/stats.ts';

describe('code profile of a new channel', () => {
  const tlp: ProfileChoice = { handling: 'tlp-2.0', evaluation: 'none', minimum: 'TLP:GREEN', defaultCode: 'TLP:GREEN' };

  it('leaves the default profile out of the policy and writes any other', () => {
    expect(policyInput(tlp)).toEqual({ minimum: 'TLP:GREEN', defaultCode: 'TLP:GREEN' });
    expect(policyInput({ handling: 'europol-h', evaluation: 'europol-4x4', minimum: 'H0', defaultCode: 'H1' })).toEqual({
      minimum: 'H0',
      defaultCode: 'H1',
      profile: { handling: 'europol-h', evaluation: 'europol-4x4' },
    });
    expect(policyInput({ ...tlp, evaluation: 'uk-3x5x2' }).profile).toEqual({ handling: 'tlp-2.0', evaluation: 'uk-3x5x2' });
  });

  it('keeps minimum and default inside the chosen vocabulary, the default never below the minimum', () => {
    const europol = normaliseChoice({ ...tlp, handling: 'europol-h' });
    expect(europol).toMatchObject({ minimum: 'H0', defaultCode: 'H0' });
    expect(normaliseChoice({ ...europol, defaultCode: 'H2' }).defaultCode).toBe('H2');
    expect(normaliseChoice({ ...europol, minimum: 'H3', defaultCode: 'H2' })).toMatchObject({ minimum: 'H3', defaultCode: 'H3' });
    expect(normaliseChoice({ ...europol, handling: 'tlp-2.0' })).toMatchObject({ minimum: 'TLP:GREEN', defaultCode: 'TLP:GREEN' });
    expect(codesOf('europol-h')).toEqual(['H0', 'H1', 'H2', 'H3']);
    expect(defaultsFor('tlp-2.0', 'TLP:AMBER')).toEqual(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
  });

  it('produces a policy the SDK accepts (policyFromMinimum validates it)', () => {
    const p = policyInput({ handling: 'europol-h', evaluation: 'none', minimum: 'H1', defaultCode: 'H2' });
    expect(policyFromMinimum(p.minimum, p.defaultCode, p.profile)).toEqual({ allowed: ['H1', 'H2', 'H3'], defaultCode: 'H2', profile: { handling: 'europol-h', evaluation: 'none' } });
  });
});

describe('use grants', () => {
  it('offers "Ask to use…" purposes for H1 (evidence) and H2 (evidence, third party) only', () => {
    expect(purposesNeedingPermission('H1')).toEqual(['judicial-proceedings']);
    expect(purposesNeedingPermission('H2')).toEqual(['judicial-proceedings', 'onward-to-third-party']);
    for (const c of ['H0', 'H3', 'TLP:AMBER', 'TLP:RED']) expect(purposesNeedingPermission(c)).toEqual([]);
  });

  it('turns the expiry date into the end of that local day, and refuses past or malformed dates', () => {
    const now = new Date(2026, 11, 7, 10, 0).getTime();
    expect(defaultExpiryDate(now, 1)).toBe('2026-12-08');
    expect(expiryFromDate('2026-12-08', now)).toBe(new Date(2026, 11, 8, 23, 59, 59).getTime());
    expect(expiryFromDate('2026-12-06', now)).toBeNull();
    expect(expiryFromDate('8.12.2026', now)).toBeNull();
  });

  it('offers H2 forward targets only within my agency and the agencies a grant names, and picks the grant to cite', () => {
    const fc = (id: string, agencies: string[]): ForwardChannel => ({ id, agreementId: null, readOnly: null, untrusted: null, members: agencies.map((a, i) => ({ officerId: `${id}${i}`, agencyId: a })) });
    const source = fc('src', ['a', 'b']);
    const channels = [source, fc('own', ['a']), fc('ac', ['a', 'c']), fc('ad', ['a', 'd']), fc('acd', ['a', 'c', 'd'])];
    expect(forwardTargets('H2', source, channels, 'a', []).map((c) => c.id)).toEqual([]);
    expect(forwardTargets('H2', source, channels, 'a', [], ['c']).map((c) => c.id)).toEqual(['own', 'ac']);
    const grants = [{ messageId: 'g1', granteeAgencyId: 'c' }];
    expect(grantForTarget(grants, ['a', 'c'], 'a')?.messageId).toBe('g1');
    expect(grantForTarget(grants, ['a', 'd'], 'a')).toBeUndefined();
  });
});

describe('statistics', () => {
  const n = (value: number): Figure => ({ value, suppressed: false });
  const hidden: Figure = { value: null, suppressed: true };
  const both = { full: n(0), partial: n(0) };
  const side: SideFigures = {
    total: n(12),
    answered: { full: n(7), partial: hidden },
    answeredByUrgency: { urgent: { full: n(5), partial: hidden }, 'non-urgent': { full: hidden, partial: n(0) } },
    answeredByCountry: { ES: both },
    refusals: { total: hidden, byGround: { a: hidden, b: n(0), c: n(0), d: n(0), e: n(0), f: n(0), g: n(0), h: n(0) } },
    withdrawn: n(0),
    deadline: { answeredLate: hidden, overdueOpen: n(0) },
    judicialPending: n(0),
  };

  it('opens the agency view for agency administrators, the network view for platform administrators, none for officers', () => {
    expect(statsViewFor('agency_admin', 'pj')).toEqual({ scope: 'agency', agencyId: 'pj' });
    expect(statsViewFor('platform_admin', 'sec')).toEqual({ scope: 'network' });
    expect(statsViewFor('officer', 'pj')).toBeNull();
  });

  it('shows suppressed cells as "fewer than k", zero as 0 and formats durations and shares', () => {
    expect(figureText(hidden, 5)).toBe('fewer than 5');
    expect(figureText(n(0), 5)).toBe('0');
    expect(figureText({ value: null, suppressed: false }, 5)).toBe('—');
    expect(figureText(n(3 * 3_600_000 + 5 * 60_000), 5, formatDuration)).toBe('3 h 05 min');
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatShare(0.857)).toBe('86 %');
  });

  it('lists the Art. 18 figures in order, with one row per refusal ground', () => {
    const rows = sideRows(side);
    expect(rows[0]).toMatchObject({ key: 'total', figure: n(12) });
    expect(rows.map((r) => r.key)).toContain('refusals.h');
    expect(refusalBars(side)).toHaveLength(8);
    expect(answeredBars(side).map((r) => r.key)).toEqual(['urgent.full', 'urgent.partial', 'non-urgent.full', 'non-urgent.partial']);
  });

  it('scales bars to the largest shown value; suppressed and zero cells draw none', () => {
    const figs = [n(10), n(5), hidden, n(0)];
    expect(figs.map((f) => barLength(f, figs, 200))).toEqual([200, 100, 0, 0]);
    expect(barLength(n(1), [n(1000), n(1)], 200)).toBe(1);
    expect(barLength(hidden, [hidden], 200)).toBe(0);
  });

  it('offers the current year and the four before, and names downloads by scope and year', () => {
    expect(yearOptions(Date.UTC(2026, 0, 1, 0, 30))).toEqual([2026, 2025, 2024, 2023, 2022]);
    expect(downloadName({ scope: 'agency', agencyId: 'x' }, 2026, 'csv')).toBe('liaison-stats-agency-2026.csv');
    expect(downloadName({ scope: 'network' }, 2025, 'json')).toBe('liaison-stats-network-2025-signed.json');
  });
});
