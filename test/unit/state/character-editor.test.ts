// The character editor and whole-character actions against a real (fake-indexeddb) database.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BuiltinPack } from '../../../src/core/builtin-characters';
import { estimateTokens } from '../../../src/core/tokens';
import { REMOVED_BUILTINS_KEY } from '../../../src/state/app.svelte';
import { appWithRepos, savedChat, type TestApp } from '../helpers/test-app';
import type { LoadedPack } from '../../../src/state/builtin-packs';
import { deleteCharacter, duplicateCharacter } from '../../../src/state/character-actions';
import { CharacterEditor, GREETINGS_PAGE_SIZE, KEEP_SAMPLING, parseTags } from '../../../src/state/character-editor.svelte';
import { BUILTIN_PRESETS } from '../../../src/core/sampling';
import { CorpusBrowser, CORPUS_PAGE_SIZE } from '../../../src/state/corpus-browser.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeScene } from '../storage/helpers';

const root = new URL('../../../characters/', import.meta.url);
const shippedPacks: LoadedPack[] = readdirSync(root).map((slug) => ({
  pack: JSON.parse(readFileSync(new URL(`${slug}/character.json`, root), 'utf8')) as BuiltinPack,
  avatar: `data:image/svg+xml,${slug}`,
}));

function makeApp(dbName: string, packs: LoadedPack[] = shippedPacks): TestApp {
  return appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(dbName)),
    loadBuiltinPacks: async () => packs,
    engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
  });
}

async function startedApp(name = `editor-${crypto.randomUUID()}`): Promise<TestApp> {
  const app = makeApp(name);
  await app.start();
  return app;
}

