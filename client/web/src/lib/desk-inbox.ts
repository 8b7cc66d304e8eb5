/**
 * The desk inbox as the web app shows it (pure; unit-tested): which section a request belongs to, when it is
 * overdue, and why this device cannot open one. docs/DESKS.md "Desk intake" → "In the web app".
 */
import type { DeskInboxItem } from '../../../sdk/index.ts';

/** Steps of the ladder that page someone (on duty, next on the rota, supervisors) before the page runs out. */
export const LADDER_STEPS = 3;

/** Every user-visible string of the desk inbox, intake setup and handover notes (issue 15 moves them to i18n). */
export const inboxText = {
  title: 'Inbox',
  hint: 'Requests sealed to this desk. Everyone on the desk reads them at once; one officer takes each one.',
  refresh: 'Refresh inbox',
  loading: 'Opening the inbox…',
  sections: {
    overdue: 'Overdue',
    unclaimed: 'Unclaimed',
    mine: 'Claimed by me',
    others: 'Claimed by others',
  },
  sectionHint: {
    overdue: 'Nobody took these within the desk’s whole escalation ladder.',
    unclaimed: 'Waiting for someone to take them.',
    mine: 'Requests you took.',
    others: 'Requests a colleague took.',
  },
  none: 'None.',
  count: (n: number) => `${n} request${n === 1 ? '' : 's'}`,
  requestTitle: (who: string) => `Request from ${who}`,
  from: 'From',
  received: 'Received',
  priority: 'Priority',
  state: 'State',
  text: 'Request',
  unclaimedState: 'Nobody has taken it yet',
  claimedState: (who: string, when: string) => `Taken by ${who}, ${when}`,
  take: 'I take this',
  taking: 'Taking…',
  openCase: 'Open case channel',
  caseWaiting: 'The case channel is not open yet.',
  openCaseNow: 'Open the case channel',
  alreadyTaken: (who: string) => `Already taken by ${who}, who was first.`,
  pageLink: 'Its page',
  notMember: 'Only the desk’s members and supervisors read its inbox.',
  // intake setup (supervisors)
  setupTitle: 'Encrypted inbox',
  setupExplain:
    'Requesters of other agencies can send this desk requests encrypted end to end: the desk publishes an intake key, and only the desk’s members and supervisors hold its secret (in the desk’s own encrypted channel). The server never sees a request’s content.',
  setupNone: 'This desk has no encrypted inbox yet.',
  setup: 'Set up the encrypted inbox',
  settingUp: 'Setting up…',
  setupDone: (v: number) => `Encrypted inbox ready: intake key version ${v}.`,
  keyVersion: (v: number) => `Intake key version ${v}.`,
  rotate: 'Rotate key',
  rotating: 'Rotating…',
  rotateHint: 'A new key version for new requests; the desk keeps reading the earlier ones.',
  rotated: (v: number) => `New intake key: version ${v}.`,
  memberOnly: 'Only a supervisor of the desk can set up its encrypted inbox.',
  synced: (added: string[], removed: string[], rotated: boolean) => {
    if (added.length === 0 && removed.length === 0) return 'The desk channel already matches the desk’s members and supervisors.';
    const parts: string[] = [];
    if (added.length) parts.push(`added ${added.join(', ')}`);
    if (removed.length) parts.push(`removed ${removed.join(', ')}`);
    return `Desk channel updated: ${parts.join('; ')}.${rotated ? ' The intake key was rotated, because whoever left may still hold the old one.' : ''}`;
  },
  // handover notes
  handoverTitle: 'Handover notes',
  handoverHint: 'For the next shift: encrypted in the desk channel, readable by the desk’s members and supervisors.',
  handoverNone: 'No handover notes yet.',
  handoverLabel: 'New handover note',
  handoverSend: 'Add the note',
  handoverSending: 'Adding…',
  handoverSent: 'Note added.',
  handoverBy: (who: string, when: string) => `${who}, ${when}`,
  handoverNoChannel: 'Handover notes need the encrypted inbox (its desk channel).',
} as const;

/** Why a request did not open on this device, in plain words (the SDK's `intake/…` or `keys/…` code). */
export function unopenedText(code: string | null): string {
  switch (code) {
    case 'intake/unknown-version':
      return 'Not readable on this device yet: a supervisor must add you to the desk channel (it happens when a supervisor’s app is next unlocked), or its key has not reached this device.';
    case 'keys/not-certified':
    case 'intake/requester-not-certified':
      return 'Not readable yet: the requester’s keys are not certified by their agency.';
    case 'keys/no-root':
      return 'Not readable yet: the requester’s agency has not set up its root key.';
    case 'intake/bad-request-signature':
    case 'intake/open-failed':
    case 'intake/context-mismatch':
    case 'intake/wrong-desk':
      return 'This request failed verification and was not opened (it may have been altered). Tell your administrator.';
    default:
      return `This request could not be opened on this device${code ? ` (${code})` : ''}.`;
  }
}

export type InboxSection = keyof typeof inboxText.sections;

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
