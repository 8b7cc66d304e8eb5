import { PolicyError } from './errors.ts';

/** TLP 2.0, in increasing order of restriction. */
export const HANDLING_CODES = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

export function isHandlingCode(value: unknown): value is HandlingCode {
  return typeof value === 'string' && (HANDLING_CODES as readonly string[]).includes(value);
}

/** Index in the restriction order: CLEAR=0 … RED=4. */
export function handlingRank(code: HandlingCode): number {
  const rank = HANDLING_CODES.indexOf(code);
  if (rank < 0) throw new PolicyError('handling/unknown', `handlingRank: unknown handling code ${String(code)}`);
  return rank;
}

/** Negative if a is less restrictive than b, 0 if equal, positive if more restrictive. */
export function compareHandling(a: HandlingCode, b: HandlingCode): number {
  return handlingRank(a) - handlingRank(b);
}

/** A channel's handling policy: the set of codes senders may use and the default shown in the composer. */
export interface HandlingPolicy {
  allowed: HandlingCode[];
  defaultCode: HandlingCode;
}

/** Policy with every code at or above `minimum` (the usual "no downgrade below X" rule). */
export function policyFromMinimum(minimum: HandlingCode, defaultCode: HandlingCode = minimum): HandlingPolicy {
  const allowed = HANDLING_CODES.filter((c) => compareHandling(c, minimum) >= 0);
  return validateHandlingPolicy({ allowed, defaultCode });
}

/** Canonical form: non-empty, known codes, sorted by rank, no duplicates, default included. */
export function validateHandlingPolicy(policy: HandlingPolicy): HandlingPolicy {
  const { allowed, defaultCode } = policy;
  if (allowed.length === 0 || !allowed.every(isHandlingCode)) {
    throw new PolicyError('handling/invalid-policy', 'validateHandlingPolicy: allowed must be a non-empty list of codes');
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
  }
}
