// The chat tools as a person meets them: branches in the chat list, Discover's categories and
// Continue, a search result that leads to its message, and a chat import that asks for the character.

import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { MessageTree } from '../../../src/core/message-tree';
import CharacterPage from '../../../src/ui/characters/CharacterPage.svelte';
import Gallery from '../../../src/ui/characters/Gallery.svelte';
import MessageList from '../../../src/ui/chat/MessageList.svelte';
import ChatImportResults from '../../../src/ui/chat-files/ChatImportResults.svelte';
import ChatSearchPage from '../../../src/ui/search/ChatSearchPage.svelte';
import { makeCharacter, makeMessage } from '../storage/helpers';
import { chatFixture, renderInApp, until } from './render-in-app';

describe('branches in the chat list', () => {
  it('a branch is listed under the chat it came from', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    const origin = session.conversation!;
    await app.conversations.branch(origin, session.messages, session.path[0].id);
    renderInApp(app, CharacterPage, { id: 'wren' });
    const branches = await screen.findByRole('list', { name: `Branches of ${origin.title}` });
    expect(within(branches).getByRole('link', { name: new RegExp(`${origin.title.replace(/[()]/g, '.')} .branch.`) })).toBeTruthy();
    // The origin's own row is outside the nested list.
    const originRow = screen.getAllByRole('link', { name: new RegExp(origin.title.replace(/[()]/g, '.')) })[0];
    expect(branches.contains(originRow)).toBe(false);
  });
});

describe('Branch from here', () => {
  it('opens a new chat holding the history up to that message', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['An answer'] }];
    await session.send('A question');
    await until(() => session.path.at(-1)?.content === 'An answer', 'the reply');
    renderInApp(app, MessageList, { session });
    const question = screen.getAllByRole('article')[1];
    await fireEvent.click(within(question).getByRole('button', { name: 'Branch from here' }));
    await until(() => app.router.route.name === 'chat' && app.router.route.id !== session.conversation!.id, 'the branch opened');
    const route = app.router.route as { name: 'chat'; id: string };
    const branch = (await app.repos.conversations.get(route.id))!;
    const copied = new MessageTree(await app.repos.conversations.messages(route.id)).path(branch.leafId);
    expect(copied.map((m) => m.content)).toEqual(['Hello, traveller.', 'A question']);
    expect(branch.originConversationId).toBe(session.conversation!.id);
  });
});

describe('Discover', () => {
  it('groups the gallery by category and offers Continue for a character with a chat; a search shows one list', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    await app.characterShelf.create(makeCharacter({ id: 'ash', name: 'Ash', tags: ['Fantasy'] }));
    await app.characterShelf.create(makeCharacter({ id: 'bo', name: 'Bo', tags: ['detective'] }));
    renderInApp(app, Gallery, {});
    const fantasy = await screen.findByRole('region', { name: 'Fantasy' });
    expect(within(fantasy).getByRole('link', { name: /Open Ash/ })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Mystery & horror' })).getByRole('link', { name: /Open Bo/ })).toBeTruthy();
    const continueLink = await screen.findByRole('link', { name: 'Continue chat with Wren' });
    expect(continueLink.getAttribute('href')).toBe(`#/chat/${session.conversation!.id}`);
    expect(screen.getByRole('link', { name: 'Chat with Ash' }).getAttribute('href')).toBe('#/character/ash/talk');

    await fireEvent.input(screen.getByRole('searchbox', { name: 'Search characters' }), { target: { value: 'Ash' } });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Fantasy' })).toBeNull());
    expect(screen.getByRole('link', { name: /Open Ash/ })).toBeTruthy();
  });
});

describe('search in chats', () => {
  it('lists matches with their context, each a link to the message', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    const reply = makeMessage(session.conversation!.id, { parentId: session.path[0].id, content: 'The ferry from Élancourt was late.', createdAt: Date.now() + 5 });
    await app.repos.conversations.addMessage(reply);
    renderInApp(app, ChatSearchPage, { characterId: null });
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Text to find' }), { target: { value: 'elancourt' } });
    await fireEvent.submit(screen.getByRole('search'));
    const result = await screen.findByRole('link', { name: /Élancourt/ });
    expect(result.getAttribute('href')).toBe(`#/chat/${session.conversation!.id}/message/${reply.id}`);
    expect(result.querySelector('mark')?.textContent).toBe('Élancourt');
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Messages found: 1'));
  });

  it('the chat opened from a result marks that message, bringing a swiped-away reply into view', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['First answer'] }, { pieces: ['Second answer'] }];
    await session.send('Question');
    const first = session.path.at(-1)!;
    await session.regenerate(first.id);
    await until(() => session.path.at(-1)?.content === 'Second answer', 'the second reply');
    renderInApp(app, MessageList, { session, target: first.id });
    await until(() => session.path.some((m) => m.id === first.id), 'the first answer shown');
    const marked = await waitFor(() => screen.getByRole('article', { current: true }));
    expect(marked.textContent).toContain('First answer');
    expect(new MessageTree(session.messages).siblings(first.id)).toHaveLength(2);
  });
});

describe('chat import results', () => {
  it('a file of many bad lines lists the first ten and counts the rest', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const text = [JSON.stringify({ user_name: 'U', character_name: 'Wren' }), JSON.stringify({ name: 'Wren', mes: 'Hi.' }), ...Array.from({ length: 15 }, () => 'garbage')].join('\n');
    await app.chatFiles.importFiles([{ name: 'noisy.jsonl', size: text.length, text: async () => text }]);
    renderInApp(app, ChatImportResults, {});
    expect(screen.getAllByText(/^Line \d+ was skipped/)).toHaveLength(10);
    expect(screen.getByText('Lines skipped besides these: 5.')).toBeTruthy();
  });

  it('asks which character a chat with an unknown name is with, and imports it there', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const text = [JSON.stringify({ user_name: 'U', character_name: 'Nobody', chat_metadata: {} }), JSON.stringify({ name: 'Nobody', is_user: false, mes: 'Hi.' })].join('\n');
    await app.chatFiles.importFiles([{ name: 'stray.jsonl', size: text.length, text: async () => text }]);
    renderInApp(app, ChatImportResults, {});
    expect(screen.getByText(/no character is named “Nobody”/)).toBeTruthy();
    await fireEvent.submit(screen.getByRole('button', { name: 'Import into this character' }).closest('form')!);
    await screen.findByText('stray.jsonl: imported into a chat with Wren (messages: 1).');
    expect(screen.getByRole('link', { name: 'Open the chat' })).toBeTruthy();
  });
});
