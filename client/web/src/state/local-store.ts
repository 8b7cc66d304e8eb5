import type { StateStore } from '../../../sdk/index.ts';

/**
 * The SDK's StateStore over localStorage, one namespace per officer on this browser. Secret-bearing
 * entries (epoch secrets, chains, decrypted messages) arrive sealed by the SDK; what stays in clear is
 * public data, the feed cursor and the refresh token (a bearer secret: "sign out" deletes it).
 */
export class LocalStore implements StateStore {
  constructor(
    private readonly prefix: string,
    private readonly storage: Storage = localStorage,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.storage.getItem(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.storage.setItem(this.prefix + key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.storage.removeItem(this.prefix + key);
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k?.startsWith(this.prefix + prefix)) out.push(k.slice(this.prefix.length));
    }
    return out.sort();
  }
}

export function storeFor(username: string, storage: Storage = localStorage): LocalStore {
  return new LocalStore(`liaison:${username.toLowerCase()}:`, storage);
}

const LAST_USER = 'liaison:last-user';

export function lastUser(): string | null {
  return localStorage.getItem(LAST_USER);
}

export function rememberUser(username: string | null): void {
  if (username) localStorage.setItem(LAST_USER, username.toLowerCase());
  else localStorage.removeItem(LAST_USER);
}
