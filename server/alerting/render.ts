import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { ReachabilityNumbers } from '../../shared/schemas/pages.ts';

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

/** A reachability report by e-mail: the period and the numbers, the desk by id in the link; never a name. */
export function reachabilityMail(r: { deskId: string; periodStart: number; periodEnd: number; numbers: ReachabilityNumbers }, publicUrl: string): MailContent {
  const n = r.numbers;
  const minutes = (ms: number | null) => (ms === null ? 'none' : `${(ms / 60_000).toFixed(1)} min`);
  const tested = n.testPages.filter((p) => p.acknowledged).length;
  const link = `${publicUrl.replace(/\/+$/, '')}/#/desks/${encodeURIComponent(r.deskId)}`;
  return {
    subject: 'Liaison: desk reachability report',
    text: [
      `Reachability of a desk you supervise, ${new Date(r.periodStart).toISOString()} to ${new Date(r.periodEnd).toISOString()}:`,
      '',
      `Pages opened: ${n.pagesOpened}`,
      `Acknowledged: ${n.acknowledged}`,
      `Exhausted (nobody acknowledged): ${n.exhausted}`,
      `Cancelled: ${n.cancelled}`,
      `Still open: ${n.stillOpen}`,
      `Time to acknowledge, median: ${minutes(n.medianAckMs)}`,
      `Time to acknowledge, 90th percentile: ${minutes(n.p90AckMs)}`,
      `Test pages: ${n.testPages.length} (acknowledged: ${tested})`,
      `Officers without a working notification channel: ${n.officersWithoutTransport.length}`,
      `Hours with nobody on duty: ${n.uncoveredHours}`,
      '',
      `Open the desk: ${link}`,
      '',
    ].join('\n'),
  };
}
