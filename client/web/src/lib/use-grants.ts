/**
 * The permission workflow in the web app (PROTOCOL.md §8.3, docs/CODES.md "Permission workflow"): which uses of a
 * message need the originator's permission, and the words for requests and grants. Pure.
 */
import { USE_PURPOSES, type UsePurpose } from '../../../../shared/crypto/grant-payload.ts';

import { fixedT, translatedLabels } from '../i18n/i18n.ts';

export { USE_PURPOSES, type UsePurpose };

const t = (key: string, values?: Record<string, unknown>) => fixedT('use-grants')(key, values);

const translated = <K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> => translatedLabels('use-grants', keys);

/** The permission workflow's words: each property reads the `use-grants` namespace in the current language when accessed. */
export const grantText = Object.assign(
  translated({
    ask: 'ask',
    askTitle: 'askTitle',
    purpose: 'purpose',
    grantee: 'grantee',
    scope: 'scope',
    send: 'send',
    sending: 'sending',
    cancel: 'cancel',
    asked: 'asked',
    requestHeading: 'requestHeading',
    grantHeading: 'grantHeading',
    declinedHeading: 'declinedHeading',
    about: 'about',
    sourceMissing: 'sourceMissing',
    requestedBy: 'requestedBy',
    give: 'give',
    decline: 'decline',
    expiry: 'expiry',
    conditions: 'conditions',
    answered: 'answered',
    expired: 'expired',
    onlyOriginator: 'onlyOriginator',
  }),
  {
    purposes: translated({ 'judicial-proceedings': 'purposeJudicialProceedings', 'onward-to-third-party': 'purposeOnwardToThirdParty' } satisfies Record<UsePurpose, string>),
    validUntil: (at: string) => t('validUntil', { at }),
    granted: (purpose: string, agency: string, until: string) => t('granted', { purpose, agency, until }),
  },
);

/** The uses of a message that need the originator's permission (what "Ask to use…" offers); none for other codes. */
export function purposesNeedingPermission(handling: string): UsePurpose[] {
  if (handling === 'H2') return [...USE_PURPOSES];
  if (handling === 'H1') return ['judicial-proceedings'];
  return [];
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (local) `days` after `now`: the expiry the grant form starts on. */
export function defaultExpiryDate(now: number, days = 90): string {
  const d = new Date(now + days * DAY_MS);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The end of a `YYYY-MM-DD` local day as ms, or null when it is not a date or not after `now`. */
export function expiryFromDate(date: string, now: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 0).getTime();
  return Number.isFinite(at) && at > now ? at : null;
}

/**
 * The grant an H2 forward to a channel names (`forwardedFrom.grantId`): one whose grantee is an agency of the target
 * other than mine (the server and the SDK check the grant for the target's agencies).
 */
export function grantForTarget<G extends { messageId: string; granteeAgencyId: string }>(grants: readonly G[], targetAgencyIds: readonly string[], myAgencyId: string): G | undefined {
  const others = targetAgencyIds.filter((a) => a !== myAgencyId);
  return grants.find((g) => others.includes(g.granteeAgencyId)) ?? (others.length === 0 ? grants[0] : undefined);
}
