import { useLanguage } from '../i18n/i18n.ts';
import { TLP_STYLES } from '../lib/tlp.ts';
import { EVALUATION_VOCABULARIES, HANDLING_VOCABULARIES, codesOf, defaultsFor, normaliseChoice, profileText as text, type ProfileChoice } from '../lib/profiles.ts';

/**
 * A new channel's code profile (docs/CODES.md "Profiles"): handling and evaluation vocabularies, the minimum and the
 * default code, each option's meaning in plain words under its select (and describing it for screen readers).
 */
export function ProfileFields({ value, onChange }: { value: ProfileChoice; onChange: (c: ProfileChoice) => void }) {
  useLanguage(); // profileText and TLP_STYLES read the current language: re-render on a switch
  const set = (patch: Partial<ProfileChoice>) => onChange(normaliseChoice({ ...value, ...patch }));
  return (
    <fieldset class="profile-fields">
      <legend>{text.legend}</legend>
      <label class="field">
        <span class="field-label">{text.handlingLabel}</span>
        <select name="profile-handling" aria-describedby="profile-handling-meaning" value={value.handling} onChange={(e) => set({ handling: e.currentTarget.value as ProfileChoice['handling'] })}>
          {HANDLING_VOCABULARIES.map((h) => (
            <option key={h} value={h}>
              {text.handlingName[h]}
            </option>
          ))}
        </select>
        <small class="hint" id="profile-handling-meaning">
          {text.handling[value.handling]}
        </small>
      </label>
      <label class="field">
        <span class="field-label">{text.evaluationLabel}</span>
        <select name="profile-evaluation" aria-describedby="profile-evaluation-meaning" value={value.evaluation} onChange={(e) => set({ evaluation: e.currentTarget.value as ProfileChoice['evaluation'] })}>
          {EVALUATION_VOCABULARIES.map((v) => (
            <option key={v} value={v}>
              {text.evaluationName[v]}
            </option>
          ))}
        </select>
        <small class="hint" id="profile-evaluation-meaning">
          {text.evaluation[value.evaluation]}
        </small>
      </label>
      <label class="field">
        <span class="field-label">{text.minimumLabel}</span>
        <select name="minimum" aria-describedby="profile-minimum-meaning" value={value.minimum} onChange={(e) => set({ minimum: e.currentTarget.value as ProfileChoice['minimum'] })}>
          {codesOf(value.handling).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <small class="hint" id="profile-minimum-meaning">
          {TLP_STYLES[value.minimum].meaning}
        </small>
      </label>
      <label class="field">
        <span class="field-label">{text.defaultLabel}</span>
        <select name="default-code" aria-describedby="profile-default-meaning" value={value.defaultCode} onChange={(e) => set({ defaultCode: e.currentTarget.value as ProfileChoice['defaultCode'] })}>
          {defaultsFor(value.handling, value.minimum).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <small class="hint" id="profile-default-meaning">
          {TLP_STYLES[value.defaultCode].meaning} {text.defaultHint}
        </small>
      </label>
    </fieldset>
  );
}
