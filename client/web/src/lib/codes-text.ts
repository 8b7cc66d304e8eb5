/**
 * Every code's meaning in plain words, in one place (docs/CODES.md), in the reader's language (namespace
 * `codes-text`). The Europol handling codes are paraphrases of the Europol handling codes (SIENA), not their official
 * wording; the evaluation vocabularies' code lists are shared/crypto/codes.ts's, translated here by code.
 */
import { EUROPOL_INFORMATION, EUROPOL_SOURCE, evaluationMeaning, UK_HANDLING, UK_INTELLIGENCE, UK_SOURCE, type EvaluationVocabulary } from '../../../../shared/crypto/codes.ts';
import { fixedT } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('codes-text')(key, values);

const KEYS = {
  H0: 'H0',
  H1: 'H1',
  H2: 'H2',
  H3: 'H3',
  conditions: 'conditions',
  evaluation: 'evaluation',
  noEvaluation: 'noEvaluation',
  conditionsConfirm: 'conditionsConfirm',
} as const;

/** The codes' words: each property reads the current language when accessed (so a language switch applies). */
export const CODE_TEXT: Readonly<Record<keyof typeof KEYS, string>> = (() => {
  const out = {} as Record<keyof typeof KEYS, string>;
  for (const k of Object.keys(KEYS) as (keyof typeof KEYS)[]) Object.defineProperty(out, k, { enumerable: true, get: () => t(KEYS[k]) });
  return out;
})();

/** One part of an evaluation vocabulary (e.g. Europol source reliability): the shared English list and its key prefix. */
export type EvaluationPart = 'europolSource' | 'europolInformation' | 'ukSource' | 'ukIntelligence' | 'ukHandling';

const PART_LISTS: Record<EvaluationPart, Record<string, string>> = {
  europolSource: EUROPOL_SOURCE,
  europolInformation: EUROPOL_INFORMATION,
  ukSource: UK_SOURCE,
  ukIntelligence: UK_INTELLIGENCE,
  ukHandling: UK_HANDLING,
};

/** The meaning of one code of an evaluation part in the reader's language (English, the shared text, as fallback). */
export function evaluationPartText(part: EvaluationPart, code: string): string {
  const english = PART_LISTS[part][code] ?? code;
  return t(`${part}${code}`, { defaultValue: english });
}

/** An evaluation part's options (code → meaning) in the reader's language, in the shared list's order. */
export function evaluationPartOptions(part: EvaluationPart): Record<string, string> {
  return Object.fromEntries(Object.keys(PART_LISTS[part]).map((code) => [code, evaluationPartText(part, code)]));
}

/** The label of an evaluation part's picker. */
export function evaluationPartLabel(part: EvaluationPart): string {
  return t(`${part}Label`);
}

/** The meaning of an evaluation in plain words in the reader's language, or null when it is not a code of the vocabulary. */
export function evaluationMeaningText(vocabulary: EvaluationVocabulary, value: string): string | null {
  if (evaluationMeaning(vocabulary, value) === null) return null;
  if (vocabulary === 'europol-4x4') return t('meaningTwo', { a: evaluationPartText('europolSource', value[0]!), b: evaluationPartText('europolInformation', value[1]!) });
  const [s, i, h] = value.split('-') as [string, string, string];
  return t('meaningThree', { a: evaluationPartText('ukSource', s), b: evaluationPartText('ukIntelligence', i), c: evaluationPartText('ukHandling', h) });
}
