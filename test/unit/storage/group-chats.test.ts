// A group is a character row with members; its chats are ordinary conversations whose replies name their speaker.
import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../../src/storage';
import type { Message } from '../../../src/core/types';
import { freshRepositoriesEachTest, makeChain, makeCharacter, makeConversation } from './helpers';

let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ repos } = fresh));

async function seedGroup() {
  await repos.characters.bulkPut([
    makeCharacter({ id: 'a', name: 'Alice' }),
    makeCharacter({ id: 'b', name: 'Bob' }),
    makeCharacter({ id: 'g', name: 'Party', group: { members: ['a', 'b'], mode: 'list', muted: ['b'] } }),
  ]);
  const chain: Message[] = makeChain('k', 4).map((m, i) => (m.role === 'assistant' ? { ...m, speakerId: i === 1 ? 'a' : 'b', speakerName: i === 1 ? 'Alice' : 'Bob' } : m));
  await repos.conversations.create(makeConversation('g', { id: 'k' }), chain);
}

describe('group chats in storage', () => {
  it('keeps the group with its members, mode and mutes, and each reply with its speaker', async () => {
    await seedGroup();
    expect((await repos.characters.get('g'))?.group).toEqual({ members: ['a', 'b'], mode: 'list', muted: ['b'] });
    const replies = (await repos.conversations.messages('k')).filter((m) => m.role === 'assistant');
    expect(replies.map((m) => [m.speakerId, m.speakerName])).toEqual([['a', 'Alice'], ['b', 'Bob']]);
  });

  it("deleting a member leaves the group's chat and that member's lines, with their name", async () => {
    await seedGroup();
    await repos.characters.remove('b');
    expect(await repos.characters.get('g')).toBeDefined();
    const messages = await repos.conversations.messages('k');
    expect(messages).toHaveLength(4);
    expect(messages.find((m) => m.speakerId === 'b')?.speakerName).toBe('Bob');
  });

  it('deleting the group takes its chats with it and leaves the members', async () => {
    await seedGroup();
    await repos.characters.remove('g');
    expect(await repos.conversations.messages('k')).toEqual([]);
    expect(await repos.characters.get('a')).toBeDefined();
  });
});
