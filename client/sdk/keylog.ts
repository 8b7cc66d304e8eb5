import {
  KeyLogError,
  checkHeadsConsistent,
  constantTimeEqual,
  deviceRecordHash,
  isRootKeyAt,
  emptyKeyLog,
  fromB64,
  keyEventCodec,
  keyEventHash,
  keyLogEntryCodec,
  keyLogEntryHash,
  toB64,
  treeHeadCodec,
  verifyKeyLogExtension,
  type KeyEvent,
  type KeyEventKind,
  type KeyLogEntry,
  type TreeHead,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import { api } from '../../shared/api/index.ts';
import type { KeyLogPage } from '../../shared/schemas/keys.ts';
import type { SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';
import type { PinStore } from './pins.ts';

type KeyLogPageWire = Static<typeof KeyLogPage>;

export interface KeyLogAuditResult {
  size: number;
  newEntries: number;
  foreignEntries: number;
}

const HEAD_KEY = 'keylog:head';
const SERVER_KEY = 'keylog:server';
const HEADS_KEY = 'keylog:heads';
const PREFIX_KEY = 'keylog:prefix';
/** Per officer: the recordHash of the newest `cert-issue` entry seen in the audited log (PROTOCOL.md §4.2 supersession). */
const CERTS_KEY = 'keylog:certs';
/** cert-revoke events of the audited log (keyEventCodec wire), in log order. */
const REVOKED_KEY = 'keylog:revocations';
const REVOKE_KINDS: readonly KeyEventKind[] = ['cert-revoke'];
/** device-add and device-revoke events of the audited log (PROTOCOL.md §4.5), in log order. */
const DEVICES_KEY = 'keylog:devices';
const DEVICE_KINDS: readonly KeyEventKind[] = ['device-add', 'device-revoke'];
const PAGE = 1000;

/**
 * Client audit of the key-transparency log (PROTOCOL.md §4.3): extension from the remembered head,
 * head signatures under the pinned server key, equivocation (two heads of one size), entries about
 * me I did not create, and key changes of pinned officers.
 */
export class KeyLogAuditor {
  /** collected() results by store key, with the audited head size they belong to. */
  private readonly decoded = new Map<string, { size: number; events: KeyEvent[] }>();

  constructor(
    private readonly ctx: SdkContext,
    private readonly pins: PinStore,
    private readonly mine: () => Promise<string[]>,
  ) {}

  /** The remembered head, for envelope headers (gossip). */
  async head(): Promise<TreeHead | null> {
    const wire = await this.ctx.store.get<Record<string, unknown>>(HEAD_KEY);
    return wire ? treeHeadCodec.fromWire(wire) : null;
  }

  async audit(): Promise<KeyLogAuditResult> {
    let known = await this.head();
    const startSize = known?.size ?? 0;
    let foreign = 0;
    for (;;) {
      const page = await this.page(known?.size ?? 0);
      if (!page.head) break;
      const entries = page.entries.map((e) => keyLogEntryCodec.fromWire(e));
      const head = treeHeadCodec.fromWire(page.head);
      const serverKey = await this.serverKey(page.serverSignPublicKey);
      await this.guard(async () => {
        await this.checkSeenHeads(head, serverKey);
        known = verifyKeyLogExtension({ known, entries, head, serverSignPublicKey: serverKey });
      });
      foreign += await this.inspect(entries);
      await this.rememberCertificates(entries);
      await this.collect(REVOKED_KEY, REVOKE_KINDS, entries);
      await this.collect(DEVICES_KEY, DEVICE_KINDS, entries);
      await this.ctx.store.set(HEAD_KEY, treeHeadCodec.toWire(head));
      if (head.size >= page.size || entries.length === 0) break;
    }
    const size = known?.size ?? 0;
    return { size, newEntries: size - startSize, foreignEntries: foreign };
  }

  /** The recordHash (certificate hash) of the newest `cert-issue` entry for this officer in my audited log, if any. */
  async latestCertificate(officerId: string): Promise<string | undefined> {
    return ((await this.ctx.store.get<Record<string, string>>(CERTS_KEY)) ?? {})[officerId];
  }

  /** Later entries supersede earlier ones: the newest cert-issue per officer is its certificate. */
  private async rememberCertificates(entries: readonly KeyLogEntry[]): Promise<void> {
    const issued = entries.filter((e) => e.event.kind === 'cert-issue');
    if (issued.length === 0) return;
    const certs = (await this.ctx.store.get<Record<string, string>>(CERTS_KEY)) ?? {};
    for (const { event } of issued) certs[event.officerId] = toB64(event.recordHash);
    await this.ctx.store.set(CERTS_KEY, certs);
  }

  /** A head seen elsewhere (e.g. from another client): equal size with a different hash is equivocation. */
  async gossip(head: TreeHead): Promise<void> {
    const serverKey = fromB64((await this.ctx.store.get<string>(SERVER_KEY)) ?? '');
    await this.guard(() => this.checkSeenHeads(head, serverKey));
  }

  /**
   * Receiver rule for a head gossiped in a message header (PROTOCOL.md §7 **Key-log gossip**): the
   * `(size, hash)` the sender's client had audited must be a prefix of the log this client audited.
   * Smaller: equal to the hash of my audited log at that size. Equal: equal to my head. Larger: I audit
   * up to the server's current head first; a log that still does not reach that size, or any different
   * hash, is `keylog/equivocation` (security notice; the caller refuses the message).
   */
  async checkGossip(gossiped: { size: number; hash: Uint8Array }): Promise<void> {
    let known = await this.head();
    if (gossiped.size > (known?.size ?? 0)) {
      await this.audit();
      known = await this.head();
    }
    await this.guard(async () => {
      const size = known?.size ?? 0;
      if (gossiped.size > size) {
        throw new KeyLogError('keylog/equivocation', `checkGossip: the sender audited a log of ${gossiped.size} entries; the server serves me ${size}`);
      }
      const expected = known && gossiped.size === known.size ? known.headHash : await this.prefixHash(gossiped.size, known);
      if (!constantTimeEqual(expected, gossiped.hash)) {
        throw new KeyLogError('keylog/equivocation', `checkGossip: the sender's key-log head at size ${gossiped.size} differs from mine`);
      }
    });
  }

  /** The hash of my audited log at `size` ≤ its size: fetched entries linked up to my audited head, then remembered. */
  private async prefixHash(size: number, known: TreeHead | null): Promise<Uint8Array> {
    if (size === 0 || !known) return emptyKeyLog().headHash;
    const cache = (await this.ctx.store.get<Record<string, string>>(PREFIX_KEY)) ?? {};
    const hit = cache[String(size)];
    if (hit) return fromB64(hit);
    let from = size - 1;
    let prev: Uint8Array | null = null;
    let atSize: Uint8Array | null = null;
    while (from < known.size) {
      const entries = (await this.page(from)).entries.map((e) => keyLogEntryCodec.fromWire(e)).filter((e) => e.index < known.size);
      if (entries.length === 0) throw new KeyLogError('keylog/broken-chain', `checkGossip: the server did not serve entry ${from} of my audited log`);
      for (const entry of entries) {
        if (entry.index !== from || (prev && !constantTimeEqual(entry.prevHash, prev))) {
          throw new KeyLogError('keylog/broken-chain', `checkGossip: entry ${entry.index} does not link to my audited log`);
        }
        prev = keyLogEntryHash(entry);
        if (entry.index === size - 1) atSize = prev;
        from++;
      }
    }
    if (!prev || !atSize || !constantTimeEqual(prev, known.headHash)) {
      throw new KeyLogError('keylog/head-mismatch', 'checkGossip: the entries do not produce my audited head');
    }
    cache[String(size)] = toB64(atSize);
    await this.ctx.store.set(PREFIX_KEY, cache);
    return atSize;
  }

  /**
   * Every `cert-revoke` event of the audited log (PROTOCOL.md §4.3 **Revocation**), collected while
   * auditing. Whether one revokes a given certificate (author = that agency's root) is `revocationOf`'s call.
   */
  revocations(): Promise<KeyEvent[]> {
    return this.collected(REVOKED_KEY, REVOKE_KINDS);
  }

  /** Every `device-add` / `device-revoke` event of the audited log (PROTOCOL.md §4.5; `deviceStatus` reads them). */
  deviceEvents(): Promise<KeyEvent[]> {
    return this.collected(DEVICES_KEY, DEVICE_KINDS);
  }

  /** Events of these kinds collected while auditing; a store from before they were collected is filled once from the full log. */
  private async collected(key: string, kinds: readonly KeyEventKind[]): Promise<KeyEvent[]> {
    // The receive path asks for device events on every message: decode them again only once the audited
    // head moved (the collected events only grow with it, also when another client shares this store).
    const size = (await this.head())?.size ?? 0;
    const hit = this.decoded.get(key);
    if (hit && hit.size === size) return hit.events;
    let wire = await this.ctx.store.get<Record<string, unknown>[]>(key);
    if (!wire) {
      const known = await this.head();
      const all = known ? (await this.fullLog()).filter((e) => e.index < known.size) : [];
      wire = all.filter((e) => kinds.includes(e.event.kind)).map((e) => keyEventCodec.toWire(e.event));
      await this.ctx.store.set(key, wire);
    }
    const events = wire.map((w) => keyEventCodec.fromWire(w));
    this.decoded.set(key, { size, events });
    return events;
  }

  /** Remembers the events of these kinds among freshly audited entries. */
  private async collect(key: string, kinds: readonly KeyEventKind[], entries: readonly KeyLogEntry[]): Promise<void> {
    const found = entries.filter((e) => kinds.includes(e.event.kind));
    const stored = await this.ctx.store.get<Record<string, unknown>[]>(key);
    if (!stored) {
      // First audit from the empty log: these entries are all there is. Otherwise collected() fills it.
      if (entries[0]?.index === 0) await this.ctx.store.set(key, found.map((e) => keyEventCodec.toWire(e.event)));
      return;
    }
    if (found.length === 0) return;
    await this.ctx.store.set(key, [...stored, ...found.map((e) => keyEventCodec.toWire(e.event))]);
  }

  /** Every entry from 0, verified against the signed head (used to check restored keys). */
  async fullLog(): Promise<KeyLogEntry[]> {
    const all: KeyLogEntry[] = [];
    let known: TreeHead | null = null;
    for (;;) {
      const page = await this.page(all.length);
      if (!page.head) break;
      const entries = page.entries.map((e) => keyLogEntryCodec.fromWire(e));
      const head = treeHeadCodec.fromWire(page.head);
      const serverKey = await this.serverKey(page.serverSignPublicKey);
      await this.guard(async () => {
        await this.checkSeenHeads(head, serverKey);
        known = verifyKeyLogExtension({ known, entries, head, serverSignPublicKey: serverKey });
      });
      all.push(...entries);
      if (head.size >= page.size || entries.length === 0) break;
    }
    return all;
  }

  private page(from: number): Promise<KeyLogPageWire> {
    return this.ctx.http.call(api.keys.keyLog, { query: { from, limit: PAGE } });
  }

  /** The key-log signing key is pinned on first use; a different one is a security event. */
  private async serverKey(presented: string): Promise<Uint8Array> {
    const pinned = await this.ctx.store.get<string>(SERVER_KEY);
    if (!pinned) {
      await this.ctx.store.set(SERVER_KEY, presented);
      return fromB64(presented);
    }
    const a = fromB64(pinned);
    const b = fromB64(presented);
    if (a.length !== b.length || !constantTimeEqual(a, b)) {
      this.ctx.events.emit('security', { kind: 'keylog_invalid', code: 'keylog/server-key-changed', message: 'key-log server key changed' });
      throw new LiaisonClientError('keylog/server-key-changed', 'auditKeyLog: the key-log signing key changed');
    }
    return a;
  }

  private async checkSeenHeads(head: TreeHead, serverKey: Uint8Array): Promise<void> {
    const seen = (await this.ctx.store.get<Record<string, Record<string, unknown>>>(HEADS_KEY)) ?? {};
    const prior = seen[String(head.size)];
    if (prior) checkHeadsConsistent(treeHeadCodec.fromWire(prior), head, serverKey);
    else {
      seen[String(head.size)] = treeHeadCodec.toWire(head);
      await this.ctx.store.set(HEADS_KEY, seen);
    }
  }

  private async guard(fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof KeyLogError) {
        const kind = err.code === 'keylog/equivocation' ? 'keylog_equivocation' : 'keylog_invalid';
        this.ctx.events.emit('security', { kind, code: err.code, message: err.message });
      }
      throw err;
    }
  }

  /** Flags entries about me that I did not make, and key changes of pinned officers. */
  private async inspect(entries: readonly KeyLogEntry[]): Promise<number> {
    const me = this.ctx.officer?.id;
    const mine = new Set(await this.mine());
    let foreign = 0;
    for (const { event, index } of entries) {
      if (event.officerId === me) {
        if (mine.has(toB64(keyEventHash(event))) || this.fromMyRoot(event) || this.signedByMyKeys(event)) {
          if (event.kind === 'device-add' && !constantTimeEqual(event.recordHash, deviceRecordHash(event.officerId, this.ctx.deviceId))) {
            this.ctx.events.emit('security', { kind: 'device_added', officerId: event.officerId, message: `key-log entry ${index}: a new device was added to your account` });
          }
          continue;
        }
        foreign++;
        this.ctx.events.emit('security', {
          kind: 'keylog_foreign_entry',
          officerId: event.officerId,
          code: 'keylog/foreign-entry',
          message: `key-log entry ${index} (${event.kind}) about me was not created by this client`,
        });
      } else if ((event.kind === 'enrol' || event.kind === 'cert-issue') && (await this.pins.officer(event.officerId))) {
        await this.pins.checkOfficer(event);
      }
    }
    return foreign;
  }

  /**
   * An enrol, prekey rotation, root set or device event signed with my current identity key was made by one
   * of my devices: only they hold its secret (a device restored from the backup did not create it, yet it is mine).
   */
  private signedByMyKeys(event: KeyLogEntry['event']): boolean {
    const keys = this.ctx.keys;
    const selfSigned = event.kind === 'enrol' || event.kind === 'prekey-rotate' || event.kind === 'root-set' || event.kind === 'device-add' || event.kind === 'device-revoke';
    return selfSigned && !!keys && constantTimeEqual(event.authorSignPublicKey, keys.signPublicKey);
  }

  /** A certificate for my current keys issued by a key of my agency's root in force then is expected, not foreign. */
  private fromMyRoot(event: KeyLogEntry['event']): boolean {
    const keys = this.ctx.keys;
    const root = this.pins.rootAuthority(event.agencyId);
    return (
      event.kind === 'cert-issue' &&
      !!keys &&
      !!root &&
      isRootKeyAt(root, event.authorSignPublicKey, event.time) &&
      constantTimeEqual(event.signPublicKey, keys.signPublicKey) &&
      constantTimeEqual(event.dhPublicKey, keys.dhPublicKey)
    );
  }
}
