// A person's chats beyond one conversation: branching, chat files in and out, search across chats
// and each character's latest chat, through the app's state on fake-indexeddb.

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { nestBranches } from '../../../src/core/chat-branch';
import { MessageTree } from '../../../src/core/message-tree';
import { ChatSearch, MAX_SEARCH_HITS, SEARCH_PAGE } from '../../../src/state/chat-search.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { appWithRepos, savedChat, type TestApp } from '../helpers/test-app';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeCharacter, makeConversation, makeMessage } from '../storage/helpers';

const noGpu = async () => ({ webgpu: false as const, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' });

async function startedApp(): Promise<TestApp> {
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(`chat-tools-${crypto.randomUUID()}`)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => new ScriptedEngine(), probeGpu: noGpu },
  });
  app.locale.lang = 'en';
  await app.start();
  await app.characterShelf.create(makeCharacter({ id: 'hester', name: 'Hester Coyle', firstMessage: 'The lamp is lit.', alternateGreetings: [] }));
  await app.characterShelf.create(makeCharacter({ id: 'ledger', name: 'Ledger', firstMessage: 'Logging.', alternateGreetings: [] }));
  return app;
}

/** A saved chat with `texts` after the greeting, alternating person and character. Returns its id and messages. */
async function chatWith(app: TestApp, characterId: string, texts: string[]) {
  const id = await savedChat(app, characterId);
  let parent = (await app.repos.conversations.messages(id))[0];
  for (const [i, content] of texts.entries()) {
    const message = makeMessage(id, { parentId: parent.id, role: i % 2 === 0 ? 'user' : 'assistant', content, createdAt: parent.createdAt + 1 });
    await app.repos.conversations.addMessage(message);
    parent = message;
  }
  return { id, messages: await app.repos.conversations.messages(id) };
}

const fixture = (name: string) => readFileSync(new URL(`../core/chat-files/${name}`, import.meta.url), 'utf8');
const fileOf = (name: string, text: string) => ({ name, size: text.length, text: async () => text });

describe('branches', () => {
  it('a branch has the history up to the message, is listed under its origin, and outlives it', async () => {
    const app = await startedApp();
    const { id, messages } = await chatWith(app, 'hester', ['Is the lamp lit?', 'It is.', 'Then I will stay.']);
    const origin = (await app.repos.conversations.get(id))!;
    const branchId = await app.conversations.branch(origin, messages, messages[2].id);

    const copied = await app.repos.conversations.messages(branchId);
    const branch = (await app.repos.conversations.get(branchId))!;
    expect(new MessageTree(copied).path(branch.leafId).map((m) => m.content)).toEqual(['The lamp is lit.', 'Is the lamp lit?', 'It is.']);
    expect(branch).toMatchObject({ characterId: 'hester', originConversationId: id, originMessageId: messages[2].id, title: `${origin.title} (branch)` });
    expect(await app.repos.conversations.messages(id)).toEqual(messages); // the origin is untouched

    const listed = nestBranches(await app.conversationsFor('hester'));
    expect(listed.map((node) => [node.conversation.id, node.branches.map((b) => b.conversation.id)])).toEqual([[id, [branchId]]]);

    await app.conversations.remove(id);
    expect(nestBranches(await app.conversationsFor('hester')).map((node) => node.conversation.id)).toEqual([branchId]);
    expect(await app.repos.conversations.messages(branchId)).toHaveLength(3);
  });
});

