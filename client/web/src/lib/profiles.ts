/**
 * The code profiles a new channel may choose (docs/CODES.md "Profiles"): the handling vocabulary, the evaluation
 * vocabulary, the minimum code and the composer's default. Pure: the new-channel form renders it.
 */
import { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES, VOCABULARY_CODES, isDefaultProfile, type CodeProfile, type EvaluationVocabulary, type HandlingVocabulary } from '../../../../shared/crypto/codes.ts';
import type { HandlingCode } from '../../../../shared/crypto/handling.ts';
import { fixedT } from '../i18n/i18n.ts';

export { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES, type EvaluationVocabulary, type HandlingVocabulary };

const t = (key: string) => fixedT('profiles')(key);

/** An object whose every property reads its text (a key of the `profiles` namespace) at access time, so a language switch applies. */
function translated<K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => t(keys[k]) });
  return out;
}

/** The code-profile fields' words, in the current language when read. Vocabulary names (TLP 2.0, Europol 4x4…) are names. */
export const profileText = Object.assign(
  translated({ legend: 'legend', handlingLabel: 'handlingLabel', evaluationLabel: 'evaluationLabel', minimumLabel: 'minimumLabel', defaultLabel: 'defaultLabel', defaultHint: 'defaultHint' }),
  {
    handlingName: { 'tlp-2.0': 'TLP 2.0', 'europol-h': 'Europol H0–H3' } satisfies Record<HandlingVocabulary, string>,
    evaluationName: translated({ none: 'evaluationNone', 'europol-4x4': 'evaluationEuropol', 'uk-3x5x2': 'evaluationUk' } satisfies Record<EvaluationVocabulary, string>),
    handling: translated({ 'tlp-2.0': 'handlingTlp', 'europol-h': 'handlingEuropol' } satisfies Record<HandlingVocabulary, string>),
    evaluation: translated({ none: 'meaningNone', 'europol-4x4': 'meaningEuropol', 'uk-3x5x2': 'meaningUk' } satisfies Record<EvaluationVocabulary, string>),
  },
);

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
