import { describe, expect, it } from 'vitest';
import { buildPayload, parseConsents } from '../../client/web/src/screens/composer.tsx';
import { validatePayload } from '../../shared/crypto/payload.ts';
import { initSodium } from '../../shared/crypto/index.ts';

describe('structured message payloads', () => {
  it('builds valid payloads and omits empty optional fields', async () => {
    await initSodium();
    const rfa = buildPayload('request-for-assistance', { caseRef: 'CASE-1', scope: 'precursors', subject: 'Bank records', details: 'Please provide…', dueBy: '' });
    expect(rfa).toEqual({ kind: 'request-for-assistance', caseRef: 'CASE-1', scope: 'precursors', subject: 'Bank records', details: 'Please provide…' });
    const cdu = buildPayload('controlled-delivery-update', { operationRef: 'OP-7', status: 'in-transit', location: ' Porto ', eta: '2026-11-24T10:00' });
    expect(cdu).toMatchObject({ kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'in-transit', location: 'Porto', eta: new Date('2026-11-24T10:00').getTime() });
    const onion = 'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion';
    const site = buildPayload('reported-site', { url: onion, category: 'marketplace', notes: '' });
    expect(site).toEqual({ kind: 'reported-site', url: onion, category: 'marketplace' });
    for (const p of [rfa, cdu, site, buildPayload('text', { text: 'hi' })]) expect(validatePayload(p)).toEqual(p);
  });

  it('builds the CND 45/9 fields of a controlled-delivery update (substitution, country, checkpoint, consents)', () => {
    const cdu = buildPayload('controlled-delivery-update', {
      operationRef: 'OP-7',
      status: 'in-transit',
      substitution: 'partially-replaced',
      country: 'es',
      checkpoint: ' Algeciras port ',
      consents: 'ES: AN-2026/114\n\n pt – 55/2026-DCIAP ',
    });
    expect(cdu).toEqual({
      kind: 'controlled-delivery-update',
      operationRef: 'OP-7',
      status: 'in-transit',
      substitution: 'partially-replaced',
      country: 'ES',
      checkpoint: 'Algeciras port',
      consents: [
        { country: 'ES', reference: 'AN-2026/114' },
        { country: 'PT', reference: '55/2026-DCIAP' },
      ],
    });
    expect(validatePayload(cdu)).toEqual(cdu);
    // "Not stated" and empty lines leave the fields out; a line without code and reference is refused in words.
    expect(buildPayload('controlled-delivery-update', { operationRef: 'OP-7', substitution: '', consents: '\n ' })).toEqual({ kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'planned' });
    expect(() => parseConsents('Spain agreed')).toThrow(expect.objectContaining({ code: 'compose/bad-consents' }));
  });
});
