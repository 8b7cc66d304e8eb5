/**
 * Colour theme (issue 15 §4): the system's preference (`prefers-color-scheme`) unless the officer chose Light or
 * Dark on this device. styles.css reads only `<html data-theme="light|dark">`: "system" is resolved here to the
 * concrete theme and follows the media query while it is chosen, so the dark palette is written once in the CSS.
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

let chosen: Theme = 'system';
let listening = false;

function systemDark(): MediaQueryList | null {
  return typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
}

function paint(): void {
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = chosen === 'system' ? (systemDark()?.matches ? 'dark' : 'light') : chosen;
}

/** Applies a theme to the document and (by default) remembers it on this device. */
export function applyTheme(theme: Theme, opts: { remember?: boolean } = {}): void {
  chosen = theme;
  paint();
  if (!listening) {
    // The system's preference may change while the page is open (a dark schedule at dusk): follow it if chosen.
    systemDark()?.addEventListener('change', paint);
    listening = true;
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
