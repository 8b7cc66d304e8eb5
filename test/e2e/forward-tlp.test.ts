import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../client/sdk/index.ts';
import type { HandlingCode } from '../../shared/crypto/index.ts';
import { openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { startHost } from './host.ts';

/**
 * PROTOCOL.md §8 in the SDK: a forward the TLP rules refuse is refused before anything is sealed or sent
 * (`handling/forward-denied`, not the server's `forwarding_forbidden`); TLP:AMBER no longer reaches the other
 * party of the source channel's agreement.
 */
describe('SDK forward path (TLP 2.0)', () => {
  it('AMBER and AMBER+STRICT stay in the agency (no clients here), GREEN goes to the agreement partner', { timeout: 90_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'fw-' });
    const source = await openCaseChannel(net, { title: 'Operation Heron' });
    const partner = await openCaseChannel(net, { title: 'Operation Heron — customs' });
    const own = await net.alice.createChannel({ kind: 'case', title: 'PJ only', members: [], policy: { minimum: 'TLP:GREEN' } });

    const got: ReceivedMessage[] = [];
    net.alice.on('message', (m) => got.push(m));
    const codes: HandlingCode[] = ['TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];
    const sent = new Map<HandlingCode, string>();
    for (const handling of codes) sent.set(handling, (await net.bob.send(source.id, { kind: 'text', text: `${handling} from Guardia Civil` }, { handling })).messageId);
    await waitFor(async () => {
      await net.alice.sync();
      return got.filter((m) => m.channelId === source.id).length === codes.length;
    }, 'alice receives the four messages');

    const forward = async (handling: HandlingCode, to: string): Promise<string> => {
      try {
        await net.alice.send(to, { kind: 'text', text: `fwd ${handling}` }, { handling, forwardedFrom: { messageId: sent.get(handling)!, channelId: source.id } });
        return 'sent';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    const partnerBefore = (await net.bob.history(partner.id)).length;
    expect(await forward('TLP:AMBER', partner.id)).toBe('handling/forward-denied');
    expect(await forward('TLP:AMBER+STRICT', partner.id)).toBe('handling/forward-denied');
    expect(await forward('TLP:RED', own.id)).toBe('handling/forward-denied');
    // Refused in the SDK: nothing reached the partner channel.
    expect((await net.bob.history(partner.id)).length).toBe(partnerBefore);
    expect(await forward('TLP:AMBER', own.id)).toBe('sent');
    expect(await forward('TLP:AMBER+STRICT', own.id)).toBe('sent');
    expect(await forward('TLP:GREEN', partner.id)).toBe('sent');
  });
});
