// Rouge-L: how much of one text's token sequence another shares in order (longest common subsequence).
//
// Used to drop near-duplicate generated dialogue (Self-Instruct and RoleLLM drop a new line whose
// Rouge-L F against a kept one is above 0.7) and to score a reply against a reference line.
//
// Definition (Lin 2004, ROUGE-L sentence level, β = 1):
//   LCS = length of the longest common subsequence of the two token sequences
//   precision = LCS / tokens(candidate), recall = LCS / tokens(reference)
//   f = 2 · precision · recall / (precision + recall), and 0 when LCS is 0
//
// Tokens (`rougeTokens`): the text in NFKC and lower case; each Han, Hiragana or Katakana
// character is one token (Chinese and Japanese are written without spaces, and character-level
// Rouge is how Chinese generation is usually scored); every other run of letters, digits and
// combining marks is one word token (`don't` is `don` and `t`); punctuation, symbols and spaces are
// dropped. No stemming and no stop words: two answers that differ by a suffix are not the same line.

// Han (with the iteration mark 々 and ideographic zero 〇), Hiragana, Katakana and the prolonged sound mark ー.
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3007`;
// One CJK character, or a run of letters, digits and marks that are not CJK.
const TOKEN = new RegExp(String.raw`[${CJK}]|(?:(?![${CJK}])[\p{L}\p{N}\p{M}])+`, 'gu');

export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}

/** The tokens Rouge-L compares (see the module comment). */
export function rougeTokens(text: string): string[] {
  return Array.from(text.normalize('NFKC').toLowerCase().matchAll(TOKEN), (match) => match[0]);
}

/** Length of the longest common subsequence, in O(n·m) time and O(min(n, m)) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  let previous = new Uint32Array(short.length + 1);
  let current = new Uint32Array(short.length + 1);
  for (const token of long) {
    for (let j = 1; j <= short.length; j++) {
      current[j] = token === short[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[short.length];
}

/** Rouge-L of a candidate text against a reference text. Empty texts (no tokens) score 0. */
export function rougeL(candidate: string, reference: string): RougeScore {
  return rougeLOfTokens(rougeTokens(candidate), rougeTokens(reference));
}

/** As `rougeL`, on texts already split with `rougeTokens` (to compare one text with many). */
export function rougeLOfTokens(candidate: readonly string[], reference: readonly string[]): RougeScore {
  const lcs = lcsLength(candidate, reference);
  if (lcs === 0) return { precision: 0, recall: 0, f: 0 };
  const precision = lcs / candidate.length;
  const recall = lcs / reference.length;
  return { precision, recall, f: (2 * precision * recall) / (precision + recall) };
}
