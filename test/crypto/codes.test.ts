import { describe, expect, it } from 'vitest';
import {
  checkMessageCodes,
  compareHandling,
  evaluationMeaning,
  forwardingAllowed,
  handlingPolicyBytes,
  isEvaluation,
  policyFromMinimum,
  toHex,
  validateHandlingPolicy,
  encodeFields,
  u32be,
  utf8,
  type CodeProfile,
} from '../../shared/crypto/index.ts';

const EU: CodeProfile = { handling: 'europol-h', evaluation: 'europol-4x4' };
const UK: CodeProfile = { handling: 'tlp-2.0', evaluation: 'uk-3x5x2' };
const TLP: CodeProfile = { handling: 'tlp-2.0', evaluation: 'none' };
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('code profiles (PROTOCOL.md §8)', () => {
  it('a policy without a profile keeps its v1 bytes; a profile is written with the v2 label, the default profile never', () => {
    const tlp = policyFromMinimum('TLP:AMBER');
    expect(tlp).toEqual({ allowed: ['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'], defaultCode: 'TLP:AMBER' });
    expect(toHex(handlingPolicyBytes(tlp))).toBe(toHex(encodeFields('liaison/v1/handling-policy', [u32be(3), utf8('TLP:AMBER'), utf8('TLP:AMBER+STRICT'), utf8('TLP:RED'), utf8('TLP:AMBER')])));
    // Naming the default profile is the same as naming none.
    expect(policyFromMinimum('TLP:AMBER', 'TLP:AMBER', TLP)).toEqual(tlp);
    expect(code(() => validateHandlingPolicy({ ...tlp, profile: TLP }))).toBe('handling/invalid-policy');
    const eu = policyFromMinimum('H1', 'H2', EU);
    expect(eu).toEqual({ allowed: ['H1', 'H2', 'H3'], defaultCode: 'H2', profile: EU });
    expect(toHex(handlingPolicyBytes(eu))).toBe(
      toHex(encodeFields('liaison/v2/handling-policy', [u32be(3), utf8('H1'), utf8('H2'), utf8('H3'), utf8('H2'), utf8('europol-h'), utf8('europol-4x4')])),
    );
    // Codes of another vocabulary than the profile's are refused, in either direction.
    expect(code(() => validateHandlingPolicy({ allowed: ['TLP:RED'], defaultCode: 'TLP:RED', profile: EU }))).toBe('handling/invalid-policy');
    expect(code(() => validateHandlingPolicy({ allowed: ['H2'], defaultCode: 'H2' }))).toBe('handling/invalid-policy');
    expect(code(() => compareHandling('H2', 'TLP:RED'))).toBe('handling/mixed-vocabulary');
  });

  it('evaluations: Europol 4x4 and UK 3x5x2 codes, with their meanings', () => {
    expect(['A1', 'B2', 'C3', 'X4'].every((e) => isEvaluation('europol-4x4', e))).toBe(true);
    expect(['A5', 'D1', 'a1', '1-A-P', ''].some((e) => isEvaluation('europol-4x4', e))).toBe(false);
    expect(['1-A-P', '2-E-C', '3-C-P'].every((e) => isEvaluation('uk-3x5x2', e))).toBe(true);
    expect(['4-A-P', '1-F-P', '1-A-X', 'A1'].some((e) => isEvaluation('uk-3x5x2', e))).toBe(false);
    expect(isEvaluation('none', 'A1')).toBe(false);
    expect(evaluationMeaning('europol-4x4', 'B3')).toBe('Source mostly reliable; Not known personally to the source but corroborated by information already recorded.');
    expect(evaluationMeaning('uk-3x5x2', '2-D-P')).toBe('Source untested; Not known; Lawful sharing permitted.');
  });

  it('message codes: evaluation of the profile, conditions exactly with H3 or UK handling C', () => {
    expect(code(() => checkMessageCodes(EU, 'H2', { evaluation: 'A1' }))).toBe('ok');
    expect(code(() => checkMessageCodes(EU, 'H2', { evaluation: '1-A-P' }))).toBe('handling/bad-evaluation');
    expect(code(() => checkMessageCodes(TLP, 'TLP:RED', { evaluation: 'A1' }))).toBe('handling/bad-evaluation');
    expect(code(() => checkMessageCodes(EU, 'H3', {}))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(EU, 'H3', { conditions: '  ' }))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(EU, 'H3', { conditions: 'x'.repeat(1001) }))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(EU, 'H3', { conditions: 'Not for covert measures' }))).toBe('ok');
    expect(code(() => checkMessageCodes(EU, 'H1', { conditions: 'stray' }))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', { evaluation: '1-B-C' }))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', { evaluation: '1-B-C', conditions: 'Only for the Operation Kestrel team' }))).toBe('ok');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', { evaluation: '1-B-P' }))).toBe('ok');
  });

  it("item evaluations (a structured answer's facts): each of the profile, a UK item with handling C needs conditions", () => {
    expect(code(() => checkMessageCodes(EU, 'H2', {}, ['A1', 'X4']))).toBe('ok');
    expect(code(() => checkMessageCodes(EU, 'H2', { evaluation: 'A1' }, ['B2', '1-A-P']))).toBe('handling/bad-evaluation');
    expect(code(() => checkMessageCodes(TLP, 'TLP:RED', {}, ['A1']))).toBe('handling/bad-evaluation');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', {}, ['1-A-P', '2-B-C']))).toBe('handling/conditions');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', { conditions: 'Kestrel team only' }, ['1-A-P', '2-B-C']))).toBe('ok');
    expect(code(() => checkMessageCodes(UK, 'TLP:AMBER', { conditions: 'stray' }, ['1-A-P']))).toBe('handling/conditions');
  });

  it('Europol forwarding: H0, H1, H3 go; H2 only where every target agency is mine or granted', () => {
    const ctx = { recipientAgencyId: 'a', clientAgencyIds: [] };
    for (const c of ['H0', 'H1', 'H3'] as const) expect(forwardingAllowed({ ...ctx, code: c, targetAgencyIds: ['a', 'x'] })).toBe(true);
    expect(forwardingAllowed({ ...ctx, code: 'H2', targetAgencyIds: ['a'] })).toBe(false);
    expect(forwardingAllowed({ ...ctx, code: 'H2', targetAgencyIds: ['a', 'fr'], grantedAgencyIds: ['fr'] })).toBe(true);
    expect(forwardingAllowed({ ...ctx, code: 'H2', targetAgencyIds: ['a', 'fr', 'de'], grantedAgencyIds: ['fr'] })).toBe(false);
    expect(forwardingAllowed({ ...ctx, code: 'H2', targetAgencyIds: [], grantedAgencyIds: ['fr'] })).toBe(false);
  });
});
