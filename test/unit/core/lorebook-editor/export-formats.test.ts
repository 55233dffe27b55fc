// A lorebook exported as SillyTavern World Info or as lorebook_v3 and read back is the same book;
// a World Info file read and written again is the same file (SillyTavern's field names, unknown
// fields kept).

import { describe, expect, it } from 'vitest';
import { parseLorebookFile } from '../../../../src/core/import/lorebook-file';
import { entryToForm, formToEntry, newEntry } from '../../../../src/core/lorebook-form';
import { matchLorebook } from '../../../../src/core/lorebook';
import type { Lorebook } from '../../../../src/core/types';
import { exportLorebookV3, exportWorldInfo } from '../../../../src/core/world-info';

const stFile = {
  entries: {
    0: {
      uid: 0, key: ['Haruhi'], keysecondary: [], comment: 'Chief', content: 'Haruhi leads the SOS Brigade.', constant: true,
      vectorized: false, selective: true, selectiveLogic: 0, addMemo: true, order: 100, position: 0, disable: false,
      excludeRecursion: false, preventRecursion: false, delayUntilRecursion: false, probability: 100, useProbability: true,
      depth: 4, group: '', groupOverride: false, groupWeight: 100, scanDepth: null, caseSensitive: null, matchWholeWords: null,
      useGroupScoring: null, automationId: '', role: null, sticky: 0, cooldown: 0, delay: 0, displayIndex: 0,
    },
    5: {
      uid: 5, key: ['/yuki|nagato/i'], keysecondary: ['book'], comment: 'Yuki', content: 'Yuki reads.', constant: false,
      selective: true, selectiveLogic: 2, order: 50, position: 4, disable: true, caseSensitive: true, matchWholeWords: false,
      excludeRecursion: true, preventRecursion: true, delayUntilRecursion: true, probability: 40, useProbability: true,
      depth: 1, scanDepth: 2, x_unknown: [1, 2],
    },
  },
};

function editorBook(): Lorebook {
  const first = newEntry([]);
  const a = formToEntry(first, { ...entryToForm(first), title: 'Kyon', keys: ['Kyon'], content: 'Kyon narrates.', selectiveLogic: 'and-all', secondaryKeys: ['sigh'] });
  const second = newEntry([a]);
  const b = formToEntry(second, { ...entryToForm(second), title: 'Itsuki', keys: ['Koizumi'], content: 'An esper.', probability: 50, scanDepth: 3, position: 'before_char' });
  return { name: 'SOS', scanDepth: 5, tokenBudget: 300, recursiveScanning: true, extensions: {}, entries: [a, b] };
}

describe('lorebook exports', () => {
  it('a World Info file read and exported again is the same file', () => {
    const book = parseLorebookFile(structuredClone(stFile), 'sos.json')!.book;
    const again = exportWorldInfo(book);
    expect(again.entries).toEqual(stFile.entries);
  });

  it('a World Info import keeps SillyTavern fields where the matcher reads them (whole words off, scan depth)', () => {
    const book = parseLorebookFile(structuredClone(stFile), 'sos.json')!.book;
    const yuki = book.entries[1];
    expect(yuki.extensions.match_whole_words).toBe(false);
    expect(yuki.extensions.scan_depth).toBe(2);
    const form = entryToForm(yuki);
    expect([form.matchWholeWords, form.scanDepth, form.excludeRecursion, form.preventRecursion, form.delayUntilRecursion, form.probability]).toEqual([false, 2, true, true, true, 40]);
  });

  it('a book made in the editor goes out as World Info and comes back unchanged', () => {
    const book = editorBook();
    const file = JSON.parse(JSON.stringify(exportWorldInfo(book)));
    expect(Object.keys(file.entries)).toEqual(['0', '1']);
    expect(file.entries[1]).toMatchObject({ key: ['Koizumi'], comment: 'Itsuki', probability: 50, useProbability: true, scanDepth: 3, position: 0, disable: false });
    const back = parseLorebookFile(file, 'x.json')!;
    expect(back.format).toBe('world-info');
    expect(back.book).toEqual(book);
  });

  it('a book goes out as lorebook_v3 and comes back unchanged, imported World Info included', () => {
    for (const book of [editorBook(), parseLorebookFile(structuredClone(stFile), 'sos.json')!.book]) {
      const file = JSON.parse(JSON.stringify(exportLorebookV3(book)));
      expect(file.spec).toBe('lorebook_v3');
      expect(file.data.entries[0]).toHaveProperty('insertion_order');
      const back = parseLorebookFile(file, 'x.json')!;
      expect(back.format).toBe('lorebook_v3');
      expect(back.book).toEqual(book);
    }
  });

  it('the re-imported book fires the same entries', () => {
    const book = editorBook();
    const back = parseLorebookFile(JSON.parse(JSON.stringify(exportWorldInfo(book))), 'x.json')!.book;
    const turns = [{ role: 'user' as const, content: 'Kyon let out a sigh.' }];
    const ids = (b: Lorebook) => matchLorebook(b, turns, { tokenBudget: 500, random: () => 0 }).entries.map((e) => e.entry.id);
    expect(ids(back)).toEqual(ids(book));
    expect(ids(book)).toEqual([0]);
  });
});
