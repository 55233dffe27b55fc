// Token estimates for prompt budgeting, where the model's own tokenizer is not at hand.
//
// web-llm throws when prompt + reply exceed the context window and never truncates, so an
// under-estimate fails a generation while an over-estimate only drops some old history. Every
// rule below therefore errs high for the BPE tokenizers of the models we ship (Llama 3, Qwen 2.5/3,
// Gemma, SmolLM2, Phi 3.5): CJK characters count 1.5 (Qwen and Llama 3 spend about 0.7-1.1 on
// common Hanzi, Llama-2-era vocabularies up to 2-3 via byte fallback), digits count 1 each (Qwen
// splits numbers into single digits), Latin words about one token per 3.2 characters with a floor
// of one per word, and each punctuation mark one. `TokenEstimator` then learns a correction, up for
// tokenizers that are worse than that and down for better ones, from the prompt_tokens the engine reports.

import type { ChatTurn } from './types';

/** Chat-template tokens around each message (role header, separators, end-of-turn). */
export const MESSAGE_OVERHEAD_TOKENS = 6;
/** Tokens added once per prompt: BOS and the assistant header that primes the reply. */
export const PROMPT_OVERHEAD_TOKENS = 8;

const CJK_TOKENS = 1.5;
const LATIN_CHARS_PER_TOKEN = 3.2;
/** Letters of other scripts (Cyrillic, Greek, Arabic, Devanagari, …): byte-level BPEs split these finely. */
const OTHER_LETTER_CHARS_PER_TOKEN = 1.6;
/** Emoji and other astral-plane symbols are several UTF-8 bytes and often 2-3 tokens. */
const ASTRAL_SYMBOL_TOKENS = 3;

function isCjk(code: number): boolean {
  return (
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xf900 && code <= 0xfaff) || // compatibility ideographs
    (code >= 0x3040 && code <= 0x30ff) || // hiragana, katakana
    (code >= 0x31f0 && code <= 0x31ff) ||
    (code >= 0xac00 && code <= 0xd7af) || // hangul syllables
    (code >= 0x1100 && code <= 0x11ff) ||
    (code >= 0x3000 && code <= 0x303f) || // CJK punctuation
    (code >= 0xff00 && code <= 0xffef) || // full-width forms
    (code >= 0x20000 && code <= 0x3134f) // extensions B-H
  );
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

const LETTER = /\p{L}|\p{M}/u;

/**
 * A conservative token count for one piece of text under a typical BPE tokenizer
 * (it should over-, not under-count). Linear in the text length; 0 for ''.
 */
export function estimateTokens(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  let tokens = 0;
  let latinRun = 0; // letters of the current ASCII word
  let otherRun = 0; // letters of the current non-Latin, non-CJK word
  const endWord = () => {
    if (latinRun > 0) tokens += Math.max(1, latinRun / LATIN_CHARS_PER_TOKEN);
    if (otherRun > 0) tokens += Math.max(1, otherRun / OTHER_LETTER_CHARS_PER_TOKEN);
    latinRun = 0;
    otherRun = 0;
  };
  let newlineRun = false;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (isAsciiLetter(code) || code === 39 /* ' inside words: don't, it's */) {
      if (otherRun > 0) endWord();
      latinRun++;
      newlineRun = false;
      continue;
    }
    if (code === 10 || code === 13) {
      endWord();
      // A run of newlines is usually one token ("\n\n" is in every vocabulary).
      if (!newlineRun) tokens += 1;
      newlineRun = true;
      continue;
    }
    newlineRun = false;
    if (code === 32 || code === 9) {
      endWord(); // a single space merges into the next word's token
      continue;
    }
    endWord();
    if (code >= 48 && code <= 57) tokens += 1;
    else if (isCjk(code)) tokens += CJK_TOKENS;
    else if (code < 128) tokens += 1; // punctuation and symbols
    else if (code >= 0x10000) tokens += ASTRAL_SYMBOL_TOKENS;
    else if (LETTER.test(String.fromCharCode(code))) {
      otherRun++;
      continue;
    } else tokens += 1;
  }
  endWord();
  return Math.ceil(tokens);
}

/** Tokens one chat message costs in the prompt: its content plus the template around it. */
export function messageTokens(turn: ChatTurn, count: (text: string) => number = estimateTokens): number {
  return count(turn.content) + MESSAGE_OVERHEAD_TOKENS;
}

/** A model's own token counts: a message's content, and (GGUF) a whole prompt with its chat template. */
export interface ModelTokenCounter {
  count: (text: string) => number;
  countPrompt?: (messages: readonly ChatTurn[]) => number;
}

/** Estimated prompt tokens for a whole message list, as the engine would see it. */
export function estimatePromptTokens(messages: readonly ChatTurn[], count: (text: string) => number = estimateTokens): number {
  let total = PROMPT_OVERHEAD_TOKENS;
  for (const turn of messages) total += messageTokens(turn, count);
  return total;
}

export interface TokenEstimatorOptions {
  /** A ratio saved from an earlier session for the same model. */
  ratio?: number;
  /** Upper clamp on the correction (default 4). */
  maxRatio?: number;
  /** Lower clamp on the correction (default 0.5): the estimate may shrink to half, never further. */
  minRatio?: number;
  /** Weight of one observation when the ratio moves down (default 0.2). */
  alpha?: number;
}

