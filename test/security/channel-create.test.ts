import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonApiError, LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { applyEvent } from '../../shared/crypto/index.ts';
import { makeApp, provision, provisionAgency, totpCode, type Enrolled, type TestApp } from '../world/app.ts';
import { errorText } from '../../client/web/src/lib/errors.ts';
import { keyedNetwork } from '../world/actors.ts';
import { activeAgreement, addEvent, call, chainContext, createEvent, envelopeFor, wire } from '../world/protocol.ts';
import { rawDb } from '../world/db.ts';

/** What a refused create must leave behind on the server: nothing about that channel. */
function serverTraces(t: TestApp, channelId: string): Record<string, number> {
  const count = (sql: string) => (rawDb(t.app).prepare(sql).get(channelId) as { n: number }).n;
  return {
    channels: count('SELECT count(*) AS n FROM channels WHERE id = ?'),
    events: count('SELECT count(*) AS n FROM membership_events WHERE channel_id = ?'),
    invitations: count('SELECT count(*) AS n FROM invitations WHERE channel_id = ?'),
    audit: count("SELECT count(*) AS n FROM audit_events WHERE target_id = ?"),
  };
}

const NOTHING = { channels: 0, events: 0, invitations: 0, audit: 0 };

describe('security: creating a channel is all or nothing', () => {
  it('a case channel without agreement that invites another agency is refused with a clear 400 and leaves nothing; the retry creates one channel', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const create = createEvent(t, a.officer, { kind: 'case' });
    const s0 = applyEvent(null, create, ctx);
    const invite = addEvent(t, s0, a.officer, b.officer);
    const body = { events: [wire(create)], encryptedMeta: 'b3BhcXVl', keyEnvelope: envelopeFor(s0, a.officer), invites: [wire(invite)] };

    const refused = await call(t, a.officer, 'POST', '/channels', body);
    expect(refused.statusCode).toBe(400);
    const { error } = refused.json() as { error: { code: string; message: string } };
    expect(error.code).toBe('channel_agreement_required');
    // Written for a person: no protocol function names or field paths.
    expect(error.message).not.toMatch(/applyEvent|events\[|invites\[|chain\//);
    expect(error.message).toMatch(/agreement/);
    expect(serverTraces(t, create.channelId)).toEqual(NOTHING);
    expect((await call(t, a.officer, 'GET', '/channels')).json()).toEqual({ channels: [] });

    // The retry without the foreign officer creates exactly one channel (no duplicate, no leftover).
    const { invites: _dropped, ...alone } = body;
    expect((await call(t, a.officer, 'POST', '/channels', alone)).statusCode).toBe(201);
    const list = (await call(t, a.officer, 'GET', '/channels')).json() as { channels: { id: string }[] };
    expect(list.channels.map((c) => c.id)).toEqual([create.channelId]);
  });

  it('adding another agency to an existing case channel without agreement gets the same clear error, not a protocol message', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const create = createEvent(t, a.officer, { kind: 'case' });
    const s0 = applyEvent(null, create, ctx);
    expect((await call(t, a.officer, 'POST', '/channels', { events: [wire(create)], encryptedMeta: 'b3BhcXVl' })).statusCode).toBe(201);
    const res = await call(t, a.officer, 'POST', `/channels/${create.channelId}/events`, { event: wire(addEvent(t, s0, a.officer, b.officer)) });
    expect(res.statusCode).toBe(400);
    const { error } = res.json() as { error: { code: string; message: string } };
    expect(error.code).toBe('channel_agreement_required');
    expect(error.message).not.toMatch(/applyEvent|event:/);
    expect((await call(t, b.officer, 'GET', '/invitations')).json()).toEqual({ invitations: [] });
  });

  it('invites adding an own-agency officer, signed by someone else, duplicated or a third direct member are refused and nothing is written', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    const ctx = chainContext(a.admin, b.admin);
    const agreement = await activeAgreement(t, [a.admin, b.admin]);
    const create = createEvent(t, a.officer, { kind: 'case', agreementId: agreement.id });
    const s0 = applyEvent(null, create, ctx);
    const base = { events: [wire(create)], encryptedMeta: 'b3BhcXVl' };
    const cases: [unknown[], number, string][] = [
      [[wire(addEvent(t, s0, a.officer, a.admin))], 400, 'invalid_invite'],
      [[wire(addEvent(t, s0, a.admin, b.officer))], 403, 'actor_mismatch'],
      [[wire(addEvent(t, s0, a.officer, b.officer)), wire(addEvent(t, s0, a.officer, b.officer))], 400, 'invalid_invite'],
    ];
    for (const [invites, status, code] of cases) {
      const res = await call(t, a.officer, 'POST', '/channels', { ...base, invites });
      expect([res.statusCode, (res.json() as { error: { code: string } }).error.code]).toEqual([status, code]);
      expect(serverTraces(t, create.channelId)).toEqual(NOTHING);
    }
    // A direct channel cannot be made a group by inviting two officers at once.
    const direct = createEvent(t, a.officer, { kind: 'direct', agreementId: agreement.id });
    const d0 = applyEvent(null, direct, ctx);
    const pair = [wire(addEvent(t, d0, a.officer, b.officer)), wire(addEvent(t, d0, a.officer, b.admin))];
    const res = await call(t, a.officer, 'POST', '/channels', { events: [wire(direct)], encryptedMeta: 'b3BhcXVl', invites: pair });
    expect([res.statusCode, (res.json() as { error: { code: string } }).error.code]).toEqual([400, 'invalid_invite']);
    expect(serverTraces(t, direct.channelId)).toEqual(NOTHING);
    // Under the agreement the same invite is taken, and the invitation is created with the channel.
    const ok = await call(t, a.officer, 'POST', '/channels', { ...base, invites: [wire(addEvent(t, s0, a.officer, b.officer))] });
    expect(ok.statusCode).toBe(201);
    expect((ok.json() as { invitation: { inviteeId: string } }).invitation.inviteeId).toBe(b.officer.id);
    expect(serverTraces(t, create.channelId)).toMatchObject({ channels: 1, events: 1, invitations: 1 });
  });

  it('SDK: createChannel of a case channel with another agency and no agreement throws the server code and leaves no channel, locally or on the server', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const netA = await provision(t, { prefix: 'a-' });
    const netB = await provisionAgency(t, netA.admin, { name: 'Guardia Civil', country: 'ES', prefix: 'b-', officers: ['bob'] });
    const signIn = async (who: Enrolled) => {
      const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 1, baseDelayMs: 10 } });
      await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) });
      t.clock.advance(30_000);
      return client;
    };
    const [adminA, adminB, alice, bob] = [await signIn(netA.agencyAdmin), await signIn(netB.agencyAdmin), await signIn(netA.officer), await signIn(netB.officers[0]!)];
    const passphrase = 'channel create atomic passphrase';
    for (const c of [adminA, adminB, alice, bob]) await c.createIdentity(passphrase);
    await adminA.certifyPending();
    await adminB.certifyPending();
    const store = (alice as unknown as { ctx: { store: MemoryStore } }).ctx.store;
    const channelKeys = async () => (await store.keys('')).filter((k) => /^(meta|epoch|chain|invites|send):/.test(k));

    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await alice.createChannel({ kind: 'case', title: 'Operation Atlas', members: [bob.officerId!] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LiaisonApiError);
      expect(err).toMatchObject({ status: 400, code: 'channel_agreement_required' });
      expect(await alice.channels()).toEqual([]);
      expect(await channelKeys()).toEqual([]);
    }
    const count = rawDb(t.app).prepare('SELECT count(*) AS n FROM channels').get() as { n: number };
    expect(count.n).toBe(0);
    for (const c of [adminA, adminB, alice, bob]) c.disconnect();
    await t.app.close();
  });
});

describe('security: the web app explains a refused channel member', () => {
  it('maps channel_agreement_required to a sentence for officers, not the server detail', () => {
    const text = errorText({ code: 'channel_agreement_required', message: 'detail' });
    expect(text).toMatch(/agreement/);
    expect(text).not.toBe('detail');
  });
});
