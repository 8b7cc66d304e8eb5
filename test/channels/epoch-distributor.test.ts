/**
 * Issue 12, defect 1: an epoch whose author is no longer a member (self-removal) is keyed by the
 * distributor rule (PROTOCOL.md §6): the SDK of the first remaining owner keys it on its own, from
 * the membership event or from its next send, and the remaining members talk on.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, MemoryStore, type ReceivedMessage, type SecurityNotice } from '../../client/sdk/index.ts';
import type { ChainStore } from '../../client/sdk/chains.ts';
import type { FetchFn } from '../../client/sdk/http.ts';
import type { EpochSecrets } from '../../client/sdk/secrets.ts';
import { api } from '../../shared/api/index.ts';
import { epochDistributor } from '../../shared/crypto/index.ts';
import type { StoredMessage } from '../../shared/schemas/channels.ts';
import { bearer, enrol, makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';
import { outsiderOpenError } from '../world/outsider.ts';

const PASSPHRASE = 'epoch distributor passphrase 2026';

async function signIn(t: TestApp, baseUrl: string, who: Enrolled, fetch?: FetchFn): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 3, baseDelayMs: 10 }, ...(fetch ? { fetch } : {}) });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()) });
  t.clock.advance(30_000);
  return client;
}

interface Trio {
  t: TestApp;
  baseUrl: string;
  a: LiaisonClient;
  b: LiaisonClient;
  c: LiaisonClient;
  creds: { b: Enrolled; c: Enrolled };
  security: SecurityNotice[];
}

/** One agency: A (the standard officer), B and C; keys registered and certified by the agency root. */
async function trio(): Promise<Trio> {
  const t = await makeApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const net = await provision(t, { prefix: 'ep-' });
  const officer = async (username: string): Promise<Enrolled> => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/agencies/${net.agency.id}/officers`, headers: bearer(net.agencyAdmin.tokens), payload: { username, displayName: username } });
    return enrol(t, (res.json() as { enrolment: { token: string } }).enrolment.token);
  };
  const credsB = await officer('ep-bea');
  const credsC = await officer('ep-cai');
  const admin = await signIn(t, baseUrl, net.agencyAdmin);
  const a = await signIn(t, baseUrl, net.officer);
  const b = await signIn(t, baseUrl, credsB);
  const c = await signIn(t, baseUrl, credsC);
  await admin.createIdentity(PASSPHRASE);
  for (const x of [a, b, c]) await x.createIdentity(PASSPHRASE);
  await admin.certifyPending();
  const security: SecurityNotice[] = [];
  for (const x of [a, b, c]) x.on('security', (e) => security.push(e));
  return { t, baseUrl, a, b, c, creds: { b: credsB, c: credsC }, security };
}

function texts(msgs: ReceivedMessage[]): string[] {
  return msgs.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
}

async function keyEnvelopeSender(client: LiaisonClient, channelId: string, epoch: number): Promise<string | undefined> {
  const { keyEnvelopes } = await client.call(api.channels.keyEnvelopes, { params: { id: channelId } });
  return (keyEnvelopes as { epoch: number; senderOfficerId: string }[]).find((e) => e.epoch === epoch)?.senderOfficerId;
}

/** The left officer holds no secret for `epoch` and cannot open the stored ciphertext of `messageId` with what it has. */
async function cannotRead(w: Trio, who: LiaisonClient, reader: Enrolled, channelId: string, epoch: number, messageId: string): Promise<void> {
  await who.sync();
  await expect(who.history(channelId)).rejects.toMatchObject({ status: 404 });
  const internals = who as unknown as { secrets: EpochSecrets; chains: ChainStore };
  expect(await internals.secrets.load(channelId, epoch)).toBeUndefined();
  const page = await w.t.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/messages`, headers: bearer(reader.tokens) });
  const stored = (page.json() as { messages: StoredMessage[] }).messages.find((m) => m.messageId === messageId)!;
  expect(stored.epoch).toBe(epoch);
  const state = (await internals.chains.state(channelId))!;
  expect(state.epochs.get(epoch)?.members.has(who.officerId!) ?? false).toBe(false);
  expect(await outsiderOpenError(who, state, stored, w.t.clock.now())).toBe('envelope/no-epoch-key');
}

