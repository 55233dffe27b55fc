import { describe, expect, it } from 'vitest';
import { detectLang, dictionariesForTest, dictionaryKeys, errorSentence, formatBytes, translate } from '../../../src/core/i18n';

describe('i18n', () => {
  it('has every key in both languages, with the same placeholders', () => {
    for (const key of dictionaryKeys) {
      const en = dictionariesForTest.en[key];
      const zh = dictionariesForTest.zh[key];
      expect(zh, key).toBeTruthy();
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(zh), key).toEqual(names(en));
    }
  });

  it('fills placeholders and follows the browser language', () => {
    expect(translate('en', 'chat.swipeOf', { index: 2, count: 3 })).toBe('2 of 3');
    expect(translate('zh', 'chat.send')).toBe('发送');
    expect(detectLang(['zh-TW', 'en'])).toBe('zh');
    expect(detectLang(['fr-FR', 'en-GB'])).toBe('en');
    expect(detectLang([])).toBe('en');
  });

  it('says what to do for each error', () => {
    expect(errorSentence('en', 'not-gguf', { file: 'cat.png' })).toContain('“cat.png” is not a GGUF');
    expect(errorSentence('en', 'no-webgpu')).toMatch(/CPU engine/);
    expect(errorSentence('zh', 'offline')).toMatch(/离线/);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB');
  });
});
