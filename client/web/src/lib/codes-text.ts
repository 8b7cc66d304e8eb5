/**
 * Every code's meaning in plain words, in one place (docs/CODES.md). The Europol handling codes are paraphrases of
 * the Europol handling codes (SIENA), not their official wording; evaluations come from shared/crypto/codes.ts.
 */
export const CODE_TEXT = {
  H0: 'May be used for an investigation or intelligence analysis and passed on under the applicable rules (no restriction beyond the law).',
  H1: 'Not to be used as evidence in judicial proceedings without the permission of the agency that provided it.',
  H2: 'Not to be passed on without the permission of the agency that provided it.',
  H3: 'Other restrictions: the handling conditions written with the message apply.',
  conditions: 'Handling conditions',
  evaluation: 'Evaluation',
  noEvaluation: 'Not evaluated',
  conditionsConfirm: 'This message has handling conditions. Forward it only if the target may receive it under them:',
} as const;
