import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, MemoryStore, type SecurityNotice } from '../../client/sdk/index.ts';
import { HEADER_TIME_TOLERANCE_MS, checkHeaderTime } from '../../shared/crypto/index.ts';
import { bearer, enrol, makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';

const PASSPHRASE = 'header time passphrase 2026';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

async function signIn(t: TestApp, baseUrl: string, who: Enrolled, skew = { ms: 0 }): Promise<LiaisonClient> {
  // The client's clock is the server's plus `skew.ms`: a sender whose device clock is wrong.
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now() + skew.ms });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) });
  t.clock.advance(30_000);
  return client;
}

describe('header time is bound to the server stamp (PROTOCOL.md §7.1)', () => {
  it('checkHeaderTime: inside ±tolerance of the server stamp and not before the epoch start − tolerance', () => {
    const server = Date.UTC(2026, 10, 23, 9, 0, 0);
    const epochStart = server - 30 * MIN;
    const at = (time: number, serverTime = server) => checkHeaderTime({ time, serverTime, epochStart });
    expect(HEADER_TIME_TOLERANCE_MS).toBe(10 * MIN);
    expect(at(server)).toBeNull();
    expect(at(server + HEADER_TIME_TOLERANCE_MS)).toBeNull();
    expect(at(server - HEADER_TIME_TOLERANCE_MS)).toBeNull();
    expect(at(server + HEADER_TIME_TOLERANCE_MS + 1)).toBe('envelope/time-skew');
    expect(at(server - HEADER_TIME_TOLERANCE_MS - 1)).toBe('envelope/time-skew');
    expect(at(server + 6 * DAY)).toBe('envelope/time-skew');
    // Before the epoch it was sent in, even where the server stamp agrees (a server stamping in the past).
    expect(at(epochStart - HEADER_TIME_TOLERANCE_MS, epochStart - HEADER_TIME_TOLERANCE_MS)).toBeNull();
    expect(at(epochStart - HEADER_TIME_TOLERANCE_MS - 1, epochStart - HEADER_TIME_TOLERANCE_MS)).toBe('envelope/time-before-epoch');
    expect(at(epochStart - 60 * MIN)).toBe('envelope/time-before-epoch');
  });

  it('a sender with a skewed clock (+6 days, 1 hour before the epoch): the receiver shows the server time and flags it; within tolerance no flag', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const net = await provision(t, { prefix: 'h-' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${net.agency.id}/officers`,
      headers: bearer(net.agencyAdmin.tokens),
      payload: { username: 'h-dora', displayName: 'Dora' },
    });
    const doraCreds = await enrol(t, (res.json() as { enrolment: { token: string } }).enrolment.token);
    const skew = { ms: 0 };
    const admin = await signIn(t, baseUrl, net.agencyAdmin);
    const ana = await signIn(t, baseUrl, net.officer, skew);
    const dora = await signIn(t, baseUrl, doraCreds);
    await admin.createIdentity(PASSPHRASE);
    await ana.createIdentity(PASSPHRASE);
    await dora.createIdentity(PASSPHRASE);
    await admin.certifyPending();
    const security: SecurityNotice[] = [];
    dora.on('security', (e) => security.push(e));

    const channel = await ana.createChannel({ kind: 'case', title: 'Operation Clock', members: [dora.officerId!] });
    t.clock.advance(MIN);

    skew.ms = 4 * MIN; // within tolerance
    const ok = await ana.send(channel.id, { kind: 'text', text: 'clock a little fast' });
    skew.ms = 6 * DAY; // six days in the future, still inside the epoch's 7-day lifetime
    const future = await ana.send(channel.id, { kind: 'text', text: 'from next week' });
    skew.ms = -61 * MIN; // an hour before the epoch started
    const past = await ana.send(channel.id, { kind: 'text', text: 'from before the channel' });
    skew.ms = 0;

    const got = await dora.history(channel.id);
    const byId = new Map(got.map((m) => [m.messageId, m]));
    expect(got).toHaveLength(3);
    expect(byId.get(ok.messageId)).toMatchObject({ sentAt: ok.createdAt, headerTime: ok.createdAt + 4 * MIN, timeSkew: false, payload: { text: 'clock a little fast' } });
    // Still shown (content authenticated), at the server's time, and marked.
    expect(byId.get(future.messageId)).toMatchObject({ sentAt: future.createdAt, headerTime: future.createdAt + 6 * DAY, timeSkew: true, payload: { text: 'from next week' } });
    expect(byId.get(past.messageId)).toMatchObject({ sentAt: past.createdAt, headerTime: past.createdAt - 61 * MIN, timeSkew: true, payload: { text: 'from before the channel' } });
    const skewNotices = security.filter((s) => s.kind === 'message_time_skew');
    expect(skewNotices).toEqual([
      expect.objectContaining({ channelId: channel.id, officerId: ana.officerId, code: 'envelope/time-skew', message: expect.stringContaining(future.messageId) }),
      expect.objectContaining({ channelId: channel.id, officerId: ana.officerId, code: 'envelope/time-before-epoch', message: expect.stringContaining(past.messageId) }),
    ]);
    expect(security.filter((s) => s.kind === 'message_rejected')).toEqual([]);
    // The sender's own copy is displayed at the server's time as well.
    expect((await ana.history(channel.id)).find((m) => m.messageId === future.messageId)).toMatchObject({ sentAt: future.createdAt, headerTime: future.createdAt + 6 * DAY });
    // The mark survives the local cache.
    expect((await dora.history(channel.id)).find((m) => m.messageId === future.messageId)).toMatchObject({ timeSkew: true });
  });
});
