import { useState } from 'preact/hooks';
import { useT } from '../i18n/i18n.ts';
import { applyTheme, storedTheme, THEMES, type Theme } from '../lib/theme.ts';

const THEME_KEY: Record<Theme, string> = { system: 'themeSystem', light: 'themeLight', dark: 'themeDark' };

/** System / Light / Dark, remembered on this device. */
export function ThemePicker() {
  const t = useT('layout');
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <fieldset class="theme-picker">
      <legend>{t('theme')}</legend>
      {THEMES.map((th) => (
        <label key={th} class="check">
          <input
            type="radio"
            name="theme"
            value={th}
            checked={theme === th}
            onChange={() => {
              setTheme(th);
              applyTheme(th);
            }}
          />
          {t(THEME_KEY[th])}
        </label>
      ))}
      <p class="hint">{t('themeHint')}</p>
    </fieldset>
  );
}
