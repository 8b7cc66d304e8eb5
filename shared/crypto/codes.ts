/**
 * Code profiles (PROTOCOL.md §8): which handling vocabulary and which evaluation vocabulary a channel uses.
 * The profile is part of the channel's signed handling policy; an absent profile is `tlp-2.0` + `none`, so every
 * channel created before profiles existed keeps its exact policy bytes.
 */
import { PolicyError } from './errors.ts';

export const HANDLING_VOCABULARIES = ['tlp-2.0', 'europol-h'] as const;
export type HandlingVocabulary = (typeof HANDLING_VOCABULARIES)[number];
export const EVALUATION_VOCABULARIES = ['none', 'europol-4x4', 'uk-3x5x2'] as const;
export type EvaluationVocabulary = (typeof EVALUATION_VOCABULARIES)[number];

export interface CodeProfile {
  handling: HandlingVocabulary;
  evaluation: EvaluationVocabulary;
}

export const DEFAULT_PROFILE: CodeProfile = { handling: 'tlp-2.0', evaluation: 'none' };

/** TLP 2.0, in increasing order of restriction. */
export const TLP_CODES = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
/** Europol handling codes (SIENA): H0 … H3. H3 carries free-text handling conditions. */
export const EUROPOL_H_CODES = ['H0', 'H1', 'H2', 'H3'] as const;

export const VOCABULARY_CODES: Record<HandlingVocabulary, readonly string[]> = { 'tlp-2.0': TLP_CODES, 'europol-h': EUROPOL_H_CODES };

export function profileOf(policy: { profile?: CodeProfile }): CodeProfile {
  return policy.profile ?? DEFAULT_PROFILE;
}

export function isDefaultProfile(p: CodeProfile): boolean {
  return p.handling === 'tlp-2.0' && p.evaluation === 'none';
}

export function vocabularyOf(code: string): HandlingVocabulary | null {
  if ((TLP_CODES as readonly string[]).includes(code)) return 'tlp-2.0';
  if ((EUROPOL_H_CODES as readonly string[]).includes(code)) return 'europol-h';
  return null;
}

/** Maximum length of handling conditions (H3, UK handling code C), in UTF-16 code units. */
export const MAX_CONDITIONS_CHARS = 1000;

/**
 * Europol 4x4: source reliability A/B/C/X, then information assessment 1–4 (`A1` … `X4`).
 * UK 3x5x2: source evaluation 1–3, intelligence assessment A–E, handling code P/C (`1-A-P` … `3-E-C`).
 */
const EVALUATION_PATTERN: Record<Exclude<EvaluationVocabulary, 'none'>, RegExp> = {
  'europol-4x4': /^[ABCX][1-4]$/,
  'uk-3x5x2': /^[1-3]-[A-E]-[PC]$/,
};

export function isEvaluation(vocabulary: EvaluationVocabulary, value: string): boolean {
  return vocabulary !== 'none' && EVALUATION_PATTERN[vocabulary].test(value);
}

/** Codes a message may carry besides its handling code: an evaluation and handling conditions. */
export interface MessageCodes {
  /** Per profile: `A1` (europol-4x4) or `1-B-P` (uk-3x5x2). Absent = not evaluated. */
  evaluation?: string;
  /** Free text; required with H3 or a UK evaluation with handling code C, refused otherwise. */
  conditions?: string;
}

/**
 * Whether a message with this handling code and evaluation needs handling conditions: H3, or a UK evaluation with
 * handling code C on the message or on any of its payload's items.
 */
export function conditionsRequired(handling: string, evaluation: string | undefined, itemEvaluations: readonly string[] = []): boolean {
  return handling === 'H3' || [...(evaluation === undefined ? [] : [evaluation]), ...itemEvaluations].some((e) => /-C$/.test(e));
}

/**
 * The rule senders and receivers apply (envelope inner v2, PROTOCOL.md §7): the evaluation belongs to the profile's
 * vocabulary (none allowed with `none`), so does every item's evaluation (`itemEvaluations`), conditions are present
 * exactly when required and within the length limit.
 * Throws PolicyError `handling/bad-evaluation` or `handling/conditions`.
 */
export function checkMessageCodes(profile: CodeProfile, handling: string, codes: MessageCodes, itemEvaluations: readonly string[] = []): void {
  const fn = 'checkMessageCodes';
  if (codes.evaluation !== undefined && !isEvaluation(profile.evaluation, codes.evaluation)) {
    throw new PolicyError('handling/bad-evaluation', `${fn}: evaluation is not a code of the channel's ${profile.evaluation} profile`);
  }
  const bad = itemEvaluations.findIndex((e) => !isEvaluation(profile.evaluation, e));
  if (bad >= 0) throw new PolicyError('handling/bad-evaluation', `${fn}: the evaluation of item ${bad + 1} is not a code of the channel's ${profile.evaluation} profile`);
  const need = conditionsRequired(handling, codes.evaluation, itemEvaluations);
  const has = codes.conditions !== undefined;
  if (need !== has || (has && (codes.conditions!.trim().length === 0 || codes.conditions!.length > MAX_CONDITIONS_CHARS))) {
    throw new PolicyError('handling/conditions', `${fn}: handling conditions are required with H3 or handling code C, refused otherwise, 1-${MAX_CONDITIONS_CHARS} characters`);
  }
}

/** Plain-word meanings of evaluation parts, for composers and badges (paraphrases; docs/CODES.md cites the sources). */
export const EUROPOL_SOURCE: Record<string, string> = {
  A: 'No doubt about the source’s authenticity, trustworthiness and competence, or always reliable',
  B: 'Source mostly reliable',
  C: 'Source mostly not reliable',
  X: 'Source reliability cannot be assessed',
};
export const EUROPOL_INFORMATION: Record<string, string> = {
  '1': 'Known to be true without reservation',
  '2': 'Known personally to the source but not to the official passing it on',
  '3': 'Not known personally to the source but corroborated by information already recorded',
  '4': 'Not known personally to the source and cannot be corroborated',
};
export const UK_SOURCE: Record<string, string> = { '1': 'Source reliable', '2': 'Source untested', '3': 'Source not reliable' };
export const UK_INTELLIGENCE: Record<string, string> = {
  A: 'Known directly to the source',
  B: 'Known indirectly to the source but corroborated',
  C: 'Known indirectly to the source',
  D: 'Not known',
  E: 'Suspected to be false',
};
export const UK_HANDLING: Record<string, string> = { P: 'Lawful sharing permitted', C: 'Lawful sharing permitted with conditions (stated)' };

/** The meaning of an evaluation in plain words, or null when it is not a code of the vocabulary. */
export function evaluationMeaning(vocabulary: EvaluationVocabulary, value: string): string | null {
  if (!isEvaluation(vocabulary, value)) return null;
  if (vocabulary === 'europol-4x4') return `${EUROPOL_SOURCE[value[0]!]}; ${EUROPOL_INFORMATION[value[1]!]}.`;
  const [s, i, h] = value.split('-') as [string, string, string];
  return `${UK_SOURCE[s]}; ${UK_INTELLIGENCE[i]}; ${UK_HANDLING[h]}.`;
}

export function checkProfile(p: CodeProfile): CodeProfile {
  if (!(HANDLING_VOCABULARIES as readonly string[]).includes(p.handling) || !(EVALUATION_VOCABULARIES as readonly string[]).includes(p.evaluation)) {
    throw new PolicyError('handling/invalid-policy', 'checkProfile: unknown handling or evaluation vocabulary');
  }
  return p;
}
