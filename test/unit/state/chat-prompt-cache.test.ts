// buildChatPrompt with the loaded engine: web-llm and wllama (llama.cpp) reuse their KV cache by different rules, and the layout follows.

import { describe, expect, it } from 'vitest';
import type { RetrievedScene } from '../../../src/core/role-prompt';
import type { Character, EngineKind, Message } from '../../../src/core/types';
import { buildChatPrompt, cacheRuleOf, type PromptContext } from '../../../src/state/chat-prompt';

const hester: Character = {
  id: 'hester', origin: 'builtin', name: 'Hester Coyle', nickname: 'Hester', avatar: '', shortDescription: '',
  description: 'Hester keeps the light on Gannet Rock.', personality: 'Gruff, practical.', scenario: '{{user}} washed ashore.',
  firstMessage: '*You wake by the stove.* "Awake, then."', alternateGreetings: [],
  exampleDialogue: '<START>\n{{user}}: Thank you for saving me.\n{{char}}: "Thank me by not drowning again."',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
};

const message = (id: string, role: Message['role'], content: string): Message => ({
  id, conversationId: 'conv', parentId: null, role, content, revisions: [], status: 'done', createdAt: 1, updatedAt: 1,
});

const stew: RetrievedScene[] = [{ id: 'sc-stew', score: 3, text: 'Hester:「Eat your stew before it goes cold.」' }];
const wreck: RetrievedScene[] = [{ id: 'sc-teeth', score: 5, text: 'Hester:「Tom rowed out to the Teeth and never came back.」' }];

/** Two turns on one engine: supper, then the question moves to the wreck. */
function twoTurns(engine: EngineKind | undefined) {
  const context = (branch: Message[], scenes: RetrievedScene[], previous?: PromptContext['previous']): PromptContext => ({
    character: hester, persona: { name: 'Ana', description: '' }, branch, contextWindow: 4096, replyTokens: 256,
    countTokens: (text) => Math.ceil(text.length / 4), previous, lorebooks: [], scenes, engine,
  });
  const first = [message('g', 'assistant', hester.firstMessage), message('u1', 'user', 'Is there stew?')];
  const one = buildChatPrompt(context(first, stew));
  const second = [...first, message('a1', 'assistant', '"Eat. Then argue."'), message('u2', 'user', 'Who was Tom, and the Teeth?')];
  return { one, two: buildChatPrompt(context(second, wreck, one)) };
}

describe('buildChatPrompt and the loaded engine', () => {
  it('maps web-llm to exact-messages reuse and wllama to token-prefix reuse', () => {
    expect(cacheRuleOf('webllm')).toBe('exact-messages');
    expect(cacheRuleOf('wllama')).toBe('token-prefix');
  });

  it('on wllama rebuilds the scene block at once when the topic moves; on web-llm puts the new scene on the message', () => {
    const llama = twoTurns('wllama');
    expect(llama.two.inspector.refresh).toBe('topic-moved');
    expect(llama.two.inspector.scenes.chosen.map((s) => s.id)).toEqual(['sc-teeth']);
    // The system prompt and the example exchange are unchanged, so llama.cpp keeps them.
    expect(llama.two.messages.slice(0, 3)).toEqual(llama.one.messages.slice(0, 3));

    const web = twoTurns('webllm');
    expect(web.two.inspector.mode).toBe('appended');
    expect(web.two.messages.slice(0, -1)).toEqual([...web.one.messages, { role: 'assistant', content: '"Eat. Then argue."' }]);
    expect(web.two.messages.at(-1)?.content).toContain('Tom rowed out to the Teeth');
    // No engine named: the layout that suits both (new scenes on the message).
    expect(twoTurns(undefined).two.inspector.mode).toBe('appended');
  });
});
