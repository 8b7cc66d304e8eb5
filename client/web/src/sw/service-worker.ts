/**
 * The web app's service worker, served at `/sw.js` (scope `/`). It does two things only:
 * - `push`: shows a content-free notification for the server's Web Push message;
 * - `notificationclick`: focuses an open Liaison window (or opens one) at the item.
 * It has no `fetch` handler and caches nothing: API answers, and anything decrypted from them,
 * never reach a cache. Built by Vite as its own entry, with no code shared with the app's bundle.
 */
import { pushView } from '../lib/push-notification.ts';

// The DOM and WebWorker libs cannot both be in the one tsconfig, so the few service-worker types used here are spelled out.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification & { data: unknown };
}
interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<WindowClient>;
  postMessage(message: unknown): void;
}
interface ServiceWorkerScope {
  readonly location: Location;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'push', listener: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (e: NotificationEvent) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;

// A new version takes over at once (it holds no state and no cache to migrate).
sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

sw.addEventListener('push', (e) => {
  let text: string | null = null;
  try {
    text = e.data ? e.data.text() : null;
  } catch {
    text = null;
  }
  const v = pushView(text);
  // `renotify` and `requireInteraction` are not in every lib.dom version's NotificationOptions.
  const options: NotificationOptions & { renotify?: boolean; requireInteraction?: boolean } = {
    body: v.body,
    tag: v.tag,
    renotify: v.renotify,
    requireInteraction: v.requireInteraction,
    icon: '/icon-192.png',
    badge: '/icon-192.png',
    data: { hash: v.hash },
  };
  e.waitUntil(sw.registration.showNotification(v.title, options));
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const data = e.notification.data as { hash?: unknown } | null;
  const hash = typeof data?.hash === 'string' && data.hash.startsWith('#/') ? data.hash : '#/channels';
  const url = new URL(`/${hash}`, sw.location.origin).href;
  e.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const mine = windows.filter((w) => new URL(w.url).origin === sw.location.origin);
      const target = mine.find((w) => w.focused) ?? mine[0];
      if (target) {
        // The app moves to the route itself (client/web/src/lib/push.ts listens): no reload, keys stay unlocked.
        target.postMessage({ type: 'liaison:open', hash });
        await target.focus();
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
