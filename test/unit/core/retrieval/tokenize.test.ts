import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize } from '../../../../src/core/retrieval/tokenize';

describe('tokenize', () => {
  it('gives Chinese text its character bigrams, so a name a word segmenter splits is still one term', () => {
    // Intl.Segmenter cuts 凉|宫|春日; the bigram 凉宫 carries the surname anyway.
    expect(tokenize('凉宫春日是SOS团的团长。')).toEqual(['凉宫', '宫春', '春日', '日是', 'sos', '团的', '的团', '团长']);
  });

  it('covers longer words with overlapping bigrams only', () => {
    expect(tokenize('她想找外星人')).toEqual(['她想', '想找', '找外', '外星', '星人']);
  });

  it('does not count a two-character word twice', () => {
    expect(tokenize('团长')).toEqual(['团长']);
  });

  it('handles Japanese kana and kanji, including the prolonged sound and iteration marks', () => {
    expect(tokenize('涼宮ハルヒの憂鬱')).toEqual(['涼宮', '宮ハ', 'ハル', 'ルヒ', 'ヒの', 'の憂', '憂鬱']);
    expect(tokenize('コーヒー')).toEqual(['コー', 'ーヒ', 'ヒー']);
    expect(tokenize('人々')).toEqual(['人々']);
  });

  it('steps over astral Han characters by code point', () => {
    expect(tokenize('𠀀𠀁𠀂')).toEqual(['𠀀𠀁', '𠀁𠀂']);
  });

  it('splits Latin text into the words Intl.Segmenter finds, lower-cased, without punctuation', () => {
    // Words that are not plain English letters (digits, accents, underscores) are kept as they are.
    const text = 'Ünïcode 4,000.5lb snake_case file:missy.jpg — 3.14? Ёж';
    const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
    const words = [...segmenter.segment(text.toLowerCase())].filter((s) => s.isWordLike).map((s) => s.segment);
    expect(tokenize(text)).toEqual(words);
  });

  it('leaves English stop words out, so "the" and "you" do not outweigh the words that name a topic', () => {
    expect(tokenize("Hello, World! It's Sheldon’s spot...")).toEqual(['hello', 'world', 'sheldon', 'spot']);
    expect(tokenize('What are you doing with the train?')).toEqual(['train']);
    expect(tokenize("Don't you think so?")).toEqual(['think']);
  });

  it('gives the forms of an English word one term, so "trains" and "training" find "train"', () => {
    const term = (word: string) => tokenize(word)[0];
    expect(new Set(['train', 'trains', 'trained', 'training'].map(term)).size).toBe(1);
    expect(new Set(['hope', 'hoped', 'hopes', 'hoping'].map(term)).size).toBe(1);
    expect(new Set(['physicist', 'physicists', "physicist's"].map(term)).size).toBe(1);
    expect(new Set(['stop', 'stopped', 'stopping'].map(term)).size).toBe(1);
    expect(term('studies')).toBe(term('study'));
    // Short words and words ending in -ss/-us/-is keep their ending: "bus" is not "bu", "class" not "clas".
    expect(tokenize('bus class analysis news')).toEqual(['bus', 'class', 'analysis', 'new']);
    // Other Latin-script languages keep their words unstemmed (accented words, and digits, are left alone).
    expect(tokenize('café naïve 2000s')).toEqual(['café', 'naïve', '2000s']);
  });

  it('uses Intl.Segmenter for scripts written without spaces, such as Thai', () => {
    expect(tokenize('สวัสดีครับ ผมชื่อ')).toEqual(['สวัสดี', 'ครับ', 'ผม', 'ชื่อ']);
  });

  it('keeps Cyrillic and Greek words', () => {
    expect(tokenize('Привет, мир! Γειά σου')).toEqual(['привет', 'мир', 'γειά', 'σου']);
  });

  it('splits mixed text by script and folds full-width forms (NFKC)', () => {
    const terms = tokenize('我和Ｋｙｏｎ去了ＳＯＳ団部室，2000円！');
    expect(terms).toEqual(expect.arrayContaining(['我和', 'kyon', '去了', 'sos', '団部', '部室', '2000']));
    expect(terms.some((t) => /[，！]/.test(t))).toBe(false);
  });

  it('gives a lone CJK character as itself', () => {
    expect(tokenize('猫')).toEqual(['猫']);
    expect(tokenize('x 猫 b')).toEqual(['x', '猫', 'b']);
  });

  it('keeps Hangul words whole', () => {
    expect(tokenize('안녕하세요 세계')).toEqual(['안녕하세요', '세계']);
  });

  it('returns nothing for empty or punctuation-only text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' 「」…！？ ...')).toEqual([]);
  });

  it('keeps repeats, because they are term frequencies', () => {
    expect(tokenize('cat cat dog')).toEqual(['cat', 'cat', 'dog']);
  });

  it('normalises width and case', () => {
    expect(normalizeText('ＡＢＣ')).toBe('abc');
  });
});
