/**
 * Pages (a desk's escalation of one item, issue 13) as the web app shows them (pure; unit-tested).
 * A page holds no content: ids, priority, the ladder's step and state, and times.
 */
import type { Page, PageDelivery } from '../../../../shared/schemas/pages.ts';
import { deliveryText } from './notification-settings.ts';
import { formatRelative } from './format.ts';
import { zoneAbbreviation } from './zones.ts';

/** Every user-visible string of the pages view, in one place (issue 15 moves them to i18n). */
export const pagesText = {
  title: 'Pages',
  navLabel: 'Pages',
  navCount: (n: number) => `${n} open page${n === 1 ? '' : 's'}`,
  intro: 'Pages that reached you and wait for an acknowledgement. A page says only that something waits: open its channel to read it.',
  none: 'No open pages for you.',
  loading: 'Loading…',
  refresh: 'Refresh',
  acknowledge: 'Acknowledge',
  acknowledging: 'Acknowledging…',
  openChannel: 'Open channel',
  openDesk: 'Open the desk',
  acknowledgedBy: (who: string, when: string) => `Acknowledged by ${who}, ${when}.`,
  acknowledgedNotice: 'Acknowledged. The escalation stopped; nobody else will be paged for this.',
  focused: 'This page',
  open: 'Open pages',
  others: 'Other pages',
  notFound: 'This page does not exist or is not visible to you.',
  exhaustedTitle: 'Nobody answered',
  exhaustedCall: (phone: string) => `Call the desk’s 24/7 number: ${phone}`,
  exhaustedHint: 'Every step of the desk’s escalation was tried and nobody acknowledged. Call the desk directly.',
  field: { desk: 'Desk', priority: 'Priority', reason: 'Reason', since: 'Since', step: 'Step', state: 'State', next: 'Next step' },
  deskUnknown: 'A desk of another agency',
} as const;

export const PRIORITY_TEXT: Record<Page['priority'], string> = { urgent: 'Urgent', normal: 'Normal' };

export const REASON_TEXT: Record<Page['reason'], string> = { contact_request: 'Contact request', desk_request: 'Request to the desk', test: 'Test page', message: 'Message', deadline: 'Request deadline' };

export const STATE_TEXT: Record<Page['state'], string> = {
  open: 'Waiting for an acknowledgement',
  acknowledged: 'Acknowledged',
  exhausted: 'Nobody answered',
  cancelled: 'Cancelled',
};

const STEP_TEXT = ['On-duty officers', 'Next on the rota', 'Supervisors', 'Nobody left (the desk’s phone)'] as const;

/** `Step 1 of 3: On-duty officers` (steps are 0-based on the wire). */
export function stepText(step: number): string {
  const name = STEP_TEXT[step] ?? `step ${step}`;
  return step >= 3 ? name : `Step ${step + 1} of 3: ${name}`;
}

/** `2026-12-07 03:00 WET` in `zone` (24-hour clock). */
export function absoluteTime(at: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zoneAbbreviation(at, zone)}`;
}

/** `5 min ago (2026-12-07 03:00 WET)`: relative, then absolute in the viewer's zone. */
export function sinceText(at: number, now: number, zone: string): string {
  return `${formatRelative(at, now)} (${absoluteTime(at, zone)})`;
}

/** What one delivery did: each transport's outcome, or why nothing was sent. */
export function pagedOutcome(d: PageDelivery): string {
  if (d.skipped === 'quiet_hours') return 'Held back: quiet hours';
  if (d.results.length === 0) return 'No delivery recorded';
  return d.results.map(deliveryText).join('; ');
}

/** A page list with one page replaced by a newer copy (after an acknowledgement), order kept; added when absent. */
export function withPage(list: readonly Page[], page: Page): Page[] {
  return list.some((p) => p.id === page.id) ? list.map((p) => (p.id === page.id ? page : p)) : [page, ...list];
}

/** The badge count: open pages. */
export function openCount(list: readonly Page[]): number {
  return list.filter((p) => p.state === 'open').length;
}

/** `ackMinutes` from the form: a whole number from 1 to 120, or null. */
export function parseAckMinutes(raw: string): number | null {
  const t = raw.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 120 ? n : null;
}
