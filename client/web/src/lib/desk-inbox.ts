/**
 * The desk inbox as the web app shows it (pure; unit-tested): which section a request belongs to, when it is
 * overdue, and why this device cannot open one. docs/DESKS.md "Desk intake" → "In the web app".
 */
import type { DeskInboxItem } from '../../../sdk/index.ts';
import { fixedT, translatedLabels } from '../i18n/i18n.ts';

/** Steps of the ladder that page someone (on duty, next on the rota, supervisors) before the page runs out. */
export const LADDER_STEPS = 3;

const t = (key: string, values?: Record<string, unknown>) => fixedT('desk-inbox')(key, values);

const translated = <K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> => translatedLabels('desk-inbox', keys);

const same = <K extends string>(...keys: K[]): Record<K, string> => Object.fromEntries(keys.map((k): [K, string] => [k, k])) as Record<K, string>;

/** Every user-visible string of the desk inbox, intake setup and handover notes, read in the current language when accessed. */
export const inboxText = Object.assign(
  translated(
    same(
      'title',
      'hint',
      'refresh',
      'loading',
      'none',
      'from',
      'received',
      'priority',
      'state',
      'text',
      'unclaimedState',
      'take',
      'taking',
      'openCase',
      'caseWaiting',
      'openCaseNow',
      'pageLink',
      'notMember',
      'setupTitle',
      'setupExplain',
      'setupNone',
      'setup',
      'settingUp',
      'rotate',
      'rotating',
      'rotateHint',
      'memberOnly',
      'handoverTitle',
      'handoverHint',
      'handoverNone',
      'handoverLabel',
      'handoverSend',
      'handoverSending',
      'handoverSent',
      'handoverNoChannel',
    ),
  ),
  {
    sections: translated({ overdue: 'sectionOverdue', unclaimed: 'sectionUnclaimed', mine: 'sectionMine', others: 'sectionOthers' }),
    sectionHint: translated({ overdue: 'sectionHintOverdue', unclaimed: 'sectionHintUnclaimed', mine: 'sectionHintMine', others: 'sectionHintOthers' }),
    count: (n: number) => t('count', { count: n }),
    requestTitle: (who: string) => t('requestTitle', { who }),
    claimedState: (who: string, when: string) => t('claimedState', { who, when }),
    alreadyTaken: (who: string) => t('alreadyTaken', { who }),
    setupDone: (v: number) => t('setupDone', { version: v }),
    keyVersion: (v: number) => t('keyVersion', { version: v }),
    rotated: (v: number) => t('rotated', { version: v }),
    synced: (added: string[], removed: string[], rotated: boolean) => {
      if (added.length === 0 && removed.length === 0) return t('syncedNothing');
      const parts: string[] = [];
      if (added.length) parts.push(t('syncedAdded', { names: added.join(', ') }));
      if (removed.length) parts.push(t('syncedRemoved', { names: removed.join(', ') }));
      return t('synced', { changes: parts.join(t('syncedSeparator')) }) + (rotated ? t('syncedRotated') : '');
    },
    handoverBy: (who: string, when: string) => t('handoverBy', { who, when }),
  },
);

/** Why a request did not open on this device, in plain words (the SDK's `intake/…` or `keys/…` code). */
export function unopenedText(code: string | null): string {
  switch (code) {
    case 'intake/unknown-version':
      return t('unopenedUnknownVersion');
    case 'keys/not-certified':
    case 'intake/requester-not-certified':
      return t('unopenedNotCertified');
    case 'keys/no-root':
      return t('unopenedNoRoot');
    case 'intake/bad-request-signature':
    case 'intake/open-failed':
    case 'intake/context-mismatch':
    case 'intake/wrong-desk':
      return t('unopenedFailed');
    default:
      return code ? t('unopenedOtherCode', { code }) : t('unopenedOther');
  }
}

export type InboxSection = 'overdue' | 'unclaimed' | 'mine' | 'others';

/**
 * Overdue = unclaimed for longer than the desk's whole ladder (3 steps × ackMinutes): by then its page has run
 * out even when every step had someone to page. Time-based, not page-based, so a request whose page someone
 * acknowledged without taking the request still becomes overdue.
 */
export function isOverdue(item: Pick<DeskInboxItem, 'state' | 'receivedAt'>, ackMinutes: number, now: number): boolean {
  return item.state === 'open' && now - item.receivedAt >= LADDER_STEPS * ackMinutes * 60_000;
}

export function sectionOf(item: Pick<DeskInboxItem, 'state' | 'receivedAt' | 'claimedBy'>, me: string, ackMinutes: number, now: number): InboxSection {
  if (item.state === 'open') return isOverdue(item, ackMinutes, now) ? 'overdue' : 'unclaimed';
  return item.claimedBy === me ? 'mine' : 'others';
}

/** The inbox in four sections, newest first within each. */
export function sections<T extends Pick<DeskInboxItem, 'state' | 'receivedAt' | 'claimedBy'>>(items: readonly T[], me: string, ackMinutes: number, now: number): Record<InboxSection, T[]> {
  const out: Record<InboxSection, T[]> = { overdue: [], unclaimed: [], mine: [], others: [] };
  for (const item of items) out[sectionOf(item, me, ackMinutes, now)].push(item);
  for (const list of Object.values(out)) list.sort((a, b) => b.receivedAt - a.receivedAt);
  return out;
}

/** The text of an opened request (text payloads; other kinds by their kind). */
export function requestText(item: Pick<DeskInboxItem, 'payload'>): string | null {
  if (!item.payload) return null;
  return item.payload.kind === 'text' ? item.payload.text : `(${item.payload.kind})`;
}
