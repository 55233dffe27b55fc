import { describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../../src/storage/db';
import type { Repositories } from '../../../src/storage';
import { freshRepositoriesEachTest, makeChain, makeCharacter, makeConversation, makeScene } from './helpers';

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

/** Character c with 2 scenes and 2 conversations of 3 messages; character d with 1 of each. */
async function seed() {
  await repos.characters.bulkPut([makeCharacter({ id: 'c', name: 'Cat' }), makeCharacter({ id: 'd', name: 'Dog' })]);
  await repos.scenes.bulkAdd([makeScene('c', { id: 'sc1' }), makeScene('c', { id: 'sc2' }), makeScene('d', { id: 'sd1' })]);
  await repos.conversations.create(makeConversation('c', { id: 'kc1', updatedAt: 1 }), makeChain('kc1', 3));
  await repos.conversations.create(makeConversation('c', { id: 'kc2', updatedAt: 2 }), makeChain('kc2', 3));
  await repos.conversations.create(makeConversation('d', { id: 'kd1' }), makeChain('kd1', 2));
}

/** Every row in every table, for comparing whole-database states. */
async function dump() {
  return {
    characters: await db.characters.orderBy('id').toArray(),
    scenes: await db.scenes.orderBy('id').toArray(),
    conversations: await db.conversations.orderBy('id').toArray(),
    messages: await db.messages.orderBy('id').toArray(),
  };
}

describe('CharacterRepository', () => {
  it('put, get and list by name (case-insensitive, numeric)', async () => {
    await repos.characters.put(makeCharacter({ id: '1', name: 'zed' }));
    await repos.characters.bulkPut([
      makeCharacter({ id: '2', name: 'Agent 10' }),
      makeCharacter({ id: '3', name: 'agent 9' }),
      makeCharacter({ id: '4', name: 'Émile' }),
    ]);
    expect((await repos.characters.list()).map((c) => c.name)).toEqual(['agent 9', 'Agent 10', 'Émile', 'zed']);
    expect((await repos.characters.get('4'))?.name).toBe('Émile');
    expect(await repos.characters.get('none')).toBeUndefined();
  });

  it('put replaces and keeps extensions and builtin data verbatim', async () => {
    const base = makeCharacter({ id: 'x' });
    const { id: _id, origin: _o, extensions: _e, createdAt: _c, updatedAt: _u, builtin: _b, ...fields } = base;
    const edited = makeCharacter({
      id: 'x',
      name: 'Alice v2',
      origin: 'builtin',
      builtin: { version: 3, base: fields },
      extensions: { depth_prompt: { depth: 4, prompt: 'hi' }, 'unknown/key': [1, null, 'x'] },
      updatedAt: 2000,
    });
    await repos.characters.put(base);
    await repos.characters.put(edited);
    expect(await repos.characters.get('x')).toEqual(edited);
    expect(await repos.characters.list()).toHaveLength(1);
  });

  it('remove cascades to scenes, conversations and messages of that character only', async () => {
    await seed();
    await repos.characters.remove('c');
    expect(await repos.characters.get('c')).toBeUndefined();
    expect(await repos.scenes.count('c')).toBe(0);
    expect(await repos.conversations.listForCharacter('c')).toEqual([]);
    expect(await db.messages.where('conversationId').anyOf(['kc1', 'kc2']).count()).toBe(0);
    // The other character is untouched.
    expect(await repos.characters.get('d')).toBeDefined();
    expect(await repos.scenes.count('d')).toBe(1);
    expect(await repos.conversations.messages('kd1')).toHaveLength(2);
    await repos.characters.remove('c'); // removing twice is harmless
  });

  it('removeWithUndo then restore gives back exactly what was there', async () => {
    await seed();
    const before = await dump();
    const snapshot = await repos.characters.removeWithUndo('c');
    expect(snapshot).toBeDefined();
    expect(snapshot!.character.id).toBe('c');
    expect(snapshot!.scenes.map((s) => s.id).sort()).toEqual(['sc1', 'sc2']);
    expect(snapshot!.conversations.map((c) => c.id).sort()).toEqual(['kc1', 'kc2']);
    expect(snapshot!.messages).toHaveLength(6);
    expect(await repos.characters.get('c')).toBeUndefined();
    expect(await db.messages.count()).toBe(2);

    await repos.characters.restore(snapshot!);
    expect(await dump()).toEqual(before);
    const vector = (await repos.scenes.listForCharacter('c'))[0].vectors[0];
    expect(new Float32Array(vector.data)).toEqual(new Float32Array([0.5, -1, 2]));
  });

  it('a deleted character takes its chats\' memories with it, and Undo brings them back', async () => {
    await seed();
    const memory = (id: string, conversationId: string) => ({ id, conversationId, kind: 'pin' as const, text: 'Likes tea.', createdAt: 1, updatedAt: 1 });
    await repos.memories.put(memory('m1', 'kc1'));
    await repos.memories.put(memory('m2', 'kd1'));
    const snapshot = await repos.characters.removeWithUndo('c');
    // No memory is left pointing at a chat that is gone (a backup with one would not restore).
    expect((await db.memories.toArray()).map((m) => m.id)).toEqual(['m2']);
    await repos.characters.restore(snapshot!);
    expect((await repos.memories.list('kc1')).map((m) => m.id)).toEqual(['m1']);
    await repos.characters.remove('c');
    expect(await db.memories.count()).toBe(1);
  });

  it('removeWithUndo returns undefined for an unknown character', async () => {
    await seed();
    expect(await repos.characters.removeWithUndo('nobody')).toBeUndefined();
    expect(await db.characters.count()).toBe(2);
  });
});