describe('chat files', () => {
  it('imports a SillyTavern chat into the character of that name, reporting skipped lines', async () => {
    const app = await startedApp();
    const [result] = await app.chatFiles.importFiles([fileOf('ember-inn.jsonl', fixture('ember-inn.jsonl'))]);
    expect(result).toMatchObject({ status: 'imported', characterName: 'Hester Coyle', count: 8, skipped: [{ line: 7, problem: 'not-json' }, { line: 8, problem: 'not-a-message' }] });
    if (result.status !== 'imported') return;
    const [chat] = await app.conversationsFor('hester');
    expect(chat).toMatchObject({ id: result.conversationId, title: 'ember-inn', messageCount: 8 });
  });

  it('exports a chat as SillyTavern JSONL that imports back to the same messages', async () => {
    const app = await startedApp();
    const { id } = await chatWith(app, 'hester', ['Is the lamp lit?', 'It is, *always*.']);
    const file = await app.chatFiles.exportChat(id, 'jsonl');
    expect(file.name).toMatch(/\.jsonl$/);
    const text = new TextDecoder().decode(file.bytes);
    const [result] = await app.chatFiles.importFiles([fileOf(file.name, text)]);
    if (result.status !== 'imported') throw new Error(result.status);
    const contents = async (conversationId: string) => {
      const conversation = (await app.repos.conversations.get(conversationId))!;
      return new MessageTree(await app.repos.conversations.messages(conversationId)).path(conversation.leafId).map((m) => [m.role, m.content, m.createdAt]);
    };
    expect(await contents(result.conversationId)).toEqual(await contents(id));
  });

  it('asks which character when no name matches or several do, and imports into the one picked', async () => {
    const app = await startedApp();
    await app.characterShelf.create(makeCharacter({ id: 'hester2', name: 'hester coyle' }));
    const stranger = fixture('ember-inn.jsonl').replace('"character_name":"Hester Coyle"', '"character_name":"Nobody Here"');
    const results = await app.chatFiles.importFiles([fileOf('a.jsonl', fixture('ember-inn.jsonl')), fileOf('b.jsonl', stranger)]);
    expect(results.map((r) => r.status === 'choose' && [r.reason, r.candidates.map((c) => c.id).sort()])).toEqual([
      ['several', ['hester', 'hester2']],
      ['none', ['hester', 'hester2', 'ledger']],
    ]);
    expect(await app.repos.conversations.listAll()).toEqual([]); // nothing saved before the choice
    await app.chatFiles.choose(1, 'ledger');
    expect(app.chatFiles.results[1]).toMatchObject({ status: 'imported', characterName: 'Ledger' });
    expect((await app.conversationsFor('ledger'))[0].messageCount).toBe(8);
  });

  it('a group chat whose members are not all here is refused naming them; a file with no message as empty; nothing is stored', async () => {
    const app = await startedApp();
    await app.characterShelf.remove('ledger');
    const results = await app.chatFiles.importFiles([fileOf('group.jsonl', fixture('group-night-watch.jsonl')), fileOf('junk.jsonl', 'hello\nworld\n')]);
    expect(results).toEqual([{ status: 'group', file: 'group.jsonl', missing: ['Ledger'] }, { status: 'empty', file: 'junk.jsonl' }]);
    expect(await app.repos.conversations.listAll()).toEqual([]);
    expect(app.characters.filter((c) => c.group)).toEqual([]);
  });

  it('a SillyTavern group chat whose members are here imports into a group of them, each reply under its speaker, and exports back', async () => {
    const app = await startedApp();
    const [result] = await app.chatFiles.importFiles([fileOf('group.jsonl', fixture('group-night-watch.jsonl'))]);
    expect(result).toMatchObject({ status: 'imported', characterName: 'Hester Coyle, Ledger', count: 3 });
    const group = app.characters.find((c) => c.group)!;
    expect(group.group).toMatchObject({ members: ['hester', 'ledger'], mode: 'natural' });
    const id = result.status === 'imported' ? result.conversationId : '';
    expect((await app.repos.conversations.get(id))?.characterId).toBe(group.id);
    const replies = (await app.repos.conversations.messages(id)).filter((m) => m.role === 'assistant');
    expect(replies.map((m) => [m.speakerId, m.speakerName, m.content])).toEqual([
      ['hester', 'Hester Coyle', 'I am. As ever.'],
      ['ledger', 'Ledger', 'Logging both of you. Visibility: poor.'],
    ]);
    // Out as a SillyTavern group chat (no character in the header, each line its speaker) and in again: the same group.
    const jsonl = new TextDecoder().decode((await app.chatFiles.exportChat(id, 'jsonl')).bytes);
    expect(jsonl.split('\n')[0]).not.toContain('character_name');
    const markdown = new TextDecoder().decode((await app.chatFiles.exportChat(id, 'markdown')).bytes);
    expect(markdown).toContain('**Ledger:**\n\nLogging both of you.');
    const [again] = await app.chatFiles.importFiles([fileOf('again.jsonl', jsonl)]);
    expect(again).toMatchObject({ status: 'imported', characterName: group.name });
    expect(app.characters.filter((c) => c.group)).toHaveLength(1);
  });

  it('Markdown export holds the visible chat under its speakers', async () => {
    const app = await startedApp();
    await app.savePersona('Wren', '');
    const { id } = await chatWith(app, 'hester', ['Is the lamp lit?']);
    const markdown = new TextDecoder().decode((await app.chatFiles.exportChat(id, 'markdown')).bytes);
    expect(markdown).toContain('**Hester Coyle:**\n\nThe lamp is lit.');
    expect(markdown).toContain('**Wren:**\n\nIs the lamp lit?');
  });
});

