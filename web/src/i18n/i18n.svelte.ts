import { en } from './en.ts';
import { type MessageKey, type Messages, zh } from './zh.ts';

export type Locale = 'zh' | 'en';
export type { MessageKey };

const catalogues: Record<Locale, Messages> = { zh, en };
const STORAGE_KEY = 'civgrid.locale';
const HTML_LANG: Record<Locale, string> = { zh: 'zh-CN', en: 'en' };

function storedLocale(): Locale {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh'; // storage blocked (private mode, sandboxed frame)
  }
}

/** The interface language: Chinese by default, remembered in localStorage. */
class I18n {
  locale = $state<Locale>(storedLocale());

  set(locale: Locale): void {
    this.locale = locale;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, locale);
    } catch {
      // not remembered, still switched
    }
    if (typeof document !== 'undefined') document.documentElement.lang = HTML_LANG[locale];
  }

  toggle(): void {
    this.set(this.locale === 'zh' ? 'en' : 'zh');
  }

  /** Pick between a Chinese and an English value, e.g. a catalogue entry's names. */
  pick(zhValue: string, enValue: string): string {
    return this.locale === 'zh' ? zhValue : enValue;
  }
}

export const i18n = new I18n();
if (typeof document !== 'undefined') document.documentElement.lang = HTML_LANG[i18n.locale];

/** Translate `key`, filling `{name}` placeholders from `params`. Reactive on the locale. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogues[i18n.locale][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** Whether `key` is in the catalogue, for keys made from data (an audit action, …). */
export function hasKey(key: string): key is MessageKey {
  return key in catalogues.zh;
}
