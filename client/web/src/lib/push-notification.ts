/**
 * What the service worker shows for a Web Push message (pure; unit-tested). The push payload is the
 * server's content-free notification (`shared/schemas/notifications.ts`): ids, priority and whether
 * an acknowledgement is requested. The notification shown says only that, never a name, a title or
 * any content: the officer opens the app, which fetches and decrypts the item.
 */

export interface PushView {
  title: string;
  body: string;
  /** One notification per channel or desk: a newer page replaces the older one instead of piling up. */
  tag: string;
  /** Urgent pages stay on screen until the officer acts on them. */
  requireInteraction: boolean;
  /** Re-alert (sound, vibration) when a notification with the same tag is replaced. */
  renotify: boolean;
  /** The app location to open on click: a hash route of the web app. */
  hash: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The payload's fields that matter here, checked one by one (anything else in it is ignored). */
interface Parsed {
  id: string;
  kind: 'page' | 'test';
  priority: 'urgent' | 'normal';
  ackRequested: boolean;
  channelId?: string;
  deskId?: string;
}

/** The JSON text of a push message → the fields we use, or null when it is not a v1 notification. */
export function parsePushPayload(text: string | null | undefined): Parsed | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  if (o.v !== 1 || typeof o.id !== 'string' || !ID.test(o.id)) return null;
  if (o.kind !== 'page' && o.kind !== 'test') return null;
  if (o.priority !== 'urgent' && o.priority !== 'normal') return null;
  if (typeof o.ackRequested !== 'boolean') return null;
  const out: Parsed = { id: o.id, kind: o.kind, priority: o.priority, ackRequested: o.ackRequested };
  if (typeof o.channelId === 'string' && ID.test(o.channelId)) out.channelId = o.channelId;
  if (typeof o.deskId === 'string' && ID.test(o.deskId)) out.deskId = o.deskId;
  return out;
}

/** Shown when a push arrives that cannot be read (the browser insists that every push shows something). */
export const FALLBACK_VIEW: PushView = {
  title: 'Liaison',
  body: 'Something is waiting for you in Liaison. Open the app to see it.',
  tag: 'liaison',
  requireInteraction: false,
  renotify: false,
  hash: '#/channels',
};

/** The notification for a push payload (JSON text); unreadable payloads get `FALLBACK_VIEW`. */
export function pushView(text: string | null | undefined): PushView {
  const n = parsePushPayload(text);
  if (!n) return FALLBACK_VIEW;
  if (n.kind === 'test') {
    return {
      title: 'Test notification from Liaison',
      body: 'Notifications reach this browser.',
      tag: 'liaison-test',
      requireInteraction: false,
      renotify: true,
      hash: '#/account/notifications',
    };
  }
  const urgent = n.priority === 'urgent';
  const title = n.ackRequested ? (urgent ? 'Urgent: acknowledgement requested' : 'Acknowledgement requested') : urgent ? 'Urgent item waiting' : 'New item waiting';
  const where = n.channelId ? `channel:${n.channelId}` : n.deskId ? `desk:${n.deskId}` : `item:${n.id}`;
  return {
    title,
    body: 'Open Liaison to read it. The content is end-to-end encrypted and is not part of this notification.',
    tag: `liaison-${where}`,
    requireInteraction: urgent,
    renotify: true,
    // The page's own view: acknowledge it there, and open its channel from it (a supervisor is no member of that channel).
    hash: `#/pages/${encodeURIComponent(n.id)}`,
  };
}
