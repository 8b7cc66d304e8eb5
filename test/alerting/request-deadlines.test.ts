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
import { rawDb } from '../world/db.ts';

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
      dataAccess: 'direct',
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

  for (const close of ['withdrawal', 'refusal'] as const) {
    it(`a ${close} cancels the request's open deadline page: no later escalation step fires`, { timeout: 120_000 }, async () => {
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
      await c.ana.acceptContactRequest(contact.invitationId!);
      await c.eva.sync();
      const deadlinePages = async () => (await ok<{ pages: Page[] }>(await call(t, sam, 'GET', `/desks/${desk.id}/pages`))).pages.filter((p) => p.reason === 'deadline');
      const escalations = (pageId: string) => (rawDb(t.app).prepare(`SELECT count(*) AS n FROM audit_events WHERE action = 'page.escalated' AND target_id = ?`).get(pageId) as { n: number }).n;

      const start = t.clock.now();
      const sent = await c.eva.requests.send(channelId, {
        template: 'liaison',
        urgency: 'urgent',
        dataAccess: 'direct',
        urgencyReasons: `Parcel leaves tonight ${MARKER}`,
        purpose: 'Stop a shipment',
        legalBasis: 'MoU',
        dataCategories: ['addresses'],
        requestedInformation: `Consignee address ${MARKER}`,
      });
      t.clock.set(start + 6 * HOUR_MS + MINUTE_MS);
      await t.app.ctx.requests.tick();
      const [page] = await deadlinePages();
      expect(page).toMatchObject({ state: 'open' });

      if (close === 'withdrawal') {
        await c.eva.requests.withdraw(channelId, sent.requestRef, { text: `Parcel seized ${MARKER}` });
      } else {
        await c.ana.sync();
        await c.ana.requests.refuse(channelId, sent.requestRef, { ground: 'g', text: `Not an offence here ${MARKER}` });
      }
      expect((await deadlinePages()).map((p) => p.state)).toEqual(['cancelled']);
      // Hours later, however often the ladder ticks (other pages of the channel may escalate), nobody is paged about it.
      for (const hours of [7, 9, 12]) {
        t.clock.set(start + hours * HOUR_MS);
        await t.app.ctx.paging.tick();
        await t.app.ctx.requests.tick();
      }
      expect(escalations(page!.id)).toBe(0);
      expect((await deadlinePages()).map((p) => p.state)).toEqual(['cancelled']);
      const cancelled = rawDb(t.app).prepare(`SELECT details FROM audit_events WHERE action = 'page.cancelled' AND target_id = ?`).all(page!.id) as { details: string }[];
      expect(cancelled.map((r) => JSON.parse(r.details).cause)).toEqual(['request_closed']);
    });
  }
});
