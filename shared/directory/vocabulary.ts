/** The fixed vocabulary of contact-point specialisations (issue 5). */
export const SPECIALISATIONS = [
  'internet-drug-crime',
  'darknet-markets',
  'controlled-delivery',
  'precursors',
  'money-laundering',
  'new-psychoactive-substances',
  'fugitives',
  'forensics',
  'training',
] as const;
export type Specialisation = (typeof SPECIALISATIONS)[number];

/** Entries not re-confirmed for this long are marked stale and sorted after fresh ones. */
export const STALE_AFTER_MS = 180 * 24 * 60 * 60 * 1000;

export function isStale(lastConfirmedAt: number, now: number): boolean {
  return lastConfirmedAt < now - STALE_AFTER_MS;
}
