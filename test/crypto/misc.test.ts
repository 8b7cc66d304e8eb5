import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HANDLING_CODES,
  agreementCanonicalBytes,
  compareHandling,
  decodePayload,
  encodeFields,
  encodePayload,
  forwardingAllowed,
  fromB64,
  generateIdentity,
  initSodium,
  isHandlingAllowed,
  policyFromMinimum,
  safetyNumber,
  signAgreement,
  toB64,
  validatePayload,
  verifyAgreementSignature,
  verifySafetyQr,
} from '../../shared/crypto/index.ts';
import type { AgreementTerms, HandlingCode, Payload } from '../../shared/crypto/index.ts';
import { codeOf, makeWorld, seededRng } from './fixtures.ts';

await initSodium();

describe('encoding', () => {
  it('base64url round-trips and is strict (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = toB64(b);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromB64(s)).toEqual(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
      }),
      { numRuns: 200 },
    );
    for (const bad of ['A', 'AB==', 'AB+/', 'AB', 'A B']) expect(codeOf(() => fromB64(bad))).toBe('encoding/base64');
  });

  it('length-prefixes the label and every field', () => {
    expect([...encodeFields('ab', [new Uint8Array([1]), new Uint8Array(0)])]).toEqual([0, 0, 0, 2, 97, 98, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });
});

describe('safety numbers', () => {
  const w = makeWorld();
  it('are 60 digits, symmetric, and verifiable by QR', () => {
    const ab = safetyNumber(w.alice.keys, w.bob.keys);
    const ba = safetyNumber(w.bob.keys, w.alice.keys);
    expect(ab.digits).toMatch(/^\d{60}$/);
    expect(ab).toEqual(ba);
    expect(ab.groups).toHaveLength(12);
    expect(verifySafetyQr(ab.qrPayload, w.bob.keys, w.alice.keys)).toBe(true);
    expect(verifySafetyQr(safetyNumber(w.alice.keys, w.carol.keys).qrPayload, w.bob.keys, w.alice.keys)).toBe(false);
  });

  it('change whenever either identity key changes (property)', () => {
    const base = safetyNumber(w.alice.keys, w.bob.keys).digits;
    fc.assert(
      fc.property(fc.constantFrom('signPublicKey', 'dhPublicKey'), fc.boolean(), fc.nat({ max: 255 }), (field, onAlice, bit) => {
        const who = onAlice ? w.alice.keys : w.bob.keys;
        const k = who[field].slice();
        k[bit >> 3]! ^= 1 << (bit & 7);
        const changed = { ...who, [field]: k };
        const n = onAlice ? safetyNumber(changed, w.bob.keys) : safetyNumber(w.alice.keys, changed);
        expect(n.digits).not.toBe(base);
      }),
      { numRuns: 20 },
    );
    const fresh = generateIdentity({ officerId: 'bob', agencyId: 'agency-b' }, seededRng('new-bob'));
    expect(safetyNumber(w.alice.keys, fresh).digits).not.toBe(base);
  });
});

