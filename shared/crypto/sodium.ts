import sodium from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodium;

let ready = false;
let pending: Promise<Sodium> | undefined;

/** Loads libsodium's WebAssembly once; later calls return the same instance. */
export async function initSodium(): Promise<Sodium> {
  if (ready) return sodium;
  pending ??= sodium.ready.then(() => {
    ready = true;
    return sodium;
  });
  return pending;
}

/** Synchronous access for hot paths; callers must have awaited initSodium() once. */
export function getSodium(): Sodium {
  if (!ready) {
    throw new Error('getSodium: libsodium is not initialised; await initSodium() first');
  }
  return sodium;
}
