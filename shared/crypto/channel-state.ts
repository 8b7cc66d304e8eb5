import { constantTimeEqual, encodeFields, u32be, u64be, u8, utf8 } from './encoding.ts';
import { ChannelStateError, CryptoError, WireFormatError } from './errors.ts';
import { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES } from './codes.ts';
import { HANDLING_CODES, validateHandlingPolicy } from './handling.ts';
import type { HandlingPolicy } from './handling.ts';
import { certificateFields, certificateSpec, verifyCertificate } from './identity.ts';
import type { RootAuthority } from './root-set.ts';
import type { IdentityKeys, OfficerCertificate } from './identity.ts';
import { HASH_BYTES, SIGNATURE_BYTES, ZERO_HASH, labelledHash, labelledSign, labelledVerify } from './primitives.ts';
import { arr, bytes, id, int, lit, obj, oneOf, opt, wireCodec } from './wire.ts';
import type { WireCodec } from './wire.ts';

export const CHANNEL_KINDS = ['direct', 'case', 'team'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const MEMBER_ROLES = ['owner', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export const MEMBERSHIP_EVENT_KINDS = ['create', 'add', 'remove', 'set-role', 'set-policy', 'rekey'] as const;
export type MembershipEventKind = (typeof MEMBERSHIP_EVENT_KINDS)[number];
export const DIRECT_CHANNEL_MAX_MEMBERS = 2;

export interface Cosignature {
  cert: OfficerCertificate;
  signature: Uint8Array;
}

/** One signed, hash-chained membership change. Every event starts a new epoch numbered by `seq`. */
export interface MembershipEvent {
  v: 1;
  channelId: string;
  seq: number;
  prevHash: Uint8Array;
  kind: MembershipEventKind;
  time: number;
  actorOfficerId: string;
  actorDeviceId: string;
  /** create only */
  channelKind?: ChannelKind;
  /** create only; '' for a single-agency channel */
  agreementId?: string;
  /** create, set-policy */
  policy?: HandlingPolicy;
  /** create (the creator's certificate), add (the new member's certificate) */
  member?: OfficerCertificate;
  /** remove, set-role */
  targetOfficerId?: string;
  /** add, set-role */
  role?: MemberRole;
  /** add of an officer from an agency other than the actor's */
  cosignature?: Cosignature;
  signature: Uint8Array;
}

export interface Member {
  cert: OfficerCertificate;
  role: MemberRole;
}

/** The verified state right after event `epoch`: who may read and send in that epoch, under which policy. */
export interface EpochView {
  epoch: number;
  stateHash: Uint8Array;
  startedAt: number;
  authorOfficerId: string;
  authorDeviceId: string;
  members: ReadonlyMap<string, Member>;
  policy: HandlingPolicy;
}

export interface ChannelState {
  channelId: string;
  channelKind: ChannelKind;
  agreementId: string;
  current: EpochView;
  /** Every verified epoch by number (needed to check late messages and to detect forks). */
  epochs: ReadonlyMap<number, EpochView>;
}

export interface ChainContext {
  /** The trusted agency root: one v1 root key, or the verified root-set history (PROTOCOL.md §4.4). */
  agencyRoot: (agencyId: string) => RootAuthority | undefined;
}

export interface ChainHead {
  seq: number;
  hash: Uint8Array;
}

const EVENT_LABEL = 'liaison/v1/membership-event';
const COSIGN_LABEL = 'liaison/v1/membership-cosign';
const EVENT_HASH_LABEL = 'liaison/v1/membership-event-hash';

function fail(code: string, message: string, cause?: unknown): never {
  throw new ChannelStateError(code, message, cause === undefined ? undefined : { cause });
}

/** v1 bytes without a profile (tlp-2.0 + none); `liaison/v2/handling-policy` appends the profile's two vocabularies (§8). */
export function handlingPolicyBytes(p: HandlingPolicy): Uint8Array {
  const fields = [u32be(p.allowed.length), ...p.allowed.map(utf8), utf8(p.defaultCode)];
  if (!p.profile) return encodeFields('liaison/v1/handling-policy', fields);
  return encodeFields('liaison/v2/handling-policy', [...fields, utf8(p.profile.handling), utf8(p.profile.evaluation)]);
}

function certBytes(c: OfficerCertificate): Uint8Array {
  return encodeFields('liaison/v1/officer-cert-signed', [...certificateFields(c), c.signature]);
}

function need<T>(value: T | undefined, kind: string, field: string): T {
  if (value === undefined) fail('chain/malformed', `membershipEventFields: ${kind} needs ${field}`);
  return value;
}

/** Kind-specific body in a fixed order; fields that do not belong to the kind must be absent. */
function bodyFields(e: Omit<MembershipEvent, 'signature'>): Uint8Array[] {
  if (!(MEMBERSHIP_EVENT_KINDS as readonly string[]).includes(e.kind)) fail('chain/unknown-kind', `membershipEventFields: unknown kind ${JSON.stringify(e.kind)}`);
  const allowed: Record<MembershipEventKind, readonly string[]> = {
    create: ['channelKind', 'agreementId', 'policy', 'member'],
    add: ['member', 'role', 'cosignature'],
    remove: ['targetOfficerId'],
    'set-role': ['targetOfficerId', 'role'],
    'set-policy': ['policy'],
    rekey: [],
  };
  for (const f of ['channelKind', 'agreementId', 'policy', 'member', 'targetOfficerId', 'role', 'cosignature'] as const) {
    if (e[f] !== undefined && !allowed[e.kind].includes(f)) fail('chain/malformed', `membershipEventFields: ${e.kind} must not carry ${f}`);
  }
  if (e.channelKind !== undefined && !(CHANNEL_KINDS as readonly string[]).includes(e.channelKind)) fail('chain/malformed', 'membershipEventFields: unknown channelKind');
  if (e.role !== undefined && !(MEMBER_ROLES as readonly string[]).includes(e.role)) fail('chain/malformed', 'membershipEventFields: unknown role');
  switch (e.kind) {
    case 'create':
      return [
        utf8(need(e.channelKind, e.kind, 'channelKind')),
        utf8(need(e.agreementId, e.kind, 'agreementId')),
        handlingPolicyBytes(need(e.policy, e.kind, 'policy')),
        certBytes(need(e.member, e.kind, 'member')),
      ];
    case 'add':
      return [certBytes(need(e.member, e.kind, 'member')), utf8(need(e.role, e.kind, 'role'))];
    case 'remove':
      return [utf8(need(e.targetOfficerId, e.kind, 'targetOfficerId'))];
    case 'set-role':
      return [utf8(need(e.targetOfficerId, e.kind, 'targetOfficerId')), utf8(need(e.role, e.kind, 'role'))];
    case 'set-policy':
      return [handlingPolicyBytes(need(e.policy, e.kind, 'policy'))];
    case 'rekey':
      return [];
  }
}

/** The fields the actor (and a co-signer) sign; the co-signature itself is not inside. */
export function membershipEventFields(e: Omit<MembershipEvent, 'signature'>): Uint8Array[] {
  return [
    u8(e.v),
    utf8(e.channelId),
    u64be(e.seq),
    e.prevHash,
    utf8(e.kind),
    u64be(e.time),
    utf8(e.actorOfficerId),
    utf8(e.actorDeviceId),
    ...bodyFields(e),
  ];
}

export function membershipEventHash(e: MembershipEvent): Uint8Array {
  const cos = e.cosignature;
  return labelledHash(EVENT_HASH_LABEL, [
    encodeFields(EVENT_LABEL, membershipEventFields(e)),
    e.signature,
    cos ? certBytes(cos.cert) : new Uint8Array(0),
    cos ? cos.signature : new Uint8Array(0),
  ]);
}

export type UnsignedMembershipEvent = Omit<MembershipEvent, 'signature' | 'v' | 'cosignature' | 'seq' | 'prevHash' | 'channelId'>;

/** Builds and signs the next event on top of `state` (null for create). */
export function createMembershipEvent(
  state: ChannelState | null,
  body: UnsignedMembershipEvent & { channelId?: string },
  actor: IdentityKeys,
  cosignature?: Cosignature,
): MembershipEvent {
  const channelId = state ? state.channelId : need(body.channelId, 'create', 'channelId');
  const unsigned: Omit<MembershipEvent, 'signature'> = {
    ...body,
    v: 1,
    channelId,
    seq: state ? state.current.epoch + 1 : 0,
    prevHash: state ? state.current.stateHash : ZERO_HASH,
    ...(cosignature ? { cosignature } : {}),
  };
  return { ...unsigned, signature: labelledSign(EVENT_LABEL, membershipEventFields(unsigned), actor.signSecretKey) };
}

/** The other agency's consent to an add: signed by the added officer or an admin of their agency. */
export function cosignMembershipEvent(event: MembershipEvent, cosigner: IdentityKeys, cosignerCert: OfficerCertificate): MembershipEvent {
  const signature = labelledSign(COSIGN_LABEL, membershipEventFields(event), cosigner.signSecretKey);
  return { ...event, cosignature: { cert: cosignerCert, signature } };
}

/** The certificate is valid under its agency's root at the event's time `at` (never the verifier's clock). */
function verifiedCert(cert: OfficerCertificate, ctx: ChainContext, at: number, what: string, code: string): void {
  const root = ctx.agencyRoot(cert.agencyId);
  if (!root) fail('chain/unknown-agency', `applyEvent: no trusted root for the ${what}'s agency`);
  try {
    verifyCertificate(cert, root, at);
  } catch (cause) {
    fail(code, `applyEvent: the ${what}'s certificate is invalid`, cause);
  }
}

function ownerCount(members: ReadonlyMap<string, Member>): number {
  let n = 0;
  for (const m of members.values()) if (m.role === 'owner') n++;
  return n;
}

function checkCosignature(event: MembershipEvent, member: OfficerCertificate, ctx: ChainContext): void {
  const cos = event.cosignature;
  if (!cos) fail('chain/missing-cosignature', 'applyEvent: adding an officer of another agency needs a co-signature from that agency');
  verifiedCert(cos.cert, ctx, event.time, 'co-signer', 'chain/bad-cosignature');
  const sameOfficer = cos.cert.officerId === member.officerId && constantTimeEqual(cos.cert.signPublicKey, member.signPublicKey);
  if (cos.cert.agencyId !== member.agencyId || !(sameOfficer || cos.cert.role === 'agency_admin')) {
    fail('chain/bad-cosignature', 'applyEvent: co-signer must be the added officer or an admin of their agency');
  }
  if (!labelledVerify(COSIGN_LABEL, membershipEventFields(event), cos.signature, cos.cert.signPublicKey)) {
    fail('chain/bad-cosignature', 'applyEvent: co-signature does not verify');
  }
}

function nextView(event: MembershipEvent, hash: Uint8Array, members: Map<string, Member>, policy: HandlingPolicy): EpochView {
  return {
    epoch: event.seq,
    stateHash: hash,
    startedAt: event.time,
    authorOfficerId: event.actorOfficerId,
    authorDeviceId: event.actorDeviceId,
    members,
    policy,
  };
}

function applyCreate(event: MembershipEvent, ctx: ChainContext): ChannelState {
  if (event.seq !== 0 || !constantTimeEqual(event.prevHash, ZERO_HASH)) fail('chain/broken-link', 'applyEvent: create must be event 0');
  const creator = need(event.member, 'create', 'member');
  if (creator.officerId !== event.actorOfficerId) fail('chain/bad-creator-certificate', 'applyEvent: create must carry the creator\'s own certificate');
  verifiedCert(creator, ctx, event.time, 'creator', 'chain/bad-creator-certificate');
  if (!labelledVerify(EVENT_LABEL, membershipEventFields(event), event.signature, creator.signPublicKey)) {
    fail('chain/bad-signature', 'applyEvent: create signature does not verify');
  }
  const policy = checkedPolicy(need(event.policy, 'create', 'policy'));
  const view = nextView(event, membershipEventHash(event), new Map([[creator.officerId, { cert: creator, role: 'owner' }]]), policy);
  return {
    channelId: event.channelId,
    channelKind: need(event.channelKind, 'create', 'channelKind'),
    agreementId: need(event.agreementId, 'create', 'agreementId'),
    current: view,
    epochs: new Map([[0, view]]),
  };
}

function checkedPolicy(p: HandlingPolicy): HandlingPolicy {
  try {
    return validateHandlingPolicy(p);
  } catch (cause) {
    if (cause instanceof CryptoError) fail('chain/bad-policy', 'applyEvent: invalid handling policy', cause);
    throw cause;
  }
}

/**
 * Verifies one event against the preceding state (link, signature, authority rules) and returns
 * the new state. An event for an already-verified seq with another hash is a fork.
 */
export function applyEvent(state: ChannelState | null, event: MembershipEvent, ctx: ChainContext): ChannelState {
  if (event.v !== 1) fail('chain/malformed', 'applyEvent: unknown version');
  // Unknown kind (chain/unknown-kind), a field outside the kind or a missing one, an unknown channelKind or role (chain/malformed).
  membershipEventFields(event);
  if (event.kind === 'create') {
    if (state) checkAgainstKnown(state, event);
    return applyCreate(event, ctx);
  }
  if (!state) fail('chain/broken-link', 'applyEvent: the first event must be create');
  if (event.channelId !== state.channelId) fail('chain/wrong-channel', 'applyEvent: event belongs to another channel');
  if (event.seq <= state.current.epoch) checkAgainstKnown(state, event);
  const prev = state.current;
  if (event.seq !== prev.epoch + 1 || !constantTimeEqual(event.prevHash, prev.stateHash)) {
    fail('chain/broken-link', 'applyEvent: event does not link to the current head');
  }
  if (event.time < prev.startedAt) fail('chain/time-regression', 'applyEvent: event time precedes its predecessor');
  const actor = prev.members.get(event.actorOfficerId);
  if (!actor) fail('chain/unauthorised', 'applyEvent: actor is not a member');
  if (!labelledVerify(EVENT_LABEL, membershipEventFields(event), event.signature, actor.cert.signPublicKey)) {
    fail('chain/bad-signature', 'applyEvent: signature does not verify with the actor\'s key');
  }
  const members = new Map(prev.members);
  let policy = prev.policy;
  const isOwner = actor.role === 'owner';
  switch (event.kind) {
    case 'add': {
      const cert = need(event.member, 'add', 'member');
      if (!isOwner) fail('chain/unauthorised', 'applyEvent: only owners may add members');
      if (members.has(cert.officerId)) fail('chain/already-member', 'applyEvent: officer is already a member');
      if (state.channelKind === 'direct' && members.size >= DIRECT_CHANNEL_MAX_MEMBERS) fail('chain/direct-full', 'applyEvent: a direct channel has two members');
      verifiedCert(cert, ctx, event.time, 'new member', 'chain/bad-certificate');
      if (cert.agencyId !== actor.cert.agencyId) {
        // Without an agreement only a contact request (network charter, PROTOCOL.md §5.2 rule 3): a direct
        // channel, so never more than two officers, joined by the contacted officer's own co-signature.
        if (state.agreementId === '' && state.channelKind !== 'direct') fail('chain/no-agreement', 'applyEvent: cross-agency members need a channel agreement');
        checkCosignature(event, cert, ctx);
        if (state.agreementId === '' && event.cosignature!.cert.officerId !== cert.officerId) {
          fail('chain/bad-cosignature', 'applyEvent: a contact request is accepted by the contacted officer only');
        }
      } else if (event.cosignature) {
        fail('chain/malformed', 'applyEvent: unexpected co-signature');
      }
      members.set(cert.officerId, { cert, role: need(event.role, 'add', 'role') });
      break;
    }
    case 'remove': {
      const target = need(event.targetOfficerId, 'remove', 'targetOfficerId');
      const victim = members.get(target);
      if (!victim) fail('chain/not-member', 'applyEvent: target is not a member');
      if (!isOwner && target !== actor.cert.officerId) fail('chain/unauthorised', 'applyEvent: only owners may remove others');
      members.delete(target);
      if (victim.role === 'owner' && members.size > 0 && ownerCount(members) === 0) fail('chain/last-owner', 'applyEvent: cannot remove the last owner');
      break;
    }
    case 'set-role': {
      const target = need(event.targetOfficerId, 'set-role', 'targetOfficerId');
      const m = members.get(target);
      if (!isOwner) fail('chain/unauthorised', 'applyEvent: only owners may change roles');
      if (!m) fail('chain/not-member', 'applyEvent: target is not a member');
      members.set(target, { cert: m.cert, role: need(event.role, 'set-role', 'role') });
      if (ownerCount(members) === 0) fail('chain/last-owner', 'applyEvent: cannot demote the last owner');
      break;
    }
    case 'set-policy':
      if (!isOwner) fail('chain/unauthorised', 'applyEvent: only owners may change the policy');
      policy = checkedPolicy(need(event.policy, 'set-policy', 'policy'));
      break;
    case 'rekey':
      break;
  }
  const view = nextView(event, membershipEventHash(event), members, policy);
  const epochs = new Map(state.epochs);
  epochs.set(view.epoch, view);
  return { ...state, current: view, epochs };
}

function checkAgainstKnown(state: ChannelState, event: MembershipEvent): never {
  const known = state.epochs.get(event.seq);
  if (known && constantTimeEqual(known.stateHash, membershipEventHash(event))) {
    fail('chain/duplicate', 'applyEvent: event already applied');
  }
  fail('chain/fork', `applyEvent: a different event already holds seq ${event.seq}`);
}

/** Verifies a whole chain from create. With `known`, the chain must contain that head (else fork or rewind). */
export function verifyChain(events: readonly MembershipEvent[], ctx: ChainContext, known?: ChainHead): ChannelState {
  let state: ChannelState | null = null;
  for (const e of events) state = applyEvent(state, e, ctx);
  if (!state) fail('chain/empty', 'verifyChain: no events');
  if (known) checkHead(state, known);
  return state;
}

/** Applies events received after `state`; duplicates of already-applied events are skipped. */
export function extendChain(state: ChannelState, events: readonly MembershipEvent[], ctx: ChainContext): ChannelState {
  let s = state;
  for (const e of events) {
    try {
      s = applyEvent(s, e, ctx);
    } catch (err) {
      if (!(err instanceof ChannelStateError && err.code === 'chain/duplicate')) throw err;
    }
  }
  return s;
}

/** Compares a remembered head with a verified state: shorter is a rewind, a different hash is a fork. */
export function checkHead(state: ChannelState, known: ChainHead): void {
  if (known.seq > state.current.epoch) fail('chain/rewind', 'checkHead: chain is shorter than the remembered head');
  const view = state.epochs.get(known.seq);
  if (!view || !constantTimeEqual(view.stateHash, known.hash)) fail('chain/fork', 'checkHead: chain does not contain the remembered head');
}

export function chainHead(state: ChannelState): ChainHead {
  return { seq: state.current.epoch, hash: state.current.stateHash };
}

/** Two validly signed events at the same position are proof that someone forked the channel. */
export function assertNoFork(a: MembershipEvent, b: MembershipEvent): void {
  if (a.channelId === b.channelId && a.seq === b.seq && !constantTimeEqual(membershipEventHash(a), membershipEventHash(b))) {
    fail('chain/fork', 'assertNoFork: two different events at the same seq');
  }
}

export function agenciesOf(view: EpochView): string[] {
  return [...new Set([...view.members.values()].map((m) => m.cert.agencyId))].sort();
}

const policySpec = {
  allowed: arr(oneOf(HANDLING_CODES), HANDLING_CODES.length),
  defaultCode: oneOf(HANDLING_CODES),
  profile: opt(obj({ handling: oneOf(HANDLING_VOCABULARIES), evaluation: oneOf(EVALUATION_VOCABULARIES) })),
} as const;
const rawMembershipEventCodec = wireCodec<MembershipEvent>('membershipEvent', {
  v: lit(1),
  channelId: id,
  seq: int,
  prevHash: bytes(HASH_BYTES),
  kind: oneOf(MEMBERSHIP_EVENT_KINDS),
  time: int,
  actorOfficerId: id,
  actorDeviceId: id,
  channelKind: opt(oneOf(CHANNEL_KINDS)),
  agreementId: opt({ t: 'str' }),
  policy: opt(obj(policySpec)),
  member: opt(obj(certificateSpec)),
  targetOfficerId: opt(id),
  role: opt(oneOf(MEMBER_ROLES)),
  cosignature: opt(obj({ cert: obj(certificateSpec), signature: bytes(SIGNATURE_BYTES) })),
  signature: bytes(SIGNATURE_BYTES),
});

/** Also rejects kind/field combinations that cannot be signed (e.g. a remove carrying a policy). */
function checkEventFields(event: MembershipEvent): MembershipEvent {
  try {
    membershipEventFields(event);
  } catch (cause) {
    throw new WireFormatError('wire/invalid', 'membershipEventFromWire: fields do not match the event kind', { cause });
  }
  return event;
}

/** A policy without a profile (tlp-2.0 + none, §8) is written without the member, as before profiles existed. */
function withoutNullProfile(wire: Record<string, unknown>): Record<string, unknown> {
  const policy = wire['policy'] as Record<string, unknown> | null | undefined;
  if (policy && policy['profile'] === null) delete policy['profile'];
  return wire;
}

export const membershipEventCodec: WireCodec<MembershipEvent> = {
  name: rawMembershipEventCodec.name,
  spec: rawMembershipEventCodec.spec,
  toWire: (value) => withoutNullProfile(rawMembershipEventCodec.toWire(value)),
  fromWire: (json) => checkEventFields(rawMembershipEventCodec.fromWire(json)),
  fromWireCanonical(json) {
    const parsed = rawMembershipEventCodec.fromWireCanonical(json);
    checkEventFields(parsed.value);
    return { value: parsed.value, wire: withoutNullProfile(parsed.wire) };
  },
};
