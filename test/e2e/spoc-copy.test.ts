/**
 * Art. 4(1) copies to the agency's own single point of contact (docs/REQUESTS.md "Copy to the single point of
 * contact"), through the SDK and the real server: PT names its night desk as SPOC; Ana (PT) asks Eva (ES) in their
 * contact channel; the sealed copy reaches the night desk, its members read it, others cannot, nobody is paged, and a
 * request without a copy is refused while the rule is on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiaisonClient, ReceivedMessage } from '../../client/sdk/index.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import { call, intakeWorld, ok } from './desk-intake-world.ts';

let clients: LiaisonClient[] = [];
afterEach(() => {
  for (const c of clients) c.disconnect();
  clients = [];
});

const ASK = { template: 'liaison' as const, urgency: 'non-urgent' as const, purpose: 'Identify a vendor', legalBasis: 'MoU', dataCategories: ['identity'], requestedInformation: 'Who runs shop X?' };
const refused = async (p: Promise<unknown>) =>
  p.then(
    () => 'sent',
    (e: { code: string }) => e.code,
  );

describe('Art. 4(1) copy to the single point of contact (SDK)', () => {
  it('rule off: no copy; rule on: the SPOC desk reads a sealed copy, others cannot, nobody is paged, a request without one is refused', { timeout: 150_000 }, async () => {
    const { t, c, desk, entry, pt, es, eva, sam } = await intakeWorld();
    clients = Object.values(c);
    await c.sam.desks.setupIntake(desk.id);
    const contact = await c.eva.contact(entry.id, { message: 'Hello' });
    const channelId = contact.channel.id;
    await c.ana.acceptContactRequest(contact.invitationId!);
    await c.eva.sync();
    const copies = async () => (await c.rui.desks.inbox(desk.id, { state: 'copy' })).filter((r) => r.state === 'copy');
    const pages = async () => (await ok<{ pages: Page[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/pages`))).pages;

    // Rule off: the request goes without a copy.
    expect(await c.ana.requests.settings(pt.id)).toEqual({ timeZone: 'UTC', spocDeskId: null });
    await c.ana.requests.send(channelId, ASK);
    expect(await copies()).toEqual([]);

    // Only the agency's administrators name its SPOC, and only one of its own desks with an intake key.
    expect(await refused(c.ana.requests.setSpocDesk(pt.id, desk.id))).toBe('forbidden');
    expect(await refused(c.esAdmin.requests.setSpocDesk(es.id, desk.id))).toBe('spoc_desk_invalid');
    expect(await refused(c.esAdmin.requests.setSpocDesk(pt.id, desk.id))).toBe('not_found');
    expect(await c.ptAdmin.requests.setSpocDesk(pt.id, desk.id)).toBe(desk.id);
    const pagesBefore = (await pages()).length;

    // Rule on: a request sent without the copy (an old or modified client) is refused and stores nothing.
    const bare = await refused(
      c.ana.send(channelId, { kind: 'request', requestRef: 'bare-1', dataAccess: 'indirect', ...ASK, dataCategories: [...ASK.dataCategories] }, { request: { ref: 'bare-1', kind: 'request', template: 'liaison', urgency: 'non-urgent' } }),
    );
    expect(bare).toBe('spoc_copy_required');

    // The SDK seals the copy, declares it, sends the request; the server links them.
    const got: ReceivedMessage[] = [];
    c.eva.on('message', (m) => got.push(m));
    const sent = await c.ana.requests.send(channelId, { ...ASK, requestedInformation: 'Who runs shop Y?' });
    const [copy, ...more] = await copies();
    expect(more).toEqual([]);
    expect(copy).toMatchObject({ state: 'copy', copyOf: sent.request!.id, pageId: null, claimedBy: null, error: null });
    expect(copy!.payload).toMatchObject({ kind: 'request', requestRef: sent.requestRef, requestedInformation: 'Who runs shop Y?' });
    // A copy pages nobody and is not claimed.
    expect((await pages()).length).toBe(pagesBefore);
    expect((await call(t, sam, 'POST', `/desks/${desk.id}/requests/${copy!.id}/claim`)).json()).toMatchObject({ error: { code: 'not_claimable' } });

    // Readable only by holders of the desk's intake secret: PT's administrator lists it but cannot open it; ES cannot list it.
    const [adminView] = (await c.ptAdmin.desks.inbox(desk.id, { state: 'copy' })).filter((r) => r.id === copy!.id);
    expect(adminView).toMatchObject({ payload: null });
    expect(adminView!.error).not.toBeNull();
    expect((await call(t, eva, 'GET', `/desks/${desk.id}/requests`)).statusCode).toBe(404);

    // Eva receives the request itself, without the copy's id in its metadata (her SDK accepts it).
    await c.eva.sync();
    const mine = got.find((m) => m.messageId === sent.messageId);
    expect(mine?.payload).toMatchObject({ kind: 'request', requestRef: sent.requestRef });
    expect(JSON.stringify(mine)).not.toContain(copy!.id);

    // A copy declared for another request, or reused, is refused.
    const reuse = await refused(
      c.ana.send(channelId, { kind: 'request', requestRef: 'reuse-1', dataAccess: 'indirect', ...ASK, dataCategories: [...ASK.dataCategories] }, { request: { ref: 'reuse-1', kind: 'request', template: 'liaison', urgency: 'non-urgent', spocCopy: copy!.id } }),
    );
    expect(reuse).toBe('spoc_copy_invalid');

    // Rule off again: no copy needed.
    expect(await c.ptAdmin.requests.setSpocDesk(pt.id, null)).toBeNull();
    await c.ana.requests.send(channelId, { ...ASK, requestedInformation: 'Who runs shop Z?' });
    expect((await copies()).map((r) => r.id)).toEqual([copy!.id]);
  });
});
