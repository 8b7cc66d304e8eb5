import type { SUBSTITUTION_MODES } from '../../../../shared/crypto/payload.ts';

/** What happened to an intercepted consignment, in CND Res. 45/9 ¶4's words. */
export const SUBSTITUTION_LABEL: Record<(typeof SUBSTITUTION_MODES)[number], string> = {
  untouched: 'Untouched',
  'completely-replaced': 'Completely replaced',
  'partially-replaced': 'Partially replaced',
  'partially-removed': 'Partially removed',
};
