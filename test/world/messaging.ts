/**
 * The messaging tests' world: agency A (alice, carol) and agency B (bob) under an active agreement,
 * keyed and certified, with channels stored as the channels service stores them (built with World),
 * plus socket.io client helpers.
 */
import { io as ioClient, type Socket } from 'socket.io-client';
import type { HandlingCode, IdentityKeys } from '../../shared/crypto/index.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { bearer, provision, worldOf, type TestApp } from './app.ts';
import { messageEnvelope, type Channel, type Member, type World as WorldBuilder } from './world.ts';

export type Person = Member;
export type TestChannel = Channel;

export interface World {
  alice: Person;
  carol: Person;
  bob: Person;
  agencyA: string;
  agencyB: string;
  agreementId: string;
  roots: Map<string, IdentityKeys>;
  builder: WorldBuilder;
}

/** Agency A (alice, carol) and agency B (bob) with an active agreement between them. */
export async function makeWorld(t: TestApp): Promise<World> {
  const net = await provision(t);
  const builder = worldOf(t);
  const agencyA = net.agency.id;
  const b = await builder.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin', adminDisplayName: 'ES Admin' });
  const carol = await builder.officer({ id: agencyA, admin: net.agencyAdmin }, 'carol');
  const bob = await builder.officer(b, 'bob');
  builder.root(agencyA);
  builder.root(b.id);
  const agreementId = builder.agreement([agencyA, b.id], { id: 'mou-a-b', proposedBy: net.officer.id, validFromMs: 1000 });
  return {
    alice: builder.keys({ id: net.officer.id, agencyId: agencyA, tokens: net.officer.tokens }),
    carol: builder.keys(carol),
    bob: builder.keys(bob),
    agencyA,
    agencyB: b.id,
    agreementId,
    roots: builder.roots,
    builder,
  };
}

/** Channel created by `creator`, then each other member added (cross-agency adds co-signed). */
export function makeChannel(
  _t: TestApp,
  w: World,
  creator: Person,
  others: Person[],
  opts: { id?: string; minimum?: HandlingCode; retentionDays?: number; legalHold?: boolean } = {},
): TestChannel {
  const crossAgency = others.some((o) => o.agencyId !== creator.agencyId);
  return w.builder.channel(creator, others, { ...opts, ...(crossAgency ? { agreementId: w.agreementId } : {}) });
}

export function addMember(_t: TestApp, w: World, ch: TestChannel, actor: Person, member: Person): void {
  w.builder.add(ch, actor, member);
}

export function removeMember(_t: TestApp, w: World, ch: TestChannel, actor: Person, target: Person): void {
  w.builder.remove(ch, actor, target);
}

/** An envelope from `sender` for the channel's current epoch, in wire JSON. */
export function envelope(ch: TestChannel, sender: Person, opts: { handling?: HandlingCode; messageId?: string; text?: string } = {}): Record<string, unknown> {
  return messageEnvelope(ch, sender, opts.text ?? 'hello', { handling: opts.handling ?? 'TLP:AMBER', ...(opts.messageId ? { messageId: opts.messageId } : {}) });
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
