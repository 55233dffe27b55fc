// The lorebook editor on real storage (fake IndexedDB): changes are written at once, Undo puts a
// deleted entry back, a character's book is stored in its card, a change made from a stale view
// is refused (another tab wrote first), and the test panel gives what the prompt builder fires.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { exportCardV3 } from '../../../src/core/cards/card';
import { AppError } from '../../../src/core/errors';
import { parseLorebookFile } from '../../../src/core/import/lorebook-file';
import { entryToForm } from '../../../src/core/lorebook-form';
import { buildRolePrompt } from '../../../src/core/role-prompt';
import type { ChatTurn, StoredLorebook } from '../../../src/core/types';
import { LorebookEditor, type LorebookSource } from '../../../src/state/lorebook-editor.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { testCharacter } from '../helpers/prompt-inputs';
import { readBackup } from '../../../src/core/backup';
import { BACKUP_META, makeChain, makeCharacter, makeConversation } from '../storage/helpers';

async function setup(): Promise<{ repos: Repositories; other: Repositories }> {
  const name = `lore-${crypto.randomUUID()}`;
  return { repos: createRepositories(await openDatabase(name)), other: createRepositories(await openDatabase(name)) };
}

function stored(over: Partial<StoredLorebook> = {}): StoredLorebook {
  return { id: 'book', enabled: true, book: { name: 'SOS', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1, ...over };
}

async function editorOn(repos: Repositories, source: LorebookSource): Promise<LorebookEditor> {
  const editor = new LorebookEditor({ lorebooks: () => repos.lorebooks, characters: () => repos.characters, conversations: () => repos.conversations }, source);
  await editor.load();
  return editor;
}

async function addEntry(editor: LorebookEditor, over: Partial<ReturnType<typeof entryToForm>>): Promise<number> {
  const at = await editor.add();
  await editor.saveEntry(at, { ...entryToForm(editor.book!.entries[at]), ...over });
  return at;
}

describe('lorebook editor', () => {
  it('adds, edits, duplicates, deletes with undo and reorders entries, each change stored at once', async () => {
    const { repos } = await setup();
    await repos.lorebooks.put(stored());
    const editor = await editorOn(repos, { kind: 'standalone', id: 'book' });
    await addEntry(editor, { title: 'Haruhi', keys: ['Haruhi'], content: 'The chief.' });
    await addEntry(editor, { title: 'Kyon', keys: ['Kyon'], content: 'The narrator.' });
    const titles = async () => (await repos.lorebooks.get('book'))!.book.entries.map((e) => e.comment);
    expect(await titles()).toEqual(['Haruhi', 'Kyon']);

    await editor.duplicate(0);
    const entries = (await repos.lorebooks.get('book'))!.book.entries;
    expect(entries.map((e) => e.comment)).toEqual(['Haruhi', 'Haruhi', 'Kyon']);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3);

    const removed = await editor.remove(1);
    expect(await titles()).toEqual(['Haruhi', 'Kyon']);
    await editor.restore(removed!);
    expect(await titles()).toEqual(['Haruhi', 'Haruhi', 'Kyon']);

    // Kyon (order 120) moves before the copy (order 100... ties broken by book order).
    const orderOf = async () => {
      const book = (await repos.lorebooks.get('book'))!.book;
      return [...book.entries].sort((a, b) => a.insertionOrder - b.insertionOrder).map((e) => `${e.comment}:${String(e.id)}`);
    };
    const before = await orderOf();
    expect(await editor.move(2, -1)).toEqual({ moved: 2, other: 1 });
    const after = await orderOf();
    expect(after).toEqual([before[0], before[2], before[1]]);
    // Two entries that share an order trade places in the book instead (ties go by book order).
    await editor.saveEntry(0, { ...entryToForm(editor.book!.entries[0]), insertionOrder: 500 });
    await editor.saveEntry(1, { ...entryToForm(editor.book!.entries[1]), insertionOrder: 500 });
    expect(await editor.move(1, -1)).toEqual({ moved: 0, other: 1 });
    expect(editor.book!.entries.slice(0, 2).map((e) => e.id)).toEqual([removed!.entry.id, 0]);

    await editor.setEnabled(0, false);
    expect((await repos.lorebooks.get('book'))!.book.entries[0].enabled).toBe(false);
  });

  it("a character's own book is stored in its card and goes out with the card export", async () => {
    const { repos } = await setup();
    await repos.characters.put(makeCharacter({ id: 'c1', name: 'Haruhi' }));
    const editor = await editorOn(repos, { kind: 'character', id: 'c1' });
    expect(editor.book!.entries).toEqual([]);
    await addEntry(editor, { title: 'Brigade', keys: ['SOS'], content: 'The SOS Brigade.' });
    const character = (await repos.characters.get('c1'))!;
    expect(character.lorebook!.entries.map((e) => e.content)).toEqual(['The SOS Brigade.']);
    const card = exportCardV3(character) as { data: { character_book: { entries: { keys: string[] }[] } } };
    expect(card.data.character_book.entries[0].keys).toEqual(['SOS']);
  });

  it('a change made after another tab changed the book is refused and the newer book shown', async () => {
    const { repos, other } = await setup();
    await repos.lorebooks.put(stored());
    const editor = await editorOn(repos, { kind: 'standalone', id: 'book' });
    const theirs = (await other.lorebooks.get('book'))!;
    await other.lorebooks.put({ ...theirs, book: { ...theirs.book, name: 'Theirs' }, updatedAt: 5 });
    const refusal = await editor.add().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('lorebook-conflict');
    const now = (await repos.lorebooks.get('book'))!;
    expect(now.book).toEqual({ ...theirs.book, name: 'Theirs' });
    expect(editor.title).toBe('Theirs');
    // Now up to date, the next change goes through.
    await editor.add();
    expect((await repos.lorebooks.get('book'))!.book.entries).toHaveLength(1);
  });

  it('the test panel fires what the prompt builder fires: same entries, order, keys and tokens', async () => {
    const { repos } = await setup();
    await repos.lorebooks.put(stored());
    const editor = await editorOn(repos, { kind: 'standalone', id: 'book' });
    await addEntry(editor, { title: 'Always', constant: true, content: 'The club room is cold.', insertionOrder: 1 });
    await addEntry(editor, { title: 'Haruhi', keys: ['Haruhi'], content: 'Haruhi is the chief.', insertionOrder: 30 });
    await addEntry(editor, { title: 'Kyon', keys: ['/ky[o0]n/i'], content: 'Kyon sighs a lot.', insertionOrder: 10 });
    await addEntry(editor, { title: 'Tea', keys: ['tea'], secondaryKeys: ['Mikuru'], selectiveLogic: 'and-all', content: 'Mikuru makes tea.', insertionOrder: 5 });
    await addEntry(editor, { title: 'Unseen', keys: ['Nagato'], content: 'Reads.', insertionOrder: 2 });
    const turns: ChatTurn[] = [
      { role: 'assistant', content: 'Haruhi burst in.' },
      { role: 'user', content: 'KY0N wants tea, not Mikuru’s… wait, Mikuru!' },
    ];
    const panel = editor.test(turns, { random: () => 0 });
    const prompt = buildRolePrompt({ character: testCharacter({ name: 'Yuki' }), persona: { name: 'P', description: '' }, history: turns, contextWindow: 4096, replyTokens: 256, lorebook: editor.book! });
    const fromPrompt = prompt.inspector.lorebook.chosen.map((c) => [String(c.id), c.matchedKeys, c.tokens]);
    const fromPanel = panel.entries.map((m) => [String(m.entry.id), m.matchedKeys, m.tokens]);
    expect(fromPanel.map((e) => e[0]).length).toBe(4);
    expect(new Set(fromPrompt.map((e) => JSON.stringify(e)))).toEqual(new Set(fromPanel.map((e) => JSON.stringify(e))));
    // In prompt order within each placement: always-on in the system prompt, the keyed ones after.
    expect(fromPanel.map((e) => e[1])).toEqual([[], ['tea', 'Mikuru'], ['/ky[o0]n/i'], ['Haruhi']]);
  });

  it('exports the stored book as a file that imports back unchanged', async () => {
    const { repos } = await setup();
    await repos.lorebooks.put(stored());
    const editor = await editorOn(repos, { kind: 'standalone', id: 'book' });
    await addEntry(editor, { title: 'Haruhi', keys: ['Haruhi'], content: 'The chief.', probability: 70 });
    for (const format of ['world-info', 'lorebook_v3'] as const) {
      const file = editor.exportFile(format);
      expect(file.name).toBe(format === 'world-info' ? 'SOS.world-info.json' : 'SOS.lorebook.json');
      const back = parseLorebookFile(JSON.parse(new TextDecoder().decode(file.bytes)), file.name)!;
      expect(back.book).toEqual(editor.book);
    }
  });

  it('a backup keeps every field the editor wrote, and what it did not show (nulls included)', async () => {
    const { repos } = await setup();
    const imported = parseLorebookFile({ entries: { 3: { uid: 3, key: ['Mikuru'], content: 'Tea.', scanDepth: null, caseSensitive: null, group: 'club', x_new: { a: 1 } } } }, 'club.json')!.book;
    await repos.lorebooks.put(stored({ book: imported }));
    await repos.characters.put(makeCharacter({ id: 'c1', name: 'Haruhi' }));
    const standalone = await editorOn(repos, { kind: 'standalone', id: 'book' });
    await standalone.saveEntry(0, { ...entryToForm(standalone.book!.entries[0]), probability: 35, delayUntilRecursion: true, selectiveLogic: 'not-all', secondaryKeys: ['time'], priority: 4 });
    const own = await editorOn(repos, { kind: 'character', id: 'c1' });
    await addEntry(own, { title: 'Brigade', keys: ['SOS'], content: 'The SOS Brigade.', scanDepth: 2, matchWholeWords: false });

    const backup = readBackup((await repos.backup.create(BACKUP_META)).bytes);
    const { repos: target } = await setup();
    await target.backup.restore(backup, 'replace');
    expect((await target.lorebooks.get('book'))!.book).toEqual(standalone.book);
    expect((await target.lorebooks.get('book'))!.book.entries[0].extensions).toMatchObject({ scan_depth: null, case_sensitive: null, group: 'club', x_new: { a: 1 }, probability: 35 });
    expect((await target.characters.get('c1'))!.lorebook).toEqual(own.book);
  });

  it("the test panel takes the newest chat's shown branch, last messages, for a character's book", async () => {
    const { repos } = await setup();
    await repos.characters.put(makeCharacter({ id: 'c1', name: 'Haruhi' }));
    const old = makeChain('old', 2).map((m) => ({ ...m, content: `old ${m.content}` }));
    await repos.conversations.create(makeConversation('c1', { id: 'old', updatedAt: 10, leafId: old.at(-1)!.id, messageCount: 2 }), old);
    const chain = makeChain('new', 12);
    // A swipe of the last reply that is not the one shown.
    const swipe = { ...chain.at(-1)!, id: 'swipe', content: 'NOT SHOWN' };
    await repos.conversations.create(makeConversation('c1', { id: 'new', updatedAt: 20, leafId: chain.at(-1)!.id, messageCount: 13 }), [...chain, swipe]);
    const editor = await editorOn(repos, { kind: 'character', id: 'c1' });
    const turns = await editor.recentTurns();
    expect(turns.map((t) => t.content)).toEqual(chain.slice(-10).map((m) => m.content));
  });

  it("follows the stored book: another tab's change or deletion shows without a reload", async () => {
    const { repos, other } = await setup();
    await repos.lorebooks.put(stored());
    const editor = await editorOn(repos, { kind: 'standalone', id: 'book' });
    editor.watch();
    try {
      await editor.add();
      const theirs = (await other.lorebooks.get('book'))!;
      await other.lorebooks.put({ ...theirs, book: { ...theirs.book, name: 'Theirs' }, updatedAt: theirs.updatedAt + 5 });
      await until(() => editor.title === 'Theirs', 'the other tab’s name');
      expect(editor.book!.entries).toHaveLength(1);
      // Up to date again: the next change is not refused.
      await editor.add();
      expect((await repos.lorebooks.get('book'))!.book).toMatchObject({ name: 'Theirs', entries: [{}, {}] });
      await other.lorebooks.remove('book');
      await until(() => editor.book === null, 'the deletion');
    } finally {
      editor.dispose();
    }
  });
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
