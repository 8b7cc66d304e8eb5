import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedT, i18n, LANGUAGES, matchLanguage, NAMESPACES, setLanguage } from '../../client/web/src/i18n/i18n.ts';
import { waitText } from '../../client/web/src/lib/errors.ts';

const LOCALES = path.resolve(import.meta.dirname, '../../client/web/src/i18n/locales');
const PLURAL = /_(zero|one|two|few|many|other)$/;

function load(lang: string, ns: string): Record<string, string> | null {
  const file = path.join(LOCALES, lang, `${ns}.json`);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

const placeholders = (v: string) => [...v.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]!).sort();

/** Every key English has, in the form a language must have it: plain keys as they are, plural keys by base. */
function expectations(en: Record<string, string>) {
  const plain = Object.keys(en).filter((k) => !PLURAL.test(k));
  const plurals = [...new Set(Object.keys(en).filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')))];
  return { plain, plurals };
}

describe('translations', () => {
  it('every language has every namespace English has, and no other', () => {
    for (const { code } of LANGUAGES) {
      const files = fs.readdirSync(path.join(LOCALES, code)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
      expect(files, code).toEqual([...NAMESPACES]);
    }
  });

  for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
    it(`${code}: every key, every plural form of the language, the same placeholders, nothing left empty`, () => {
      const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
      for (const ns of NAMESPACES) {
        const en = load('en', ns)!;
        const tr = load(code, ns)!;
        const { plain, plurals } = expectations(en);
        const missing: string[] = [];
        for (const key of plain) {
          if (typeof tr[key] !== 'string' || !tr[key].trim()) missing.push(key);
          else expect(placeholders(tr[key]), `${code}/${ns}:${key}`).toEqual(placeholders(en[key]!));
        }
        for (const base of plurals) {
          const enVars = placeholders(en[`${base}_other`]!).filter((v) => v !== 'count');
          for (const c of categories) {
            const v = tr[`${base}_${c}`];
            if (typeof v !== 'string' || !v.trim()) missing.push(`${base}_${c}`);
            // A form may spell the number out ("ثانية واحدة"), so {{count}} is optional; other values are not.
            else expect(placeholders(v).filter((p) => p !== 'count'), `${code}/${ns}:${base}_${c}`).toEqual(enVars);
          }
        }
        expect(missing, `${code}/${ns} lacks`).toEqual([]);
        const allowed = new Set([...plain, ...plurals.flatMap((b) => ['zero', 'one', 'two', 'few', 'many', 'other'].map((c) => `${b}_${c}`))]);
        expect(Object.keys(tr).filter((k) => !allowed.has(k)), `${code}/${ns} has keys English does not`).toEqual([]);
      }
    });
  }

  it('English plural keys always have their _one and _other forms', () => {
    for (const ns of NAMESPACES) {
      const en = load('en', ns)!;
      for (const base of expectations(en).plurals) {
        expect(en[`${base}_one`], `${ns}:${base}_one`).toBeTypeOf('string');
        expect(en[`${base}_other`], `${ns}:${base}_other`).toBeTypeOf('string');
      }
    }
  });
});

describe('the i18n layer', () => {
  it('picks the first preferred language Liaison speaks, by primary subtag, else English', () => {
    expect(matchLanguage(['de-DE', 'fr-CA', 'en'])).toBe('fr');
    expect(matchLanguage(['pt-BR'])).toBe('pt');
    expect(matchLanguage(['zh-Hans-CN'])).toBe('zh');
    expect(matchLanguage(['de', 'it'])).toBe('en');
  });

  it('formats plurals by each language’s rules and switches at run time', async () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(5)).toBe('5 seconds');
    expect(waitText(600)).toBe('10 minutes');
    await setLanguage('ru', { remember: false });
    expect(i18n.language).toBe('ru');
    expect(waitText(1)).toBe('1 секунда');
    expect(waitText(3)).toBe('3 секунды');
    expect(waitText(5)).toBe('5 секунд');
    expect(waitText(21)).toBe('21 секунда');
    await setLanguage('ar', { remember: false });
    expect(waitText(2)).toBe('ثانيتان');
    expect(waitText(11)).toBe('11 ثانية');
    expect(fixedT('sign-in')('signInWait', { wait: waitText(3) })).toBe('تسجيل الدخول (انتظر 3 ثوانٍ)');
    await setLanguage('en', { remember: false });
    expect(fixedT('sign-in')('title')).toBe('Sign in to Liaison');
  });
});
