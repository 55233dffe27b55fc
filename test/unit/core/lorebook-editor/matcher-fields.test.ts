// Fields the entry editor shows that the matcher did not honour before: probability, the entry's
// own scan depth and delay-until-recursion (SillyTavern's, in the card entry's extensions).

import { describe, expect, it } from 'vitest';
import { parseLorebookFile } from '../../../../src/core/import/lorebook-file';
import { matchLorebook } from '../../../../src/core/lorebook';
import type { ChatTurn, Lorebook, LorebookEntry } from '../../../../src/core/types';

function entry(id: number, keys: string[], content: string, extensions: Record<string, unknown> = {}): LorebookEntry {
  return { id, keys, secondaryKeys: [], content, enabled: true, insertionOrder: id, extensions };
}
const say = (...texts: string[]): ChatTurn[] => texts.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content }));
const fired = (book: Lorebook, turns: ChatTurn[], random?: () => number) =>
  matchLorebook(book, turns, { tokenBudget: 1000, random }).entries.map((m) => m.entry.id);

describe('matcher: SillyTavern entry options', () => {
  it('probability: an entry goes in only when the roll comes under its chance, and says why when not', () => {
    const book: Lorebook = { extensions: {}, entries: [entry(1, ['tea'], 'Mikuru serves tea.', { probability: 30, useProbability: true })] };
    expect(fired(book, say('More tea?'), () => 0.29)).toEqual([1]);
    const lost = matchLorebook(book, say('More tea?'), { tokenBudget: 1000, random: () => 0.3 });
    expect(lost.entries).toEqual([]);
    expect(lost.skipped).toEqual([{ entry: book.entries[0], reason: 'probability', matchedKeys: ['tea'] }]);
    // useProbability off: the chance is ignored, as in SillyTavern.
    book.entries[0].extensions.useProbability = false;
    expect(fired(book, say('More tea?'), () => 0.99)).toEqual([1]);
  });

  it("an entry's own scan depth overrides the book's", () => {
    const book: Lorebook = {
      scanDepth: 1,
      extensions: {},
      entries: [entry(1, ['cat'], 'Shamisen talks.', { scan_depth: 3 }), entry(2, ['cat'], 'A calico.')],
    };
    expect(fired(book, say('A cat!', 'Hm.', 'Anyway.'))).toEqual([1]);
  });

  it('delay until recursion: only another entry’s text can trigger it', () => {
    const book: Lorebook = {
      recursiveScanning: true,
      extensions: {},
      entries: [entry(1, ['Haruhi'], 'Haruhi runs the Brigade.'), entry(2, ['Brigade', 'Haruhi'], 'The SOS Brigade meets daily.', { delay_until_recursion: true })],
    };
    expect(fired(book, say('Haruhi is here.'))).toEqual([1, 2]);
    expect(fired({ ...book, entries: [book.entries[1]] }, say('Haruhi and the Brigade.'))).toEqual([]);
  });

  it('a World Info entry with "match whole words" off fires inside a word (read where the matcher looks)', () => {
    const file = { entries: { 0: { uid: 0, key: ['Kyon'], content: 'Kyon sighs.', order: 1, matchWholeWords: false } } };
    const book = parseLorebookFile(file, 'x.json')!.book;
    expect(fired(book, say('Kyonko appears.'))).toEqual([0]);
  });

  it("a SillyTavern card's case sensitivity (kept in extensions.case_sensitive) is honoured", () => {
    const book: Lorebook = { extensions: {}, entries: [entry(1, ['Haruhi'], 'The chief.', { case_sensitive: true }), entry(2, ['Kyon'], 'Sighs.', { case_sensitive: null })] };
    expect(fired(book, say('haruhi and kyon'))).toEqual([2]);
    expect(fired(book, say('Haruhi and Kyon'))).toEqual([1, 2]);
    // The card's own field, when set, wins.
    book.entries[0].caseSensitive = false;
    expect(fired(book, say('haruhi'))).toEqual([1]);
  });
});
