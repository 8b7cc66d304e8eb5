import { describe, expect, it } from 'vitest';
import type { LiaisonClient, ReceivedMessage } from '../../client/sdk/index.ts';
import { openCaseChannel, twoAgencyNetwork } from '../world/network.ts';
import { securityLog, startHost } from './host.ts';

/** The SDK's sealed store, reached past the type system: the test plays a device restored from an older copy. */
function sealedOf(c: LiaisonClient): { get(k: string): Promise<unknown>; set(k: string, v: unknown): Promise<void> } {
  return (c as unknown as { ctx: { sealed: { get(k: string): Promise<unknown>; set(k: string, v: unknown): Promise<void> } } }).ctx.sealed;
}

describe('a spent counter under a new message id is a replay, announced (PROTOCOL.md §6 Replays)', () => {
  it('a sender that reuses a counter (its sending chain restored from an older copy): the second message is dropped with message_replayed', { timeout: 60_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rp-' });
    const channel = await openCaseChannel(net, { title: 'Operation Plover' });
    const got: ReceivedMessage[] = [];
    net.bob.on('message', (m) => got.push(m));
    const bobSecurity = securityLog(net.bob);
    await net.bob.sync();

    await net.alice.send(channel.id, { kind: 'text', text: 'zero' });
    const before = await sealedOf(net.alice).get(`send:${channel.id}`);
    await net.alice.send(channel.id, { kind: 'text', text: 'first' });
    // Alice's device goes back to the copy taken before the send: its next message reuses the counter.
    await sealedOf(net.alice).set(`send:${channel.id}`, before);
    await net.alice.send(channel.id, { kind: 'text', text: 'second, same counter' });
    await net.bob.sync();

    expect(got.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind))).toEqual(['zero', 'first']);
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'message_replayed', channelId: channel.id, code: 'envelope/replay', officerId: net.alice.officerId })]);
  });
});
