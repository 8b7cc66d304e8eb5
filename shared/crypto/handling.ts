import { checkProfile, DEFAULT_PROFILE, EUROPOL_H_CODES, isDefaultProfile, TLP_CODES, VOCABULARY_CODES, vocabularyOf } from './codes.ts';
import type { CodeProfile } from './codes.ts';
import { PolicyError } from './errors.ts';

/**
 * Every handling code of every vocabulary (PROTOCOL.md §8): TLP 2.0 in increasing order of restriction, then the
 * Europol handling codes H0–H3. A channel's profile says which of the two vocabularies its messages use.
 */
export const HANDLING_CODES = [...TLP_CODES, ...EUROPOL_H_CODES] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

export function isHandlingCode(value: unknown): value is HandlingCode {
  return typeof value === 'string' && (HANDLING_CODES as readonly string[]).includes(value);
}

/**
 * Index in its vocabulary's order: CLEAR=0 … RED=4; H0=0 … H3=3. H0–H2 restrict increasingly; H3 ("other
 * restrictions") is ranked last only to give policies a canonical order.
 */
export function handlingRank(code: HandlingCode): number {
  const vocabulary = vocabularyOf(code);
  if (!vocabulary) throw new PolicyError('handling/unknown', `handlingRank: unknown handling code ${String(code)}`);
  return VOCABULARY_CODES[vocabulary].indexOf(code);
}

/**
 * Negative if a is less restrictive than b, 0 if equal, positive if more restrictive. Codes of different
 * vocabularies do not compare (`handling/mixed-vocabulary`).
 */
export function compareHandling(a: HandlingCode, b: HandlingCode): number {
  if (vocabularyOf(a) !== vocabularyOf(b)) throw new PolicyError('handling/mixed-vocabulary', 'compareHandling: codes of different vocabularies');
  return handlingRank(a) - handlingRank(b);
}

/**
 * A channel's handling policy: the set of codes senders may use, the default shown in the composer, and the code
 * profile (absent = `tlp-2.0` + `none`; written only when it differs, so older policies keep their bytes).
 */
export interface HandlingPolicy {
  allowed: HandlingCode[];
  defaultCode: HandlingCode;
  profile?: CodeProfile;
}

/** Policy with every code of the minimum's vocabulary at or above `minimum` (the usual "no downgrade below X" rule). */
export function policyFromMinimum(minimum: HandlingCode, defaultCode: HandlingCode = minimum, profile?: CodeProfile): HandlingPolicy {
  const allowed = HANDLING_CODES.filter((c) => vocabularyOf(c) === vocabularyOf(minimum) && compareHandling(c, minimum) >= 0);
  return validateHandlingPolicy(profile && !isDefaultProfile(profile) ? { allowed, defaultCode, profile } : { allowed, defaultCode });
}

/**
 * Canonical form: non-empty, known codes of the profile's vocabulary, sorted by rank, no duplicates, default
 * included; a profile equal to the default is omitted, not written.
 */
export function validateHandlingPolicy(policy: HandlingPolicy): HandlingPolicy {
  const { allowed, defaultCode } = policy;
  if (policy.profile !== undefined && isDefaultProfile(checkProfile(policy.profile))) {
    throw new PolicyError('handling/invalid-policy', 'validateHandlingPolicy: omit the default profile (tlp-2.0, none)');
  }
  const vocabulary = (policy.profile ?? DEFAULT_PROFILE).handling;
  if (allowed.length === 0 || !allowed.every((c) => isHandlingCode(c) && vocabularyOf(c) === vocabulary)) {
    throw new PolicyError('handling/invalid-policy', `validateHandlingPolicy: allowed must be a non-empty list of ${vocabulary} codes`);
  }
  for (let i = 1; i < allowed.length; i++) {
    if (handlingRank(allowed[i]!) <= handlingRank(allowed[i - 1]!)) {
      throw new PolicyError('handling/invalid-policy', 'validateHandlingPolicy: allowed must be sorted and unique');
    }
  }
  if (!allowed.includes(defaultCode)) {
    throw new PolicyError('handling/invalid-policy', 'validateHandlingPolicy: default must be an allowed code');
  }
  return policy;
}

export function isHandlingAllowed(policy: HandlingPolicy, code: HandlingCode): boolean {
  return policy.allowed.includes(code);
}

export interface ForwardingContext {
  code: HandlingCode;
  /**
   * H2 only: the agencies named by the originator's valid `use-grant`s for `onward-to-third-party` of this message
   * (PROTOCOL.md §8.3); absent or empty = no grant.
   */
  grantedAgencyIds?: readonly string[];
  /** Agency of the officer who received the message and wants to forward it. */
  recipientAgencyId: string;
  /** Agencies of every member of the target channel. */
  targetAgencyIds: readonly string[];
  /**
   * The recipient agency's clients, in TLP 2.0's sense: the institutions it sponsors that hold an active
   * extended-access grant from it (PROTOCOL.md §8). Empty for an agency that sponsors none.
   */
  clientAgencyIds: readonly string[];
}

/**
 * TLP 2.0 (FIRST) forwarding rule, PROTOCOL.md §8: RED never; AMBER+STRICT only when every target agency is the
 * recipient's; AMBER only when every target agency is the recipient's or one of its clients; GREEN and CLEAR may be
 * forwarded. The source channel's agreement plays no part: TLP:AMBER does not extend to the agreement's parties.
 */
export function forwardingAllowed(ctx: ForwardingContext): boolean {
  const within = (allowed: readonly string[]) => ctx.targetAgencyIds.length > 0 && ctx.targetAgencyIds.every((a) => a === ctx.recipientAgencyId || allowed.includes(a));
  switch (ctx.code) {
    case 'TLP:RED':
      return false;
    case 'TLP:AMBER+STRICT':
      return within([]);
    case 'TLP:AMBER':
      return within(ctx.clientAgencyIds);
    case 'TLP:GREEN':
    case 'TLP:CLEAR':
      return true;
    // Europol handling codes (§8.2): H2 needs the originator's grant for every agency outside the recipient's;
    // H1 restricts judicial use (checked on export), H3's conditions travel with the message and are confirmed by the forwarder.
    case 'H2':
      return (ctx.grantedAgencyIds ?? []).length > 0 && within(ctx.grantedAgencyIds ?? []);
    case 'H0':
    case 'H1':
    case 'H3':
      return true;
  }
}
