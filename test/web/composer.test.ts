import { describe, expect, it } from 'vitest';
import { buildPayload } from '../../client/web/src/screens/composer.tsx';
import { validatePayload } from '../../shared/crypto/payload.ts';
import { initSodium } from '../../shared/crypto/index.ts';

describe('structured message payloads', () => {
  it('builds valid payloads and omits empty optional fields', async () => {
    await initSodium();
    const rfa = buildPayload('request-for-assistance', { caseRef: 'CASE-1', scope: 'precursors', subject: 'Bank records', details: 'Please provide…', dueBy: '' });
    expect(rfa).toEqual({ kind: 'request-for-assistance', caseRef: 'CASE-1', scope: 'precursors', subject: 'Bank records', details: 'Please provide…' });
    const cdu = buildPayload('controlled-delivery-update', { operationRef: 'OP-7', status: 'in-transit', location: ' Porto ', eta: '2026-11-24T10:00' });
    expect(cdu).toMatchObject({ kind: 'controlled-delivery-update', operationRef: 'OP-7', status: 'in-transit', location: 'Porto', eta: new Date('2026-11-24T10:00').getTime() });
    const site = buildPayload('reported-site', { url: 'http://example.onion', category: 'marketplace', notes: '' });
    expect(site).toEqual({ kind: 'reported-site', url: 'http://example.onion', category: 'marketplace' });
    for (const p of [rfa, cdu, site, buildPayload('text', { text: 'hi' })]) expect(validatePayload(p)).toEqual(p);
  });
});