describe('epoch distributor: an epoch whose author left is keyed automatically (issue 12)', () => {
  it('A adds B and C, hands ownership to C and leaves: C keys the new epoch on the membership event; B and C talk, A reads nothing', { timeout: 120_000 }, async () => {
    const w = await trio();
    const { a, b, c } = w;
    const channel = await a.createChannel({ kind: 'case', title: 'Operation Heron', members: [b.officerId!, c.officerId!] });
    await a.send(channel.id, { kind: 'text', text: 'before A leaves' });
    await a.setMemberRole(channel.id, c.officerId!, 'owner');
    await a.removeMember(channel.id, a.officerId!);
    const epoch = (await b.channel(channel.id)).headSeq;

    // Whoever the rule picks (the remaining owner, C) keys it while handling the removal in its sync.
    const view = (await (c as unknown as { chains: ChainStore }).chains.pull(channel.id)).current;
    expect(epochDistributor(view)).toEqual({ officerId: c.officerId, deviceId: null });
    expect(await keyEnvelopeSender(b, channel.id, epoch)).toBeUndefined();
    await c.sync();
    expect(await keyEnvelopeSender(b, channel.id, epoch)).toBe(c.officerId);

    await b.sync();
    const fromB = await b.send(channel.id, { kind: 'text', text: 'B after A left' });
    const fromC = await c.send(channel.id, { kind: 'text', text: 'C after A left' });
    await b.sync();
    await c.sync();
    expect(texts(await b.history(channel.id))).toEqual(['before A leaves', 'B after A left', 'C after A left']);
    expect(texts(await c.history(channel.id))).toEqual(['before A leaves', 'B after A left', 'C after A left']);
    // C, now the owner, re-published the title for the new epoch: B still reads it.
    expect((await b.channel(channel.id)).title).toBe('Operation Heron');

    await cannotRead(w, a, w.creds.b, channel.id, epoch, fromB.messageId);
    await cannotRead(w, a, w.creds.b, channel.id, epoch, fromC.messageId);
    expect(w.security).toEqual([]);
  });

  it('the distributor\'s first send keys the epoch (no sync in between); a non-distributor waits with epoch/no-key', { timeout: 120_000 }, async () => {
    const w = await trio();
    const { a, b, c } = w;
    const channel = await a.createChannel({ kind: 'case', title: 'Operation Egret', members: [b.officerId!, c.officerId!] });
    await b.sync();
    await c.sync();
    await a.setMemberRole(channel.id, c.officerId!, 'owner');
    await a.removeMember(channel.id, a.officerId!);
    // B is a member but not the distributor: nothing to send with yet.
    await expect(b.send(channel.id, { kind: 'text', text: 'too early' })).rejects.toMatchObject({ code: 'epoch/no-key' });
    // C has not synced since the removal: its send pulls the chain, finds it is the distributor and keys the epoch first.
    const first = await c.send(channel.id, { kind: 'text', text: 'C keys on send' });
    const epoch = (await c.channel(channel.id)).headSeq;
    expect(await keyEnvelopeSender(b, channel.id, epoch)).toBe(c.officerId);
    await b.send(channel.id, { kind: 'text', text: 'B answers' });
    await b.sync();
    await c.sync();
    expect(texts(await b.history(channel.id))).toEqual(['C keys on send', 'B answers']);
    expect(texts(await c.history(channel.id))).toEqual(['C keys on send', 'B answers']);
    // C handling the removal event afterwards (its sync) does not key the epoch a second time.
    expect((await b.call(api.channels.keyEnvelopes, { params: { id: channel.id } })).keyEnvelopes.filter((e) => (e as { epoch: number }).epoch === epoch)).toHaveLength(1);
    await cannotRead(w, a, w.creds.b, channel.id, epoch, first.messageId);
    expect(w.security).toEqual([]);
  });

  it('two devices of the distributor: the one that loses the race (409 key_envelope_exists) uses the stored envelope', { timeout: 120_000 }, async () => {
    const w = await trio();
    const { a, b, c } = w;
    // C's phone reads the key envelopes "too early": until its own post, the list it gets is empty.
    let phonePosted = false;
    const phoneFetch: FetchFn = async (input, init) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      if (url.endsWith('/key-envelopes') && method === 'POST') phonePosted = true;
      if (url.endsWith('/key-envelopes') && method === 'GET' && !phonePosted) return new Response(JSON.stringify({ keyEnvelopes: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
      return fetch(input, init);
    };
    const channel = await a.createChannel({ kind: 'case', title: 'Operation Stork', members: [b.officerId!, c.officerId!] });
    await a.setMemberRole(channel.id, c.officerId!, 'owner');
    await a.removeMember(channel.id, a.officerId!);
    await c.sync();
    const epoch = (await c.channel(channel.id)).headSeq;
    const phone = await signIn(w.t, w.baseUrl, w.creds.c, phoneFetch);
    await phone.unlock(PASSPHRASE);
    const security: SecurityNotice[] = [];
    phone.on('security', (e) => security.push(e));
    expect(phone.deviceId).not.toBe(c.deviceId);
    // The phone is a distributor too (any device of C), builds its own envelope, loses to the laptop's and reads that one.
    await phone.send(channel.id, { kind: 'text', text: 'from the phone' });
    expect(phonePosted).toBe(true);
    const { keyEnvelopes } = await b.call(api.channels.keyEnvelopes, { params: { id: channel.id } });
    const stored = (keyEnvelopes as { epoch: number; senderOfficerId: string; senderDeviceId: string }[]).filter((e) => e.epoch === epoch);
    expect(stored.map((e) => [e.senderOfficerId, e.senderDeviceId])).toEqual([[c.officerId, c.deviceId]]);
    await c.send(channel.id, { kind: 'text', text: 'from the laptop' });
    await b.sync();
    expect(texts(await b.history(channel.id))).toEqual(['from the phone', 'from the laptop']);
    expect([...w.security, ...security]).toEqual([]);
  });

  it('removal of the current epoch\'s author by another owner: the remover keys the new epoch; the removed author reads nothing', { timeout: 120_000 }, async () => {
    const w = await trio();
    const { a, b, c } = w;
    const channel = await a.createChannel({ kind: 'case', title: 'Operation Ibis', members: [b.officerId!, c.officerId!] });
    // A authors the current epoch (B becomes owner); B then removes A.
    await a.setMemberRole(channel.id, b.officerId!, 'owner');
    await b.sync();
    await b.removeMember(channel.id, a.officerId!);
    const epoch = (await b.channel(channel.id)).headSeq;
    expect(await keyEnvelopeSender(b, channel.id, epoch)).toBe(b.officerId);
    await c.sync();
    const fromC = await c.send(channel.id, { kind: 'text', text: 'C after A was removed' });
    await b.send(channel.id, { kind: 'text', text: 'B after removing A' });
    await b.sync();
    await c.sync();
    expect(texts(await b.history(channel.id))).toEqual(['C after A was removed', 'B after removing A']);
    expect(texts(await c.history(channel.id))).toEqual(['C after A was removed', 'B after removing A']);
    await cannotRead(w, a, w.creds.b, channel.id, epoch, fromC.messageId);
    expect(w.security).toEqual([]);
  });
});