describe('handling codes', () => {
  it('orders codes and checks policies', () => {
    const tlp = HANDLING_CODES.filter((c) => c.startsWith('TLP:'));
    expect(tlp.slice().sort(compareHandling)).toEqual(tlp);
    const p = policyFromMinimum('TLP:AMBER');
    expect(p.allowed).toEqual(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
    expect(isHandlingAllowed(p, 'TLP:GREEN')).toBe(false);
    expect(isHandlingAllowed(p, 'TLP:RED')).toBe(true);
  });

  it('applies the TLP 2.0 forwarding rule (PROTOCOL.md §8): AMBER within the agency and its clients, never the agreement', () => {
    // Recipient agency 'a' sponsors institution 'fiu' (active grant); 'b' is a party of the source channel's agreement.
    const ctx = { recipientAgencyId: 'a', clientAgencyIds: ['fiu'] };
    const targets: Record<string, string[]> = { own: ['a'], client: ['a', 'fiu'], clientOnly: ['fiu'], partner: ['a', 'b'], partnerOnly: ['b'], mixed: ['a', 'fiu', 'b'], none: [] };
    const matrix: Record<HandlingCode, string[]> = {
      'TLP:CLEAR': ['own', 'client', 'clientOnly', 'partner', 'partnerOnly', 'mixed', 'none'],
      'TLP:GREEN': ['own', 'client', 'clientOnly', 'partner', 'partnerOnly', 'mixed', 'none'],
      'TLP:AMBER': ['own', 'client', 'clientOnly'],
      'TLP:AMBER+STRICT': ['own'],
      'TLP:RED': [],
      // Europol codes (§8.2): H2 needs the originator's grant, which this context lacks.
      H0: ['own', 'client', 'clientOnly', 'partner', 'partnerOnly', 'mixed', 'none'],
      H1: ['own', 'client', 'clientOnly', 'partner', 'partnerOnly', 'mixed', 'none'],
      H2: [],
      H3: ['own', 'client', 'clientOnly', 'partner', 'partnerOnly', 'mixed', 'none'],
    };
    for (const code of HANDLING_CODES) {
      const allowed = Object.entries(targets).filter(([, targetAgencyIds]) => forwardingAllowed({ ...ctx, code, targetAgencyIds })).map(([name]) => name);
      expect(allowed, code).toEqual(matrix[code]);
    }
    // Without clients (an agency that sponsors none, or whose grants expired or were revoked) AMBER stays in the agency.
    expect(forwardingAllowed({ recipientAgencyId: 'a', clientAgencyIds: [], code: 'TLP:AMBER', targetAgencyIds: ['a', 'fiu'] })).toBe(false);
    // Clients are the recipient's: a client forwarding to its sponsor is outside the client's own organisation.
    expect(forwardingAllowed({ recipientAgencyId: 'fiu', clientAgencyIds: [], code: 'TLP:AMBER', targetAgencyIds: ['fiu', 'a'] })).toBe(false);
  });
});

describe('agreements', () => {
  const w = makeWorld();
  const terms: AgreementTerms = {
    id: 'mou-1',
    parties: ['agency-a', 'agency-b'],
    scope: ['controlled-delivery', 'drug-trafficking'],
    validFrom: 1,
    validUntil: 2,
    version: 1,
    text: 'Memorandum of understanding',
  };
  it('signs and verifies canonical bytes; any change breaks the signature', () => {
    const sig = signAgreement(terms, w.adminA.keys.signSecretKey);
    expect(verifyAgreementSignature(terms, sig, w.adminA.keys.signPublicKey)).toBe(true);
    expect(verifyAgreementSignature({ ...terms, validUntil: 3 }, sig, w.adminA.keys.signPublicKey)).toBe(false);
    expect(verifyAgreementSignature({ ...terms, text: 'Other text' }, sig, w.adminA.keys.signPublicKey)).toBe(false);
    expect(verifyAgreementSignature(terms, sig, w.adminB.keys.signPublicKey)).toBe(false);
  });
  it('refuses non-canonical terms instead of fixing them', () => {
    expect(codeOf(() => agreementCanonicalBytes({ ...terms, parties: ['agency-b', 'agency-a'] }))).toBe('agreement/invalid');
    expect(codeOf(() => agreementCanonicalBytes({ ...terms, scope: ['cooking'] }))).toBe('agreement/invalid');
    expect(codeOf(() => agreementCanonicalBytes({ ...terms, scope: ['drug-trafficking', 'controlled-delivery'] }))).toBe('agreement/invalid');
  });
});

describe('payloads', () => {
  const valid: Payload[] = [
    { kind: 'text', text: 'hello' },
    { kind: 'case-note', caseRef: 'CASE-1', text: 'note' },
    { kind: 'request-for-assistance', caseRef: 'CASE-1', scope: 'internet-drug-crime', subject: 'Vendor X', details: 'Please identify', dueBy: 5 },
    { kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'in-transit', location: 'Rotterdam' },
    { kind: 'reported-site', url: 'https://example.org/shop', category: 'marketplace' },
    { kind: 'file', fileId: 'f1', name: 'a.pdf', mimeType: 'application/pdf', size: 3, key: new Uint8Array(32), header: new Uint8Array(24), hash: new Uint8Array(32) },
  ];
  it('round-trips every kind', () => {
    for (const p of valid) expect(decodePayload(encodePayload(p))).toEqual(p);
  });
  it('rejects unknown kinds, extra fields, bad vocabularies and URLs', () => {
    expect(codeOf(() => validatePayload({ kind: 'poll' }))).toBe('payload/unknown-kind');
    expect(codeOf(() => validatePayload({ kind: 'text', text: 'x', extra: 1 }))).toBe('payload/invalid');
    expect(codeOf(() => validatePayload({ kind: 'text', text: '' }))).toBe('payload/invalid');
    expect(codeOf(() => validatePayload({ ...valid[3]!, status: 'lost' }))).toBe('payload/invalid');
    expect(codeOf(() => validatePayload({ kind: 'reported-site', url: 'javascript:alert(1)', category: 'forum' }))).toBe('payload/url-scheme');
    expect(codeOf(() => validatePayload({ ...valid[5]!, key: new Uint8Array(31) }))).toBe('payload/invalid');
  });
});
