/**
 * The browser side of Web Push: the service worker's registration, this browser's push
 * subscription, and the "open this item" messages the service worker sends on a notification click.
 * The pure parts (key decoding, support checks) are unit-tested; the rest is exercised in the browser test.
 */
import { fixedT } from '../i18n/i18n.ts';

export const SERVICE_WORKER_URL = '/sw.js';

/** VAPID application server key (base64url, unpadded or padded) → bytes for `PushManager.subscribe`. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw new Error('not base64url');
  const b64 = s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export type PushSupport = 'supported' | 'insecure' | 'unsupported';

/** Can this browser receive Web Push here? (Secure context, service workers, PushManager, Notification.) */
export function pushSupport(env: { isSecureContext: boolean; hasServiceWorker: boolean; hasPushManager: boolean; hasNotification: boolean }): PushSupport {
  if (!env.isSecureContext) return 'insecure';
  if (!env.hasServiceWorker || !env.hasPushManager || !env.hasNotification) return 'unsupported';
  return 'supported';
}

export function browserPushSupport(): PushSupport {
  return pushSupport({
    isSecureContext: typeof window !== 'undefined' && window.isSecureContext,
    hasServiceWorker: typeof navigator !== 'undefined' && 'serviceWorker' in navigator,
    hasPushManager: typeof window !== 'undefined' && 'PushManager' in window,
    hasNotification: typeof window !== 'undefined' && 'Notification' in window,
  });
}

/** An error with a code the app's error texts know (`lib/errors.ts`). */
export class PushSetupError extends Error {
  constructor(
    readonly code: 'push/denied' | 'push/unsupported' | 'push/subscribe-failed' | 'push/no-worker',
    message: string,
  ) {
    super(message);
    this.name = 'PushSetupError';
  }
}

/** Registers the service worker once per page (a no-op where service workers are unavailable). */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || !window.isSecureContext) return Promise.resolve(null);
  return navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/' }).catch((err: unknown) => {
    console.warn('service worker registration failed', err);
    return null;
  });
}

/** The service worker's "open this item" messages move the app to that route (a hash route only). */
export function listenForOpenRequests(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
    const d = e.data as { type?: unknown; hash?: unknown } | null;
    if (d && d.type === 'liaison:open' && typeof d.hash === 'string' && d.hash.startsWith('#/')) location.hash = d.hash;
  });
}

async function readyRegistration(): Promise<ServiceWorkerRegistration> {
  const reg = (await navigator.serviceWorker.getRegistration('/')) ?? (await registerServiceWorker());
  if (!reg) throw new PushSetupError('push/no-worker', fixedT('notifications')('noWorker'));
  return navigator.serviceWorker.ready;
}

/** This browser's current push subscription, if any. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (browserPushSupport() !== 'supported') return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

/**
 * Asks for permission and subscribes with the server's VAPID key. Permission is asked first, before any
 * network wait, because browsers honour the request only close to the click that led here.
 */
export async function subscribeThisBrowser(vapidPublicKey: () => Promise<string>): Promise<PushSubscription> {
  if (browserPushSupport() !== 'supported') throw new PushSetupError('push/unsupported', fixedT('notifications')('cannotSubscribe'));
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission !== 'granted') throw new PushSetupError('push/denied', fixedT('notifications')('blocked'));
  const reg = await readyRegistration();
  const key = base64UrlToBytes(await vapidPublicKey());
  const existing = await reg.pushManager.getSubscription();
  if (existing) {
    // Subscribed with another server key (the server's VAPID keys changed): start again.
    const opts = existing.options.applicationServerKey;
    const same = opts && new Uint8Array(opts).every((b, i) => b === key[i]) && opts.byteLength === key.byteLength;
    if (same) return existing;
    await existing.unsubscribe();
  }
  try {
    return await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  } catch (err) {
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new PushSetupError('push/subscribe-failed', fixedT('notifications')('subscribeFailed', { why }));
  }
}

/** The subscription as the API takes it (`PushSubscription.toJSON()`). */
export function subscriptionBody(sub: PushSubscription, label: string): { endpoint: string; expirationTime?: number | null; keys: { p256dh: string; auth: string }; label: string } {
  const json = sub.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) throw new PushSetupError('push/subscribe-failed', fixedT('notifications')('incomplete'));
  return { endpoint: json.endpoint, expirationTime: json.expirationTime ?? null, keys: { p256dh, auth }, label: label.slice(0, 80) };
}
