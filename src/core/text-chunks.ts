// Where to cut long untrusted text so a view renders it a chunk at a time ("Show more").
//
// A card field can be megabytes; parsing and rendering all of it at once froze the page. The cut
// prefers a paragraph break, then a line break, then whitespace, within the last quarter of the
// chunk, so markup in the shown part rarely ends mid-sentence; with none, it cuts at the limit
// (never inside a surrogate pair).

/** Characters shown first and added by each "Show more". */
export const TEXT_CHUNK = 20_000;

/** End index of what to show when `shown` characters are already visible and one more chunk is wanted. */
export function nextCut(text: string, shown: number, chunk = TEXT_CHUNK): number {
  const size = Math.max(1, Math.floor(chunk));
  const limit = Math.max(0, shown) + size;
  if (limit >= text.length) return text.length;
  const floor = limit - Math.floor(size / 4);
  for (const sep of ['\n\n', '\n']) {
    const at = text.lastIndexOf(sep, limit - sep.length);
    if (at >= floor) return at + sep.length;
  }
  for (let i = limit; i > floor; i--) {
    const c = text.charCodeAt(i - 1);
    if (c === 32 || c === 9) return i;
  }
  const c = text.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

/** The visible prefix for `shown` (0 means "first chunk") and whether more remains. */
export function visiblePart(text: string, shown: number, chunk = TEXT_CHUNK): { text: string; end: number; more: boolean } {
  const end = shown > 0 ? Math.min(text.length, shown) : nextCut(text, 0, chunk);
  return { text: end >= text.length ? text : text.slice(0, end), end, more: end < text.length };
}

/** Lines shown first and added by each "Show more" in a list of lines (a corpus scene). */
export const LINE_CHUNK = 200;

/**
 * The part of a list of lines to show after `chunks` presses of "Show more" (0: the first view):
 * at most `chunks + 1` times `lineChunk` lines and `textChunk` characters. A line that alone runs
 * past the character budget is cut (its `text` is the visible prefix), so one 50 MB line or
 * 500,000 short ones both render a bounded amount.
 */
export function visibleLines<T extends { text: string }>(
  lines: readonly T[],
  chunks: number,
  lineChunk = LINE_CHUNK,
  textChunk = TEXT_CHUNK,
): { lines: Array<{ line: T; text: string }>; more: boolean } {
  const maxLines = (Math.max(0, chunks) + 1) * Math.max(1, lineChunk);
  const maxChars = (Math.max(0, chunks) + 1) * Math.max(1, textChunk);
  const shown: Array<{ line: T; text: string }> = [];
  let used = 0;
  for (const line of lines) {
    if (shown.length >= maxLines || used >= maxChars) return { lines: shown, more: true };
    const room = maxChars - used;
    if (line.text.length > room) {
      // Cut where a reader would (nextCut prefers a break), never inside a surrogate pair.
      const end = Math.max(1, nextCut(line.text, 0, room));
      shown.push({ line, text: line.text.slice(0, end) });
      return { lines: shown, more: true };
    }
    shown.push({ line, text: line.text });
    used += line.text.length;
  }
  return { lines: shown, more: false };
}
