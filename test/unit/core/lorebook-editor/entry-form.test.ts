// The entry form's model: every field reads from an entry and writes back; what the person did not
// change (and everything the form does not show) is kept exactly, so saving never alters an export.

import { describe, expect, it } from 'vitest';
import { parseLorebookFile } from '../../../../src/core/import/lorebook-file';
import { checkKey, entryToForm, formToEntry, newEntry, splitKeys, type EntryForm } from '../../../../src/core/lorebook-form';
import { matchLorebook } from '../../../../src/core/lorebook';
import { exportLorebookV3, exportWorldInfo } from '../../../../src/core/world-info';
import type { Lorebook, LorebookEntry } from '../../../../src/core/types';

/** A full SillyTavern World Info entry, as ST 1.12 writes it, with a field no app knows. */
const stEntry = {
  uid: 7, key: ['Mikuru'], keysecondary: ['tea'], comment: 'Mikuru', content: 'Mikuru serves tea.', constant: false,
  vectorized: false, selective: true, selectiveLogic: 3, addMemo: true, order: 120, position: 4, disable: false,
  excludeRecursion: false, preventRecursion: true, delayUntilRecursion: false, probability: 80, useProbability: true,
  depth: 2, group: 'club', groupOverride: false, groupWeight: 100, scanDepth: 3, caseSensitive: null, matchWholeWords: null,
  useGroupScoring: null, automationId: '', role: 1, sticky: 2, cooldown: 0, delay: 0, displayIndex: 7, triggers: [],
  x_future_field: { kept: true },
};

function stBook(): Lorebook {
  return parseLorebookFile({ entries: { 7: stEntry } }, 'club.json')!.book;
}

const changes: { [K in keyof EntryForm]: EntryForm[K] } = {
  title: 'Asahina',
  keys: ['Asahina', 'Mikuru-chan'],
  secondaryKeys: ['time'],
  selectiveLogic: 'not-any',
  useRegex: true,
  caseSensitive: true,
  matchWholeWords: false,
  content: 'A time traveller.',
  enabled: false,
  constant: true,
  probability: 25,
  insertionOrder: 5,
  priority: 9,
  position: 'before_char',
  depth: 7,
  role: 2,
  scanDepth: 6,
  excludeRecursion: true,
  preventRecursion: false,
  delayUntilRecursion: true,
};

