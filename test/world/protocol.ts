import {
  agreementTextHash,
  applyEvent,
  messageEnvelopeCodec,
  createKeyEnvelope,
  createMembershipEvent,
  keyEnvelopeCodec,
  membershipEventCodec,
  policyFromMinimum,
  signAgreement,
  toB64,
  type ChainContext,
  type ChannelState,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import { distribute, send, session } from '../crypto/fixtures.ts';
import { bearer, type TestApp } from './app.ts';
import type { Actor } from './actors.ts';

export const DAY_MS = 24 * 3600 * 1000;

export async function call(t: TestApp, who: Actor | null, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, ...(who ? { headers: bearer(who.tokens) } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Sends a message from the channel's only member, for the channel's current epoch (wire JSON). */
export async function trySend(t: TestApp, author: Actor, channelId: string, state: Parameters<typeof distribute>[0]) {
  const officer = { keys: author.keys, cert: author.cert!, deviceId: author.deviceId };
  const s = session(officer, channelId);
  s.secrets.set(state.current.epoch, distribute(state, officer, [officer]).get(author.id)!);
  const envelope = messageEnvelopeCodec.toWire(send(s, state, { kind: 'text', text: 'still there?' }, { time: t.clock.now() }));
  return call(t, author, 'POST', `/channels/${channelId}/messages`, { envelope });
}

/** Client-side trust: the roots the test's SDK would have pinned from the key log. */
export function chainContext(...roots: Actor[]): ChainContext {
  const map = new Map(roots.map((r) => [r.agencyId, r.keys.signPublicKey]));
  return { agencyRoot: (a) => map.get(a) };
}

export interface Terms {
  parties: string[];
  scope: string[];
  validFrom: number;
  validUntil: number;
  title: string;
  text: string;
}

export function terms(t: TestApp, parties: string[], over: Partial<Terms> = {}): Terms {
  const now = t.clock.now();
  return { parties, scope: ['drug-trafficking', 'precursors'], validFrom: now - 1000, validUntil: now + 90 * DAY_MS, title: 'MOU', text: 'Cooperation on precursors.', ...over };
}

interface AgreementJson {
  id: string;
  version: number;
  parties: { agencyId: string }[];
  scope: string[];
  validFrom: number;
  validUntil: number;
  text: string;
  status: string;
}

export function agreementSignature(a: AgreementJson, signer: Actor): string {
  const sig = signAgreement(
    { id: a.id, version: a.version, parties: a.parties.map((p) => p.agencyId), scope: a.scope, validFrom: a.validFrom, validUntil: a.validUntil, textHash: agreementTextHash(a.text) },
    signer.keys.signSecretKey,
  );
  return toB64(sig);
}

export async function propose(t: TestApp, proposer: Actor, body: Terms): Promise<AgreementJson> {
  const res = await call(t, proposer, 'POST', '/agreements', body);
  if (res.statusCode !== 201) throw new Error(`propose: ${res.statusCode} ${res.body}`);
  return (res.json() as { agreement: AgreementJson }).agreement;
}

/** Proposed by the first admin, signed by every admin given: returns the (active) agreement. */
export async function activeAgreement(t: TestApp, admins: Actor[], over: Partial<Terms> = {}): Promise<AgreementJson> {
  let a = await propose(t, admins[0]!, terms(t, admins.map((x) => x.agencyId), over));
  for (const admin of admins) {
    const res = await call(t, admin, 'POST', `/agreements/${a.id}/signatures`, { signature: agreementSignature(a, admin) });
    if (res.statusCode !== 200) throw new Error(`sign: ${res.statusCode} ${res.body}`);
    a = (res.json() as { agreement: AgreementJson }).agreement;
  }
  return a;
}

export function createEvent(t: TestApp, creator: Actor, opts: { channelId?: string; agreementId?: string; kind?: 'direct' | 'case' | 'team' } = {}): MembershipEvent {
  return createMembershipEvent(
    null,
    {
      channelId: opts.channelId ?? crypto.randomUUID(),
      kind: 'create',
      time: t.clock.now(),
      actorOfficerId: creator.id,
      actorDeviceId: creator.deviceId,
      channelKind: opts.kind ?? 'case',
      agreementId: opts.agreementId ?? '',
      policy: policyFromMinimum('TLP:GREEN'),
      member: creator.cert!,
    },
    creator.keys,
  );
}

export function addEvent(t: TestApp, state: ChannelState, actor: Actor, member: Actor): MembershipEvent {
  return createMembershipEvent(state, { kind: 'add', time: t.clock.now(), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, member: member.cert!, role: 'member' }, actor.keys);
}

export function removeEvent(t: TestApp, state: ChannelState, actor: Actor, target: Actor): MembershipEvent {
  return createMembershipEvent(state, { kind: 'remove', time: t.clock.now(), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, targetOfficerId: target.id }, actor.keys);
}

export function setRoleEvent(t: TestApp, state: ChannelState, actor: Actor, target: Actor, role: 'owner' | 'member'): MembershipEvent {
  return createMembershipEvent(state, { kind: 'set-role', time: t.clock.now(), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, targetOfficerId: target.id, role }, actor.keys);
}

export const wire = (e: MembershipEvent) => membershipEventCodec.toWire(e);

export function envelopeFor(state: ChannelState, author: Actor) {
  return keyEnvelopeCodec.toWire(createKeyEnvelope({ state, sender: author.keys, deviceId: author.deviceId }).envelope);
}

/** Creates a channel through the API from the creator's events; returns the client's verified state. */
export async function openChannel(
  t: TestApp,
  creator: Actor,
  ctx: ChainContext,
  opts: { agreementId?: string; kind?: 'direct' | 'case' | 'team'; members?: Actor[] } = {},
): Promise<{ channelId: string; state: ChannelState; events: MembershipEvent[] }> {
  const events = [createEvent(t, creator, opts)];
  let state = applyEvent(null, events[0]!, ctx);
  for (const m of opts.members ?? []) {
    const e = addEvent(t, state, creator, m);
    events.push(e);
    state = applyEvent(state, e, ctx);
  }
  const res = await call(t, creator, 'POST', '/channels', { events: events.map(wire), encryptedMeta: 'b3BhcXVl', keyEnvelope: envelopeFor(state, creator) });
  if (res.statusCode !== 201) throw new Error(`create channel: ${res.statusCode} ${res.body}`);
  return { channelId: state.channelId, state, events };
}
