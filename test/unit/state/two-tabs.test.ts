// Two tabs on one database (here two connections to the same fake IndexedDB): a save made from
// what a tab showed earlier never silently undoes a save the other tab made since. It is refused
// with a sentence and changes nothing, or, for settings, only the fields it changed are written.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { DEFAULT_SAMPLING, type StoredLorebook } from '../../../src/core/types';
import { LorebookShelf } from '../../../src/state/lorebook-shelf.svelte';
import { SettingsForm } from '../../../src/state/settings-form.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { appWithRepos, savedChat } from '../helpers/test-app';
import { makeCharacter, makeMessage, makePersona } from '../storage/helpers';

const noGpu = async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** This tab (a whole app) and another tab (its own connection to the same database). */
async function twoTabs(engine = new ScriptedEngine()) {
  const name = `tabs-${crypto.randomUUID()}`;
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(name)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => engine, probeGpu: noGpu },
  });
  await app.start();
  const other = createRepositories(await openDatabase(name));
  return { app, other };
}

/** The error a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function lorebook(over: Partial<StoredLorebook> = {}): StoredLorebook {
  return { id: 'book', sourceName: 'Harbour.json', enabled: true, book: { name: 'Harbour lore', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1, ...over };
}

async function chatWithWren(engine?: ScriptedEngine) {
  const tabs = await twoTabs(engine);
  await tabs.app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren', firstMessage: 'Hello, traveller.', alternateGreetings: [] }));
  const id = await savedChat(tabs.app, 'wren');
  const session = (await tabs.app.openChat(id))!;
  return { ...tabs, id, session };
}

describe('two tabs: chats', () => {
  it('a rename started before another tab renamed the chat is refused with both titles, and changes nothing', async () => {
    const { app, other } = await twoTabs();
    await app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren' }));
    const id = await savedChat(app, 'wren');
    const shown = (await app.conversations.get(id))!.title;
    expect(await other.conversations.rename(id, 'Harbour night', shown)).toBe('saved');

    const error = await refusal(app.conversations.rename(id, 'My title', shown));
    expect(error.code).toBe('chat-title-conflict');
    expect(app.locale.describe(error)).toContain('renamed to “Harbour night” in another tab');
    expect(app.locale.describe(error)).toContain('“My title” was not saved');
    expect((await app.conversations.get(id))?.title).toBe('Harbour night');
    // Saving again from the newer title is the person's choice, and it goes through.
    await app.conversations.rename(id, 'My title', 'Harbour night');
    expect((await app.conversations.get(id))?.title).toBe('My title');
  });

  it('renaming a chat another tab deleted says so', async () => {
    const { app, other } = await twoTabs();
    await app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren' }));
    const id = await savedChat(app, 'wren');
    const shown = (await app.conversations.get(id))!.title;
    await other.conversations.remove(id);
    expect((await refusal(app.conversations.rename(id, 'Mine', shown))).code).toBe('chat-gone');
    expect(await app.conversations.get(id)).toBeUndefined();
  });

  it('the open chat shows a message another tab added, and its edit of a message', async () => {
    const { other, id, session } = await chatWithWren();
    const greeting = session.path[0];
    await other.conversations.addMessage(makeMessage(id, { id: 'elsewhere', parentId: greeting.id, role: 'user', content: 'Sent from the other tab', createdAt: Date.now() + 1 }));
    await until(() => session.path.at(-1)?.content === 'Sent from the other tab', 'the other tab’s message');
    expect(session.path.map((m) => m.id)).toEqual([greeting.id, 'elsewhere']);

    await other.conversations.editMessage(greeting.id, 'Hello, edited elsewhere.', greeting.content, Date.now());
    await until(() => session.path[0].content === 'Hello, edited elsewhere.', 'the other tab’s edit');
  });

  it('while a reply is written here, another tab’s message waits; it shows once the reply is saved', async () => {
    const engine = new ScriptedEngine();
    let release: (() => void) | undefined;
    // The reply waits before its first piece until the test releases it.
    engine.replies = [{ pieces: ['Calm', ' seas'], gate: () => (release ? Promise.resolve() : new Promise<void>((resolve) => (release = resolve))) }];
    const { app, other, id, session } = await chatWithWren(engine);
    await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    const sending = session.send('Weather?');
    await until(() => release !== undefined, 'the reply to start');
    const greeting = session.path[0];
    await other.conversations.addMessage(makeMessage(id, { id: 'elsewhere', parentId: greeting.id, role: 'user', content: 'A branch from the other tab', createdAt: Date.now() + 1 }), { setLeaf: false });
    // Another watcher in this tab has seen it; the reply being written keeps the chat's view.
    let seen = false;
    const watcher = app.repos.conversations.watchConversation(id).subscribe(({ messages }) => (seen ||= messages.some((m) => m.id === 'elsewhere')));
    await until(() => seen, 'this tab’s storage to see the message');
    watcher.unsubscribe();
    expect(session.messages.some((m) => m.id === 'elsewhere')).toBe(false);
    expect(session.streaming).not.toBeNull();
    release!();
    await sending;
    await until(() => session.messages.some((m) => m.id === 'elsewhere'), 'the other tab’s message after the reply');
    expect(session.path.map((m) => m.content)).toEqual(['Hello, traveller.', 'Weather?', 'Calm seas']);
  });

  it('editing a message another tab edited since the edit began is refused, and keeps the other tab’s text', async () => {
    const { app, other, session } = await chatWithWren();
    const greeting = session.path[0];
    const editorStartedFrom = greeting.content;
    await other.conversations.editMessage(greeting.id, 'The other tab’s words.', editorStartedFrom, Date.now());

    const error = await refusal(session.edit(greeting.id, 'My words.', editorStartedFrom));
    expect(error.code).toBe('message-conflict');
    expect(app.locale.describe(error)).toContain('changed in another tab or window while you were editing it here');
    const stored = await other.conversations.getMessage(greeting.id);
    expect(stored?.content).toBe('The other tab’s words.');
    expect(stored?.revisions).toEqual(['Hello, traveller.']);
  });

  it('an edit from the current text is saved, with the earlier text kept as a revision', async () => {
    const { other, session } = await chatWithWren();
    const greeting = session.path[0];
    await session.edit(greeting.id, 'Hello again.', greeting.content);
    expect(session.path[0].content).toBe('Hello again.');
    expect((await other.conversations.getMessage(greeting.id))?.revisions).toEqual(['Hello, traveller.']);
  });
});

describe('two tabs: persona and sampling', () => {
  it('saving a persona another tab saved since the form showed it is refused; the form keeps the person’s text', async () => {
    const { app, other } = await twoTabs();
    await app.savePersona('Lin', 'A visitor');
    const form = new SettingsForm(app.profile);
    form.name = 'Lin the lamplighter';

    const stored = (await other.personas.getDefault())!;
    await other.personas.replace({ ...stored, description: 'Saved in the other tab', updatedAt: stored.updatedAt + 5 }, stored.updatedAt);
    await until(() => app.persona?.description === 'Saved in the other tab', 'the other tab’s persona');
    form.follow(app.profile.persona, app.profile.sampling);
    expect(form.name).toBe('Lin the lamplighter');

    const error = await refusal(form.save());
    expect(error.code).toBe('persona-conflict');
    expect(app.locale.describe(error)).toContain('Your persona was changed or deleted in another tab or window');
    expect(await other.personas.getDefault()).toMatchObject({ name: 'Lin', description: 'Saved in the other tab' });
    expect(form.name).toBe('Lin the lamplighter');
  });

  it('a new persona is refused when another tab created one meanwhile', async () => {
    const { app, other } = await twoTabs();
    await other.personas.put(makePersona({ id: 'theirs', name: 'Mo', isDefault: true }));
    expect((await refusal(app.profile.savePersona('Lin', '', null))).code).toBe('persona-conflict');
    expect((await other.personas.list()).map((p) => p.name)).toEqual(['Mo']);
  });

  it('a persona form nobody touched follows the other tab’s save', async () => {
    const { app, other } = await twoTabs();
    const form = new SettingsForm(app.profile);
    await other.personas.put(makePersona({ id: 'theirs', name: 'Mo', description: 'From there', isDefault: true }));
    await until(() => app.persona?.name === 'Mo', 'the other tab’s persona');
    form.follow(app.profile.persona, app.profile.sampling);
    expect([form.name, form.description]).toEqual(['Mo', 'From there']);
  });

  it('saving sampling writes only the changed fields, so another tab’s change to another field stays', async () => {
    const { app, other } = await twoTabs();
    const form = new SettingsForm(app.profile);
    await other.settings.set('sampling', { ...DEFAULT_SAMPLING, maxTokens: 1024, topP: 0.5 });
    form.temperature = 0.3;
    await form.save();
    expect(await other.settings.get('sampling', DEFAULT_SAMPLING)).toEqual({ ...DEFAULT_SAMPLING, temperature: 0.3, maxTokens: 1024, topP: 0.5 });
    expect(app.sampling).toMatchObject({ temperature: 0.3, maxTokens: 1024, topP: 0.5 });
  });

  it('a sampling field being edited keeps the person’s value; untouched ones follow; for the same field the later save wins', async () => {
    const { app, other } = await twoTabs();
    const form = new SettingsForm(app.profile);
    form.maxTokens = 512;
    await other.settings.set('sampling', { ...DEFAULT_SAMPLING, temperature: 0.2, maxTokens: 1024 });
    await until(() => app.sampling.temperature === 0.2, 'the other tab’s sampling');
    form.follow(app.profile.persona, app.profile.sampling);
    expect([form.temperature, form.maxTokens]).toEqual([0.2, 512]);
    await form.save();
    expect(await other.settings.get('sampling', DEFAULT_SAMPLING)).toMatchObject({ temperature: 0.2, maxTokens: 512 });
  });
});

describe('two tabs: lorebooks', () => {
  it('the lorebook list follows another tab’s imports, changes and deletes', async () => {
    const { app, other } = await twoTabs();
    const shelf = app.imports.lorebooks;
    await other.lorebooks.put(lorebook());
    await until(() => shelf.books.length === 1, 'the new book');
    await other.lorebooks.put(lorebook({ enabled: false, updatedAt: 2 }));
    await until(() => shelf.books[0]?.enabled === false, 'the change');
    await other.lorebooks.remove('book');
    await until(() => shelf.books.length === 0, 'the delete');
  });

  it('a change made from a list older than another tab’s change is refused, and the list catches up', async () => {
    const { app, other } = await twoTabs();
    await other.lorebooks.put(lorebook());
    // A list read before the other tab's change (not yet caught up).
    const shelf = new LorebookShelf(() => app.repos.lorebooks);
    await shelf.refresh();
    await other.lorebooks.put(lorebook({ characterId: 'wren', updatedAt: 2 }));

    const error = await refusal(shelf.setEnabled('book', false));
    expect(error.code).toBe('lorebook-conflict');
    expect(app.locale.describe(error)).toContain('“Harbour lore” was changed or deleted in another tab or window');
    expect(await other.lorebooks.get('book')).toMatchObject({ enabled: true, characterId: 'wren' });
    expect(shelf.books[0]).toMatchObject({ enabled: true, characterId: 'wren' });
    // From the list as it is now, the change goes through and keeps the other tab's attachment.
    await shelf.setEnabled('book', false);
    expect(await other.lorebooks.get('book')).toMatchObject({ enabled: false, characterId: 'wren' });
  });

  it('a change to a book another tab deleted is refused and does not bring it back', async () => {
    const { app, other } = await twoTabs();
    await other.lorebooks.put(lorebook());
    const shelf = new LorebookShelf(() => app.repos.lorebooks);
    await shelf.refresh();
    await other.lorebooks.remove('book');
    expect((await refusal(shelf.attach('book', 'wren'))).code).toBe('lorebook-conflict');
    expect(await other.lorebooks.get('book')).toBeUndefined();
  });
});
