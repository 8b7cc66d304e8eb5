import { describe, expect, it } from 'vitest';
import type { ConnectionState, MembershipChange, ReceivedMessage } from '../../client/sdk/index.ts';
import type { FetchFn } from '../../client/sdk/http.ts';
import { api, openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { securityLog, startHost } from './host.ts';
import { rawDb } from '../world/db.ts';

const texts = (ms: ReceivedMessage[]) => ms.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));

describe('issue 4 through the SDK: retries, sync, revocation, read-only', () => {
  it('a send whose answer is lost is retried with the same id: one stored message, one seq', { timeout: 60_000 }, async () => {
    const host = await startHost();
    let dropped = 0;
    // The request reaches the server and is stored; the answer is lost on the way back.
    const lossy: FetchFn = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (init?.method === 'POST' && /\/channels\/[^/]+\/messages$/.test(new URL(url).pathname) && dropped === 0) {
        dropped++;
        await res.arrayBuffer();
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    };
    const net = await twoAgencyNetwork(host, { prefix: 'ra-', fetch: { alice: lossy } });
    const channel = await openCaseChannel(net, { title: 'Retry' });
    const bobGot: ReceivedMessage[] = [];
    net.bob.on('message', (m) => bobGot.push(m));
    // alice is not connected: the send goes over HTTP through the lossy fetch.
    const res = await net.alice.send(channel.id, { kind: 'text', text: 'exactly once' });
    expect(dropped).toBe(1);
    expect(res).toMatchObject({ seq: 1, duplicate: true });
    const db = rawDb(host.app);
    expect(db.prepare('SELECT count(*) FROM messages WHERE channel_id = ?').pluck().get(channel.id)).toBe(1);
    expect(db.prepare('SELECT id, seq FROM messages WHERE channel_id = ?').all(channel.id)).toEqual([{ id: res.messageId, seq: 1 }]);
    expect(db.prepare('SELECT last_message_seq FROM channels WHERE id = ?').pluck().get(channel.id)).toBe(1);
    expect(db.prepare("SELECT count(*) FROM feed WHERE channel_id = ? AND kind = 'message'").pluck().get(channel.id)).toBe(1);
    await net.bob.sync();
    expect(texts(bobGot)).toEqual(['exactly once']);
    // The next send gets the next seq (no gap from the retry).
    expect((await net.alice.send(channel.id, { kind: 'text', text: 'next' })).seq).toBe(2);
  });

  it('after a disconnect, sync delivers exactly the missed messages and membership change, in order, once', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rb-' });
    const { alice, bob } = net;
    await alice.connect();
    await bob.connect();
    const channel = await openCaseChannel(net, { title: 'Reconnect' });
    const got: ReceivedMessage[] = [];
    const membership: MembershipChange[] = [];
    bob.on('message', (m) => got.push(m));
    bob.on('membership', (m) => membership.push(m));
    const security = securityLog(bob);
    await alice.send(channel.id, { kind: 'text', text: 'before' });
    await waitFor(() => got.length === 1, 'live message');

    bob.disconnect();
    expect(bob.connected).toBe(false);
    const missed = ['m1', 'm2', 'm3'];
    for (const text of missed) await alice.send(channel.id, { kind: 'text', text });
    expect(await alice.addMember(channel.id, net.a.admin.id)).toBe('added');
    for (const text of ['m4', 'm5']) await alice.send(channel.id, { kind: 'text', text });
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(got)).toEqual(['before']);

    await bob.connect();
    await waitFor(() => got.length >= 6, 'missed messages');
    await bob.idle();
    await new Promise((r) => setTimeout(r, 300)); // any duplicate would arrive now
    await bob.idle();
    expect(texts(got)).toEqual(['before', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(got.map((m) => m.messageId)).size).toBe(6);
    expect(membership).toEqual([expect.objectContaining({ channelId: channel.id, kind: 'add', members: [alice.officerId, bob.officerId, net.a.admin.id].sort() })]);
    expect(security).toEqual([]);
    alice.disconnect();
    bob.disconnect();
  });

  it('suspending an officer ends their socket at once', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rc-', identities: false });
    const { bob } = net;
    const states: { state: ConnectionState; reason?: string }[] = [];
    bob.on('connection', (c) => states.push(c));
    await bob.connect();
    expect(bob.connected).toBe(true);
    await api(host, 'POST', `/officers/${net.b.bob.id}/suspend`, { token: net.b.admin.accessToken, payload: {} });
    await waitFor(() => !bob.connected, 'socket disconnected');
    await waitFor(() => states.find((s) => s.state === 'disconnected' && s.reason === 'officer_suspended'), 'session_ended(officer_suspended)');
    // It does not come back: the reconnect's handshake is refused and the SDK signs out.
    await waitFor(() => states.find((s) => s.state === 'signed_out'), 'signed_out after the refused reconnect');
    await new Promise((r) => setTimeout(r, 500));
    expect(bob.connected).toBe(false);
    await expect(bob.channels()).rejects.toMatchObject({ status: 401 });
    bob.disconnect();
  });

  it('a terminated agreement makes the channel read-only: send refused, history readable', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rd-' });
    const { alice, bob } = net;
    const channel = await openCaseChannel(net, { title: 'Closing down' });
    await alice.send(channel.id, { kind: 'text', text: 'last words' });
    await api(host, 'POST', `/agreements/${net.agreement.id}/terminate`, { token: net.b.admin.accessToken, payload: {} });
    await expect(alice.send(channel.id, { kind: 'text', text: 'too late' })).rejects.toMatchObject({ code: 'channel_read_only' });
    await bob.connect();
    await expect(bob.send(channel.id, { kind: 'text', text: 'too late (socket)' })).rejects.toMatchObject({ code: 'channel_read_only' });
    expect((await alice.channel(channel.id)).readOnly).toBe('agreement_terminated');
    expect(texts(await alice.history(channel.id))).toEqual(['last words']);
    expect(texts(await bob.history(channel.id))).toEqual(['last words']);
    expect(rawDb(host.app).prepare('SELECT count(*) FROM messages WHERE channel_id = ?').pluck().get(channel.id)).toBe(1);
    bob.disconnect();
  });
});
