import {
  applyEvent,
  cosignMembershipEvent,
  createKeyEnvelope,
  createMembershipEvent,
  emptyKeyLog,
  emptyReceiverState,
  encodeFields,
  encodeHeader,
  encodePayload,
  encryptMessage,
  envelopeSignatureInput,
  initialChainKey,
  labelledSign,
  pad,
  ratchetStep,
  generateIdentity,
  getSodium,
  issueCertificate,
  openEnvelope,
  openKeyEnvelope,
  policyFromMinimum,
  startSendingChain,
  u64be,
  utf8,
} from '../../shared/crypto/index.ts';
import type {
  ChainContext,
  ChannelState,
  EnvelopeHeader,
  HandlingCode,
  IdentityKeys,
  MembershipEvent,
  MessageEnvelope,
  OfficerCertificate,
  Payload,
  ReceiverState,
  Rng,
  SendingChain,
} from '../../shared/crypto/index.ts';

export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Deterministic byte source: BLAKE2b(seed || counter) expanded with randombytes_buf_deterministic. */
export function seededRng(seed: string): Rng {
  let counter = 0;
  return (n: number) => {
    const sodium = getSodium();
    const s = sodium.crypto_generichash(32, new Uint8Array([...utf8(seed), ...u64be(counter++)]), null);
    return sodium.randombytes_buf_deterministic(n, s);
  };
}

export interface Officer {
  keys: IdentityKeys;
  cert: OfficerCertificate;
  deviceId: string;
}

export interface World {
  rng: Rng;
  adminA: Officer;
  adminB: Officer;
  alice: Officer;
  bob: Officer;
  carol: Officer;
  dave: Officer;
  ctx: ChainContext;
}

function officer(rng: Rng, officerId: string, agencyId: string, issuer: IdentityKeys | null, role: 'officer' | 'agency_admin' = 'officer'): Officer {
  const keys = generateIdentity({ officerId, agencyId }, rng);
  const cert = issueCertificate(keys, { role, issuedAt: T0 - 1000, expiresAt: T0 + YEAR_MS }, issuer ?? keys);
  return { keys, cert, deviceId: `${officerId}-dev1` };
}

/** Agency A: adminA, alice, carol; agency B: adminB, bob, dave. */
export function makeWorld(seed = 'world'): World {
  const rng = seededRng(seed);
  const adminA = officer(rng, 'admin-a', 'agency-a', null, 'agency_admin');
  const adminB = officer(rng, 'admin-b', 'agency-b', null, 'agency_admin');
  const alice = officer(rng, 'alice', 'agency-a', adminA.keys);
  const carol = officer(rng, 'carol', 'agency-a', adminA.keys);
  const bob = officer(rng, 'bob', 'agency-b', adminB.keys);
  const dave = officer(rng, 'dave', 'agency-b', adminB.keys);
  const roots = new Map([
    ['agency-a', adminA.keys.signPublicKey],
    ['agency-b', adminB.keys.signPublicKey],
  ]);
  return { rng, adminA, adminB, alice, bob, carol, dave, ctx: { agencyRoot: (a) => roots.get(a) } };
}

export function createEvent(channelId: string, creator: Officer, minimum: HandlingCode = 'TLP:CLEAR', agreementId = 'mou-1'): MembershipEvent {
  return createMembershipEvent(
    null,
    { channelId, kind: 'create', time: T0, actorOfficerId: creator.keys.officerId, actorDeviceId: creator.deviceId, channelKind: 'case', agreementId, policy: policyFromMinimum(minimum), member: creator.cert },
    creator.keys,
  );
}

export function addEvent(state: ChannelState, actor: Officer, member: Officer, time: number, cosigner?: Officer): MembershipEvent {
  const e = createMembershipEvent(
    state,
    { kind: 'add', time, actorOfficerId: actor.keys.officerId, actorDeviceId: actor.deviceId, member: member.cert, role: 'member' },
    actor.keys,
  );
  return cosigner ? cosignMembershipEvent(e, cosigner.keys, cosigner.cert) : e;
}

export function removeEvent(state: ChannelState, actor: Officer, target: Officer, time: number): MembershipEvent {
  return createMembershipEvent(state, { kind: 'remove', time, actorOfficerId: actor.keys.officerId, actorDeviceId: actor.deviceId, targetOfficerId: target.keys.officerId }, actor.keys);
}

export function setRoleEvent(state: ChannelState, actor: Officer, target: Officer, role: 'owner' | 'member', time: number): MembershipEvent {
  return createMembershipEvent(state, { kind: 'set-role', time, actorOfficerId: actor.keys.officerId, actorDeviceId: actor.deviceId, targetOfficerId: target.keys.officerId, role }, actor.keys);
}

