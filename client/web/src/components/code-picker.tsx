import { useState } from 'preact/hooks';
import { conditionsRequired, MAX_CONDITIONS_CHARS, profileOf, type EvaluationVocabulary, type MessageCodes } from '../../../../shared/crypto/codes.ts';
import type { HandlingCode, HandlingPolicy } from '../../../../shared/crypto/handling.ts';
import { useT } from '../i18n/i18n.ts';
import { CODE_TEXT, evaluationMeaningText, evaluationPartLabel, evaluationPartOptions, type EvaluationPart } from '../lib/codes-text.ts';
import { TLP_STYLES } from '../lib/tlp.ts';

/** What the composer sends: the handling code and, per the channel's profile, an evaluation and conditions. */
export interface CodeChoice {
  handling: HandlingCode;
  codes: MessageCodes;
}

/** The composer's starting choice: the channel policy's default (never a code the policy refuses). */
export function defaultChoice(policy: HandlingPolicy): CodeChoice {
  return { handling: policy.defaultCode, codes: {} };
}

/** The pickers of each evaluation vocabulary: one select per part, joined into the code (labels and options in the reader's language). */
const EVALUATION_PARTS: Record<Exclude<EvaluationVocabulary, 'none'>, EvaluationPart[]> = {
  'europol-4x4': ['europolSource', 'europolInformation'],
  'uk-3x5x2': ['ukSource', 'ukIntelligence', 'ukHandling'],
};

function joinEvaluation(vocabulary: Exclude<EvaluationVocabulary, 'none'>, parts: string[]): string | undefined {
  if (parts.some((p) => p === '')) return undefined;
  return vocabulary === 'europol-4x4' ? parts.join('') : parts.join('-');
}

/**
 * Handling code, evaluation and conditions for one channel: only the policy's codes, each with its meaning in plain
 * words (described by the select, so a screen reader reads it); an evaluation is complete or absent.
 */
export function CodePicker({ policy, value, onChange }: { policy: HandlingPolicy; value: CodeChoice; onChange: (c: CodeChoice) => void }) {
  const t = useT('code-picker');
  const profile = profileOf(policy);
  const parts = profile.evaluation === 'none' ? [] : EVALUATION_PARTS[profile.evaluation];
  const [chosen, setChosen] = useState<string[]>(parts.map(() => ''));
  const needsConditions = conditionsRequired(value.handling, value.codes.evaluation);
  const update = (handling: HandlingCode, nextParts: string[], conditions: string | undefined) => {
    const evaluation = profile.evaluation === 'none' ? undefined : joinEvaluation(profile.evaluation, nextParts);
    const keep = conditionsRequired(handling, evaluation);
    onChange({ handling, codes: { ...(evaluation ? { evaluation } : {}), ...(keep ? { conditions: conditions ?? '' } : {}) } });
  };
  const meaning = value.codes.evaluation && profile.evaluation !== 'none' ? evaluationMeaningText(profile.evaluation, value.codes.evaluation) : null;
  return (
    <div class="code-picker">
      <label>
        <span class="field-label">{t('handlingCode')}</span>
        <select name="handling" value={value.handling} aria-describedby="handling-meaning" onChange={(e) => update(e.currentTarget.value as HandlingCode, chosen, value.codes.conditions)}>
          {policy.allowed.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <p class="hint" id="handling-meaning" data-testid="handling-meaning">
        {TLP_STYLES[value.handling].meaning}
      </p>
      {parts.length > 0 && (
        <fieldset class="evaluation">
          <legend>{CODE_TEXT.evaluation}</legend>
          {parts.map((part, i) => (
            <label key={part}>
              <span class="field-label">{evaluationPartLabel(part)}</span>
              <select
                name={`evaluation-${i}`}
                value={chosen[i]}
                onChange={(e) => {
                  const next = chosen.map((c, j) => (j === i ? e.currentTarget.value : c));
                  setChosen(next);
                  update(value.handling, next, value.codes.conditions);
                }}
              >
                <option value="">{CODE_TEXT.noEvaluation}</option>
                {Object.entries(evaluationPartOptions(part)).map(([k, text]) => (
                  <option key={k} value={k}>
                    {k} — {text}
                  </option>
                ))}
              </select>
            </label>
          ))}
          {meaning && <p class="hint" data-testid="evaluation-meaning">{meaning}</p>}
        </fieldset>
      )}
      {needsConditions && (
        <label class="field">
          <span class="field-label">{CODE_TEXT.conditions}</span>
          <textarea
            name="conditions"
            required
            maxLength={MAX_CONDITIONS_CHARS}
            value={value.codes.conditions ?? ''}
            onInput={(e) => update(value.handling, chosen, e.currentTarget.value)}
          />
        </label>
      )}
    </div>
  );
}

/** Code and evaluation of a received message, each with its meaning on hover and focus (title and aria-label). */
export function EvaluationBadge({ evaluation }: { evaluation: string }) {
  // The two vocabularies' codes do not overlap (`A1` vs `1-A-P`): the code names its vocabulary.
  const t = useT('code-picker');
  const meaning = evaluationMeaningText('europol-4x4', evaluation) ?? evaluationMeaningText('uk-3x5x2', evaluation) ?? evaluation;
  return (
    <span class="tag evaluation" tabIndex={0} title={meaning} aria-label={t('evaluationBadge', { evaluation: CODE_TEXT.evaluation, code: evaluation, meaning })} data-testid="evaluation">
      {evaluation}
    </span>
  );
}