/**
 * The estimate, corrected per model by what the engine reports, in both directions.
 *
 * Safety rules:
 * - It rises at once when the engine saw more tokens than we estimated (plus a 5% margin) and
 *   falls slowly (an exponential moving average), so one odd report cannot shrink it much.
 * - It falls below 1.0 (the estimate overcounts, e.g. Chinese under Qwen's vocabulary by about
 *   1.8x) only on reports of the *whole* prompt, as llama-server gives. web-llm reports only the
 *   newly prefilled tokens when it reuses its KV cache, so its low reports say nothing about the
 *   tokenizer: those lower the ratio to 1.0 at most, and below half the estimate are ignored.
 * - Whole-prompt reports below 0.4x the estimate are ignored too: no tokenizer we know is that
 *   frugal, so such a report is not about this prompt.
 */
export class TokenEstimator {
  #ratio: number;
  #samples = 0;
  readonly #maxRatio: number;
  readonly #minRatio: number;
  readonly #alpha: number;

  constructor(options: TokenEstimatorOptions = {}) {
    this.#maxRatio = Number.isFinite(options.maxRatio) && (options.maxRatio as number) >= 1 ? (options.maxRatio as number) : 4;
    this.#minRatio = Number.isFinite(options.minRatio) && (options.minRatio as number) > 0 && (options.minRatio as number) <= 1 ? (options.minRatio as number) : 0.5;
    this.#alpha = Number.isFinite(options.alpha) && (options.alpha as number) > 0 && (options.alpha as number) <= 1 ? (options.alpha as number) : 0.2;
    this.#ratio = this.#clamp(options.ratio ?? 1, this.#minRatio);
  }

  /** The current correction factor applied to raw estimates (minRatio .. maxRatio). */
  get ratio(): number {
    return this.#ratio;
  }

  /** How many reports have been taken into account. */
  get samples(): number {
    return this.#samples;
  }

  /** Corrected estimate for one text. */
  estimate(text: string): number {
    return Math.ceil(estimateTokens(text) * this.#ratio);
  }

  /** `estimate` as a free function, to pass as a `countTokens` callback. */
  readonly count = (text: string): number => this.estimate(text);

  /**
   * Learns from one generation. `estimatedPromptTokens` is the RAW estimate of the prompt that was
   * sent (`estimatePromptTokens(messages)`, without this estimator's correction);
   * `reportedPromptTokens` is the engine's usage.promptTokens for it. `whole`: the report counts
   * the whole prompt even when part of it came from the engine's cache (llama-server does).
   */
  observe(estimatedPromptTokens: number, reportedPromptTokens: number, options: { whole?: boolean } = {}): void {
    if (!Number.isFinite(estimatedPromptTokens) || !Number.isFinite(reportedPromptTokens)) return;
    // Tiny prompts are dominated by template tokens we can only guess.
    if (estimatedPromptTokens < 32 || reportedPromptTokens <= 0) return;
    const observed = reportedPromptTokens / estimatedPromptTokens;
    const whole = options.whole === true;
    if (observed < (whole ? 0.4 : 0.5)) return; // a partial (KV-cache) prefill, or not about this prompt
    const floor = whole ? this.#minRatio : 1;
    const target = this.#clamp(observed * 1.05, floor);
    if (target > this.#ratio) this.#ratio = target;
    else {
      const next = this.#ratio + this.#alpha * (target - this.#ratio);
      this.#ratio = this.#clamp(next - target < 0.001 ? target : next, floor); // settle instead of creeping forever
    }
    this.#samples++;
  }

  #clamp(value: number, floor: number): number {
    if (!Number.isFinite(value)) return 1;
    return Math.min(this.#maxRatio, Math.max(floor, value));
  }
}

/**
 * Role-play text in both languages the app speaks (narration, speech, actions, Chinese), long enough
 * for TokenEstimator.observe: a server that counts tokens itself (llama-server /tokenize) measures it
 * once at connect, so the estimate fits that model's vocabulary before the first prompt is built.
 */
export const CALIBRATION_SAMPLE =
  '*The lamp flickers as the keeper climbs the last stair.* "You came back," she says, setting the kettle on the stove. ' +
  '"The storm took the north road again; nobody has passed since Tuesday." Rain drums on the shutters. ' +
  '她把灯芯剪短，低声说：“今晚风大，你先坐下，喝口热茶再走吧。”窗外的海浪一阵高过一阵。 ' +
  '"Tell me what you saw out there," she asks, and waits for the answer with her hands around the cup.';

/** Calibrates `estimator` with the model's own count of CALIBRATION_SAMPLE; a count that fails changes nothing. */
export async function calibrateEstimator(estimator: TokenEstimator, countTokens: (text: string) => Promise<number | null>): Promise<void> {
  const exact = await countTokens(CALIBRATION_SAMPLE).catch(() => null);
  // The count is of this text alone, no template around it: a whole count, which may lower the ratio.
  if (exact) estimator.observe(estimateTokens(CALIBRATION_SAMPLE), exact, { whole: true });
}
