import { extendChain, fromB64, constantTimeEqual, membershipEventCodec, verifyChain, type ChainContext, type ChannelState } from '../../shared/crypto/index.ts';
import type { ChannelsRepository } from './repository.ts';
import { certAgencies, type RootPins } from './roots.ts';

/**
 * Verified channel states, rebuilt from the stored chain and cached per channel; a cached state is
 * used only while its head hash equals the stored head, and is extended rather than re-verified.
 */
export class ChannelStateCache {
  private readonly states = new Map<string, ChannelState>();

  constructor(
    private readonly chain: ChainContext,
    private readonly roots: RootPins,
  ) {}

  async get(repo: ChannelsRepository, channelId: string, headSeq: number, headHash: string): Promise<ChannelState> {
    const cached = this.states.get(channelId);
    const head = fromB64(headHash);
    if (cached && cached.current.epoch === headSeq && constantTimeEqual(cached.current.stateHash, head)) return cached;
    const from = cached && cached.current.epoch < headSeq ? cached.current.epoch : -1;
    const events = (await repo.eventsAfter(channelId, from)).map((r) => membershipEventCodec.fromWire(JSON.parse(r.event)));
    await this.roots.loadRoots(certAgencies(events));
    let state = cached && from >= 0 ? extendChain(cached, events, this.chain) : verifyChain(events, this.chain);
    if (state.current.epoch !== headSeq || !constantTimeEqual(state.current.stateHash, head)) {
      // A cached branch that no longer matches: verify from scratch.
      const all = (await repo.eventsAfter(channelId, -1)).map((r) => membershipEventCodec.fromWire(JSON.parse(r.event)));
      await this.roots.loadRoots(certAgencies(all));
      state = verifyChain(all, this.chain);
    }
    this.states.set(channelId, state);
    return state;
  }

  /** After a commit: the new verified state is the head. */
  put(state: ChannelState): void {
    this.states.set(state.channelId, state);
  }
}
