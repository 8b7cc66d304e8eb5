import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, MemoryStore } from '../../client/sdk/index.ts';
import { normaliseCaseRef } from '../../client/sdk/case-index.ts';
import { bearer, enrol, makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';
import { rawDb } from '../world/db.ts';

const PASSPHRASE = 'case reference passphrase 2026';

async function signIn(t: TestApp, baseUrl: string, who: Enrolled): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now() });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) });
  t.clock.advance(30_000);
  return client;
}

describe('case references: encrypted, found through a keyed blind index', () => {
  it('the creator finds the channel by any spelling of the reference; a member finds it locally; the server sees neither', async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const net = await provision(t, { prefix: 'c-' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'c-dora', displayName: 'Dora' },
    });
    const doraCreds = await enrol(t, (res.json() as { enrolment: { token: string } }).enrolment.token);
    const admin = await signIn(t, baseUrl, net.agencyAdmin);
    const ana = await signIn(t, baseUrl, net.officer);
    const dora = await signIn(t, baseUrl, doraCreds);
    await admin.createIdentity(PASSPHRASE);
    await ana.createIdentity(PASSPHRASE);
    await dora.createIdentity(PASSPHRASE);
    await admin.certifyPending();

    const ref = 'PT 2026/0412-Rotterdam';
    const created = await ana.createChannel({ kind: 'case', title: 'Operation Tide', caseRef: ref, members: [dora.officerId!] });
    await ana.createChannel({ kind: 'case', title: 'Another case', caseRef: 'PT-2026/9999', members: [dora.officerId!] });

    // The server stores only the keyed index, never the reference.
    const row = rawDb(t.app).prepare('SELECT case_ref_index AS idx FROM channels WHERE id = ?').get(created.id) as { idx: string };
    expect(row.idx).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(rawDb(t.app).prepare('SELECT * FROM channels').all());
    expect(dump).not.toContain('0412');

    const byAna = await ana.findChannelsByCaseRef('pt-2026/0412 rotterdam');
    expect(byAna.map((c) => c.id)).toEqual([created.id]);
    expect(byAna[0]?.caseRef).toBe(ref);
    // Dora's index key differs (the server finds nothing for her index); once she has synced the
    // epoch key she matches the decrypted reference locally.
    await dora.sync();
    const byDora = await dora.findChannelsByCaseRef('PT 2026/0412 ROTTERDAM');
    expect(byDora.map((c) => c.id)).toEqual([created.id]);
    expect(await ana.findChannelsByCaseRef('PT-2026-0413')).toEqual([]);

    // Another officer cannot use the index to probe: the filter only ever searches the caller's channels.
    const probe = await t.app.inject({
      method: 'GET',
      url: `/api/v1/channels?caseRefIndex=${row.idx}`,
      headers: bearer(net.agencyAdmin.tokens),
    });
    expect(probe.statusCode).toBe(200);
    expect(probe.json()).toEqual({ channels: [] }); // the admin is not a member: the index reveals nothing
    expect(normaliseCaseRef(' pt  2026_0412 ')).toBe('PT-2026-0412');
  });
});
