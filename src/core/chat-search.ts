// Finding text in chat messages: case- and diacritic-insensitive substring matching (so CJK text,
// which has no spaces between words, matches inside a sentence too), and the snippet shown around
// a match, cut from the original text with the match marked.

/** Characters of context shown on each side of a match. */
export const SNIPPET_CONTEXT = 60;

/**
 * Folds text for comparison and remembers where each folded character came from: NFKD splits
 * "é" into "e" plus a combining mark, which is dropped; lower case; full-width letters become
 * ASCII. `from[i]` is the index in the original text of folded character i.
 */
export function foldForSearch(original: string, upTo: number = Infinity): { folded: string; from: Int32Array } {
  let folded = '';
  const from: number[] = [];
  // `upTo`: folded characters needed; the map past a match is never read.
  for (let i = 0; i < original.length && folded.length <= upTo; ) {
    const codePoint = original.codePointAt(i) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    const char = original.slice(i, i + width);
    // ASCII and CJK ideographs are most chat text, and folding leaves them as they are (bar case):
    // skip the normalisation calls for them.
    const piece = codePoint < 0x80 ? char.toLowerCase() : isPlainIdeograph(codePoint) ? char : foldWhole(char);
    for (let k = 0; k < piece.length; k++) from.push(i);
    folded += piece;
    i += width;
  }
  return { folded, from: Int32Array.from(from) };
}

/**
 * The same folding over a whole text at once, without the position map: the fast test that rules
 * out most messages. (Final sigma is folded to σ, as a lone Σ lower-cases to σ.)
 */
function foldWhole(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ς/g, 'σ');
}

const ASCII = /^[\x00-\x7f]*$/;

/** CJK Unified Ideographs (and Extension A): no decomposition, no case. */
function isPlainIdeograph(codePoint: number): boolean {
  return (codePoint >= 0x4e00 && codePoint <= 0x9fff) || (codePoint >= 0x3400 && codePoint <= 0x4dbf);
}

/** The query as it is compared: folded, spaces collapsed; '' means nothing to search for. */
export function foldQuery(query: string): string {
  return foldForSearch(query.trim().replace(/\s+/g, ' ')).folded;
}

export interface Snippet {
  before: string;
  match: string;
  after: string;
  /** Text was left out before `before` / after `after`. */
  cutBefore: boolean;
  cutAfter: boolean;
}

/** The first match of a folded query in `text` with its context, or null when there is none. */
export function findInText(text: string, foldedQuery: string, context: number = SNIPPET_CONTEXT): Snippet | null {
  if (foldedQuery === '') return null;
  // Folding a whole text at once gives the same string as folding it a character at a time (what
  // foldForSearch does to keep positions), so the match is found here and mapped only up to its end.
  const at = foldWhole(text).indexOf(foldedQuery);
  if (at < 0) return null;
  const { from } = foldForSearch(text, at + foldedQuery.length);
  const start = from[at];
  const endFolded = at + foldedQuery.length;
  // The match ends where the next original character begins (a folded "e" of "é" covers both units).
  const end = endFolded < from.length ? from[endFolded] : text.length;
  const beforeStart = Math.max(0, start - context);
  const afterEnd = Math.min(text.length, end + context);
  return {
    before: text.slice(safeStart(text, beforeStart), start),
    match: text.slice(start, end),
    after: text.slice(end, safeEnd(text, afterEnd)),
    cutBefore: beforeStart > 0,
    cutAfter: afterEnd < text.length,
  };
}

/** Never start a slice on the second half of a surrogate pair. */
function safeStart(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + 1 : index;
}

function safeEnd(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  return code >= 0xd800 && code <= 0xdbff ? index - 1 : index;
}