describe('entry form model', () => {
  it('opening and saving an entry unchanged gives back the same entry, unknown fields and nulls included', () => {
    const entry = stBook().entries[0];
    expect(formToEntry(entry, entryToForm(entry))).toEqual(entry);
    expect(entry.extensions.x_future_field).toEqual({ kept: true });
  });

  for (const field of Object.keys(changes) as (keyof EntryForm)[]) {
    it(`a change of ${field} reads back from the saved entry, other fields as they were`, () => {
      const entry = stBook().entries[0];
      const form = { ...entryToForm(entry), [field]: changes[field] };
      const saved = formToEntry(entry, form);
      expect(entryToForm(saved)).toEqual(form);
      expect(saved.extensions.x_future_field).toEqual({ kept: true });
      expect(saved.extensions.group).toBe('club');
      expect(saved.extensions.sticky).toBe(2);
    });
  }

  it('shows an @depth entry with its depth and role, and a changed depth and role go out in both exports', () => {
    const entry = stBook().entries[0];
    expect(entryToForm(entry)).toMatchObject({ position: 'at_depth', depth: 2, role: 1 });
    const saved = formToEntry(entry, { ...entryToForm(entry), depth: 6, role: 2 });
    const wi = JSON.parse(JSON.stringify(exportWorldInfo({ extensions: {}, entries: [saved] })));
    expect(wi.entries['7']).toMatchObject({ position: 4, depth: 6, role: 2, x_future_field: { kept: true } });
    for (const file of [wi, JSON.parse(JSON.stringify(exportLorebookV3({ extensions: {}, entries: [saved] })))]) {
      expect(entryToForm(parseLorebookFile(file, 'x.json')!.book.entries[0])).toMatchObject({ position: 'at_depth', depth: 6, role: 2 });
    }
    // Moving it next to the author's note, or back after the character, writes SillyTavern's number.
    expect(formToEntry(entry, { ...entryToForm(entry), position: 'an_bottom' }).extensions.position).toBe(3);
    expect(formToEntry(entry, { ...entryToForm(entry), position: 'after_char' }).extensions).toMatchObject({ position: 1, depth: 2, role: 1 });
  });

  it('an entry at a place Hearth lacks (an outlet) shows it and keeps it on save', () => {
    const entry = { ...stBook().entries[0], extensions: { ...stBook().entries[0].extensions, position: 7 } };
    const form = entryToForm(entry);
    expect(form.position).toBe('other');
    expect(formToEntry(entry, { ...form, title: 'Renamed' }).extensions.position).toBe(7);
  });

  it('every field changed at once round-trips, and the matcher honours the change', () => {
    const entry = stBook().entries[0];
    const saved = formToEntry(entry, { ...entryToForm(entry), ...changes, constant: false, delayUntilRecursion: false, probability: 100, useRegex: false, enabled: true });
    const form = entryToForm(saved);
    expect(form.keys).toEqual(['Asahina', 'Mikuru-chan']);
    const book: Lorebook = { extensions: {}, entries: [saved] };
    const turns = (text: string) => [{ role: 'user' as const, content: text }];
    // not-any on "time": fires without it, not with it; case sensitive: "asahina" does not fire.
    expect(matchLorebook(book, turns('Asahina waves.'), { tokenBudget: 100 }).entries).toHaveLength(1);
    expect(matchLorebook(book, turns('Asahina time'), { tokenBudget: 100 }).entries).toHaveLength(0);
    expect(matchLorebook(book, turns('asahina waves.'), { tokenBudget: 100 }).entries).toHaveLength(0);
    // Whole words off: the key fires inside a longer word.
    expect(matchLorebook(book, turns('Asahinaaa!'), { tokenBudget: 100 }).entries).toHaveLength(1);
  });

  it('a new entry saved from an untouched form is unchanged; its title sets both name and comment', () => {
    const fresh = newEntry([]);
    expect(formToEntry(fresh, entryToForm(fresh))).toEqual(fresh);
    const titled = formToEntry(fresh, { ...entryToForm(fresh), title: 'Yuki' });
    expect([titled.name, titled.comment]).toEqual(['Yuki', 'Yuki']);
  });

  it('an entry with its own name distinct from its comment keeps the name when the title changes', () => {
    const entry: LorebookEntry = { ...newEntry([]), name: 'internal', comment: 'Shown' };
    const saved = formToEntry(entry, { ...entryToForm(entry), title: 'Renamed' });
    expect([saved.name, saved.comment]).toEqual(['internal', 'Renamed']);
  });

  it('new entries get ids and orders after the existing ones', () => {
    const first = newEntry([]);
    const second = newEntry([first, { ...first, id: 'abc', insertionOrder: 300 }]);
    expect(second.id).toBe(1);
    expect(second.insertionOrder).toBe(310);
  });
});

describe('keys as typed', () => {
  it('splits on commas, but not inside a /regex/', () => {
    expect(splitKeys(' Haruhi , Suzumiya,, /a{1,3}b/i, and/or')).toEqual(['Haruhi', 'Suzumiya', '/a{1,3}b/i', 'and/or']);
  });

  it('refuses a catastrophic-backtracking key with the reason, as the matcher would', () => {
    const plain = { useRegex: false, caseSensitive: false, matchWholeWords: true };
    expect(checkKey('/(a+)+b/', plain)).toEqual({ problem: 'unsafe-regex', detail: expect.stringContaining('nested quantifiers') });
    expect(checkKey('(a|aa)+', { ...plain, useRegex: true })?.problem).toBe('unsafe-regex');
    expect(checkKey('/(a)\\1/', plain)?.problem).toBe('unsupported-regex');
    expect(checkKey('/[a/', plain)?.problem).toBe('invalid-regex');
    expect(checkKey('/Haruhi|Kyon/i', plain)).toBeUndefined();
    // Without regex on, the same text is a plain key and fine.
    expect(checkKey('(a+)+', plain)).toBeUndefined();
  });
});
