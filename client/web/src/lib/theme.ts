/**
 * Colour theme (issue 15 §4): the system's preference (`prefers-color-scheme`) unless the officer chose Light or
 * Dark on this device. The choice is `<html data-theme>`, which styles.css reads; "system" removes it.
 */
export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];
const STORAGE_KEY = 'liaison.theme';

export function storedTheme(): Theme {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a theme to the document and (by default) remembers it on this device. */
export function applyTheme(theme: Theme, opts: { remember?: boolean } = {}): void {
  if (typeof document !== 'undefined') {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }
  if (opts.remember ?? true) {
    try {
      if (theme === 'system') globalThis.localStorage?.removeItem(STORAGE_KEY);
      else globalThis.localStorage?.setItem(STORAGE_KEY, theme);
    } catch {
      // Storage disabled: the choice lasts for this page only.
    }
  }
}
