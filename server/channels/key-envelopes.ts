import {
  checkRecipientSet,
  constantTimeEqual,
  isEpochDistributor,
  keyEnvelopeCodec,
  keyEnvelopeFields,
  labelledVerify,
  type ChannelState,
  type KeyEnvelope,
} from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import { nativeVerifyDetached } from '../crypto/native-verify.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { parseWire, verified, wireJson } from '../keys/wire.ts';
import type { Effects } from './effects.ts';
import type { ChannelsDeps, ChannelsService } from './service.ts';
import type { Store, Tx } from '../store/store.ts';

/** Epoch secrets sealed to exactly the verified membership of the epoch, distributed by its distributor (epochDistributor). */
export class KeyEnvelopes {
  private readonly storage: Store;
  private readonly clock: Clock;
  private readonly feed: FeedWriter;

  constructor(
    deps: Pick<ChannelsDeps, 'store' | 'clock' | 'feed'>,
    private readonly channels: ChannelsService,
  ) {
    this.storage = deps.store;
    this.clock = deps.clock;
    this.feed = deps.feed;
  }

  /** Distributor, signature and recipient set checked against `state` (which must contain the epoch). */
  verify(actor: Actor, state: ChannelState, json: Record<string, unknown>): KeyEnvelope {
    const env = parseWire(keyEnvelopeCodec, json, 'keyEnvelope');
    if (env.channelId !== state.channelId) throw new ValidationError('keyEnvelope: belongs to another channel', 'wrong_channel');
    const view = state.epochs.get(env.epoch);
    if (!view || !constantTimeEqual(view.stateHash, env.stateHash)) throw new ValidationError('keyEnvelope: epoch not in the verified chain', 'epoch_unknown');
    // The shared rule (PROTOCOL.md §6 "Distributor"): the author while a member, else the first remaining owner.
    const author = view.members.get(env.senderOfficerId);
    if (!author || env.senderOfficerId !== actor.officerId || !isEpochDistributor(view, env.senderOfficerId, env.senderDeviceId)) {
      throw new ForbiddenError("Only the epoch's distributor (its author while a member, else the first remaining owner) keys it", 'epoch_not_distributor');
    }
    if (!labelledVerify('liaison/v1/key-envelope', keyEnvelopeFields(env), env.signature, author.cert.signPublicKey, nativeVerifyDetached)) {
      throw new ValidationError('keyEnvelope: signature does not verify', 'epoch_bad_signature');
    }
    verified(() => checkRecipientSet(view, env.recipients), 'keyEnvelope');
    return env;
  }

  /** Once per epoch: the same envelope again is a no-op, a different one is a conflict. Inside a transaction. */
  async store(tx: Tx, fx: Effects, env: KeyEnvelope): Promise<boolean> {
    const json = wireJson(keyEnvelopeCodec, env);
    const existing = await tx.channels.keyEnvelope(env.channelId, env.epoch);
    if (existing) {
      if (existing.envelope === json) return false;
      throw new ConflictError(`Epoch ${env.epoch} already has a different key envelope`, 'key_envelope_exists');
    }
    const now = this.clock.now();
    await tx.channels.insertKeyEnvelope({ channelId: env.channelId, epoch: env.epoch, senderId: env.senderOfficerId, envelope: json, createdAt: now });
    fx.items.push(await this.feed.append({ channelId: env.channelId, kind: 'key_envelope', data: JSON.parse(json) as Record<string, unknown>, createdAt: now }, tx.feed));
    return true;
  }

  async post(actor: Actor, channelId: string, json: Record<string, unknown>): Promise<{ stored: boolean }> {
    await this.channels.requireMember(actor, channelId);
    await this.channels.requireCertified(actor.officerId);
    const env = this.verify(actor, await this.channels.headState(channelId), json);
    const fx = this.channels.effects();
    const stored = await this.storage.write((tx) => this.store(tx, fx, env));
    fx.publish();
    return { stored };
  }

  /** Envelopes of the epochs in which the caller was a member. */
  async list(actor: Actor, channelId: string): Promise<Record<string, unknown>[]> {
    await this.channels.requireMember(actor, channelId);
    const state = await this.channels.headState(channelId);
    return (await this.storage.read((r) => r.channels.keyEnvelopes(channelId)))
      .filter((r) => state.epochs.get(r.epoch)?.members.has(actor.officerId))
      .map((r) => JSON.parse(r.envelope) as Record<string, unknown>);
  }
}
