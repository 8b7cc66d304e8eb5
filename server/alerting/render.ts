import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';

/**
 * One rendering per transport, all from the content-free notification alone: nothing here can
 * reach a name, a title or plaintext, because nothing but ids and flags is passed in.
 */

/** Only the notification's own keys, in a fixed order (a caller's extra property never travels). */
export function notificationJson(n: ContentFreeNotification): ContentFreeNotification {
  return {
    v: 1,
    id: n.id,
    kind: n.kind,
    priority: n.priority,
    ackRequested: n.ackRequested,
    ...(n.channelId !== undefined ? { channelId: n.channelId } : {}),
    ...(n.deskId !== undefined ? { deskId: n.deskId } : {}),
    at: n.at,
  };
}

/** Web Push: the JSON notification, which the service worker reads before fetching the item. */
export function pushPayload(n: ContentFreeNotification): string {
  return JSON.stringify(notificationJson(n));
}

/**
 * Where the web app opens the item: a page's own view (`#/pages/<id>`, where it is acknowledged and its
 * channel opened — a supervisor paged later is not a member of that channel), else the channel, else the start page.
 */
export function itemLink(n: ContentFreeNotification, publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  if (n.kind === 'page') return `${base}/#/pages/${encodeURIComponent(n.id)}`;
  if (n.channelId !== undefined) return `${base}/#/channels/${encodeURIComponent(n.channelId)}`;
  return `${base}/`;
}

export interface MailContent {
  subject: string;
  text: string;
}

/** E-mail: a fixed sentence and a link; the mailbox (and every relay on the way) learns only that something waits. */
export function mailContent(n: ContentFreeNotification, publicUrl: string): MailContent {
  const link = itemLink(n, publicUrl);
  if (n.kind === 'test') {
    return {
      subject: 'Liaison: test notification',
      text: `This is a test notification from Liaison. E-mail notifications reach you.\n\nOpen Liaison: ${link}\n`,
    };
  }
  const what = n.priority === 'urgent' ? 'An urgent item is' : 'An item is';
  const ack = n.ackRequested ? ' An acknowledgement is requested.' : '';
  return {
    subject: n.priority === 'urgent' ? 'Liaison: urgent item waiting' : 'Liaison: item waiting',
    text: `${what} waiting for you in Liaison.${ack}\n\nOpen: ${link}\n\nSign in to read it; the content is end-to-end encrypted and is not sent by e-mail.\n`,
  };
}

/** Operator webhook: the notification and the officer it is for (the gateway maps the id to a pager or phone). */
export function webhookBody(n: ContentFreeNotification, officerId: string): string {
  return JSON.stringify({ notification: notificationJson(n), officerId });
}
