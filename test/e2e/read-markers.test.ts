/**
 * Issue 15 §2: read markers and acknowledgements synced across one officer's devices through the server,
 * content-free (docs/MESSAGING.md "Read markers"). Device A reads and acknowledges; device B — online, then a
 * fresh installation — shows 0 unread and the acknowledgement. Security: a marker is the caller's own, only a
 * current member sets one, it never moves backwards and never past the channel's last message.
 */
import { describe, expect, it } from 'vitest';
import { LiaisonApiError, type LiaisonClient } from '../../client/sdk/index.ts';
import { api } from '../../shared/api/index.ts';
import type { ReadMarker, Receipt } from '../../shared/schemas/channels.ts';
import { E2E_PASSPHRASE, openCaseChannel, signIn, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { startHost } from './host.ts';

async function rejection(p: Promise<unknown>): Promise<LiaisonApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof LiaisonApiError)) throw new Error(`expected an API error, got ${String(err)}`);
  return err;
}

async function unread(c: LiaisonClient, channelId: string): Promise<number> {
  const info = (await c.channels()).find((x) => x.id === channelId)!;
  return info.lastMessageSeq - info.readSeq;
}

describe('read markers and own receipts across devices (issue 15 §2)', () => {
  it('device A reads and acknowledges; device B (online, then fresh) shows 0 unread and the acknowledgement', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rm1-' });
    const { alice, bob } = net;
    const channel = await openCaseChannel(net, { title: 'Operation Heron' });

    // Bob's second device, online.
    const phone = await signIn(host, net.b.bob);
    await phone.unlock(E2E_PASSPHRASE);
    await phone.sync();
    await phone.connect();
    const markers: ReadMarker[] = [];
    const own: Receipt[] = [];
    phone.on('readMarker', (m) => markers.push(m));
    phone.on('ownReceipt', (r) => own.push(r));

    await alice.send(channel.id, { kind: 'text', text: 'first' });
    await alice.send(channel.id, { kind: 'text', text: 'second' });
    const red = await alice.send(channel.id, { kind: 'text', text: 'the address' }, { handling: 'TLP:RED', ackRequired: true });
    await bob.sync();
    await phone.sync();
    expect(await unread(bob, channel.id)).toBe(3);
    expect(await unread(phone, channel.id)).toBe(3);

    // Device A (bob's desk) reads everything and acknowledges the TLP:RED message.
    const history = await bob.history(channel.id);
    await bob.markRead(channel.id, history.map((m) => m.messageId));
    const marker = await bob.markRead(channel.id, red.seq);
    expect(marker.seq).toBe(red.seq);
    await bob.acknowledge(channel.id, red.messageId);

    // Device B, online: the marker and bob's own receipts arrive live, content-free.
    await waitFor(() => markers.some((m) => m.seq === red.seq && m.channelId === channel.id), 'read marker on the phone');
    await waitFor(() => own.some((r) => r.kind === 'acknowledged' && r.messageId === red.messageId), 'own acknowledgement on the phone');
    expect(own.filter((r) => r.kind === 'read').map((r) => r.messageId).sort()).toEqual(history.map((m) => m.messageId).sort());
    expect(markers.every((m) => m.officerId === bob.officerId)).toBe(true);
    expect(await unread(phone, channel.id)).toBe(0);
    expect((await phone.history(channel.id)).filter((m) => m.acknowledgedByMe).map((m) => m.messageId)).toEqual([red.messageId]);

    // A fresh installation of bob: 0 unread and the acknowledgement, from the server.
    const fresh = await signIn(host, net.b.bob);
    await fresh.unlock(E2E_PASSPHRASE);
    expect(await unread(fresh, channel.id)).toBe(0);
    expect((await fresh.channel(channel.id)).readSeq).toBe(red.seq);
    const freshHistory = await fresh.history(channel.id);
    expect(freshHistory.find((m) => m.messageId === red.messageId)?.acknowledgedByMe).toBe(true);
    expect(freshHistory.filter((m) => m.acknowledgedByMe)).toHaveLength(1);

    // Alice (the sender) still gets the receipts, and her own list is untouched by bob's marker.
    expect(await unread(alice, channel.id)).toBe(3);
    phone.disconnect();
  });

  it('a marker is my own, for current members only, never backwards and never past the last message', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rm2-' });
    const { alice, bob, adminA } = net;
    const channel = await openCaseChannel(net, { title: 'Operation Ibis' });
    for (const text of ['one', 'two', 'three']) await alice.send(channel.id, { kind: 'text', text });
    await bob.sync();

    // Bob at 3; another member (alice) setting a marker moves only her own.
    expect((await bob.markRead(channel.id, 3)).seq).toBe(3);
    expect((await alice.markRead(channel.id, 1)).seq).toBe(1);
    expect((await bob.channel(channel.id)).readSeq).toBe(3);
    expect((await alice.channel(channel.id)).readSeq).toBe(1);

    // Never backwards: a lower seq leaves the marker where it is (and says so).
    const back = await bob.markRead(channel.id, 1);
    expect(back.seq).toBe(3);
    expect((await bob.channel(channel.id)).readSeq).toBe(3);

    // Past the channel's last message: 400 with a clear code.
    const ahead = await rejection(bob.markRead(channel.id, 4));
    expect([ahead.status, ahead.code]).toEqual([400, 'read_marker_ahead']);
    const negative = await rejection(bob.call(api.messages.setReadMarker, { params: { id: channel.id }, body: { seq: -1 } }));
    expect(negative.status).toBe(400);

    // A non-member (alice's own agency administrator) gets 404, as for any channel they cannot see.
    const outsider = await rejection(adminA.call(api.messages.setReadMarker, { params: { id: channel.id }, body: { seq: 1 } }));
    expect(outsider.status).toBe(404);
    expect((await alice.channel(channel.id)).readSeq).toBe(1);
  });
});
