import { membershipEventCodec, membershipEventHash, toB64, type ChannelState, type MembershipEvent } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
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
  if (prev && !(await repo.advanceHead(channelId, prev.current.epoch, { headSeq: event.seq, headHash: hash, policy: JSON.stringify(next.current.policy) }))) {
    throw new ConflictError('The channel chain moved on; fetch the new events and retry', 'stale_event');
  }
  await repo.insertEvent({ channelId, seq: event.seq, event: JSON.stringify(wire), hash, authorId: event.actorOfficerId, createdAt: now });
  const item = await deps.feed.append({ channelId, kind: 'membership', data: wire, createdAt: now }, tx.feed);
  fx.items.push(item);
  fx.channelIds.add(channelId);
  const added: string[] = [];
  const removed: string[] = [];
  const openFor = async (officerId: string) => {
    const m = next.current.members.get(officerId)!;
    await repo.insertSpan({ channelId, officerId, agencyId: m.cert.agencyId, role: m.role, fromEpoch: event.seq, fromPos: item.pos });
    added.push(officerId);
  };
  switch (event.kind) {
    case 'create':
      await openFor(event.actorOfficerId);
      break;
    case 'add':
      await openFor(event.member!.officerId);
      break;
    case 'remove':
      // The removed officer still receives the removal itself, nothing after it.
      if (await repo.closeSpan(channelId, event.targetOfficerId!, event.seq, item.pos + 1)) removed.push(event.targetOfficerId!);
      break;
    case 'set-role':
      await repo.setSpanRole(channelId, event.targetOfficerId!, event.role!);
      break;
    case 'set-policy':
    case 'rekey':
      break;
  }
  fx.membersChanged(channelId, added, removed);
  await deps.audit.record(
    tx,
    MEMBERSHIP_AUDIT[event.kind](actor, { type: 'channel', id: channelId }, {
      seq: event.seq,
      eventActor: event.actorOfficerId,
      ...(event.member && event.kind === 'add' ? { member: event.member.officerId, role: event.role, cosigned: event.cosignature !== undefined } : {}),
      ...(event.targetOfficerId ? { target: event.targetOfficerId } : {}),
    }),
  );
}

/** The audit builder of each membership event kind (a new kind fails the build here). */
const MEMBERSHIP_AUDIT = {
  create: auditEvents.channelCreate,
  add: auditEvents.channelAdd,
  remove: auditEvents.channelRemove,
  'set-role': auditEvents.channelSetRole,
  'set-policy': auditEvents.channelSetPolicy,
  rekey: auditEvents.channelRekey,
} satisfies Record<MembershipEvent['kind'], unknown>;
