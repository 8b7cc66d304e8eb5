/**
 * The one world builder (atproto dev-env's `SeedClient` is the model): verbs that build a Liaison
 * network on an in-process app — `platform`, `agency`, `officer`, `keys`, `agreement`, `channel`,
 * `add`, `remove`, `envelope`, `send`. Accounts go through the real API (`app.inject`); keys,
 * agreements and channels are written as their services write them, so messaging tests, faults and
 * benches start from a valid network without the client round-trips they do not test.
 *
 * No vitest import here: benches and fault suites build worlds outside the test runner.
 */
import { Secret, TOTP } from 'otpauth';
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
  type ChainContext,
  type ChannelState,
  type HandlingCode,
  type HandlingPolicy,
  type IdentityKeys,
  type MembershipEvent,
} from '../../shared/crypto/index.ts';
import type { App } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import type { RoutedFeedItem } from '../../server/feed/feed.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { rawDb } from './db.ts';
import { distribute, send as encrypt, session, type Officer, type Session } from '../crypto/fixtures.ts';

export const YEAR_MS = 365 * 24 * 3600 * 1000;
export const STRONG_PASSWORD = 'correct horse battery staple 42';

/** A clock the server shares (tests' ManualClock: `advance` moves both) or the system clock. */
export type WorldClock = Clock & { advance?(ms: number): void };

/** An enrolled account: what a person keeps to sign in again. */
export interface Enrolled {
  username: string;
  password: string;
  totpSecret: string;
  tokens: TokenPair;
}

export interface Account extends Enrolled {
  id: string;
  agencyId: string;
}

export interface Agency {
  id: string;
  admin: Account;
}

/** An officer with identity keys and a certificate held "client-side" by the world. */
export interface Member extends Officer {
  id: string;
  agencyId: string;
  tokens: TokenPair;
}

export interface Channel<M extends Member = Member> {
  id: string;
  state: ChannelState;
  members: M[];
  sessions: Map<string, Session>;
}

export function totpCode(secretBase32: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });
}

export function bearer(tokens: Pick<TokenPair, 'accessToken'>): Record<string, string> {
  return { authorization: `Bearer ${tokens.accessToken}` };
}