/** Channel "c1" created by alice with bob (cross-agency, co-signed by bob) and carol. */
export function threeMemberChannel(w: World): { events: MembershipEvent[]; state: ChannelState } {
  const events: MembershipEvent[] = [];
  let state = applyEvent(null, push(events, createEvent('c1', w.alice)), w.ctx);
  state = applyEvent(state, push(events, addEvent(state, w.alice, w.bob, T0 + 1, w.bob)), w.ctx);
  state = applyEvent(state, push(events, addEvent(state, w.alice, w.carol, T0 + 2)), w.ctx);
  return { events, state };
}

function push<T>(arr: T[], x: T): T {
  arr.push(x);
  return x;
}

export interface Session {
  officer: Officer;
  secrets: Map<number, Uint8Array>;
  receiver: ReceiverState;
  sending: SendingChain | null;
}

/** The epoch author distributes; every member opens its copy. */
export function distribute(state: ChannelState, author: Officer, members: Officer[], rng?: Rng): Map<string, Uint8Array> {
  const { envelope } = createKeyEnvelope({ state, sender: author.keys, deviceId: author.deviceId, ...(rng ? { rng } : {}) });
  const out = new Map<string, Uint8Array>();
  for (const m of members) out.set(m.keys.officerId, openKeyEnvelope({ state, envelope, me: m.keys }));
  return out;
}

export function session(officer: Officer, channelId: string): Session {
  return { officer, secrets: new Map(), receiver: emptyReceiverState(channelId), sending: null };
}

export function send(s: Session, state: ChannelState, payload: Payload, opts: { handling?: HandlingCode; messageId?: string; time?: number; rng?: Rng } = {}): MessageEnvelope {
  const epoch = state.current.epoch;
  if (!s.sending || s.sending.epoch !== epoch) {
    const secret = s.secrets.get(epoch);
    if (!secret) throw new Error('send: no secret');
    s.sending = startSendingChain(secret, { channelId: state.channelId, epoch, stateHash: state.current.stateHash, officerId: s.officer.keys.officerId, deviceId: s.officer.deviceId });
  }
  const { envelope, sending } = encryptMessage({
    channel: state,
    sending: s.sending,
    sender: s.officer.keys,
    messageId: opts.messageId ?? `m-${s.sending.counter}-${Math.random().toString(36).slice(2)}`,
    handling: opts.handling ?? 'TLP:AMBER',
    payload,
    time: opts.time ?? state.current.startedAt + 1000,
    keyLogHead: { size: 0, hash: emptyKeyLog().headHash },
    ...(opts.rng ? { rng: opts.rng } : {}),
  });
  s.sending = sending;
  return envelope;
}

export function receive(s: Session, state: ChannelState, envelope: MessageEnvelope, now = T0 + 10_000): Payload {
  const out = openEnvelope({ channel: state, receiver: s.receiver, epochSecret: (e) => s.secrets.get(e), envelope, now });
  s.receiver = out.receiver;
  return out.payload;
}

export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `no-code:${String(e)}`;
  }
  return 'no-error';
}

/** A malicious-but-keyed sender: builds an envelope by hand so inner fields or header can disagree. */
export function craftEnvelope(args: {
  state: ChannelState;
  sender: Officer;
  secret: Uint8Array;
  counter: number;
  handling: HandlingCode;
  innerHandling?: HandlingCode;
  messageId?: string;
  innerMessageId?: string;
}): MessageEnvelope {
  const sodium = getSodium();
  const { state, sender } = args;
  const view = state.current;
  let chainKey = initialChainKey(args.secret, { channelId: state.channelId, epoch: view.epoch, stateHash: view.stateHash, officerId: sender.keys.officerId, deviceId: sender.deviceId });
  let messageKey: Uint8Array = new Uint8Array(32);
  for (let i = 0; i <= args.counter; i++) {
    const step = ratchetStep(chainKey);
    messageKey = step.messageKey;
    chainKey = step.nextChainKey;
  }
  const messageId = args.messageId ?? 'crafted';
  const header: EnvelopeHeader = {
    v: 1,
    channelId: state.channelId,
    epoch: view.epoch,
    stateHash: view.stateHash,
    senderOfficerId: sender.keys.officerId,
    senderDeviceId: sender.deviceId,
    counter: args.counter,
    messageId,
    handling: args.handling,
    time: view.startedAt + 1000,
    keyLogSize: 0,
    keyLogHash: new Uint8Array(32),
    nonce: new Uint8Array(24).fill(7),
  };
  const headerBytes = encodeHeader(header);
  const inner = pad(
    encodeFields('liaison/v1/message-inner', [
      utf8(args.innerMessageId ?? messageId),
      utf8(args.innerHandling ?? args.handling),
      encodePayload({ kind: 'text', text: 'crafted' }),
    ]),
  );
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, headerBytes, null, header.nonce, messageKey);
  const signature = labelledSign('liaison/v1/envelope-signature', envelopeSignatureInput(headerBytes, ciphertext), sender.keys.signSecretKey);
  return { header, ciphertext, signature };
}
