// The state owners follow storage by themselves: a write made elsewhere (another tab, here a
// second connection to the same database) shows in the app without anyone reloading by hand.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../../../src/core/types';
import { ModelLoader } from '../../../src/state/model-loader.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { appWithRepos, savedChat } from '../helpers/test-app';
import { makeCharacter, makePersona } from '../storage/helpers';

const noGpu = async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

async function twoTabs() {
  const name = `live-${crypto.randomUUID()}`;
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(name)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => new ScriptedEngine(), probeGpu: noGpu },
  });
  await app.start();
  // Another tab: its own connection to the same database.
  const other = createRepositories(await openDatabase(name));
  return { app, other };
}

describe('live state', () => {
  it('a character written elsewhere appears in the list, and its delete removes it', async () => {
    const { app, other } = await twoTabs();
    expect(app.characters).toEqual([]);
    await other.characters.put(makeCharacter({ id: 'wren', name: 'Wren' }));
    await until(() => app.characters.length === 1, 'the new character');
    expect(app.character('wren')?.name).toBe('Wren');
    await other.characters.remove('wren');
    await until(() => app.characters.length === 0, 'the delete');
  });

  it('a character’s chat list follows new, renamed and deleted chats', async () => {
    const { app, other } = await twoTabs();
    await app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren' }));
    const chats = app.conversations.watchFor('wren');
    await until(() => chats.items !== null, 'the first read');
    expect(chats.items).toEqual([]);
    const id = await savedChat(app, 'wren');
    await until(() => chats.items?.length === 1, 'the new chat');
    await other.conversations.rename(id, 'Renamed elsewhere', chats.items![0].title);
    await until(() => chats.items?.[0]?.title === 'Renamed elsewhere', 'the rename');
    await app.conversations.remove(id);
    await until(() => chats.items?.length === 0, 'the delete');
    chats.dispose();
  });

  it('persona and sampling saved elsewhere show here', async () => {
    const { app, other } = await twoTabs();
    expect(app.persona).toBeNull();
    await other.personas.put(makePersona({ id: 'me', name: 'Lin', isDefault: true }));
    await other.settings.set('sampling', { ...DEFAULT_SAMPLING, temperature: 0.3 });
    await until(() => app.persona?.name === 'Lin' && app.sampling.temperature === 0.3, 'the persona and sampling');
    expect(app.personaForPrompt.name).toBe('Lin');
  });
});

describe('ModelLoader.ready', () => {
  it('is null until a model is ready, then names the engine, model and context window', async () => {
    const engine = new ScriptedEngine();
    const models = new ModelLoader({ createEngine: async () => engine, probeGpu: noGpu });
    expect(models.ready).toBeNull();
    const loaded = await models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    const ready = models.ready!;
    expect(ready.engine).toBe(engine);
    expect(ready.modelId).toBe(loaded!.id);
    expect(ready.contextWindow).toBe(loaded!.contextWindow);
    expect(ready.estimator).toBe(models.estimator);
    await models.unload();
    expect(models.ready).toBeNull();
  });
});
