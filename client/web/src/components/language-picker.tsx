import { LANGUAGES, setLanguage, useLanguage, useT } from '../i18n/i18n.ts';

/** The language picker: each language named in itself, remembered on this device. */
export function LanguagePicker({ id = 'language' }: { id?: string }) {
  const t = useT('common');
  const lang = useLanguage();
  return (
    <div class="field language-picker">
      <label class="field-label" for={id}>
        {t('language')}
      </label>
      <select id={id} value={lang} onChange={(e) => void setLanguage(e.currentTarget.value)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code} dir={l.dir}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
