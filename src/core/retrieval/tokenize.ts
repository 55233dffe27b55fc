// Search terms for retrieval: words for spaced scripts, CJK character bigrams, Intl.Segmenter where a dictionary is needed.

import { englishTerm } from './english';

/**
 * Bumped whenever the terms produced for the same text change, so cached keyword indexes built
 * with an older tokenizer are rebuilt instead of silently missing terms.
 */
export const TOKENIZER_VERSION = 2;

// Han, kana, the kana prolonged sound mark and the ideographic iteration mark (人々).
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+/gu;
// Scripts written without spaces whose words only ICU's dictionaries can find.
const DICTIONARY_SCRIPT = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// UAX #29 word boundaries in short: runs of letters, digits, marks and connectors (`snake_case`);
// ' ’ . : · inside a word join letters (it's, u.s.a), and . , ; ' join digits (4,000.5).
const WORD =
  /[\p{L}\p{N}\p{M}\p{Pc}]+(?:(?:(?<=[\p{L}\p{M}])['’.:\u00b7](?=[\p{L}\p{M}])|(?<=\p{N})[.,;'’](?=\p{N}))[\p{L}\p{N}\p{M}\p{Pc}]+)*/gu;

// Words of plain Latin letters (and apostrophes) get English stop words and stemming; other words
// (accented, Cyrillic, with digits) are kept as they are.
const ENGLISH_WORD = /^[a-z]+(?:['’][a-z]+)*$/;

let segmenter: Intl.Segmenter | undefined;

/** NFKC and lower case: full-width Latin and digits fold into ASCII, so `ＳＯＳ` finds `SOS`. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Terms for BM25, repeats kept (they are term frequencies).
 *
 * - CJK runs give their character bigrams, the usual way to index Chinese and Japanese without a
 *   dictionary: a name the word segmenter would split (`凉|宫|春日`) is still found through
 *   `凉宫`, `宫春`, `春日`. A run of one character gives that character.
 * - Spaced scripts (Latin, Cyrillic, Greek, Hangul, Arabic…) give their words, punctuation dropped;
 *   plain English words lose stop words and suffixes (`englishTerm`).
 * - Thai, Lao, Khmer and Burmese go through `Intl.Segmenter`, whose dictionaries find their words.
 *
 * Why not `Intl.Segmenter` everywhere: on the four ChatHaruhi fixture packs, adding its CJK words
 * (`外星人`) to the bigrams changed recall@5 by at most one query in 164, and the segmenter made
 * tokenising 12× slower (about 0.7 µs a character, most of an index build). For the non-CJK text
 * of those 640 scenes the word pattern above gives exactly the segmenter's words.
 */
export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  const terms: string[] = [];
  let last = 0;
  for (const match of normalized.matchAll(CJK_RUN)) {
    const start = match.index;
    if (start > last) pushWords(normalized.slice(last, start), terms);
    pushBigrams(match[0], terms);
    last = start + match[0].length;
  }
  if (last < normalized.length) pushWords(normalized.slice(last), terms);
  return terms;
}

function pushWords(text: string, terms: string[]): void {
  if (DICTIONARY_SCRIPT.test(text)) {
    segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
    for (const { segment, isWordLike } of segmenter.segment(text)) if (isWordLike) terms.push(segment);
    return;
  }
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (!ENGLISH_WORD.test(word)) terms.push(word);
    else {
      const term = englishTerm(word);
      if (term !== null) terms.push(term);
    }
  }
}

function pushBigrams(run: string, terms: string[]): void {
  // Astral Han (extension B and later) are surrogate pairs: step by code point, not by UTF-16 unit.
  const chars = run.length === 1 ? [run] : Array.from(run);
  if (chars.length === 1) {
    terms.push(chars[0]);
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1]);
}
