// Fitting text to a token budget: a counter's answer made safe to add up, and cutting text to fit.

/** A counter's answer made safe to add up: whole, finite, never negative. */
export function safeCount(count: (text: string) => number, text: string): number {
  const n = count(text);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}

/**
 * Shortens text to at most `maxTokens` by `count`, keeping its start or its end and marking the
 * cut with "…". Binary search over the length; never splits a surrogate pair.
 */
export function truncateTokens(text: string, maxTokens: number, count: (text: string) => number, keep: 'keep-start' | 'keep-end'): string {
  if (safeCount(count, text) <= maxTokens) return text;
  if (maxTokens <= 0) return '';
  const piece = (length: number) => {
    if (keep === 'keep-start') {
      let end = length;
      if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      return text.slice(0, end).trimEnd() + '…';
    }
    let start = text.length - length;
    if (start < text.length && isLowSurrogate(text.charCodeAt(start))) start++;
    return '…' + text.slice(start).trimStart();
  };
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (safeCount(count, piece(mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const best = piece(lo);
  return safeCount(count, best) <= maxTokens ? best : '';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
