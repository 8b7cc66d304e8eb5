/**
 * Pages (a desk's escalation of one item, issue 13) as the web app shows them (pure; unit-tested).
 * A page holds no content: ids, priority, the ladder's step and state, and times.
 */
import type { Page, PageDelivery } from '../../../../shared/schemas/pages.ts';
import { fixedT } from '../i18n/i18n.ts';
import { deliveryText } from './notification-settings.ts';
import { formatRelative } from './format.ts';
import { zoneAbbreviation } from './zones.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('pages')(key, values);

/** An object whose every property reads its text (a key of the `pages` namespace) at access time, so a language switch applies. */
function translated<K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => t(keys[k]) });
  return out;
}

/**
 * The pages view's strings for code outside it (the shell's navigation link): each property reads the
 * `pages` namespace when accessed. The pages screen itself uses `useT('pages')`.
 */
export const pagesText = Object.assign(
  translated({
    title: 'title',
    navLabel: 'navLabel',
    intro: 'intro',
    none: 'none',
    loading: 'loading',
    refresh: 'refresh',
    acknowledge: 'acknowledge',
    acknowledging: 'acknowledging',
    openChannel: 'openChannel',
    openDesk: 'openDesk',
    acknowledgedNotice: 'acknowledgedNotice',
    focused: 'focused',
    open: 'open',
    others: 'others',
    notFound: 'notFound',
    exhaustedTitle: 'exhaustedTitle',
    exhaustedHint: 'exhaustedHint',
    deskUnknown: 'deskUnknown',
  }),
  {
    navCount: (n: number) => t('navCount', { count: n }),
    acknowledgedBy: (who: string, when: string) => t('acknowledgedBy', { who, when }),
    exhaustedCall: (phone: string) => t('exhaustedCall', { phone }),
    field: translated({ desk: 'fieldDesk', priority: 'fieldPriority', reason: 'fieldReason', since: 'fieldSince', step: 'fieldStep', state: 'fieldState', next: 'fieldNext' }),
  },
);

const PRIORITY_KEY: Record<Page['priority'], string> = { urgent: 'priorityUrgent', normal: 'priorityNormal' };
const REASON_KEY: Record<Page['reason'], string> = {
  contact_request: 'reasonContactRequest',
  desk_request: 'reasonDeskRequest',
  test: 'reasonTest',
  message: 'reasonMessage',
  deadline: 'reasonDeadline',
};
const STATE_KEY: Record<Page['state'], string> = { open: 'stateOpen', acknowledged: 'stateAcknowledged', exhausted: 'stateExhausted', cancelled: 'stateCancelled' };

export const priorityText = (p: Page['priority']): string => t(PRIORITY_KEY[p]);
export const reasonText = (r: Page['reason']): string => t(REASON_KEY[r]);
export const stateText = (s: Page['state']): string => t(STATE_KEY[s]);

/** Kept for screens that index a table (`PRIORITY_TEXT[p]`); each entry reads the current language when accessed. */
export const PRIORITY_TEXT: Readonly<Record<Page['priority'], string>> = translated(PRIORITY_KEY);
export const REASON_TEXT: Readonly<Record<Page['reason'], string>> = translated(REASON_KEY);
export const STATE_TEXT: Readonly<Record<Page['state'], string>> = translated(STATE_KEY);

const STEP_KEY = ['stepOnDuty', 'stepNextOnRota', 'stepSupervisors', 'stepNobodyLeft'] as const;

/** `Step 1 of 3: On-duty officers` (steps are 0-based on the wire). */
export function stepText(step: number): string {
  const key = STEP_KEY[step];
  const name = key ? t(key) : t('stepUnknown', { step });
  return step >= 3 ? name : t('stepOf', { step: step + 1, total: 3, name });
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
  if (d.skipped === 'quiet_hours') return t('heldBack');
  if (d.results.length === 0) return t('noDelivery');
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
