import { openDB, type IDBPDatabase } from 'idb';
import type { StateStore } from '../../../sdk/index.ts';

const KV = 'kv';

/** The IndexedDB database of one officer on this browser (`liaison:<username>`). */
export function databaseName(username: string): string {
  return `liaison:${username.toLowerCase()}`;
}

/**
 * The SDK's StateStore over IndexedDB: one database per officer on this browser, one object store of
 * JSON strings keyed by entry name (sorted, so `keys(prefix)` is a key-range scan). Secret-bearing entries
 * (epoch secrets, chains, decrypted messages, the search index) arrive sealed by the SDK; what stays in
 * clear is public data, the feed cursor and the refresh token (a bearer secret: "sign out" deletes it).
 *
 * On first open, the officer's entries of the older localStorage store (`liaison:<username>:<key>`) move
 * here once and leave localStorage (docs/WEB.md "Local storage").
 */
export class IdbStore implements StateStore {
  private readonly db: Promise<IDBPDatabase>;

  constructor(
    readonly username: string,
    legacy: Storage | null = globalThis.localStorage ?? null,
  ) {
    this.db = openDB(databaseName(username), 1, {
      upgrade(db) {
        db.createObjectStore(KV);
      },
    }).then(async (db) => {
      if (legacy) await migrate(db, `liaison:${username.toLowerCase()}:`, legacy);
      return db;
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = (await (await this.db).get(KV, key)) as string | undefined;
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    await (await this.db).put(KV, JSON.stringify(value), key);
  }

  async delete(key: string): Promise<void> {
    await (await this.db).delete(KV, key);
  }

  async keys(prefix: string): Promise<string[]> {
    const keys = await (await this.db).getAllKeys(KV, IDBKeyRange.bound(prefix, `${prefix}\uffff`));
    return (keys as string[]).sort();
  }

  /** Total characters stored (tests and the account screen's storage line). */
  async size(): Promise<number> {
    const values = (await (await this.db).getAll(KV)) as string[];
    return values.reduce((n, v) => n + v.length, 0);
  }

  close(): void {
    void this.db.then((db) => db.close());
  }
}

/** Copies every `prefix…` entry of `legacy` into the database in one transaction, then removes them. */
async function migrate(db: IDBPDatabase, prefix: string, legacy: Storage): Promise<void> {
  const entries: [string, string][] = [];
  for (let i = 0; i < legacy.length; i++) {
    const k = legacy.key(i);
    if (k?.startsWith(prefix)) entries.push([k, legacy.getItem(k) ?? 'null']);
  }
  if (!entries.length) return;
  const tx = db.transaction(KV, 'readwrite');
  // An entry already in IndexedDB is newer than its leftover copy in localStorage.
  await Promise.all(entries.map(async ([k, v]) => ((await tx.store.getKey(k.slice(prefix.length))) === undefined ? tx.store.put(v, k.slice(prefix.length)) : undefined)));
  await tx.done;
  for (const [k] of entries) legacy.removeItem(k);
}
