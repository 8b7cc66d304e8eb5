/**
 * Requests to a desk (docs/REQUESTS.md): Eva (ES) reaches PT's night desk through its directory entry and sends an
 * urgent request in that channel. The deadline is counted in the desk's zone, the desk's overdue board lists it once
 * the 8 hours passed, the reminders page the desk (reason `deadline`) once each, and the answer clears the board.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiaisonClient } from '../../client/sdk/index.ts';
import type { Page } from '../../shared/schemas/pages.ts';
import type { RequestView } from '../../shared/schemas/requests.ts';
import { MARKER } from './fixtures.ts';
import { MINUTE_MS, PASSPHRASE, call, deskWorld, listen, ok, sdk } from './desk-world.ts';

const HOUR_MS = 3600_000;
let clients: LiaisonClient[] = [];
afterEach(() => {
  for (const c of clients) c.disconnect();
  clients = [];
});

describe('requests to a desk', () => {
  it("the desk's overdue board and its deadline reminders", { timeout: 120_000 }, async () => {
    const { t, pt, es, ana, sam, eva, desk } = await deskWorld();
    const baseUrl = await listen(t);
    const c = { ptAdmin: await sdk(t, baseUrl, pt.admin), esAdmin: await sdk(t, baseUrl, es.admin), ana: await sdk(t, baseUrl, ana), eva: await sdk(t, baseUrl, eva) };
    clients = Object.values(c);
    for (const client of clients) await client.createIdentity(PASSPHRASE);
    await c.ptAdmin.certifyPending();
    await c.esAdmin.certifyPending();
    const entry = await c.ptAdmin.createDirectoryEntry({ title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['en'], availability: { kind: '24/7' }, deskId: desk.id });
    const contact = await c.eva.contact(entry.id, { message: `Hello ${MARKER}` });
    const channelId = contact.channel.id;
    // Between agencies without an agreement the desk's officer accepts the contact request first.
    await c.ana.acceptContactRequest(contact.invitationId!);
    await c.eva.sync();
    const board = async () => (await ok<{ requests: RequestView[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/requests/overdue`))).requests;
    const deadlinePages = async () => (await ok<{ pages: Page[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/pages`))).pages.filter((p) => p.reason === 'deadline');

    const start = t.clock.now();
    const sent = await c.eva.requests.send(channelId, {
      template: 'liaison',
      urgency: 'urgent',
      urgencyReasons: `Parcel leaves tonight ${MARKER}`,
      purpose: 'Stop a shipment',
      legalBasis: 'MoU',
      dataCategories: ['addresses'],
      requestedInformation: `Consignee address ${MARKER}`,
    });
    expect(sent.request).toMatchObject({ state: 'open', deadline: start + 8 * HOUR_MS });
    const view = (await c.eva.requests.get(sent.request!.id)).request;
    expect(view).toMatchObject({ deskId: desk.id, timeZone: 'Europe/Lisbon', requestedAgencyId: pt.id, requesterCountry: 'ES', requestedCountry: 'PT' });
    expect(await board()).toEqual([]);
    // Eva's agency has no standing on the desk: its board stays hidden.
    expect((await call(t, eva, 'GET', `/desks/${desk.id}/requests/overdue`)).statusCode).toBe(404);

    // 75 % of 8 hours: one deadline page, however many ticks.
    t.clock.set(start + 6 * HOUR_MS + MINUTE_MS);
    await t.app.ctx.requests.tick();
    await t.app.ctx.requests.tick();
    expect((await deadlinePages()).map((p) => [p.priority, p.channelId])).toEqual([['urgent', channelId]]);

    // Past the deadline: on the board, and a second (due) reminder.
    t.clock.set(start + 8 * HOUR_MS + MINUTE_MS);
    expect((await board()).map((r) => r.id)).toEqual([sent.request!.id]);
    await t.app.ctx.requests.tick();
    await t.app.ctx.requests.tick();
    expect(await deadlinePages()).toHaveLength(2);

    // Ana (PT, on the desk) answers in full: the board clears and no reminder follows.
    await c.ana.sync();
    await c.ana.requests.answer(channelId, sent.requestRef, { completeness: 'full', text: `Calle Mayor 1 ${MARKER}` });
    expect(await board()).toEqual([]);
    await t.app.ctx.requests.tick();
    expect(await deadlinePages()).toHaveLength(2);
  });
});
