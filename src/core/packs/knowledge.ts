// Knowledge dumps in story packs (wiki pages, long "profile" prompts): told apart from dialogue and
// cut into passages a prompt can hold. A 20,000-token page indexed as one scene never fits the
// scene room, yet wins keyword search for most queries (a long text holds most words).

import { estimateTokens } from '../tokens';

/** Texts not in dialogue form and longer than this are knowledge and get cut into passages. */
export const KNOWLEDGE_MIN_TOKENS = 600;
/** A passage's size: small enough that two or three fit a small window's knowledge room. */
export const PASSAGE_TOKENS = 300;

/** Sentence ends in Chinese, Japanese and Latin text; the break falls after the mark and any closing quote. */
const SENTENCE_END = /(?<=[。！？!?；;…]+[」』”"）)]*|[.](?=\s))\s*/u;

/**
 * Text cut into passages of at most `maxTokens` (estimated), at line breaks where it can, else at
 * sentence ends, else at characters; nothing is lost or reordered, only the breaks between passages.
 */
export function splitPassages(text: string, maxTokens = PASSAGE_TOKENS): string[] {
  // Pieces of lines, each marked with whether it starts a line (a passage joins those with '\n').
  const units: { text: string; startsLine: boolean }[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const pieces = estimateTokens(trimmed) <= maxTokens ? [trimmed] : trimmed.split(SENTENCE_END).filter(Boolean).flatMap((s) => cutByCharacters(s, maxTokens));
    pieces.forEach((piece, i) => units.push({ text: piece, startsLine: i === 0 }));
  }
  const passages: string[] = [];
  let current = '';
  for (const unit of units) {
    const joined = current ? `${current}${unit.startsLine ? '\n' : ''}${unit.text}` : unit.text;
    if (current && estimateTokens(joined) > maxTokens) {
      passages.push(current);
      current = unit.text;
    } else current = joined;
  }
  if (current) passages.push(current);
  return passages;
}

/** A sentence with no break in it (a run-on page) in pieces that fit, by code point. */
function cutByCharacters(sentence: string, maxTokens: number): string[] {
  if (estimateTokens(sentence) <= maxTokens) return [sentence];
  const chars = Array.from(sentence);
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    // Grow by halving steps: the largest piece from `start` that fits (at least one character).
    let end = start + 1;
    for (let step = chars.length - start; step >= 1; step >>= 1) {
      if (end + step <= chars.length && estimateTokens(chars.slice(start, end + step).join('')) <= maxTokens) end += step;
    }
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  return pieces;
}
