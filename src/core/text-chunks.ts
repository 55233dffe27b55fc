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
