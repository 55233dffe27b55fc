import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { buildPlainPrompt, DEFAULT_SYSTEM_TEMPLATE, truncateTokens, type PlainPromptInput } from '../../../src/core/prompt';
import { estimatePromptTokens, estimateTokens, MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from '../../../src/core/tokens';
import type { ChatTurn, SentPrompt } from '../../../src/core/types';
import { mulberry32 } from '../../fixtures/random';
import { assistant, testCharacter, user } from '../helpers/prompt-inputs';

const character = testCharacter;

function base(overrides: Partial<PlainPromptInput> = {}): PlainPromptInput {
  return {
    character: character(),
    history: [assistant('Hey {{user}}! You are late!'), user('Sorry, the train was slow.')],
    contextWindow: 4096,
    replyTokens: 256,
    ...overrides,
  };
}

const total = (prompt: SentPrompt) => prompt.sections.reduce((sum, s) => sum + s.tokens, 0);

/** Checks the shape rules every prompt must keep. */
function expectValid(prompt: SentPrompt, input: PlainPromptInput) {
  const count = input.countTokens ?? estimateTokens;
  const budget = input.contextWindow - input.replyTokens;
  const { messages } = prompt;
  expect(messages[0].role).toBe('system');
  expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
  expect(messages[messages.length - 1].role).toBe('user');
  for (let i = 2; i < messages.length; i++) expect(messages[i].role, `roles alternate at ${i}`).not.toBe(messages[i - 1].role);
  expect(total(prompt)).toBeLessThanOrEqual(budget);
  expect(estimatePromptTokens(messages, count)).toBeLessThanOrEqual(budget);
  expect(estimatePromptTokens(messages, count)).toBe(total(prompt));
  expect(prompt.sections.map((s) => s.name)).toEqual(['system', 'history', 'message']);
}

describe('buildPlainPrompt', () => {
  it('assembles the system prompt from the card and expands macros', () => {
    const input = base({ persona: { name: 'Kyon', description: '{{user}} is a tired student who knows {{char}}.' } });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    const system = prompt.messages[0].content;
    expect(system).toContain('You are Haruhi in a private, fictional role-play with Kyon.');
    expect(system).toContain('Haruhi is the brigade chief who drags Kyon into adventures.');
    expect(system).toContain("Haruhi's personality: Energetic, bossy, secretly kind.");
    expect(system).toContain('Scenario: After school in the club room.');
    expect(system).toContain('Catchphrases: Boring!; Aliens, time travellers, espers!');
    expect(system).toContain('About Kyon: Kyon is a tired student who knows Haruhi.');
    expect(system).toContain('Kyon: Hi.\nHaruhi: Finally! Sit down.\n\nKyon: What now?\nHaruhi: Aliens, obviously.');
    expect(system).not.toMatch(/\{\{|<START>|<BOT>|<USER>/i);
    expect(system).not.toContain('never sent');
    expect(system).not.toContain('secret-tag');
    expect(prompt.messages[1]).toEqual({ role: 'assistant', content: 'Hey Kyon! You are late!' });
    expect(prompt.messages[2]).toEqual({ role: 'user', content: 'Sorry, the train was slow.' });
    expect(prompt.droppedMessages).toBe(0);
  });

  it('uses "User" without a persona and the nickname for {{char}}', () => {
    const prompt = buildPlainPrompt(base({ character: character({ nickname: 'Suzumiya' }) }));
    expect(prompt.messages[0].content).toContain('You are Suzumiya in a private, fictional role-play with User.');
    expect(prompt.messages[1].content).toBe('Hey User! You are late!');
  });

  it('uses the Chinese template and labels for zh characters', () => {
    const input = base({
      character: character({
        name: '凉宫春日',
        language: 'zh',
        description: '{{char}}是SOS团团长。',
        personality: '活泼、任性',
        scenario: '放学后的社团教室',
        catchphrases: ['无聊！', '外星人！'],
        exampleDialogue: '',
      }),
      history: [assistant('{{user}}，你迟到了！'), user('抱歉。')],
    });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    const system = prompt.messages[0].content;
    expect(system.startsWith('你是凉宫春日，正在与你进行一场私密的虚构角色扮演。')).toBe(true);
    expect(system).toContain('凉宫春日的性格：活泼、任性');
    expect(system).toContain('场景：放学后的社团教室');
    expect(system).toContain('口头禅：无聊！；外星人！');
    expect(prompt.messages[1].content).toBe('你，你迟到了！');
  });

  it("uses the card's system prompt with {{original}} as the default template", () => {
    const prompt = buildPlainPrompt(base({ character: character({ systemPrompt: '{{original}}\nNever break the fourth wall, {{char}}.' }) }));
    const system = prompt.messages[0].content;
    const template = DEFAULT_SYSTEM_TEMPLATE.en.replaceAll('{{char}}', 'Haruhi').replaceAll('{{user}}', 'User');
    expect(system.startsWith(`${template}\nNever break the fourth wall, Haruhi.`)).toBe(true);
    const replaced = buildPlainPrompt(base({ character: character({ systemPrompt: 'Only this.' }) }));
    expect(replaced.messages[0].content.startsWith('Only this.\n\n')).toBe(true);
    expect(replaced.messages[0].content).not.toContain('fictional role-play');
  });

  it('puts post-history instructions at the end of the last user message, not in a second system message', () => {
    const input = base({ character: character({ postHistoryInstructions: '{{original}}Reply in under 50 words as {{char}}.' }) });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    const last = prompt.messages[prompt.messages.length - 1];
    expect(last.content).toBe('Sorry, the train was slow.\n\n[System note: Reply in under 50 words as Haruhi.]');
    expect(prompt.messages[0].content).not.toContain('under 50 words');
  });

  it('drops example dialogue first, then the oldest history', () => {
    const history: ChatTurn[] = [assistant('Greeting.')];
    for (let k = 0; k < 40; k++) history.push(user(`question ${k} `.repeat(8)), assistant(`answer ${k} `.repeat(8)));
    history.push(user('The newest message.'));
    const input = base({ history, contextWindow: 1200, replyTokens: 200 });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages[0].content).not.toContain('Finally! Sit down.');
    expect(prompt.droppedMessages).toBeGreaterThan(0);
    // What is kept is the newest stretch of history, in order.
    const kept = prompt.messages.slice(1);
    const tail = history.slice(history.length - kept.length);
    expect(kept).toEqual(tail);
    expect(prompt.droppedMessages).toBe(history.length - 1 - (kept.length - 1));

    // With room for everything, the examples come back.
    const roomy = buildPlainPrompt({ ...input, contextWindow: 32768 });
    expect(roomy.droppedMessages).toBe(0);
    expect(roomy.messages[0].content).toContain('Finally! Sit down.');
  });

  it('keeps examples only when all of the history fits too', () => {
    const history = [assistant('Hi.'), user('Hello.')];
    const input = base({ history });
    const withAll = buildPlainPrompt(input);
    expect(withAll.messages[0].content).toContain('Aliens, obviously.');
    const budgetWithout = total(buildPlainPrompt({ ...input, character: character({ exampleDialogue: '' }) }));
    // A window with room for the history but not for the examples as well.
    const tight = buildPlainPrompt({ ...input, contextWindow: budgetWithout + 256 + 5, replyTokens: 256 });
    expect(tight.messages[0].content).not.toContain('Aliens, obviously.');
    expect(tight.droppedMessages).toBe(0);
    expect(tight.messages).toHaveLength(3);
  });

  it('always keeps the new message, cutting its start when it alone is too long', () => {
    const long = Array.from({ length: 2000 }, (_, k) => `word${k}`).join(' ') + ' THE END';
    const input = base({ history: [assistant('Hi.'), user(long)], contextWindow: 1024, replyTokens: 256 });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    const last = prompt.messages[prompt.messages.length - 1].content;
    expect(last.startsWith('…')).toBe(true);
    expect(last.endsWith('THE END')).toBe(true);
    expect(prompt.droppedMessages).toBe(1);
  });

  it('cuts the end of a huge system prompt rather than overflowing', () => {
    const input = base({
      character: character({ description: 'Lore. '.repeat(5000) }),
      history: [user('Hello there, how are you today?')],
      contextWindow: 512,
      replyTokens: 128,
    });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages[0].content.startsWith('You are Haruhi')).toBe(true);
    expect(prompt.messages[0].content.endsWith('…')).toBe(true);
    expect(prompt.messages[1].content).toBe('Hello there, how are you today?');
  });

  it('merges same-role neighbours and skips empty turns, keeping strict templates happy', () => {
    const input = base({
      history: [assistant('Hi.'), assistant('Second greeting part.'), user('First try.'), assistant(''), user('Second try.')],
    });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages.slice(1)).toEqual([
      assistant('Hi.\n\nSecond greeting part.'),
      user('First try.\n\nSecond try.'),
    ]);
  });

  it('turns system notes in the history into user notes', () => {
    const input = base({ history: [assistant('Hi.'), { role: 'system', content: 'Time skip: one week later.' }, user('Hello again.')] });
    const prompt = buildPlainPrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages.at(-1)?.content).toBe('[System note: Time skip: one week later.]\n\nHello again.');
  });

  it('rejects a history that does not end with the user, and windows too small to hold a reply', () => {
    expect(() => buildPlainPrompt(base({ history: [assistant('Hi.')] }))).toThrow(AppError);
    expect(() => buildPlainPrompt(base({ history: [] }))).toThrow(AppError);
    try {
      buildPlainPrompt(base({ contextWindow: 512, replyTokens: 512 }));
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('context-exceeded');
    }
  });

  it('uses a custom token counter', () => {
    const input = base({ countTokens: (text) => text.length }); // 1 token per character: very pessimistic
    const prompt = buildPlainPrompt({ ...input, contextWindow: 600, replyTokens: 100 });
    expectValid(prompt, { ...input, contextWindow: 600, replyTokens: 100 });
  });

  it('never exceeds the window (randomised, seeded)', () => {
    const random = mulberry32(0x9e3779b9);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const words = ['hello', '*smiles*', '"Hi!"', '你好', '我们', '走吧。', '123', 'wonderful', '🎉', '\n', 'the', 'Привет', '{{user}}', '{{char}}'];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(words)).join(' ');
    const counters = [undefined, (t: string) => t.length, (t: string) => Math.ceil(estimateTokens(t) * 1.7)];

    for (let round = 0; round < 400; round++) {
      const history: ChatTurn[] = [];
      if (random() < 0.8) history.push(assistant(text(60)));
      const turns = Math.floor(random() * 60);
      for (let k = 0; k < turns; k++) {
        const roll = random();
        history.push({ role: roll < 0.45 ? 'user' : roll < 0.95 ? 'assistant' : 'system', content: `#${k}# ${text(120)}` });
      }
      history.push(user(text(random() < 0.1 ? 3000 : 80)));
      const contextWindow = 64 + Math.floor(random() * 4000);
      const replyTokens = Math.floor(random() * Math.max(0, contextWindow - 60));
      const input: PlainPromptInput = {
        character: character({
          language: random() < 0.4 ? 'zh' : 'en',
          description: text(random() < 0.2 ? 1500 : 100),
          postHistoryInstructions: random() < 0.3 ? text(30) : '',
          systemPrompt: random() < 0.3 ? `{{original}} ${text(20)}` : '',
        }),
        persona: random() < 0.5 ? { name: 'Kyon', description: text(40) } : undefined,
        history,
        contextWindow,
        replyTokens,
        countTokens: pick(counters),
      };
      let prompt: SentPrompt;
      try {
        prompt = buildPlainPrompt(input);
      } catch (error) {
        // Only allowed when the window cannot hold even the fixed overheads.
        expect((error as AppError).code).toBe('context-exceeded');
        expect(contextWindow - replyTokens).toBeLessThan(PROMPT_OVERHEAD_TOKENS + 2 * MESSAGE_OVERHEAD_TOKENS + 8);
        continue;
      }
      expectValid(prompt, input);
      // Dropped from the oldest end: the kept history turns carry the newest markers, in order.
      const markers = prompt.messages
        .slice(1)
        .flatMap((m) => [...m.content.matchAll(/#(\d+)#/g)].map((match) => Number(match[1])));
      const allMarkers = history.slice(0, -1).flatMap((m) => [...m.content.matchAll(/#(\d+)#/g)].map((match) => Number(match[1])));
      if (markers.length > 0) expect(markers).toEqual(allMarkers.slice(allMarkers.length - markers.length));
    }
  });
});

describe('truncateTokens', () => {
  it('keeps the start or the end and never splits a surrogate pair', () => {
    const text = '🎉'.repeat(50);
    const start = truncateTokens(text, 10, estimateTokens, 'keep-start');
    const end = truncateTokens(text, 10, estimateTokens, 'keep-end');
    expect(estimateTokens(start)).toBeLessThanOrEqual(10);
    expect(start.endsWith('…')).toBe(true);
    expect(end.startsWith('…')).toBe(true);
    expect(start).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(end).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(truncateTokens('short', 100, estimateTokens, 'keep-end')).toBe('short');
    expect(truncateTokens('short text here', 0, estimateTokens, 'keep-end')).toBe('');
  });
});