describe('group chats', () => {
  it("opening a group chat indexes each member's scenes ahead of the first message", async () => {
    const app = await startedApp();
    await app.characterShelf.create(makeCharacter({ id: 'watch', name: 'Night watch', firstMessage: '', group: { members: ['hester', 'ledger'], mode: 'list' } }));
    const warm = vi.spyOn(app.retrieval, 'warm');
    await app.openChat(app.conversations.draft('watch'));
    expect(warm.mock.calls.map(([id]) => id)).toEqual(['hester', 'ledger']);
  });
});

describe('search in chats', () => {
  it('finds text across every chat, or one character’s, ignoring case and accents, with the message to jump to', async () => {
    const app = await startedApp();
    const hester = await chatWith(app, 'hester', ['The ferry from Élancourt was cancelled.', '灯塔的光一直在。']);
    await chatWith(app, 'ledger', ['ELANCOURT logged.']);
    const search = app.chatSearch();
    await search.run('elancourt');
    expect(search.status).toBe('done');
    expect(search.hits.map((h) => [h.characterName, h.snippet.match]).sort()).toEqual([['Hester Coyle', 'Élancourt'], ['Ledger', 'ELANCOURT']]);
    await search.run('elancourt', 'hester');
    expect(search.hits).toMatchObject([{ conversationId: hester.id, messageId: hester.messages[1].id }]);
    await search.run('光一直');
    expect(search.hits.map((h) => h.snippet.match)).toEqual(['光一直']);
  });

  it('reads a large chat page by page, can be stopped between pages, and stops at the most matches shown', async () => {
    const app = await startedApp();
    const many = Array.from({ length: SEARCH_PAGE * 3 }, (_, i) => makeMessage('big', { id: `m${i}`, content: i % 50 === 0 ? `needle ${i}` : `hay ${i}`, createdAt: 10 + i }));
    await app.repos.conversations.create(makeConversation('hester', { id: 'big' }), many);
    let pauses = 0;
    const stopping: ChatSearch = new ChatSearch({
      repo: () => app.repos.conversations,
      character: (cid) => app.character(cid),
      pause: async () => {
        pauses++;
        stopping.stop();
      },
    });
    await stopping.run('needle');
    expect(pauses).toBe(1);
    expect(stopping.status).toBe('stopped');
    expect(stopping.read).toBe(SEARCH_PAGE);

    const full = new ChatSearch({ repo: () => app.repos.conversations, character: (cid) => app.character(cid), pause: async () => {} });
    await full.run('needle');
    expect(full.hits).toHaveLength((SEARCH_PAGE * 3) / 50);
    expect(full.read).toBe(SEARCH_PAGE * 3);
    await full.run('hay');
    expect(full.hits).toHaveLength(MAX_SEARCH_HITS);
    expect(full.capped).toBe(true);
  });
});

describe('latest chats', () => {
  it('follows each character’s most recently active chat', async () => {
    const app = await startedApp();
    const latest = app.conversations.watchLatest();
    const older = await chatWith(app, 'hester', ['one']);
    const newer = await chatWith(app, 'hester', ['two']);
    for (let i = 0; i < 100 && latest.value.get('hester')?.id !== newer.id; i++) await new Promise((r) => setTimeout(r, 5));
    expect(latest.value.get('hester')?.id).toBe(newer.id);
    expect(latest.value.has('ledger')).toBe(false);
    expect(older.id).not.toBe(newer.id);
    latest.dispose();
  });
});
