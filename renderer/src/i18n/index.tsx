// The window's message catalogue: English and 简体中文, switchable, the choice kept in localStorage.
// Every string the window shows comes from here; `zh` must have every key of `en` (typed).
import { en, type MessageKey } from './en.js';
import { createI18n, type Translate as TranslateOf } from './create.js';
import { zh } from './zh.js';

export { LANGUAGES, type Language } from './create.js';
export type Translate = TranslateOf<MessageKey>;

export const { translator, isMessageKey, I18nProvider, useI18n } = createI18n<MessageKey>({ en, 'zh-CN': zh }, 'lanpost.language');
