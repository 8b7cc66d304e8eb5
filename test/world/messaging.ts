import { io as ioClient, type Socket } from 'socket.io-client';
import {
  applyEvent,
  cosignMembershipEvent,
  createMembershipEvent,
  generateIdentity,
  issueCertificate,
  membershipEventCodec,
  messageEnvelopeCodec,
  policyFromMinimum,
  toB64,
  type ChannelState,
  type HandlingCode,
  type IdentityKeys,
  type MembershipEvent,
  type MessageEnvelope,
} from '../../shared/crypto/index.ts';
import type { RoutedFeedItem } from '../../server/feed/feed.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { distribute, send as encrypt, session, type Officer, type Session } from '../crypto/fixtures.ts';
import { bearer, enrol, provision, type TestApp } from './app.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface Person extends Officer {
  id: string;
  agencyId: string;
  tokens: TokenPair;
}

export interface World {
  alice: Person;
  carol: Person;
  bob: Person;
  agencyA: string;
  agencyB: string;
  agreementId: string;
  roots: Map<string, IdentityKeys>;
}

async function createOfficer(t: TestApp, adminTokens: TokenPair, agencyId: string, username: string): Promise<{ id: string; tokens: TokenPair }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agencies/${agencyId}/officers`,
    headers: bearer(adminTokens),
    payload: { username, displayName: username },
  });
  if (res.statusCode !== 201) throw new Error(`create officer: ${res.statusCode} ${res.body}`);
  const body = res.json() as { officer: { id: string }; enrolment: { token: string } };
  const e = await enrol(t, body.enrolment.token);
  return { id: body.officer.id, tokens: e.tokens };
}

/** Registers identity keys directly (part A's key routes are not needed for messaging tests). */
function registerKeys(t: TestApp, id: string, agencyId: string, root: IdentityKeys): Officer {
  const keys = generateIdentity({ officerId: id, agencyId });
  const now = t.clock.now();
  const cert = issueCertificate(keys, { role: 'officer', issuedAt: now - 60_000, expiresAt: now + YEAR_MS }, root);
  t.app.ctx.sqlite
    .prepare(
      `INSERT INTO officer_keys (officer_id, agency_id, sign_public_key, dh_public_key, enrol_event, prekey, backup, created_at, updated_at)
       VALUES (?, ?, ?, ?, '{}', '{}', '{}', ?, ?)`,
    )
    .run(id, agencyId, toB64(keys.signPublicKey), toB64(keys.dhPublicKey), now, now);
  return { keys, cert, deviceId: `${id}-dev1` };
}

/** Agency A (alice, carol) and agency B (bob) with an active agreement between them. */
export async function makeWorld(t: TestApp): Promise<World> {
  const net = await provision(t);
  const agencyA = net.agency.id;
  const b = await t.app.inject({
    method: 'POST',
    url: '/api/v1/agencies',
    headers: bearer(net.admin.tokens),
    payload: { name: 'Guardia Civil', country: 'ES', kind: 'police', admin: { username: 'es-admin', displayName: 'ES Admin' } },
  });
  if (b.statusCode !== 201) throw new Error(`agency B: ${b.body}`);
  const bBody = b.json() as { agency: { id: string }; enrolment: { token: string } };
  const agencyB = bBody.agency.id;
  const bAdmin = await enrol(t, bBody.enrolment.token);
  const carolAcc = await createOfficer(t, net.agencyAdmin.tokens, agencyA, 'carol');
  const bobAcc = await createOfficer(t, bAdmin.tokens, agencyB, 'bob');
  const roots = new Map([
    [agencyA, generateIdentity({ officerId: `root-${agencyA}`, agencyId: agencyA })],
    [agencyB, generateIdentity({ officerId: `root-${agencyB}`, agencyId: agencyB })],
  ]);
  const now0 = t.clock.now();
  for (const [agencyId, root] of roots) {
    t.app.ctx.sqlite
      .prepare('INSERT INTO agency_roots (agency_id, officer_id, sign_public_key, created_at) VALUES (?, ?, ?, ?)')
      .run(agencyId, root.officerId, toB64(root.signPublicKey), now0);
  }
  const person = (id: string, agencyId: string, tokens: TokenPair): Person => ({ ...registerKeys(t, id, agencyId, roots.get(agencyId)!), id, agencyId, tokens });
  const now = t.clock.now();
  const agreementId = 'mou-a-b';
  t.app.ctx.sqlite
    .prepare(
      `INSERT INTO agreements (id, version, parties, scope, valid_from, valid_until, title, text, text_hash, status, proposed_by, created_at, updated_at)
       VALUES (?, 1, ?, '["drug-trafficking"]', ?, ?, 'MOU', 'text', 'hash', 'active', ?, ?, ?)`,
    )
    .run(agreementId, JSON.stringify([agencyA, agencyB].sort()), now - 1000, now + YEAR_MS, net.officer.id, now, now);
  return {
    alice: person(net.officer.id, agencyA, net.officer.tokens),
    carol: person(carolAcc.id, agencyA, carolAcc.tokens),
    bob: person(bobAcc.id, agencyB, bobAcc.tokens),
    agencyA,
    agencyB,
    agreementId,
    roots,
  };
}

export interface TestChannel {
  id: string;
  state: ChannelState;
  members: Person[];
  sessions: Map<string, Session>;
}

function chainCtx(w: World) {
  return { agencyRoot: (a: string) => w.roots.get(a)?.signPublicKey };
}

/** Stores a verified event the way the channels service does: event row, feed item, head (published by the caller). */
function storeEvent(t: TestApp, ch: { id: string }, event: MembershipEvent, state: ChannelState): RoutedFeedItem {
  const { sqlite, feed } = t.app.ctx;
  const now = t.clock.now();
  const wire = membershipEventCodec.toWire(event);
  const item = feed.append({ channelId: ch.id, kind: 'membership', data: wire, createdAt: now });
  sqlite
    .prepare('INSERT INTO membership_events (channel_id, seq, event, hash, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(ch.id, event.seq, JSON.stringify(wire), toB64(state.current.stateHash), event.actorOfficerId, now);
  sqlite
    .prepare('UPDATE channels SET head_seq = ?, head_hash = ?, policy = ? WHERE id = ?')
    .run(state.current.epoch, toB64(state.current.stateHash), JSON.stringify(state.current.policy), ch.id);
  return item;
}

/** Like the channels service: sockets move first, then the item goes out. */
function announce(t: TestApp, item: RoutedFeedItem, change?: { channelId: string; added: string[]; removed: string[] }): void {
  if (change) t.app.ctx.events.emit('channel.members_changed', change);
  t.app.ctx.feed.publish([item]);
}

function refreshSessions(ch: TestChannel, author: Person): void {
  const secrets = distribute(ch.state, author, ch.members);
  for (const m of ch.members) {
    const s = ch.sessions.get(m.id) ?? session(m, ch.id);
    s.secrets.set(ch.state.current.epoch, secrets.get(m.id)!);
    ch.sessions.set(m.id, s);
  }
}

/** Channel created by `creator`, then each other member added (cross-agency adds co-signed). */
export function makeChannel(
  t: TestApp,
  w: World,
  creator: Person,
  others: Person[],
  opts: { id?: string; minimum?: HandlingCode; retentionDays?: number; legalHold?: boolean } = {},
): TestChannel {
  const id = opts.id ?? `ch-${Math.random().toString(36).slice(2, 10)}`;
  const now = t.clock.now();
  const crossAgency = others.some((o) => o.agencyId !== creator.agencyId);
  const create = createMembershipEvent(
    null,
    {
      channelId: id,
      kind: 'create',
      time: now,
      actorOfficerId: creator.id,
      actorDeviceId: creator.deviceId,
      channelKind: 'case',
      agreementId: crossAgency ? w.agreementId : '',
      policy: policyFromMinimum(opts.minimum ?? 'TLP:CLEAR'),
      member: creator.cert,
    },
    creator.keys,
  );
  const state = applyEvent(null, create, chainCtx(w));
  t.app.ctx.sqlite
    .prepare(
      `INSERT INTO channels (id, kind, agreement_id, created_by, created_at, encrypted_meta, policy, head_seq, head_hash, retention_days, legal_hold)
       VALUES (?, 'case', ?, ?, ?, 'meta', ?, 0, '', ?, ?)`,
    )
    .run(id, crossAgency ? w.agreementId : null, creator.id, now, '{}', opts.retentionDays ?? 365, opts.legalHold ? 1 : 0);
  const ch: TestChannel = { id, state, members: [creator], sessions: new Map() };
  const item = storeEvent(t, ch, create, state);
  insertSpan(t, ch.id, creator, 'owner', 0, item.pos);
  announce(t, item, { channelId: id, added: [creator.id], removed: [] });
  for (const o of others) addMember(t, w, ch, creator, o);
  if (others.length === 0) refreshSessions(ch, creator);
  return ch;
}

function insertSpan(t: TestApp, channelId: string, p: Person, role: string, epoch: number, pos: number): void {
  t.app.ctx.sqlite
    .prepare('INSERT INTO channel_members (channel_id, officer_id, agency_id, role, from_epoch, from_pos) VALUES (?, ?, ?, ?, ?, ?)')
    .run(channelId, p.id, p.agencyId, role, epoch, pos);
}

export function addMember(t: TestApp, w: World, ch: TestChannel, actor: Person, member: Person): void {
  t.clock.advance(1);
  let e = createMembershipEvent(
    ch.state,
    { kind: 'add', time: t.clock.now(), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, member: member.cert, role: 'member' },
    actor.keys,
  );
  if (member.agencyId !== actor.agencyId) e = cosignMembershipEvent(e, member.keys, member.cert);
  ch.state = applyEvent(ch.state, e, chainCtx(w));
  ch.members.push(member);
  const item = storeEvent(t, ch, e, ch.state);
  insertSpan(t, ch.id, member, 'member', ch.state.current.epoch, item.pos);
  refreshSessions(ch, actor);
  announce(t, item, { channelId: ch.id, added: [member.id], removed: [] });
}

export function removeMember(t: TestApp, w: World, ch: TestChannel, actor: Person, target: Person): void {
  t.clock.advance(1);
  const e = createMembershipEvent(
    ch.state,
    { kind: 'remove', time: t.clock.now(), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, targetOfficerId: target.id },
    actor.keys,
  );
  ch.state = applyEvent(ch.state, e, chainCtx(w));
  ch.members = ch.members.filter((m) => m.id !== target.id);
  const item = storeEvent(t, ch, e, ch.state);
  // The removal event itself is the first item the removed member no longer sees.
  t.app.ctx.sqlite
    .prepare('UPDATE channel_members SET until_pos = ?, until_epoch = ? WHERE channel_id = ? AND officer_id = ? AND until_pos IS NULL')
    .run(item.pos, ch.state.current.epoch, ch.id, target.id);
  ch.sessions.delete(target.id);
  refreshSessions(ch, actor);
  announce(t, item, { channelId: ch.id, added: [], removed: [target.id] });
}

/** An envelope from `sender` for the channel's current epoch, in wire JSON. */
export function envelope(ch: TestChannel, sender: Person, opts: { handling?: HandlingCode; messageId?: string; text?: string } = {}): Record<string, unknown> {
  const s = ch.sessions.get(sender.id);
  if (!s) throw new Error('envelope: sender has no session in this channel');
  const env: MessageEnvelope = encrypt(s, ch.state, { kind: 'text', text: opts.text ?? 'hello' }, { handling: opts.handling ?? 'TLP:AMBER', ...(opts.messageId ? { messageId: opts.messageId } : {}) });
  return messageEnvelopeCodec.toWire(env);
}

export function sendBody(ch: TestChannel, sender: Person, opts: { handling?: HandlingCode; messageId?: string; ackRequired?: boolean; attachmentIds?: string[] } = {}) {
  return {
    envelope: envelope(ch, sender, opts),
    ...(opts.ackRequired ? { ackRequired: true } : {}),
    ...(opts.attachmentIds ? { attachmentIds: opts.attachmentIds } : {}),
  };
}

export async function postMessage(t: TestApp, ch: { id: string }, who: Person, payload: unknown) {
  return t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(who.tokens), payload: payload as Record<string, unknown> });
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('listen: no port');
  return `http://127.0.0.1:${addr.port}`;
}

const openSockets: ClientSocket[] = [];

/** A connected socket.io client (closed by closeSockets()). */
export function connect(url: string, token: string, opts: { autoConnect?: boolean } = {}): ClientSocket {
  const s: ClientSocket = ioClient(url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: opts.autoConnect ?? true });
  openSockets.push(s);
  return s;
}

export function closeSockets(): void {
  while (openSockets.length) openSockets.pop()?.close();
}

export function connected(s: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
}

export function waitFor<T>(s: ClientSocket, event: keyof ServerToClientEvents | 'disconnect' | 'connect_error', pred: (v: T) => boolean = () => true, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`waitFor ${String(event)}: timeout`)), ms);
    const on = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      (s as unknown as { off(e: string, f: unknown): void }).off(event, on);
      resolve(v);
    };
    (s as unknown as { on(e: string, f: unknown): void }).on(event, on);
  });
}

export function collect<T>(s: ClientSocket, event: keyof ServerToClientEvents): T[] {
  const out: T[] = [];
  (s as unknown as { on(e: string, f: (v: T) => void): void }).on(event, (v) => out.push(v));
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
