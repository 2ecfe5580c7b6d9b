// The message catalogue: English and 简体中文, switchable, the choice kept in localStorage.
// Every string the window shows comes from here; `zh` must have every key of `en` (typed).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en.js';
import { fill } from './fill.js';
import { zh } from './zh.js';

export type Language = 'en' | 'zh-CN';
export const LANGUAGES: Array<{ code: Language; label: string }> = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zh };
const STORAGE_KEY = 'lanpost.language';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return (key, values) => fill(catalogue[key] ?? en[key] ?? key, values);
}

/** For keys built at run time (service names, command meanings): the key if it exists. */
export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLanguageState(next);
  }, []);
  const value = useMemo(() => {
    document.documentElement.lang = language;
    return { language, setLanguage, t: translator(language) };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
