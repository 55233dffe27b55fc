// One lorebook for a chat: the card's own book plus the standalone books that apply (global or attached), entries kept apart by book.

import type { Lorebook, LorebookEntry, StoredLorebook } from './types';

/**
 * The card's book first, then the standalone books in the order given. Standalone entries get ids
 * prefixed with their book's id (two books may both have an entry 1) and, for the inspector, a
 * name that says which book they came from. Scan depth: the deepest any book asks for. Token
 * budget: the books' budgets added up when every book sets one (the prompt's own lorebook budget
 * caps it anyway). Recursion: on when any book turns it on. Undefined when there is no book.
 */
export function mergeLorebooks(cardBook: Lorebook | undefined, standalone: readonly StoredLorebook[]): Lorebook | undefined {
  const books = standalone.filter((b) => b.enabled && b.book && Array.isArray(b.book.entries));
  if (books.length === 0) return cardBook;
  const all: Lorebook[] = [...(cardBook ? [cardBook] : []), ...books.map((b) => b.book)];
  const depths = all.map((b) => b.scanDepth).filter((d): d is number => typeof d === 'number' && Number.isFinite(d));
  const budgets = all.map((b) => b.tokenBudget);
  const everyBudget = budgets.every((t) => typeof t === 'number' && Number.isFinite(t) && t > 0);
  return {
    name: cardBook?.name,
    extensions: {},
    ...(depths.length ? { scanDepth: Math.max(...depths) } : {}),
    ...(everyBudget ? { tokenBudget: (budgets as number[]).reduce((a, b) => a + b, 0) } : {}),
    recursiveScanning: all.some((b) => b.recursiveScanning === true),
    entries: withoutRepeats([
      ...(cardBook?.entries ?? []),
      ...books.flatMap((stored) => {
        const label = stored.book.name?.trim() || stored.sourceName?.trim() || stored.id;
        return stored.book.entries.map((entry) => ({
          ...entry,
          id: `${stored.id}/${String(entry.id)}`,
          name: `${label} › ${entry.name?.trim() || entry.comment?.trim() || String(entry.id)}`,
        }));
      }),
    ]),
  };
}

/**
 * The first of each set of entries that would put the same text in for the same keys: a card's
 * own book imported again as a World Info file (or two copies of one book) must not spend the
 * lorebook budget twice nor list the entry twice in the inspector. The card's book comes first, so
 * its entry is the one kept.
 */
function withoutRepeats(entries: readonly LorebookEntry[]): LorebookEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const sorted = (keys: readonly string[]) => [...keys].map((k) => k.trim()).sort();
    const identity = JSON.stringify([
      entry.content.trim(), sorted(entry.keys), sorted(entry.secondaryKeys), entry.constant === true,
      entry.selective === true, entry.selectiveLogic ?? '', entry.useRegex === true, entry.caseSensitive === true,
    ]);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}
