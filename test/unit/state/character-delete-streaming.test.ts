// Deleting a character while its chat is streaming a reply: the reply stops, nothing is written
// for the deleted chat afterwards, and Undo brings the chat back with the reply as it stood.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BuiltinPack } from '../../../src/core/builtin-characters';
import { appWithRepos } from '../helpers/test-app';
import type { LoadedPack } from '../../../src/state/builtin-packs';
import { deleteCharacter } from '../../../src/state/character-actions';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';

const root = new URL('../../../characters/', import.meta.url);
const shippedPacks: LoadedPack[] = readdirSync(root).map((slug) => ({
  pack: JSON.parse(readFileSync(new URL(`${slug}/character.json`, root), 'utf8')) as BuiltinPack,
  avatar: `data:image/svg+xml,${slug}`,
}));

async function streamingChat() {
  const engine = new ScriptedEngine();
  let release!: () => void;
  let arrived = 0;
  engine.replies = [{
    pieces: ['One', ' two', ' three', ' four'],
    // The third piece waits until the test lets it go, so the delete lands mid-reply.
    gate: () => (arrived++ === 2 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
  }];
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(`delete-streaming-${crypto.randomUUID()}`)),
    loadBuiltinPacks: async () => shippedPacks,
    engines: { createEngine: async () => engine, probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
  });
  await app.start();
  await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
  const character = app.characters[0];
  const conversationId = await app.newConversation(character.id);
  const session = (await app.openChat(conversationId))!;
  const failures: unknown[] = [];
  const sending = session.send('Tell me a story').catch((error: unknown) => failures.push(error));
  for (let i = 0; i < 200 && arrived < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(session.streaming).not.toBeNull();
  return { app, engine, character, conversationId, session, sending, failures, release: () => release() };
}

describe('deleting while a reply streams', () => {
  it('a character: the reply stops; Undo restores the chat with a finished (not forever "writing") reply', async () => {
    const { app, engine, character, conversationId, session, sending, failures, release } = await streamingChat();
    const deleting = deleteCharacter(app, character.id);
    release(); // the engine's next token, when it sees the stop
    await deleting;
    await sending;

    expect(session.busy).toBe(false);
    expect(engine.calls).toHaveLength(1);
    expect(app.session).toBeNull();
    // Nothing was written for the deleted chat, and the send did not end in an error.
    expect(await app.repos.conversations.get(conversationId)).toBeUndefined();
    expect(failures).toEqual([]);

    await app.toasts.act(app.toasts.items.at(-1)!);
    const reply = (await app.repos.conversations.messages(conversationId)).find((m) => m.role === 'assistant' && m.parentId !== null);
    expect(reply?.status).toBe('stopped');
    expect(reply?.content).toContain('One two');
    const reopened = (await app.openChat(conversationId))!;
    expect(reopened.path.map((m) => m.role)).toEqual(['assistant', 'user', 'assistant']);
  });

  it('a conversation: the reply stops; Undo restores it with a finished reply', async () => {
    const { app, conversationId, session, sending, failures, release } = await streamingChat();
    const deleting = app.deleteConversation(conversationId);
    release();
    await deleting;
    await sending;

    expect(session.busy).toBe(false);
    expect(app.session).toBeNull();
    expect(await app.repos.conversations.get(conversationId)).toBeUndefined();
    expect(failures).toEqual([]);

    await app.toasts.act(app.toasts.items.at(-1)!);
    const reply = (await app.repos.conversations.messages(conversationId)).find((m) => m.role === 'assistant' && m.parentId !== null);
    expect(reply?.status).toBe('stopped');
  });

  it('a restore replacing everything: the reply stops and writes nothing into the restored data', async () => {
    const { app, conversationId, session, sending, failures, release } = await streamingChat();
    const backup = (await app.backup.create())!;
    const restoring = app.backup.restore(new File([backup.blob], backup.fileName), 'replace');
    release();
    const result = await restoring;
    await sending;

    expect(result?.mode).toBe('replace');
    expect(session.busy).toBe(false);
    expect(failures).toEqual([]);
    // The backup was taken mid-reply: the restored reply is the backup's, marked interrupted on reload,
    // not overwritten afterwards by the stopped stream.
    const reply = (await app.repos.conversations.messages(conversationId)).find((m) => m.role === 'assistant' && m.parentId !== null);
    expect(reply?.status).toBe('interrupted');
  });
});
