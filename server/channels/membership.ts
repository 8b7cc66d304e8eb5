import { membershipEventCodec, membershipEventHash, toB64, type ChannelState, type MembershipEvent } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import type { FeedWriter } from '../feed/feed.ts';
import { ConflictError } from '../errors.ts';
import type { Effects } from './effects.ts';
import type { Tx } from '../store/store.ts';

/**
 * Records one verified event inside the caller's transaction: stored chain, head, membership spans
 * (from the event's feed position), feed item and audit. `prev` is null for the create event.
 */
export interface RecordEventDeps {
  clock: Clock;
  feed: FeedWriter;
  audit: AuditService;
}

export async function recordEvent(
  deps: RecordEventDeps,
  tx: Tx,
  fx: Effects,
  args: { prev: ChannelState | null; next: ChannelState; event: MembershipEvent; actor: Actor },
): Promise<void> {
  const repo = tx.channels;
  const { prev, next, event, actor } = args;
  const now = deps.clock.now();
  const channelId = event.channelId;
  const hash = toB64(membershipEventHash(event));
  const wire = membershipEventCodec.toWire(event);
  if (prev && !repo.advanceHead(channelId, prev.current.epoch, { headSeq: event.seq, headHash: hash, policy: JSON.stringify(next.current.policy) })) {
    throw new ConflictError('The channel chain moved on; fetch the new events and retry', 'stale_event');
  }
  repo.insertEvent({ channelId, seq: event.seq, event: JSON.stringify(wire), hash, authorId: event.actorOfficerId, createdAt: now });
  const item = await deps.feed.append({ channelId, kind: 'membership', data: wire, createdAt: now });
  fx.items.push(item);
  fx.channelIds.add(channelId);
  const added: string[] = [];
  const removed: string[] = [];
  const openFor = (officerId: string) => {
    const m = next.current.members.get(officerId)!;
    repo.insertSpan({ channelId, officerId, agencyId: m.cert.agencyId, role: m.role, fromEpoch: event.seq, fromPos: item.pos });
    added.push(officerId);
  };
  switch (event.kind) {
    case 'create':
      openFor(event.actorOfficerId);
      break;
    case 'add':
      openFor(event.member!.officerId);
      break;
    case 'remove':
      // The removed officer still receives the removal itself, nothing after it.
      if (repo.closeSpan(channelId, event.targetOfficerId!, event.seq, item.pos + 1)) removed.push(event.targetOfficerId!);
      break;
    case 'set-role':
      repo.setSpanRole(channelId, event.targetOfficerId!, event.role!);
      break;
    case 'set-policy':
    case 'rekey':
      break;
  }
  fx.membersChanged(channelId, added, removed);
  await deps.audit.record(tx, {
    action: `channel.${event.kind}`,
    actorId: actor.officerId,
    agencyId: actor.agencyId,
    targetType: 'channel',
    targetId: channelId,
    ip: actor.ip,
    details: {
      seq: event.seq,
      eventActor: event.actorOfficerId,
      ...(event.member && event.kind === 'add' ? { member: event.member.officerId, role: event.role, cosigned: event.cosignature !== undefined } : {}),
      ...(event.targetOfficerId ? { target: event.targetOfficerId } : {}),
    },
  });
}
