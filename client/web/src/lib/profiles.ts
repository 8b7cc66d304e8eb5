/**
 * The code profiles a new channel may choose (docs/CODES.md "Profiles"): the handling vocabulary, the evaluation
 * vocabulary, the minimum code and the composer's default. Pure: the new-channel form renders it.
 */
import { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES, VOCABULARY_CODES, isDefaultProfile, type CodeProfile, type EvaluationVocabulary, type HandlingVocabulary } from '../../../../shared/crypto/codes.ts';
import type { HandlingCode } from '../../../../shared/crypto/handling.ts';

export { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES, type EvaluationVocabulary, type HandlingVocabulary };

export const profileText = {
  legend: 'Code profile',
  handlingLabel: 'Handling codes',
  evaluationLabel: 'Evaluation codes',
  minimumLabel: 'Minimum handling code',
  defaultLabel: 'Default handling code',
  defaultHint: 'The code the composer starts on; senders may choose any code from the minimum up.',
  handlingName: { 'tlp-2.0': 'TLP 2.0', 'europol-h': 'Europol H0–H3' } satisfies Record<HandlingVocabulary, string>,
  evaluationName: { none: 'None', 'europol-4x4': 'Europol 4x4', 'uk-3x5x2': 'UK 3x5x2' } satisfies Record<EvaluationVocabulary, string>,
  handling: {
    'tlp-2.0': 'TLP 2.0 (CLEAR, GREEN, AMBER, AMBER+STRICT, RED): how far a message may be shared.',
    'europol-h': 'Europol handling codes H0–H3: what a message may be used for (evidence, passing on) without the permission of the agency that provided it.',
  } satisfies Record<HandlingVocabulary, string>,
  evaluation: {
    none: 'No evaluation: messages carry no source or information assessment.',
    'europol-4x4': 'Europol 4x4: source reliability A/B/C/X and information assessment 1–4 on each message.',
    'uk-3x5x2': 'UK 3x5x2: source 1–3, intelligence A–E and sharing P/C (C with written conditions) on each message.',
  } satisfies Record<EvaluationVocabulary, string>,
} as const;

/** The codes of a vocabulary, lowest restriction first. */
export function codesOf(handling: HandlingVocabulary): HandlingCode[] {
  return [...VOCABULARY_CODES[handling]] as HandlingCode[];
}

/** The codes a default may take: the minimum and every code above it. */
export function defaultsFor(handling: HandlingVocabulary, minimum: HandlingCode): HandlingCode[] {
  const codes = codesOf(handling);
  const i = codes.indexOf(minimum);
  return i < 0 ? codes : codes.slice(i);
}

export interface ProfileChoice {
  handling: HandlingVocabulary;
  evaluation: EvaluationVocabulary;
  minimum: HandlingCode;
  defaultCode: HandlingCode;
}

/** A choice after one field changed: minimum and default stay codes of the vocabulary, the default never below the minimum. */
export function normaliseChoice(c: ProfileChoice): ProfileChoice {
  const codes = codesOf(c.handling);
  const minimum = codes.includes(c.minimum) ? c.minimum : c.handling === 'tlp-2.0' ? 'TLP:GREEN' : codes[0]!;
  const allowed = defaultsFor(c.handling, minimum);
  const defaultCode = allowed.includes(c.defaultCode) ? c.defaultCode : minimum;
  return { ...c, minimum, defaultCode };
}

/** The `policy` argument of `client.createChannel`: the default profile (TLP 2.0, no evaluation) is left out. */
export function policyInput(c: ProfileChoice): { minimum: HandlingCode; defaultCode: HandlingCode; profile?: CodeProfile } {
  const profile: CodeProfile = { handling: c.handling, evaluation: c.evaluation };
  return { minimum: c.minimum, defaultCode: c.defaultCode, ...(isDefaultProfile(profile) ? {} : { profile }) };
}
