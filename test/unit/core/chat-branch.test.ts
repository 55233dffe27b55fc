import { describe, expect, it } from 'vitest';
import { branchConversation, copyHistory, nestBranches } from '../../../src/core/chat-branch';
import { MessageTree } from '../../../src/core/message-tree';
import type { Conversation } from '../../../src/core/types';
import { makeConversation, makeMessage } from '../storage/helpers';

describe('copyHistory', () => {
  it('copies the line under new ids into the new conversation, each the parent of the next', () => {
    const a = makeMessage('k1', { id: 'a', role: 'assistant', content: 'Hello', revisions: ['Hi'] });
    const b = makeMessage('k1', { id: 'b', parentId: 'a', content: 'Hey', status: 'streaming' });
    let n = 0;
    const copies = copyHistory([a, b], { conversationId: 'k2', newId: () => `n${++n}`, now: 9 });
    expect(copies.map((m) => [m.id, m.parentId, m.conversationId, m.content])).toEqual([['n1', null, 'k2', 'Hello'], ['n2', 'n1', 'k2', 'Hey']]);
    expect(copies[0].revisions).toEqual(['Hi']);
    expect(copies[1].status).toBe('interrupted');
    expect(a.id).toBe('a'); // the origin's rows are untouched
    expect(new MessageTree(copies).path('n2')).toHaveLength(2);
  });

  it('the branch conversation ends at the copy and names its origin', () => {
    const origin = makeConversation('hester', { id: 'k1', personaId: 'p1' });
    const history = copyHistory([makeMessage('k1', { id: 'a' })], { conversationId: 'k2', newId: () => 'n1', now: 9 });
    expect(branchConversation(origin, 'a', 'T (branch)', history, { conversationId: 'k2', newId: () => 'x', now: 9 })).toEqual({
      id: 'k2', characterId: 'hester', title: 'T (branch)', personaId: 'p1', leafId: 'n1', createdAt: 9, updatedAt: 9, messageCount: 1,
      originConversationId: 'k1', originMessageId: 'a',
    });
  });
});

describe('nestBranches', () => {
  const chat = (id: string, origin?: string): Conversation => makeConversation('c', { id, ...(origin ? { originConversationId: origin } : {}) });
  const shape = (nodes: ReturnType<typeof nestBranches>): unknown => nodes.map((n) => (n.branches.length ? [n.conversation.id, shape(n.branches)] : n.conversation.id));

  it('nests branches (and branches of branches) under their origin, keeping the list order', () => {
    expect(shape(nestBranches([chat('b1', 'a'), chat('x'), chat('a'), chat('b2', 'a'), chat('c', 'b1')]))).toEqual([
      'x', ['a', [['b1', ['c']], 'b2']],
    ]);
  });

  it('a branch whose origin was deleted stands at the top; an origin loop cannot hide or repeat chats', () => {
    expect(shape(nestBranches([chat('b', 'gone'), chat('a')]))).toEqual(['b', 'a']);
    const nested = nestBranches([chat('p', 'q'), chat('q', 'p'), chat('self', 'self')]);
    expect(shape(nested)).toEqual(['self', ['p', ['q']]]);
  });
});
