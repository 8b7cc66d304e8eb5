import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../client/sdk/index.ts';
import { openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { startHost } from './host.ts';

const HOUR = 3_600_000;

/**
 * docs/CODES.md through the SDK and the real server: a channel under the Europol profile (H0–H3, 4x4 evaluation),
 * codes and evaluations round-trip sealed in the envelope, and the permission workflow — Alice asks Bob, the
 * originator, to use his H2 message in judicial proceedings and to pass it on; `canUse` and the forward follow his grants.
 */
describe('Europol code profile (SDK)', () => {
  it('H1/H2/H3 with A1-style evaluations round-trip; grants open judicial use and the H2 forward', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'eu-' });
    const profile = { handling: 'europol-h', evaluation: 'europol-4x4' } as const;
    const source = await openCaseChannel(net, { title: 'Operation Kestrel', policy: { minimum: 'H0', defaultCode: 'H2', profile } });
    const own = await net.alice.createChannel({ kind: 'case', title: 'PJ only', members: [], policy: { minimum: 'H0', profile } });

    expect(await net.bob.codes.policy(source.id)).toEqual({ allowed: ['H0', 'H1', 'H2', 'H3'], defaultCode: 'H2', profile });
    // The send rules of the profile, before anything leaves: an evaluation of another vocabulary, H3 without conditions.
    const refused = async (p: Promise<unknown>) => p.then(() => 'sent', (e: { code: string }) => e.code);
    expect(await refused(net.bob.send(source.id, { kind: 'text', text: 'x' }, { codes: { evaluation: '1-B-P' } }))).toBe('handling/bad-evaluation');
    expect(await refused(net.bob.send(source.id, { kind: 'text', text: 'x' }, { handling: 'H3' }))).toBe('handling/conditions');
    expect(await refused(net.bob.send(source.id, { kind: 'text', text: 'x' }, { handling: 'TLP:AMBER' }))).toBe('handling/not-allowed');

    const got: ReceivedMessage[] = [];
    net.alice.on('message', (m) => got.push(m));
    const h2 = await net.bob.send(source.id, { kind: 'text', text: 'Courier leaves Algeciras on Friday' }, { codes: { evaluation: 'A1' } });
    const h1 = await net.bob.send(source.id, { kind: 'text', text: 'Ledger photographed by the source' }, { handling: 'H1', codes: { evaluation: 'B2' } });
    const h3 = await net.bob.send(source.id, { kind: 'text', text: 'Phone numbers' }, { handling: 'H3', codes: { evaluation: 'X4', conditions: 'Not to be used for covert measures.' } });
    await waitFor(async () => {
      await net.alice.sync();
      return got.filter((m) => m.channelId === source.id).length === 3;
    }, 'alice receives the three messages');
    const byId = (id: string) => got.find((m) => m.messageId === id)!;
    expect([byId(h2.messageId).handling, byId(h2.messageId).codes]).toEqual(['H2', { evaluation: 'A1' }]);
    expect([byId(h1.messageId).handling, byId(h1.messageId).codes]).toEqual(['H1', { evaluation: 'B2' }]);
    expect([byId(h3.messageId).handling, byId(h3.messageId).codes]).toEqual(['H3', { evaluation: 'X4', conditions: 'Not to be used for covert measures.' }]);

    // Evaluation per item: a structured answer's facts each carry their own 4x4 code, checked on send and on receipt.
    const request = await net.alice.requests.send(source.id, {
      template: 'liaison',
      urgency: 'non-urgent',
      purpose: 'Identify the courier',
      legalBasis: 'MoU',
      dataCategories: ['identity'],
      requestedInformation: 'Who drives the van?',
    });
    const items = [{ text: 'Driver: J. D., born 1980', evaluation: 'B2' }, { text: 'Van registered in Cádiz' }, { text: 'Seen in Tangier in May', evaluation: 'X4' }];
    expect(await refused(net.bob.requests.answer(source.id, request.requestRef, { completeness: 'partial', text: 'First facts', items: [{ text: 'x', evaluation: '1-B-P' }] }))).toBe('handling/bad-evaluation');
    const answer = await net.bob.requests.answer(source.id, request.requestRef, { completeness: 'partial', text: 'First facts', items });
    await waitFor(async () => {
      await net.alice.sync();
      return got.some((m) => m.messageId === answer.messageId);
    }, 'alice receives the answer');
    expect(byId(answer.messageId).payload).toEqual({ kind: 'request-answer', requestRef: request.requestRef, completeness: 'partial', text: 'First facts', items });

    // Before any grant: H2 and H1 not as evidence, H2 not onward; H3 allowed with its conditions; H1 onward allowed.
    expect((await net.alice.codes.canUse(source.id, h2.messageId, 'judicial-proceedings')).allowed).toBe(false);
    expect((await net.alice.codes.canUse(source.id, h1.messageId, 'judicial-proceedings')).allowed).toBe(false);
    expect(await net.alice.codes.canUse(source.id, h1.messageId, 'onward-to-third-party')).toEqual({ allowed: true });
    expect(await net.alice.codes.canUse(source.id, h3.messageId, 'judicial-proceedings')).toEqual({ allowed: true, conditions: 'Not to be used for covert measures.' });
    const forward = (grantId?: string) =>
      refused(net.alice.send(own.id, { kind: 'text', text: 'fwd' }, { handling: 'H2', forwardedFrom: { messageId: h2.messageId, channelId: source.id, ...(grantId ? { grantId } : {}) } }));
    expect(await forward()).toBe('handling/forward-denied');

    // Alice asks; Bob (the originator) grants judicial use to her agency.
    const asked = await net.alice.codes.requestUse(source.id, h2.messageId, { purpose: 'judicial-proceedings', scope: 'Tribunal de Lisboa, proc. 123/26' });
    const requests: ReceivedMessage[] = [];
    net.bob.on('message', (m) => m.payload.kind === 'use-grant-request' && requests.push(m));
    await waitFor(async () => {
      await net.bob.sync();
      return requests[0];
    }, 'bob receives the request');
    expect(requests[0]!.payload).toMatchObject({ sourceMessageId: h2.messageId, purpose: 'judicial-proceedings', granteeAgencyId: net.a.agencyId });
    // Only the originator grants: Alice cannot grant herself.
    expect(await refused(net.alice.codes.grant(source.id, { sourceMessageId: h2.messageId, purpose: 'onward-to-third-party', granteeAgencyId: net.a.agencyId, scope: 'self', expiresAt: Date.now() + HOUR }))).toBe(
      'grant/not-originator',
    );
    const judicial = await net.bob.codes.grant(source.id, { sourceMessageId: h2.messageId, requestMessageId: asked.messageId, purpose: 'judicial-proceedings', granteeAgencyId: net.a.agencyId, scope: 'Proc. 123/26 only', expiresAt: Date.now() + HOUR });
    await waitFor(async () => {
      await net.alice.sync();
      return (await net.alice.codes.canUse(source.id, h2.messageId, 'judicial-proceedings')).allowed;
    }, 'alice may use it in proceedings');
    // That grant is for the proceedings, not for passing it on: the SDK and the server both refuse the forward.
    expect(await forward(judicial.messageId)).toBe('handling/forward-denied');
    expect((await net.alice.codes.canUse(source.id, h2.messageId, 'onward-to-third-party')).allowed).toBe(false);

    // An onward grant for Alice's agency: the forward goes, keeping H2.
    const onward = await net.bob.codes.grant(source.id, { sourceMessageId: h2.messageId, purpose: 'onward-to-third-party', granteeAgencyId: net.a.agencyId, scope: 'PJ drugs unit', expiresAt: Date.now() + HOUR });
    await waitFor(async () => {
      await net.alice.sync();
      return (await net.alice.codes.grants(source.id, h2.messageId, 'onward-to-third-party')).length === 1;
    }, 'alice holds the onward grant');
    expect(await forward(onward.messageId)).toBe('sent');
    expect(await refused(net.alice.send(own.id, { kind: 'text', text: 'fwd' }, { handling: 'H1', forwardedFrom: { messageId: h2.messageId, channelId: source.id, grantId: onward.messageId } }))).toBe(
      'handling/downgrade',
    );
  });
});