/** A real client envelope from `sender` for the channel's current epoch (its chain counter increases), in wire JSON. */
export function messageEnvelope(ch: Channel, sender: Member, text: string, opts: { handling?: HandlingCode; messageId?: string; time?: number } = {}): Record<string, unknown> {
  const s = ch.sessions.get(sender.id);
  if (!s) throw new Error(`envelope: ${sender.id} is not a member of ${ch.id}`);
  return messageEnvelopeCodec.toWire(encrypt(s, ch.state, { kind: 'text', text }, opts));
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface CallOptions {
  tokens?: Pick<TokenPair, 'accessToken'>;
  payload?: unknown;
  expect?: number;
}

/** One API call through the app (no network); throws on a status other than `expect` (any 2xx by default). */
export async function apiCall<T>(app: App, method: Method, url: string, opts: CallOptions = {}): Promise<T> {
  const res = await app.inject({
    method,
    url: `/api/v1${url}`,
    ...(opts.tokens ? { headers: bearer(opts.tokens) } : {}),
    ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
  });
  const ok = opts.expect === undefined ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === opts.expect;
  if (!ok) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

/** Who acts: an account's current access token. */
type Actor = { tokens: Pick<TokenPair, 'accessToken'> };

const worlds = new WeakMap<App, World>();

export class World {
  /** The world of this app (one per app, so every verb sees the same platform admin and roots). */
  static of(app: App, clock: WorldClock, opts: { password?: string } = {}): World {
    let w = worlds.get(app);
    if (!w) worlds.set(app, (w = new World(app, clock, opts)));
    return w;
  }

  /** Agency roots the world's clients pinned (seeded in `agency_roots`). */
  readonly roots = new Map<string, IdentityKeys>();
  private platformAdmin: Account | null = null;
  private readonly password: string;

  constructor(
    readonly app: App,
    readonly clock: WorldClock,
    opts: { password?: string } = {},
  ) {
    this.password = opts.password ?? STRONG_PASSWORD;
  }

  /** One API call; throws on a status other than `expect` (any 2xx by default). */
  call<T>(method: Method, url: string, opts: CallOptions = {}): Promise<T> {
    return apiCall<T>(this.app, method, url, opts);
  }

  /** Both enrolment steps; a shared clock moves one TOTP step on so the next code is fresh. */
  async enrol(token: string, password = this.password): Promise<Account> {
    const { totpSecret } = await this.call<{ totpSecret: string }>('POST', '/enrolment/begin', { payload: { token, password } });
    const tokens = await this.call<TokenPair>('POST', '/enrolment/complete', { payload: { token, totp: totpCode(totpSecret, this.clock.now()) } });
    this.clock.advance?.(30_000);
    const o = tokens.officer;
    return { id: o.id, agencyId: o.agencyId, username: o.username, password, totpSecret, tokens };
  }

  /** Initialises the platform and enrols its administrator (once; later calls return it). */
  async platform(opts: { username?: string; displayName?: string; country?: string; password?: string } = {}): Promise<Account> {
    if (this.platformAdmin) return this.platformAdmin;
    const init = await this.app.ctx.accounts.initPlatform({ username: opts.username ?? 'admin', displayName: opts.displayName ?? 'Platform Admin', country: opts.country ?? 'FR' });
    this.platformAdmin = await this.enrol(init.enrolment.token, opts.password);
    return this.platformAdmin;
  }

  /** The platform admin creates the agency with its administrator, who enrols. */
  async agency(spec: { name: string; country: string; kind?: string; sponsorAgencyId?: string; admin: string; adminDisplayName?: string; adminPassword?: string; by?: Actor }): Promise<Agency> {
    const platform = spec.by ?? (await this.platform());
    const created = await this.call<{ agency: { id: string }; enrolment: { token: string } }>('POST', '/agencies', {
      tokens: platform.tokens,
      expect: 201,
      payload: {
        name: spec.name,
        country: spec.country,
        kind: spec.kind ?? 'police',
        ...(spec.sponsorAgencyId ? { sponsorAgencyId: spec.sponsorAgencyId } : {}),
        admin: { username: spec.admin, displayName: spec.adminDisplayName ?? `${spec.name} Admin` },
      },
    });
    return { id: created.agency.id, admin: await this.enrol(created.enrolment.token, spec.adminPassword) };
  }

  /** The agency admin creates an officer, who enrols. */
  async officer(agency: { id: string; admin: Actor }, username: string, displayName = username, opts: { password?: string; role?: 'officer' | 'agency_admin' } = {}): Promise<Account> {
    const created = await this.call<{ enrolment: { token: string } }>('POST', `/agencies/${agency.id}/officers`, {
      tokens: agency.admin.tokens,
      expect: 201,
      payload: { username, displayName, ...(opts.role ? { role: opts.role } : {}) },
    });
    return this.enrol(created.enrolment.token, opts.password);
  }

  /** The agency's root key, seeded in `agency_roots` on first use (no admin client round-trip). */
  root(agencyId: string): IdentityKeys {
    let root = this.roots.get(agencyId);
    if (!root) {
      root = generateIdentity({ officerId: `root-${agencyId}`, agencyId });
      this.roots.set(agencyId, root);
      rawDb(this.app)
        .prepare('INSERT INTO agency_roots (agency_id, officer_id, sign_public_key, created_at) VALUES (?, ?, ?, ?)')
        .run(agencyId, root.officerId, toB64(root.signPublicKey), this.clock.now());
    }
    return root;
  }

  /** Identity keys for an account, certified by its agency root and stored as the keys service stores them. */
  keys(account: Pick<Account, 'id' | 'agencyId' | 'tokens'>): Member {
    const { id, agencyId } = account;
    const keys = generateIdentity({ officerId: id, agencyId });
    const now = this.clock.now();
    const cert = issueCertificate(keys, { role: 'officer', issuedAt: now - 60_000, expiresAt: now + YEAR_MS }, this.root(agencyId));
    rawDb(this.app)
      .prepare(
        `INSERT INTO officer_keys (officer_id, agency_id, sign_public_key, dh_public_key, enrol_event, prekey, backup, created_at, updated_at)
         VALUES (?, ?, ?, ?, '{}', '{}', '{}', ?, ?)`,
      )
      .run(id, agencyId, toB64(keys.signPublicKey), toB64(keys.dhPublicKey), now, now);
    return { id, agencyId, tokens: account.tokens, keys, cert, deviceId: `${id}-dev1` };
  }

  /** An active agreement between the agencies, for a year (stored as signed by every party). */
  agreement(agencyIds: string[], opts: { id: string; proposedBy: string; validFromMs?: number }): string {
    const now = this.clock.now();
    rawDb(this.app)
      .prepare(
        `INSERT INTO agreements (id, version, parties, scope, valid_from, valid_until, title, text, text_hash, status, proposed_by, created_at, updated_at)
         VALUES (?, 1, ?, '["drug-trafficking"]', ?, ?, 'MOU', 'text', 'hash', 'active', ?, ?, ?)`,
      )
      .run(opts.id, JSON.stringify([...agencyIds].sort()), now - (opts.validFromMs ?? 60_000), now + YEAR_MS, opts.proposedBy, now, now);
    return opts.id;
  }

  chainContext(): ChainContext {
    return { agencyRoot: (a: string) => this.roots.get(a)?.signPublicKey };
  }

  /**
   * A case channel created by `creator`, then each other member added (cross-agency adds
   * co-signed), stored in one transaction; the feed items go out after commit, as the service does.
   */
  channel<M extends Member>(
    creator: M,
    others: M[],
    opts: { id?: string; agreementId?: string; minimum?: HandlingCode; policy?: HandlingPolicy; retentionDays?: number; legalHold?: boolean } = {},
  ): Channel<M> {
    const id = opts.id ?? `ch-${Math.random().toString(36).slice(2, 10)}`;
    const agreementId = opts.agreementId ?? null;
    // A shared clock is moved one ms per event; on the system clock the events are dated just in
    // the past, so a client's next event (dated now) still comes after them.
    const t0 = this.clock.advance ? this.clock.now() : Date.now() - others.length - 10;
    const create = createMembershipEvent(
      null,
      {
        channelId: id,
        kind: 'create',
        time: t0,
        actorOfficerId: creator.id,
        actorDeviceId: creator.deviceId,
        channelKind: 'case',
        agreementId: agreementId ?? '',
        policy: opts.policy ?? policyFromMinimum(opts.minimum ?? 'TLP:CLEAR'),
        member: creator.cert,
      },
      creator.keys,
    );
    const ch: Channel<M> & { time: number } = { id, state: applyEvent(null, create, this.chainContext()), members: [creator], sessions: new Map(), time: t0 };
    const db = rawDb(this.app);
    const announce = db.transaction(() => {
      db
        .prepare(
          `INSERT INTO channels (id, kind, agreement_id, created_by, created_at, encrypted_meta, policy, head_seq, head_hash, retention_days, legal_hold)
           VALUES (?, 'case', ?, ?, ?, 'meta', '{}', 0, '', ?, ?)`,
        )
        .run(id, agreementId, creator.id, t0, opts.retentionDays ?? 365, opts.legalHold ? 1 : 0);
      const item = this.storeEvent(ch, create);
      this.insertSpan(id, creator, 'owner', 0, item.pos);
      return [{ item, change: { channelId: id, added: [creator.id], removed: [] } }, ...others.map((o) => this.addStored(ch, creator, o))];
    })();
    if (others.length === 0) this.refreshSessions(ch, creator);
    for (const a of announce) this.announce(a.item, a.change);
    return ch;
  }

  /** `actor` adds `member` (co-signed when from another agency); every member gets the new epoch. */
  add<M extends Member>(ch: Channel<M>, actor: M, member: M): void {
    const a = this.addStored(ch, actor, member);
    this.announce(a.item, a.change);
  }

  /** `actor` removes `target`: its span closes at the removal event, the others get a new epoch. */
  remove<M extends Member>(ch: Channel<M>, actor: M, target: M): void {
    const e = createMembershipEvent(
      ch.state,
      { kind: 'remove', time: this.nextTime(ch), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, targetOfficerId: target.id },
      actor.keys,
    );
    ch.state = applyEvent(ch.state, e, this.chainContext());
    ch.members = ch.members.filter((m) => m.id !== target.id);
    const item = this.storeEvent(ch, e);
    // The removal event itself is the first item the removed member no longer sees.
    rawDb(this.app)
      .prepare('UPDATE channel_members SET until_pos = ?, until_epoch = ? WHERE channel_id = ? AND officer_id = ? AND until_pos IS NULL')
      .run(item.pos, ch.state.current.epoch, ch.id, target.id);
    ch.sessions.delete(target.id);
    this.refreshSessions(ch, actor);
    this.announce(item, { channelId: ch.id, added: [], removed: [target.id] });
  }

  /** `sender` posts a text message through the API; returns the raw response. */
  async send(ch: Channel, sender: Member, text = 'hello', opts: { handling?: HandlingCode; messageId?: string } = {}) {
    return this.app.inject({
      method: 'POST',
      url: `/api/v1/channels/${ch.id}/messages`,
      headers: bearer(sender.tokens),
      payload: { envelope: messageEnvelope(ch, sender, text, { handling: opts.handling ?? 'TLP:AMBER', ...(opts.messageId ? { messageId: opts.messageId } : {}) }) },
    });
  }

  private nextTime<M extends Member>(ch: Channel<M> & { time?: number }): number {
    if (this.clock.advance) {
      this.clock.advance(1);
      return this.clock.now();
    }
    ch.time = (ch.time ?? Date.now()) + 1;
    return ch.time;
  }

  private addStored<M extends Member>(ch: Channel<M>, actor: M, member: M): { item: RoutedFeedItem; change: { channelId: string; added: string[]; removed: string[] } } {
    let e = createMembershipEvent(
      ch.state,
      { kind: 'add', time: this.nextTime(ch), actorOfficerId: actor.id, actorDeviceId: actor.deviceId, member: member.cert, role: 'member' },
      actor.keys,
    );
    if (member.agencyId !== actor.agencyId) e = cosignMembershipEvent(e, member.keys, member.cert);
    ch.state = applyEvent(ch.state, e, this.chainContext());
    ch.members.push(member);
    const item = this.storeEvent(ch, e);
    this.insertSpan(ch.id, member, 'member', ch.state.current.epoch, item.pos);
    this.refreshSessions(ch, actor);
    return { item, change: { channelId: ch.id, added: [member.id], removed: [] } };
  }

  /** Stores a verified event the way the channels service does: event row, feed item, head. */
  private storeEvent<M extends Member>(ch: Channel<M>, event: MembershipEvent): RoutedFeedItem {
    const sqlite = rawDb(this.app);
    const time = event.time;
    const wire = membershipEventCodec.toWire(event);
    // The row FeedWriter.append writes, inserted synchronously (the world seeds inside one transaction).
    const inserted = sqlite
      .prepare("INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, 'membership', NULL, NULL, ?, ?) RETURNING pos")
      .get(ch.id, JSON.stringify(wire), time) as { pos: number };
    const item = { pos: Number(inserted.pos), kind: 'membership', channelId: ch.id, data: wire, createdAt: time, recipientId: null } as RoutedFeedItem;
    sqlite
      .prepare('INSERT INTO membership_events (channel_id, seq, event, hash, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ch.id, event.seq, JSON.stringify(wire), toB64(ch.state.current.stateHash), event.actorOfficerId, time);
    sqlite
      .prepare('UPDATE channels SET head_seq = ?, head_hash = ?, policy = ? WHERE id = ?')
      .run(ch.state.current.epoch, toB64(ch.state.current.stateHash), JSON.stringify(ch.state.current.policy), ch.id);
    return item;
  }

  private insertSpan(channelId: string, m: Member, role: string, epoch: number, pos: number): void {
    rawDb(this.app)
      .prepare('INSERT INTO channel_members (channel_id, officer_id, agency_id, role, from_epoch, from_pos) VALUES (?, ?, ?, ?, ?, ?)')
      .run(channelId, m.id, m.agencyId, role, epoch, pos);
  }

  /** Like the channels service: sockets move first, then the item goes out. */
  private announce(item: RoutedFeedItem, change: { channelId: string; added: string[]; removed: string[] }): void {
    this.app.ctx.events.emit('channel.members_changed', change);
    this.app.ctx.feed.publish([item]);
  }

  private refreshSessions<M extends Member>(ch: Channel<M>, author: M): void {
    const secrets = distribute(ch.state, author, ch.members);
    for (const m of ch.members) {
      const s = ch.sessions.get(m.id) ?? session(m, ch.id);
      s.secrets.set(ch.state.current.epoch, secrets.get(m.id)!);
      ch.sessions.set(m.id, s);
    }
  }
}
