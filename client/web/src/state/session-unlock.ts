import { openDB, type IDBPDatabase } from 'idb';

/**
 * Staying unlocked across a reload within the idle window (docs/SECURITY.md "Staying unlocked across a reload").
 *
 * On unlock a fresh AES-GCM-256 key is generated **non-extractable** and kept in IndexedDB (a CryptoKey is
 * stored as an opaque handle: script can use it, never read its bytes). The unlocked identity secrets are
 * encrypted under it and the blob is kept in sessionStorage (this tab only; gone when the tab closes), with
 * the time of the last activity. A reload within the idle window decrypts the blob and unlocks without the
 * passphrase; lock, sign-out, idle expiry and a failed restore delete both the blob and the key.
 */

const DB = 'liaison-session';
const KEYS = 'wrapping-keys';
const BLOB_PREFIX = 'liaison:unlock:';
/** A wrapping key whose tab never came back (closed) is deleted after this long. */
const ORPHAN_MS = 24 * 3600 * 1000;

interface WrappedBlob {
  /** Id of the wrapping key in IndexedDB. */
  keyId: string;
  iv: string;
  ct: string;
  /** Last user activity (ms); the blob is void once `activeAt + idleMs` has passed. */
  activeAt: number;
}

interface KeyRecord {
  key: CryptoKey;
  createdAt: number;
}

let dbPromise: Promise<IDBPDatabase> | null = null;
function db(): Promise<IDBPDatabase> {
  dbPromise ??= openDB(DB, 1, {
    upgrade(d) {
      d.createObjectStore(KEYS);
    },
  });
  return dbPromise;
}

const b64 = (u: Uint8Array): string => btoa(String.fromCharCode(...u));
const unb64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const blobKey = (username: string) => BLOB_PREFIX + username.toLowerCase();
const ad = (username: string) => new TextEncoder().encode(`liaison/v1/session-unlock/${username.toLowerCase()}`);

function readBlob(username: string): WrappedBlob | null {
  try {
    const raw = sessionStorage.getItem(blobKey(username));
    return raw ? (JSON.parse(raw) as WrappedBlob) : null;
  } catch {
    return null;
  }
}

/** Wraps `secrets` (wiped afterwards) for this tab's session; replaces any earlier wrap. */
export async function saveUnlock(username: string, secrets: Uint8Array, now = Date.now()): Promise<void> {
  await clearUnlock(username);
  try {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad(username) }, key, secrets as BufferSource));
    const keyId = crypto.randomUUID();
    await (await db()).put(KEYS, { key, createdAt: now } satisfies KeyRecord, keyId);
    sessionStorage.setItem(blobKey(username), JSON.stringify({ keyId, iv: b64(iv), ct: b64(ct), activeAt: now } satisfies WrappedBlob));
  } finally {
    secrets.fill(0);
  }
}

/** Records activity (throttled by the caller): the reload window runs from the last activity. */
export function touchUnlock(username: string, now = Date.now()): void {
  const blob = readBlob(username);
  if (blob) sessionStorage.setItem(blobKey(username), JSON.stringify({ ...blob, activeAt: now }));
}

/** The identity secrets when this tab unlocked less than `idleMs` after its last activity; else null (and the wrap is destroyed). */
export async function restoreUnlock(username: string, idleMs: number, now = Date.now()): Promise<Uint8Array | null> {
  const blob = readBlob(username);
  await dropOrphans(blob?.keyId ?? null, now);
  if (!blob) return null;
  if (now - blob.activeAt >= idleMs) {
    await clearUnlock(username);
    return null;
  }
  try {
    const rec = (await (await db()).get(KEYS, blob.keyId)) as KeyRecord | undefined;
    if (!rec) throw new Error('no wrapping key');
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(blob.iv) as BufferSource, additionalData: ad(username) }, rec.key, unb64(blob.ct) as BufferSource);
    return new Uint8Array(plain);
  } catch {
    await clearUnlock(username);
    return null;
  }
}

/** Lock, sign-out, idle expiry: the blob and its wrapping key are destroyed. */
export async function clearUnlock(username: string): Promise<void> {
  const blob = readBlob(username);
  sessionStorage.removeItem(blobKey(username));
  if (blob) await (await db()).delete(KEYS, blob.keyId).catch(() => undefined);
}

/** Wrapping keys of tabs closed long ago (their blob went with the tab) are useless: delete them. */
async function dropOrphans(keep: string | null, now: number): Promise<void> {
  const d = await db();
  const tx = d.transaction(KEYS, 'readwrite');
  for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
    if (cursor.key !== keep && now - (cursor.value as KeyRecord).createdAt > ORPHAN_MS) await cursor.delete();
  }
  await tx.done;
}
