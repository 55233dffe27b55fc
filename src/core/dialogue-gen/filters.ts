// The filters generated questions and answers pass before review, each a pure check with a reason code.
//
// Lengths count Rouge-L tokens (core/rouge-l.ts): words in spaced scripts, characters in Chinese,
// so one limit serves both languages roughly alike.

import { rougeLOfTokens, rougeTokens } from '../rouge-l';
import type { Lang } from '../types';
import { DIALOGUE_TEMPLATES, type QuestionKind } from './templates';

/** Why a generated record was dropped; each is counted and shown on the job. */
export type DropReason =
  | 'parse'
  | 'low-confidence'
  | 'low-completeness'
  | 'wrong-language'
  | 'too-short'
  | 'too-long'
  | 'near-duplicate'
  | 'breaks-character'
  | 'not-deflected';

export const DROP_REASONS: readonly DropReason[] = [
  'parse', 'low-confidence', 'low-completeness', 'wrong-language', 'too-short', 'too-long', 'near-duplicate',
  'breaks-character', 'not-deflected',
];

export interface FilterLimits {
  /** Lowest confidence and completeness kept, on the 1-10 scale of pass 1. */
  minConfidence: number;
  minCompleteness: number;
  question: { minTokens: number; maxTokens: number };
  answer: { minTokens: number; maxTokens: number };
  /** Rouge-L F above which a line is a near-duplicate (Self-Instruct and RoleLLM use 0.7). */
  duplicateF: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = {
  minConfidence: 6,
  minCompleteness: 6,
  question: { minTokens: 3, maxTokens: 80 },
  answer: { minTokens: 3, maxTokens: 300 },
  duplicateF: 0.7,
};

/** A question as pass 1 writes it. */
export interface QuestionDraft {
  question: string;
  confidence: number;
  completeness: number;
}

// Han characters and ASCII letters are the two scripts the app writes in; kana marks Japanese.
const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * The language a text is mostly written in, by Rouge-L tokens: 'zh' when Chinese characters
 * outnumber the other words, 'en' when Latin words do, 'other' for other scripts (kana,
 * Cyrillic…) or no words at all. A Latin name inside Chinese ("我是Haruhi") stays 'zh'.
 */
export function textLanguage(text: string): Lang | 'other' {
  let han = 0;
  let latin = 0;
  let other = 0;
  for (const token of rougeTokens(text)) {
    if (HAN.test(token)) han++;
    else if (KANA.test(token)) other++;
    else if (/^[a-z0-9]+$/.test(token)) latin++;
    else other++;
  }
  if (han > latin && han > other) return 'zh';
  if (latin > han && latin > other) return 'en';
  return 'other';
}

function lengthReason(text: string, limits: { minTokens: number; maxTokens: number }): DropReason | null {
  const n = rougeTokens(text).length;
  if (n < limits.minTokens) return 'too-short';
  if (n > limits.maxTokens) return 'too-long';
  return null;
}

/** Pass 1 checks of one question: its own judgements, its language and its length. */
export function questionDropReason(draft: QuestionDraft, lang: Lang, limits: FilterLimits = DEFAULT_FILTER_LIMITS): DropReason | null {
  if (draft.confidence < limits.minConfidence) return 'low-confidence';
  if (draft.completeness < limits.minCompleteness) return 'low-completeness';
  if (textLanguage(draft.question) !== lang) return 'wrong-language';
  return lengthReason(draft.question, limits.question);
}

export interface AnswerCheck {
  kind: QuestionKind;
  lang: Lang;
  /**
   * The character's own material speaks of AI (a robot, a program): then mentioning it is in
   * character and the breaks-character filter is off. See `materialMentionsAi`.
   */
  aiIsInCharacter: boolean;
}

/** Pass 2 checks of one answer: language, length, stepping out of character, an out-of-world question not deflected. */
export function answerDropReason(answer: string, check: AnswerCheck, limits: FilterLimits = DEFAULT_FILTER_LIMITS): DropReason | null {
  if (textLanguage(answer) !== check.lang) return 'wrong-language';
  const length = lengthReason(answer, limits.answer);
  if (length) return length;
  if (!check.aiIsInCharacter && mentionsAny(answer, aiMentions())) return 'breaks-character';
  if (check.kind === 'out-of-world' && !mentionsAny(answer, deflections())) return 'not-deflected';
  return null;
}

/** Whether the character's own text speaks of AI, in either language (so an answer may too). */
export function materialMentionsAi(texts: readonly string[]): boolean {
  return texts.some((text) => mentionsAny(text, aiMentions()));
}

// Both languages' lists apply whatever the answer's language: a Chinese answer that says
// "language model" in English breaks character just the same.
let aiMentionList: readonly string[] | undefined;
let deflectionList: readonly string[] | undefined;
const aiMentions = () => (aiMentionList ??= [...DIALOGUE_TEMPLATES.en.aiMentions, ...DIALOGUE_TEMPLATES.zh.aiMentions]);
const deflections = () => (deflectionList ??= [...DIALOGUE_TEMPLATES.en.deflections, ...DIALOGUE_TEMPLATES.zh.deflections]);

/**
 * Whether the text contains one of the phrases, case-insensitively, curly apostrophes read as
 * straight ones; a phrase that starts or ends with a Latin letter must do so at a word boundary
 * ("i am an ai" is not found in "I am an aide"); Chinese phrases match anywhere.
 */
export function mentionsAny(text: string, phrases: readonly string[]): boolean {
  const folded = text.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'");
  return phrases.some((phrase) => {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(phrase, from);
      if (at < 0) return false;
      const before = folded[at - 1];
      const after = folded[at + phrase.length];
      const startsLatin = /[a-z]/.test(phrase[0]);
      const endsLatin = /[a-z]/.test(phrase[phrase.length - 1]);
      if ((!startsLatin || !isWordChar(before)) && (!endsLatin || !isWordChar(after))) return true;
      from = at + 1;
    }
  });
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}]/u.test(char) && !HAN.test(char);
}

/**
 * Near-duplicates: a text whose Rouge-L F against any text seen so far (the character's existing
 * lines, then each kept one) is above the limit. Texts are tokenised once.
 */
export class NearDuplicates {
  readonly #seen: string[][] = [];
  readonly #limit: number;

  constructor(existing: readonly string[], limit = DEFAULT_FILTER_LIMITS.duplicateF) {
    this.#limit = limit;
    for (const text of existing) this.#remember(text);
  }

  isDuplicate(text: string): boolean {
    const tokens = rougeTokens(text);
    return this.#seen.some((seen) => rougeLOfTokens(tokens, seen).f > this.#limit);
  }

  /** Checks a text and, when it is new, remembers it; true when it was a near-duplicate. */
  checkAndAdd(text: string): boolean {
    if (this.isDuplicate(text)) return true;
    this.#remember(text);
    return false;
  }

  #remember(text: string): void {
    const tokens = rougeTokens(text);
    if (tokens.length) this.#seen.push(tokens);
  }
}
