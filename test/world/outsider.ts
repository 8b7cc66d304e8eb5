import type { LiaisonClient } from '../../client/sdk/index.ts';
import type { EpochSecrets } from '../../client/sdk/secrets.ts';
import type { KeyLogAuditor } from '../../client/sdk/keylog.ts';
import { DecryptError, deviceStatus, emptyReceiverState, messageEnvelopeCodec, openEnvelope, type ChannelState } from '../../shared/crypto/index.ts';
import type { StoredMessage } from '../../shared/schemas/channels.ts';

/**
 * A former member (`who`, with its own epoch secrets and audited key log) opens a stored envelope of an
 * epoch it is not in, with the full receive pipeline (device keys resolved, PROTOCOL.md §4.5). Returns the
 * DecryptError code; the caller expects `envelope/no-epoch-key` — refused for the missing key, not for
 * anything else. Throws if the envelope opens.
 */
export async function outsiderOpenError(who: LiaisonClient, state: ChannelState, stored: StoredMessage, now: number): Promise<string> {
  const internals = who as unknown as { secrets: EpochSecrets; keylog: KeyLogAuditor };
  const events = await internals.keylog.deviceEvents();
  try {
    openEnvelope({
      channel: state,
      receiver: emptyReceiverState(stored.channelId),
      epochSecret: (e) => internals.secrets.peek(stored.channelId, e),
      envelope: messageEnvelopeCodec.fromWire(stored.envelope),
      now,
      devices: (officerId, deviceId, identity) => deviceStatus(events, officerId, deviceId, identity),
    });
  } catch (err) {
    if (err instanceof DecryptError) return err.code;
    throw err;
  }
  throw new Error(`outsiderOpenError: ${stored.messageId} opened for ${who.officerId}`);
}
