/// <reference types="vite/client" />
import i18next from 'i18next';
import { useEffect, useMemo, useState } from 'preact/hooks';

/**
 * The web app's i18n layer (issue 15), on i18next: every user-visible string is a key in a namespace
 * (one JSON file per screen or feature under `locales/<language>/<namespace>.json`), plurals follow
 * the language's CLDR rules through `Intl.PluralRules` (`key_one`, `key_few`, `key_other`, …), values
 * are interpolated as `{{name}}`. English is bundled; another language loads on demand. A test
 * (test/web/i18n.test.ts) fails when any language lacks a key, a plural form or a placeholder of English.
 */

export interface Language {
  /** BCP 47 primary language subtag. */
  code: string;
  /** The language's name in itself, as the picker shows it. */
  name: string;
  dir: 'ltr' | 'rtl';
}

export const LANGUAGES: readonly Language[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'es', name: 'Español', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
  { code: 'ru', name: 'Русский', dir: 'ltr' },
  { code: 'zh', name: '中文', dir: 'ltr' },
  { code: 'pt', name: 'Português', dir: 'ltr' },
];

export const DEFAULT_LANGUAGE = 'en';
const STORAGE_KEY = 'liaison.language';

type Bundle = Record<string, unknown>;
const english = import.meta.glob<Bundle>('./locales/en/*.json', { eager: true, import: 'default' });
const others = import.meta.glob<Bundle>(['./locales/*/*.json', '!./locales/en/*.json'], { import: 'default' });

const namespaceOf = (file: string) => /\/([^/]+)\.json$/.exec(file)![1]!;
const languageOf = (file: string) => /locales\/([^/]+)\//.exec(file)![1]!;

/** The namespaces (one per screen or feature), as English defines them. */
export const NAMESPACES: readonly string[] = Object.keys(english).map(namespaceOf).sort();

export const i18n = i18next.createInstance();

export function languageInfo(code: string): Language {
  return LANGUAGES.find((l) => l.code === code) ?? LANGUAGES[0]!;
}

/** The first of the browser's preferred languages Liaison speaks (by primary subtag), else English. */
export function matchLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (LANGUAGES.some((l) => l.code === primary)) return primary!;
  }
  return DEFAULT_LANGUAGE;
}

function storedLanguage(): string | null {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v && LANGUAGES.some((l) => l.code === v) ? v : null;
  } catch {
    return null;
  }
}

/** The language to start in: the officer's choice on this device, else the browser's. */
export function detectLanguage(): string {
  return storedLanguage() ?? matchLanguage(globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? DEFAULT_LANGUAGE]);
}

async function loadLanguage(code: string): Promise<void> {
  if (code === DEFAULT_LANGUAGE || i18n.hasResourceBundle(code, NAMESPACES[0] ?? 'common')) return;
  const files = Object.keys(others).filter((f) => languageOf(f) === code);
  const bundles = await Promise.all(files.map(async (f) => [namespaceOf(f), await others[f]!()] as const));
  for (const [ns, bundle] of bundles) i18n.addResourceBundle(code, ns, bundle, true, true);
}

// Initialised at import, synchronously, in English (bundled): `t` works in every module and test
// from the start; `initI18n` then switches to the officer's language.
{
  const resources: Record<string, Record<string, Bundle>> = { en: {} };
  for (const [file, bundle] of Object.entries(english)) resources.en![namespaceOf(file)] = bundle;
  void i18n.init({
    resources,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    ns: [...NAMESPACES],
    defaultNS: 'common',
    // Preact escapes text; i18next must not escape it a second time.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
}

/** Switches to the language to start in (default: detected) before the first render. */
export async function initI18n(code: string = detectLanguage()): Promise<void> {
  await setLanguage(code, { remember: false });
}

/** Switches the app's language, the document's `lang` and `dir`, and (by default) remembers it on this device. */
export async function setLanguage(code: string, opts: { remember?: boolean } = {}): Promise<void> {
  const lang = languageInfo(code);
  await loadLanguage(lang.code);
  await i18n.changeLanguage(lang.code);
  if (typeof document !== 'undefined') {
    document.documentElement.lang = lang.code;
    document.documentElement.dir = lang.dir;
  }
  if (opts.remember ?? true) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang.code);
    } catch {
      // Storage disabled: the choice lasts for this page only.
    }
  }
}

/** The current language; re-renders the caller when it changes. */
export function useLanguage(): string {
  const [lang, setLang] = useState(i18n.language || DEFAULT_LANGUAGE);
  useEffect(() => {
    const on = (l: string) => setLang(l);
    i18n.on('languageChanged', on);
    return () => i18n.off('languageChanged', on);
  }, []);
  return lang;
}

export type TFunction = (key: string, values?: Record<string, unknown>) => string;

/** `t` for one namespace in the current language; the caller re-renders on a language change. */
export function useT(ns: string): TFunction {
  const lang = useLanguage();
  return useMemo(() => fixedT(ns, lang), [ns, lang]);
}

/** `t` outside components (lib code, announcements): the current language at call time. */
export function fixedT(ns: string, lang: string = i18n.language || DEFAULT_LANGUAGE): TFunction {
  const t = i18n.getFixedT(lang, ns);
  return (key, values) => t(key, values ?? {}) as string;
}

/**
 * An object whose every property reads its text (`keys[k]`, a key of namespace `ns`) at access time, so a language
 * switch applies: labels for code lists that the shared code names in English.
 */
export function translatedLabels<K extends string>(ns: string, keys: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => fixedT(ns)(keys[k]) });
  return out;
}
