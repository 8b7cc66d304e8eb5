/**
 * PROTOCOL.md §8 on the server (TLP 2.0, FIRST): a TLP:AMBER message reaches the recipient's agency and its
 * clients — the institutions it sponsors with an active extended-access grant — and not the other parties of the
 * source channel's agreement; TLP:AMBER+STRICT stays within the agency.
 */
import { describe, expect, it } from 'vitest';
import type { HandlingCode } from '../../shared/crypto/index.ts';
import { bearer, expectError, makeApp, worldOf } from '../world/app.ts';
import { postMessage, sendBody } from '../world/messaging.ts';

const DAY_MS = 86_400_000;
const srcId = (h: HandlingCode) => `src-${h.slice(4).replace('+', '-')}`;

describe('forwarding under TLP 2.0', () => {
  it('AMBER goes to the agency and its sponsored clients, not to the agreement partner; AMBER+STRICT stays in the agency', async () => {
    const t = await makeApp();
    const w = worldOf(t);
    const ncb = await w.agency({ name: 'NCB Lisbon', country: 'PT', kind: 'ncb', admin: 'ncb-admin' });
    const fiu = await w.agency({ name: 'UIF Portugal', country: 'PT', kind: 'fiu', sponsorAgencyId: ncb.id, admin: 'fiu-admin' });
    const es = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    const ana = w.keys(await w.officer(ncb, 'ana'));
    const rui = w.keys(await w.officer(ncb, 'rui'));
    const filipa = w.keys(await w.officer(fiu, 'filipa'));
    const bob = w.keys(await w.officer(es, 'bob'));
    for (const a of [ncb.id, fiu.id, es.id]) w.root(a);
    const agreementId = w.agreement([ncb.id, es.id], { id: 'mou-pt-es', proposedBy: ana.id });
    // The NCB lends its agreement to the institution it sponsors: the FIU becomes the NCB's client.
    const granted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/extended-access',
      headers: bearer(ncb.admin.tokens),
      payload: { agencyId: fiu.id, scope: ['drug-trafficking'], expiresAt: t.clock.now() + 10 * DAY_MS },
    });
    expect(granted.statusCode).toBe(201);

    const source = w.channel(bob, [ana], { agreementId });
    const own = w.channel(ana, [rui]);
    const client = w.channel(ana, [filipa], { agreementId });
    const partner = w.channel(ana, [bob], { agreementId });
    const codes: HandlingCode[] = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];
    for (const handling of codes) {
      const res = await postMessage(t, source, bob, sendBody(source, bob, { messageId: srcId(handling), handling }));
      expect(res.statusCode, res.body).toBe(201);
    }

    const targets = { own, client, partner };
    const allowed: Record<string, string[]> = {};
    for (const handling of codes) {
      allowed[handling] = [];
      for (const [name, ch] of Object.entries(targets)) {
        const res = await postMessage(t, ch, ana, { ...sendBody(ch, ana, { handling }), forwardedFrom: { messageId: srcId(handling) } });
        if (res.statusCode === 201) allowed[handling].push(name);
        else expectError(res, 403, 'forwarding_forbidden');
      }
    }
    expect(allowed).toEqual({
      'TLP:CLEAR': ['own', 'client', 'partner'],
      'TLP:GREEN': ['own', 'client', 'partner'],
      'TLP:AMBER': ['own', 'client'],
      'TLP:AMBER+STRICT': ['own'],
      'TLP:RED': [],
    });
  });

  it("an agency's clients are the institutions with an unrevoked, unexpired grant from it", async () => {
    const t = await makeApp();
    const w = worldOf(t);
    const ncb = await w.agency({ name: 'NCB Lisbon', country: 'PT', kind: 'ncb', admin: 'ncb-admin' });
    const fiu = await w.agency({ name: 'UIF Portugal', country: 'PT', kind: 'fiu', sponsorAgencyId: ncb.id, admin: 'fiu-admin' });
    const customs = await w.agency({ name: 'AT Alfândegas', country: 'PT', kind: 'customs', sponsorAgencyId: ncb.id, admin: 'at-admin' });
    const grant = async (agencyId: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/extended-access',
        headers: bearer(ncb.admin.tokens),
        payload: { agencyId, scope: ['drug-trafficking'], expiresAt: t.clock.now() + 10 * DAY_MS },
      });
      expect(res.statusCode).toBe(201);
      return (res.json() as { grant: { id: string } }).grant.id;
    };
    const repo = t.app.ctx.store.access;
    const clients = (agencyId: string) => repo.clientAgencyIds(agencyId, t.clock.now());
    // Sponsored is not enough: only a grant makes a client.
    expect(await clients(ncb.id)).toEqual([]);
    const fiuGrant = await grant(fiu.id);
    await grant(customs.id);
    expect(await clients(ncb.id)).toEqual([customs.id, fiu.id].sort());
    // Clients are the sponsor's, not the other way round.
    expect(await clients(fiu.id)).toEqual([]);
    const revoked = await t.app.inject({ method: 'POST', url: `/api/v1/extended-access/${fiuGrant}/revoke`, headers: bearer(ncb.admin.tokens) });
    expect(revoked.statusCode).toBe(200);
    expect(await clients(ncb.id)).toEqual([customs.id]);
    t.clock.advance(11 * DAY_MS);
    expect(await clients(ncb.id)).toEqual([]);
  });
});