describe('CharacterEditor', () => {
  it('stores a preset as the character’s sampling, shows it on the next edit, and “As in Settings” removes it', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    editor.fields.name = 'Wren';
    editor.sampling = 'builtin:creative';
    const saved = (await editor.save())!;
    const creative = BUILTIN_PRESETS.find((p) => p.id === 'builtin:creative')!.values;
    expect((await app.repos.characters.get(saved.id))?.sampling).toEqual(creative);
    expect(new CharacterEditor(app, saved).sampling).toBe('builtin:creative');

    // An override no preset matches (from a backup, or a preset since deleted) is kept as it is.
    const odd = { ...saved, sampling: { temperature: 1.7 } };
    const kept = new CharacterEditor(app, odd);
    expect(kept.sampling).toBe(KEEP_SAMPLING);

    const cleared = new CharacterEditor(app, saved);
    cleared.sampling = '';
    expect(cleared.dirty).toBe(true);
    await cleared.save();
    expect((await app.repos.characters.get(saved.id))?.sampling).toBeUndefined();
  });

  it('refuses to save without a name and stores nothing', async () => {
    const app = await startedApp();
    const before = app.characters.length;
    const editor = new CharacterEditor(app, null);
    editor.fields.description = 'Someone without a name.';
    expect(editor.errors.name).toBe('name-required');
    expect(await editor.save()).toBeNull();
    expect(editor.attempted).toBe(true);
    editor.fields.name = '   ';
    expect(await editor.save()).toBeNull();
    expect((await app.repos.characters.list()).length).toBe(before);
  });

  it('counts tokens per field as the person types', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    expect(editor.tokens.description).toBe(0);
    editor.fields.description = 'A lighthouse keeper who talks to gulls. 她也会说中文。';
    editor.fields.exampleDialogue = '<START>\n{{user}}: Hello?\n{{char}}: Who goes there?';
    editor.addGreeting();
    editor.fields.alternateGreetings[0] = 'The lamp is lit.';
    expect(editor.tokens.description).toBe(estimateTokens(editor.fields.description));
    expect(editor.tokens.description).toBeGreaterThan(5);
    expect(editor.tokens.exampleDialogue).toBe(estimateTokens(editor.fields.exampleDialogue));
    expect(editor.greetingTokens).toEqual([estimateTokens('The lamp is lit.')]);
  });

  it('saves a new character the gallery lists and whose chat opens on the written greeting', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    expect(editor.dirty).toBe(false);
    editor.fields.name = '  Wren  ';
    editor.fields.firstMessage = 'You found the attic, then.';
    editor.fields.shortDescription = 'A ghost in the attic';
    editor.tagsText = 'ghost, 幽灵，#cozy, ghost, ';
    editor.addGreeting();
    editor.addGreeting();
    editor.fields.alternateGreetings[1] = 'Mind the dust.';
    expect(editor.dirty).toBe(true);
    const saved = await editor.save();
    expect(saved).not.toBeNull();
    expect(saved!).toMatchObject({ name: 'Wren', origin: 'user', tags: ['ghost', '幽灵', 'cozy'], alternateGreetings: ['Mind the dust.'] });
    expect(saved!.createdAt).toBe(saved!.updatedAt);
    expect(editor.dirty).toBe(false);
    expect(app.characters.map((c) => c.name)).toContain('Wren');
    expect(await app.repos.characters.get(saved!.id)).toEqual(saved);

    const conversationId = await app.newConversation(saved!.id);
    const session = await app.openChat(conversationId);
    expect(session!.path.map((m) => m.content)).toEqual(['You found the attic, then.']);
  });

  it('an open chat picks up the edit the next time it is opened', async () => {
    const app = await startedApp();
    const character = app.characters[0];
    const conversationId = await app.newConversation(character.id);
    expect((await app.openChat(conversationId))!.character.scenario).toBe(character.scenario);
    const editor = new CharacterEditor(app, character);
    editor.fields.scenario = 'A new scenario';
    await editor.save();
    expect((await app.openChat(conversationId))!.character.scenario).toBe('A new scenario');
  });

  it('a second save of a new character updates it instead of making another', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    editor.fields.name = 'Once';
    const first = await editor.save();
    editor.fields.description = 'Edited after saving.';
    const second = await editor.save();
    expect(second!.id).toBe(first!.id);
    expect(app.characters.filter((c) => c.name === 'Once')).toHaveLength(1);
  });

  it('tracks unsaved changes, and undoing a change by hand clears them', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, app.characters[0]);
    const scenario = editor.fields.scenario;
    editor.fields.scenario = 'Somewhere else';
    expect(editor.dirty).toBe(true);
    editor.fields.scenario = scenario;
    expect(editor.dirty).toBe(false);
  });

  it('adds, removes and reorders alternate greetings', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    editor.fields.alternateGreetings = ['a', 'b', 'c'];
    editor.moveGreeting(2, -1);
    expect(editor.fields.alternateGreetings).toEqual(['a', 'c', 'b']);
    editor.moveGreeting(0, -1); // already first: stays
    editor.moveGreeting(0, 5); // clamped to the end
    expect(editor.fields.alternateGreetings).toEqual(['c', 'b', 'a']);
    editor.removeGreeting(1);
    expect(editor.fields.alternateGreetings).toEqual(['c', 'a']);
  });

  it('shows alternate greetings a page at a time, following adds, moves and removals', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    const size = GREETINGS_PAGE_SIZE;
    editor.fields.alternateGreetings = Array.from({ length: 2 * size + 1 }, (_, i) => `g${i}`);
    expect(editor.greetingPages).toBe(3);
    expect(editor.shownGreetings).toEqual({ start: 0, end: size });
    expect(editor.greetingTokens).toHaveLength(size);
    editor.showGreetingPage(99); // clamped to the last page
    expect(editor.shownGreetings).toEqual({ start: 2 * size, end: 2 * size + 1 });
    editor.removeGreeting(2 * size); // the last page empties: the one before is shown
    expect(editor.shownGreetings).toEqual({ start: size, end: 2 * size });
    editor.moveGreeting(size, -1); // over the page edge: its new page is shown
    expect(editor.shownGreetings.start).toBe(0);
    expect(editor.fields.alternateGreetings[size - 1]).toBe(`g${size}`);
    editor.removeGreeting(0);
    editor.addGreeting(); // fills page 2 and shows it
    expect(editor.shownGreetings).toEqual({ start: size, end: 2 * size });
    editor.addGreeting(); // opens page 3
    expect(editor.shownGreetings).toEqual({ start: 2 * size, end: 2 * size + 1 });
    expect(editor.fields.alternateGreetings[2 * size]).toBe('');
  });

  it('editing a built-in keeps createdAt and its shipped base, bumps updatedAt, and survives a pack update', async () => {
    const name = `editor-${crypto.randomUUID()}`;
    const app = await startedApp(name);
    const original = app.characters.find((c) => c.origin === 'builtin')!;
    const editor = new CharacterEditor(app, original);
    editor.fields.scenario = 'My own scenario';
    const saved = (await editor.save())!;
    expect(saved.id).toBe(original.id);
    expect(saved.createdAt).toBe(original.createdAt);
    expect(saved.updatedAt).toBeGreaterThan(original.updatedAt);
    expect(saved.builtin).toEqual(original.builtin);
    expect(saved.origin).toBe('builtin');

    const updated = shippedPacks.map((loaded) => loaded.pack.id === original.id
      ? { ...loaded, pack: { ...loaded.pack, version: loaded.pack.version + 1, scenario: 'Shipped scenario', shortDescription: 'Shipped tagline' } }
      : loaded);
    const next = makeApp(name, updated);
    await next.start();
    expect(next.character(original.id)).toMatchObject({ scenario: 'My own scenario', shortDescription: 'Shipped tagline' });
  });

  it('parses tags typed with either comma width', () => {
    expect(parseTags(' a ,b，c、 #d,,a ')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('duplicate and delete', () => {
  it('duplicates a character with a new id, a "(copy)" name and its whole corpus, vectors included', async () => {
    const app = await startedApp();
    const source = app.characters.find((c) => c.origin === 'builtin')!;
    const scenes = [makeScene(source.id, { title: 'One' }), makeScene(source.id, { title: 'Two' })];
    await app.repos.scenes.bulkAdd(scenes);

    const copy = await duplicateCharacter(app, source.id);
    expect(copy.id).not.toBe(source.id);
    expect(copy.name).toBe(`${source.name} (copy)`);
    expect(copy.origin).toBe('user');
    expect(copy.builtin).toBeUndefined();
    expect(copy.description).toBe(source.description);
    // Stored with its corpus totals (makeScene: 4 tokens each).
    expect(app.character(copy.id)).toEqual({ ...copy, corpus: { scenes: 2, tokens: 8 } });

    const copied = await app.repos.scenes.listForCharacter(copy.id);
    expect(copied.map((s) => s.title).sort()).toEqual(['One', 'Two']);
    expect(copied.every((s) => !scenes.some((o) => o.id === s.id))).toBe(true);
    expect(new Float32Array(copied[0].vectors[0].data)).toEqual(new Float32Array(scenes[0].vectors[0].data));
    expect(await app.repos.scenes.count(source.id)).toBe(2);
  });

  it('deletes a character with its chats and scenes, and Undo brings all of it back', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    editor.fields.name = 'Short-lived';
    editor.fields.firstMessage = 'Hi.';
    const character = (await editor.save())!;
    await app.repos.scenes.bulkAdd([makeScene(character.id)]);
    const conversationId = await savedChat(app, character.id);

    await deleteCharacter(app, character.id);
    expect(app.character(character.id)).toBeUndefined();
    expect(await app.repos.scenes.count(character.id)).toBe(0);
    expect(await app.repos.conversations.get(conversationId)).toBeUndefined();
    expect(await app.repos.settings.get<string[]>(REMOVED_BUILTINS_KEY, [])).toEqual([]);

    const toast = app.toasts.items.at(-1)!;
    expect(toast.text).toBe('Short-lived deleted.');
    await app.toasts.act(toast);
    expect(app.character(character.id)).toEqual(character);
    expect(await app.repos.scenes.count(character.id)).toBe(1);
    expect((await app.conversationsFor(character.id)).map((c) => c.id)).toEqual([conversationId]);
  });

  it('a deleted built-in stays gone after a restart; Undo forgets that it was removed', async () => {
    const name = `editor-${crypto.randomUUID()}`;
    const app = await startedApp(name);
    const builtin = app.characters.find((c) => c.origin === 'builtin')!;
    await deleteCharacter(app, builtin.id);
    expect(await app.repos.settings.get<string[]>(REMOVED_BUILTINS_KEY, [])).toEqual([builtin.id]);

    const restarted = makeApp(name);
    await restarted.start();
    expect(restarted.character(builtin.id)).toBeUndefined();

    await app.toasts.act(app.toasts.items.at(-1)!);
    expect(await app.repos.settings.get<string[]>(REMOVED_BUILTINS_KEY, [])).toEqual([]);
    const again = makeApp(name);
    await again.start();
    expect(again.character(builtin.id)).toEqual(builtin);
  });
});

describe('whole-character actions under races', () => {
  it('built-ins deleted in quick succession all stay gone after a restart', async () => {
    const name = `editor-${crypto.randomUUID()}`;
    const app = await startedApp(name);
    const builtins = app.characters.filter((c) => c.origin === 'builtin').map((c) => c.id);
    expect(builtins.length).toBeGreaterThan(1);
    // A busy browser can answer a settings read late; fake-indexeddb never does, so make reads slow
    // to let the deletes overlap the way they can in a real tab.
    const settings = app.repos.settings;
    const read = settings.get.bind(settings);
    settings.get = async <T,>(key: string, fallback: T) => {
      const value = await read(key, fallback);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return value;
    };
    await Promise.all(builtins.map((id) => deleteCharacter(app, id)));
    expect((await app.repos.settings.get<string[]>(REMOVED_BUILTINS_KEY, [])).sort()).toEqual([...builtins].sort());

    const restarted = makeApp(name);
    await restarted.start();
    expect(restarted.characters.filter((c) => builtins.includes(c.id))).toEqual([]);
  });

  it('a duplicate gets its own copies of the lorebooks attached to the original, and is queued for embedding', async () => {
    const app = await startedApp();
    const queued: string[][] = [];
    (app as unknown as { embeddings: { onImported: (ids: string[]) => void } }).embeddings = { onImported: (ids) => queued.push([...ids]) };
    const source = app.characters[0];
    const attached = { id: crypto.randomUUID(), characterId: source.id, sourceName: 'world.json', enabled: true, book: { name: 'World', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1 };
    const global = { id: crypto.randomUUID(), enabled: true, book: { name: 'Everywhere', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1 };
    await app.repos.lorebooks.put(attached);
    await app.repos.lorebooks.put(global);

    const copy = await duplicateCharacter(app, source.id);
    const books = await app.repos.lorebooks.list();
    const copied = books.filter((b) => b.characterId === copy.id);
    expect(copied).toHaveLength(1);
    expect(copied[0].id).not.toBe(attached.id);
    expect(copied[0]).toMatchObject({ sourceName: 'world.json', enabled: true, book: attached.book });
    // The original keeps its book, and the global one is not copied.
    expect(books.filter((b) => b.characterId === source.id).map((b) => b.id)).toEqual([attached.id]);
    expect(books).toHaveLength(3);
    expect((await app.repos.lorebooks.activeFor(copy.id)).map((b) => b.book.name).sort()).toEqual(['Everywhere', 'World']);
    expect(queued).toEqual([[copy.id]]);
  });

  it('saving an edit of a character deleted meanwhile says so and does not bring it back', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, null);
    editor.fields.name = 'Ephemeral';
    const character = (await editor.save())!;
    await app.repos.characters.remove(character.id);

    editor.fields.description = 'Edited after it was deleted.';
    expect(await editor.save()).toBeNull();
    expect(app.locale.describe(editor.error)).toBe('“Ephemeral” was deleted while you were editing, so your changes were not saved. Copy anything you want to keep, then create a new character.');
    expect(await app.repos.characters.get(character.id)).toBeUndefined();
    expect(editor.dirty).toBe(true);
  });
});

describe('CorpusBrowser', () => {
  it('counts scenes and tokens, pages through them, and filters by text', async () => {
    const app = await startedApp();
    const id = app.characters[0].id;
    const scenes = Array.from({ length: 45 }, (_, i) => makeScene(id, {
      id: `${id}-${String(i).padStart(3, '0')}`,
      title: `Scene ${i}`,
      text: i % 10 === 0 ? `The lighthouse, night ${i}` : `Tea and gossip ${i}`,
      tokens: 10 + i,
    }));
    await app.repos.scenes.bulkAdd(scenes);
    const corpus = new CorpusBrowser(app.repos.scenes, id);
    await corpus.loadStats();
    expect(corpus.stats).toEqual({ scenes: 45, tokens: scenes.reduce((n, s) => n + s.tokens, 0) });

    await corpus.show(0);
    expect(corpus.scenes).toHaveLength(CORPUS_PAGE_SIZE);
    expect(corpus.pages).toBe(3);
    await corpus.show(2);
    expect(corpus.scenes.map((s) => s.title)).toEqual(['Scene 40', 'Scene 41', 'Scene 42', 'Scene 43', 'Scene 44']);

    await corpus.search('LIGHTHOUSE');
    expect(corpus.page).toBe(0);
    expect(corpus.total).toBe(5);
    expect(corpus.scenes.map((s) => s.title)).toEqual(['Scene 0', 'Scene 10', 'Scene 20', 'Scene 30', 'Scene 40']);
    await corpus.search('nothing like this');
    expect(corpus.total).toBe(0);
  });

  it('searches with the chat’s retrieval: best matches first, Chinese names by their characters', async () => {
    const app = await startedApp();
    const character = app.characters[0];
    const texts = ['茶馆里的闲话', '灯塔守夜人独自守着灯塔', 'A quiet day of tea', '灯塔坏了', '守夜的人睡着了'];
    await app.repos.scenes.bulkAdd(texts.map((text, i) => makeScene(character.id, { id: `${character.id}-${i}`, title: `Scene ${i}`, text, tokens: 5 })));
    const corpus = new CorpusBrowser(app.repos.scenes, character.id, async (query) =>
      (await app.retrieval.search(character, query, undefined, 100)).scenes.map((scene) => scene.id));
    await corpus.search('灯塔守夜');
    // The scene with both "lighthouse" and "night watch" first, then those with one of them; no tea.
    const titles = corpus.scenes.map((s) => s.title);
    expect(titles[0]).toBe('Scene 1');
    expect([...titles].sort()).toEqual(['Scene 1', 'Scene 3', 'Scene 4']);
    expect(corpus.total).toBe(corpus.scenes.length);
    await corpus.search('tea');
    expect(corpus.scenes.map((s) => s.title)).toEqual(['Scene 2']);
  });
});

describe('CharacterEditor: two tabs editing one character', () => {
  it('the later save is refused and says so, instead of silently reverting the earlier one', async () => {
    const name = `editor-${crypto.randomUUID()}`;
    const first = await startedApp(name);
    const second = await startedApp(name); // a second tab on the same database
    const id = first.characters[0].id;
    const here = new CharacterEditor(first, first.character(id)!);
    const there = new CharacterEditor(second, second.character(id)!);

    there.fields.scenario = 'Edited in the other tab.';
    expect(await there.save()).not.toBeNull();
    here.fields.description = 'Edited here, later.';
    expect(await here.save()).toBeNull();
    expect((here.error as { code?: string }).code).toBe('edit-conflict');
    expect(first.locale.describe(here.error)).toMatch(/saved in another tab or window/);

    const stored = await first.repos.characters.get(id);
    expect(stored?.scenario).toBe('Edited in the other tab.');
    expect(stored?.description).not.toBe('Edited here, later.');
    // The edit typed here stays in the form, for the person to copy.
    expect(here.fields.description).toBe('Edited here, later.');
  });

  it('saving twice in the same editor is not a conflict', async () => {
    const app = await startedApp();
    const editor = new CharacterEditor(app, app.characters[0]);
    editor.fields.scenario = 'Once.';
    expect(await editor.save()).not.toBeNull();
    editor.fields.scenario = 'Twice.';
    expect(await editor.save()).not.toBeNull();
    expect((await app.repos.characters.get(editor.original!.id))?.scenario).toBe('Twice.');
  });
});

