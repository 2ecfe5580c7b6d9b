// A message catalogue in English and 简体中文, switchable, the choice kept in localStorage (at
// first: the browser's language). The window and the LAN landing page each make their own.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { fill } from './fill.js';

export type Language = 'en' | 'zh-CN';
export const LANGUAGES: Array<{ code: Language; label: string }> = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];

export type Translate<K extends string> = (key: K, values?: Record<string, string | number>) => string;

export interface I18n<K extends string> {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate<K>;
}

/** `zh-CN` must have every key of `en` (the type says so). */
export function createI18n<K extends string>(catalogues: Record<Language, Record<K, string>>, storageKey: string) {
  function translator(language: Language): Translate<K> {
    const catalogue = catalogues[language];
    return (key, values) => fill(catalogue[key] ?? catalogues.en[key] ?? key, values);
  }

  /** For keys built at run time (service names, command meanings): the key if it exists. */
  function isMessageKey(key: string): key is K {
    return key in catalogues.en;
  }

  function initialLanguage(): Language {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'zh-CN') return saved;
    return navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  }

  const I18nContext = createContext<I18n<K> | null>(null);

  function I18nProvider({ children }: { children: ReactNode }) {
    const [language, setLanguageState] = useState<Language>(initialLanguage);
    const setLanguage = useCallback((next: Language) => {
      localStorage.setItem(storageKey, next);
      document.documentElement.lang = next;
      setLanguageState(next);
    }, []);
    const value = useMemo(() => {
      document.documentElement.lang = language;
      return { language, setLanguage, t: translator(language) };
    }, [language, setLanguage]);
    return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
  }

  function useI18n(): I18n<K> {
    const value = useContext(I18nContext);
    if (!value) throw new Error('useI18n outside I18nProvider');
    return value;
  }

  return { translator, isMessageKey, I18nProvider, useI18n };
}
