// The landing page's message catalogue: English and 简体中文, the browser's language at first,
// switchable, the choice kept in this browser.
import { createI18n } from '../../../src/i18n/create.js';
import { en, type MessageKey } from './en.js';
import { zh } from './zh.js';

export const { I18nProvider, useI18n } = createI18n<MessageKey>({ en, 'zh-CN': zh }, 'lanpost.landing.language');
