import type { SUBSTITUTION_MODES } from '../../../../shared/crypto/payload.ts';
import { translatedLabels } from '../i18n/i18n.ts';

/** What happened to an intercepted consignment, in CND Res. 45/9 ¶4's words. */
export const SUBSTITUTION_LABEL: Readonly<Record<(typeof SUBSTITUTION_MODES)[number], string>> = translatedLabels('composer', {
  untouched: 'substitutionUntouched',
  'completely-replaced': 'substitutionCompletelyReplaced',
  'partially-replaced': 'substitutionPartiallyReplaced',
  'partially-removed': 'substitutionPartiallyRemoved',
});
