// The UI language: follows the browser until the person picks one, and translates keys reactively.

import { detectLang, errorSentence, translate, type MessageKey, type Params, type UiLang } from '../core/i18n';
import { AppError } from '../core/errors';

export class Locale {
  #lang = $state<UiLang>('en');

  constructor(initial: UiLang) {
    this.lang = initial;
  }

  get lang(): UiLang {
    return this.#lang;
  }

  /** Also tells the page, from the first paint on, so screen readers pick the right voice. */
  set lang(lang: UiLang) {
    this.#lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }

  static fromBrowser(): Locale {
    const languages = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
    return new Locale(detectLang(languages));
  }

  t = (key: MessageKey, params?: Params): string => translate(this.lang, key, params);

  /** A sentence for anything thrown, with what to do about it. */
  describe = (error: unknown): string => {
    if (error instanceof AppError) {
      return errorSentence(this.lang, error.code, { detail: error.message, ...error.details });
    }
    return errorSentence(this.lang, 'unknown', { detail: error instanceof Error ? error.message : String(error) });
  };
}
