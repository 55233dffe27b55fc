import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BuiltinPack } from '../../../src/core/builtin-characters';
import { appWithRepos, savedChat } from '../helpers/test-app';
import type { LoadedPack } from '../../../src/state/builtin-packs';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';

const root = new URL('../../../characters/', import.meta.url);
const shippedPacks: LoadedPack[] = readdirSync(root).map((slug) => ({
  pack: JSON.parse(readFileSync(new URL(`${slug}/character.json`, root), 'utf8')) as BuiltinPack,
  avatar: `data:image/svg+xml,${slug}`,
}));

function makeApp(dbName: string, packs: LoadedPack[] = shippedPacks) {
  return appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(dbName)),
    loadBuiltinPacks: async () => packs,
    engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
  });
}

describe('AppState', () => {
  it('installs the built-in characters on first run', async () => {
    const app = makeApp(`app-${crypto.randomUUID()}`);
    await app.start();
    expect(app.status).toBe('ready');
    expect(app.characters.length).toBe(shippedPacks.length);
    expect(app.characters.filter((c) => c.language === 'zh').length).toBeGreaterThanOrEqual(2);
  });

  it('a newer app version updates built-ins without overwriting the person’s edits', async () => {
    const name = `app-${crypto.randomUUID()}`;
    const first = makeApp(name);
    await first.start();
    const target = first.characters[0];
    await first.repos.characters.put({ ...target, scenario: 'My own scenario' });

    const updated = shippedPacks.map((loaded) => loaded.pack.id === target.id
      ? { ...loaded, pack: { ...loaded.pack, version: loaded.pack.version + 1, scenario: 'Shipped new scenario', shortDescription: 'Shipped new tagline' } }
      : loaded);
    const second = makeApp(name, updated);
    await second.start();
    const after = second.character(target.id)!;
    expect(after.scenario).toBe('My own scenario');
    expect(after.shortDescription).toBe('Shipped new tagline');
  });

  it('starts a conversation on the greeting, with alternate greetings as swipes; it is saved on the first message, not before', async () => {
    const app = makeApp(`app-${crypto.randomUUID()}`);
    await app.start();
    await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    const character = app.characters.find((c) => c.alternateGreetings.length > 0)!;
    const id = await app.newConversation(character.id);
    const session = await app.openChat(id);
    expect(session!.path.map((m) => m.content)).toEqual([character.firstMessage]);
    expect(session!.tree.siblings(session!.path[0].id)).toHaveLength(1 + character.alternateGreetings.length);
    await session!.swipe(session!.path[0].id, 1); // choosing a greeting saves nothing yet
    expect(await app.conversationsFor(character.id)).toEqual([]);

    expect(await session!.send('Hello there')).toBe(true);
    const [stored] = await app.conversationsFor(character.id);
    expect(stored!.id).toBe(id);
    const reopened = await app.repos.conversations.messages(id);
    expect(reopened.filter((m) => m.parentId === null)).toHaveLength(1 + character.alternateGreetings.length);
    // The greeting chosen before the first message is the one the chat continues from.
    expect(reopened.find((m) => m.content === 'Hello there')!.parentId).toBe(session!.tree.siblings(session!.path[0].id)[1]!.id);
  });

  it('clicking a character opens its most recent chat, or starts one when it has none', async () => {
    const app = makeApp(`app-${crypto.randomUUID()}`);
    await app.start();
    const character = app.characters[0];
    const started = await app.chatFor(character.id);
    expect((await app.openChat(started))!.path.map((m) => m.content)).toEqual([character.firstMessage]);
    const saved = await savedChat(app, character.id);
    expect(await app.chatFor(character.id)).toBe(saved);
    await new Promise((resolve) => setTimeout(resolve, 2)); // the next chat is active later
    const newer = await savedChat(app, character.id);
    expect(await app.chatFor(character.id)).toBe(newer);
  });

  it('deleting a conversation can be undone', async () => {
    const app = makeApp(`app-${crypto.randomUUID()}`);
    await app.start();
    const character = app.characters[0];
    const id = await savedChat(app, character.id);
    await app.deleteConversation(id);
    expect(await app.conversationsFor(character.id)).toEqual([]);
    await app.toasts.act(app.toasts.items.at(-1)!);
    expect((await app.conversationsFor(character.id)).map((c) => c.id)).toEqual([id]);
  });

  it('reports unavailable storage as a clear startup failure', async () => {
    const app = appWithRepos({
      openRepositories: () => openDatabase('x').then(() => { throw new DOMException('denied', 'SecurityError'); }),
      loadBuiltinPacks: async () => [],
      engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
    });
    await app.start();
    expect(app.status).toBe('failed');
    expect(app.startupError?.code).toBe('storage-unavailable');
    expect(app.locale.describe(app.startupError)).toMatch(/private window/);
  });

  it('offers the model used last on the next visit', async () => {
    const name = `app-${crypto.randomUUID()}`;
    const first = makeApp(name);
    await first.start();
    await first.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    expect(first.lastModel?.id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');

    const second = makeApp(name);
    await second.start();
    expect(second.lastModel).toMatchObject({ id: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', engine: 'webllm' });
    await second.reloadLastModel();
    expect(second.models.status).toBe('ready');
  });
});
