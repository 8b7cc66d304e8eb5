/**
 * Persistence for everything the SDK must remember between runs (cursor, pinned keys, chain heads,
 * chain states, epoch secrets). Values are JSON. Secret-bearing values are sealed by the SDK before
 * they reach the store (see sealed-store.ts), so a store implementation only needs to be durable.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
}

/** In-memory store (tests, ephemeral sessions). Values are deep-copied so callers cannot alias state. */
export class MemoryStore implements StateStore {
  private readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Raw JSON of every entry (tests use it to check that nothing secret is stored in clear). */
  dump(): Record<string, string> {
    return Object.fromEntries(this.data);
  }
}
