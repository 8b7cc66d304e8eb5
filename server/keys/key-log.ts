import {
  appendKeyLogEntry,
  emptyKeyLog,
  constantTimeEqual,
  fromB64,
  getSodium,
  keyLogEntryCodec,
  keyLogEntryHash,
  signTreeHead,
  toB64,
  treeHeadCodec,
  verifyTreeHead,
  type KeyEvent,
  type KeyLogState,
} from '../../shared/crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { KeysRepository } from './repository.ts';
import type { Tx } from '../store/store.ts';
import { verified } from './wire.ts';

/**
 * The server side of the key-transparency log: appends verified key events and signs a new tree
 * head per size with the key-log key (not the audit key). Call inside the caller's transaction.
 */
export class KeyLogWriter {
  private readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;

  constructor(
    private readonly clock: Clock,
    seed: Uint8Array,
  ) {
    const pair = getSodium().crypto_sign_seed_keypair(seed);
    this.secretKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  private async state(repo: KeysRepository): Promise<KeyLogState> {
    const last = await repo.lastEntry();
    return last ? { size: last.idx + 1, headHash: fromB64(last.hash) } : emptyKeyLog();
  }

  /** Returns the new entry's index. Throws a ValidationError (from KeyLogError) if the event does not verify. */
  async append(tx: Pick<Tx, 'keys'>, event: KeyEvent): Promise<number> {
    const now = this.clock.now();
    const state = await this.state(tx.keys);
    const { entry, log } = verified(() => appendKeyLogEntry(state, event), 'keyEvent');
    await tx.keys.insertEntry({
      idx: entry.index,
      officerId: event.officerId,
      entry: JSON.stringify(keyLogEntryCodec.toWire(entry)),
      hash: toB64(log.headHash),
      createdAt: now,
    });
    const head = signTreeHead(log, this.secretKey, now);
    await tx.keys.insertHead(log.size, JSON.stringify(treeHeadCodec.toWire(head)), now);
    return entry.index;
  }

  /** Entries from `from` and the signed head at exactly the end of the page, so each page verifies alone. */
  async page(repo: KeysRepository, from: number, limit: number): Promise<{ entries: Record<string, unknown>[]; head: Record<string, unknown> | null; size: number }> {
    const rows = await repo.entries(from, limit);
    const size = (await this.state(repo)).size;
    const end = rows.length > 0 ? rows[rows.length - 1]!.idx + 1 : size;
    const head = end > 0 ? await repo.headAt(end) : undefined;
    return {
      entries: rows.map((r) => JSON.parse(r.entry) as Record<string, unknown>),
      head: head ? (JSON.parse(head) as Record<string, unknown>) : null,
      size,
    };
  }

  /**
   * Replays the whole stored log: each entry's index, link to the previous head and stored head hash,
   * then the latest signed tree head (signature by this key, size and hash of the replay). Used after a
   * data move (`liaison migrate-store`); `problem` names the first disagreement.
   */
  async verify(repo: KeysRepository): Promise<{ ok: boolean; entriesChecked: number; problem?: string }> {
    let log = emptyKeyLog();
    const fail = (problem: string) => ({ ok: false, entriesChecked: log.size, problem });
    for (;;) {
      const rows = await repo.entries(log.size, 500);
      for (const row of rows) {
        const entry = keyLogEntryCodec.fromWire(JSON.parse(row.entry));
        if (row.idx !== log.size || entry.index !== log.size) return fail(`entry ${log.size} is missing (found ${row.idx})`);
        if (!constantTimeEqual(entry.prevHash, log.headHash)) return fail(`entry ${row.idx} does not follow entry ${row.idx - 1}`);
        log = { size: log.size + 1, headHash: keyLogEntryHash(entry) };
        if (!constantTimeEqual(log.headHash, fromB64(row.hash))) return fail(`entry ${row.idx}'s stored head hash differs from the replay`);
      }
      if (rows.length < 500) break;
    }
    const latest = await repo.latestHead();
    if (log.size === 0) return latest === undefined ? { ok: true, entriesChecked: 0 } : fail('a tree head is stored for an empty log');
    if (latest === undefined) return fail('no signed tree head is stored');
    const head = treeHeadCodec.fromWire(JSON.parse(latest));
    try {
      verifyTreeHead(head, this.publicKey);
    } catch {
      return fail('the latest tree head is not signed by this server\'s key-log key');
    }
    if (head.size !== log.size || !constantTimeEqual(head.headHash, log.headHash)) return fail(`the latest tree head (size ${head.size}) does not match the replayed log (size ${log.size})`);
    return { ok: true, entriesChecked: log.size };
  }
}
