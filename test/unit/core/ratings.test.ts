import { describe, expect, it } from 'vitest';
import { offersAnotherTry, ratedReplies, ratingsCsv } from '../../../src/core/ratings';
import type { Message } from '../../../src/core/types';

const message = (over: Partial<Message> & Pick<Message, 'id'>): Message => ({
  conversationId: 'c', parentId: null, role: 'assistant', content: '', revisions: [], status: 'done', createdAt: 1, updatedAt: 1, ...over,
});

describe('rated replies', () => {
  it('lists every rated swipe with the line it answers, oldest rating first, leaving out unrated, deleted and user messages', () => {
    const rows = ratedReplies('Mira', [
      message({ id: 'g', content: 'Who goes there?' }),
      message({ id: 'u', role: 'user', parentId: 'g', content: 'A friend.' }),
      message({ id: 'a1', parentId: 'u', content: 'Come in.', rating: 1, updatedAt: 9 }),
      message({ id: 'a2', parentId: 'u', content: 'Go away.', rating: 4, updatedAt: 7 }),
      message({ id: 'a3', parentId: 'u', content: 'Unrated.' }),
      message({ id: 'a4', parentId: 'u', content: 'Deleted.', rating: 2, deletedAt: 10 }),
    ]);
    expect(rows.map(({ character, prompt, reply, stars }) => ({ character, prompt, reply, stars }))).toEqual([
      { character: 'Mira', prompt: 'A friend.', reply: 'Go away.', stars: 4 },
      { character: 'Mira', prompt: 'A friend.', reply: 'Come in.', stars: 1 },
    ]);
  });

  it('writes CSV a spreadsheet opens as text: quotes, commas and line breaks quoted, formulas defused', () => {
    const csv = ratingsCsv([
      { character: '李白', conversationId: 'c', messageId: 'm', prompt: 'Say "hi", please', reply: 'Line one\nline two', stars: 4, ratedAt: 1 },
      { character: 'Eve', conversationId: 'c', messageId: 'n', prompt: '=HYPERLINK("x")', reply: '@once', stars: 2, ratedAt: 2 },
    ]);
    expect(csv).toBe(
      'character,prompt,reply,stars\r\n'
      + '李白,"Say ""hi"", please","Line one\nline two",4\r\n'
      + 'Eve,"\'=HYPERLINK(""x"")",\'@once,2\r\n',
    );
  });

  it('offers another version for one or two stars only', () => {
    expect([undefined, 1, 2, 3, 4].map((stars) => offersAnotherTry(stars as never))).toEqual([false, true, true, false, false]);
  });
});
