import { describe, expect, it } from 'vitest';
import { toTranscript } from '../../../../src/core/chat-files/transcript';
import { makeConversation, makeMessage } from '../../storage/helpers';

const names = { userName: 'Wren', characterName: 'Hester Coyle' };

function chat() {
  const conversation = makeConversation('hester', { id: 'k1', title: 'Night *watch*' });
  const greeting = makeMessage('k1', { id: 'a', role: 'assistant', content: '*The lamp gutters.* Late again.', createdAt: 1 });
  const swipedAway = makeMessage('k1', { id: 'b', role: 'assistant', content: 'A swipe nobody chose.', createdAt: 2 });
  const reply = makeMessage('k1', { id: 'c', parentId: 'a', role: 'user', content: 'The ferry was cancelled.', createdAt: 3 });
  return { conversation: { ...conversation, leafId: 'c' }, messages: [greeting, swipedAway, reply] };
}

describe('toTranscript', () => {
  it('Markdown: the title as a heading, each shown message under its speaker, swiped-away ones left out', () => {
    const { conversation, messages } = chat();
    expect(toTranscript('markdown', conversation, messages, names)).toBe(
      '# Night \\*watch\\*\n\n**Hester Coyle:**\n\n*The lamp gutters.* Late again.\n\n---\n\n**Wren:**\n\nThe ferry was cancelled.\n',
    );
  });

  it('plain text: "Name: text" blocks under the title', () => {
    const { conversation, messages } = chat();
    expect(toTranscript('text', conversation, messages, names)).toBe(
      'Night *watch*\n\nHester Coyle: *The lamp gutters.* Late again.\n\nWren: The ferry was cancelled.\n',
    );
  });
});
