import { describe, expect, it } from 'vitest';
import { answerPrompt, materialOf, questionPrompt, type CharacterMaterial } from '../../../../src/core/dialogue-gen/prompt';
import type { Character, LorebookEntry, Scene } from '../../../../src/core/types';
import { testCharacter } from '../../helpers/prompt-inputs';

function character(overrides: Partial<Character> = {}): Character {
  return { ...testCharacter(), id: 'c1', origin: 'user', extensions: {}, createdAt: 0, updatedAt: 0, ...overrides };
}

function entry(content: string, enabled = true): LorebookEntry {
  return { id: content, keys: ['k'], secondaryKeys: [], content, enabled, insertionOrder: 0, extensions: {} };
}

function scene(text: string, generated = false): Scene {
  return {
    id: text, characterId: 'c1', title: '', text, lines: [], tokens: 1, source: 'example', vectors: [],
    ...(generated ? { generated: { jobId: 'j', kind: 'world' as const, question: 'q', prompt: 'p', model: 'm', createdAt: 0 } } : {}),
  };
}

const empty: CharacterMaterial = { name: 'Haruhi', description: '', personality: '', scenario: '', exampleDialogue: '', lorebook: [], script: [] };
const roomy = { contextWindow: 8192, replyTokens: 512 };
const ask = (material: CharacterMaterial, lang: 'en' | 'zh' = 'en') =>
  questionPrompt(material, { kind: 'world', count: 5, lang, avoid: [], scriptOffset: 0, budget: roomy });

describe('materialOf', () => {
  it('takes every kind of material, macros expanded, disabled lore and generated scenes left out', () => {
    const material = materialOf(
      character({ lorebook: { extensions: {}, entries: [entry('The SOS Brigade meets in the literature club room.'), entry('hidden', false)] } }),
      [scene('Kyon: Why me?\nHaruhi: Because.'), scene('Model-written line', true)],
      [{ extensions: {}, entries: [entry('North High sits on a steep hill.')] }],
    );
    expect(material.description).toBe('Haruhi is the brigade chief who drags User into adventures.');
    expect(material.exampleDialogue).toContain('User: Hi.\nHaruhi: Finally!');
    expect(material.lorebook).toEqual(['The SOS Brigade meets in the literature club room.', 'North High sits on a steep hill.']);
    expect(material.script).toEqual(['Kyon: Why me?\nHaruhi: Because.']);
  });
});

describe('questionPrompt', () => {
  it.each([
    ['description', { description: 'A girl who wants to meet aliens.' }, '## Who Haruhi is\nA girl who wants to meet aliens.'],
    ['personality', { personality: 'Bossy and restless.' }, '## Personality\nBossy and restless.'],
    ['scenario', { scenario: 'The club room after school.' }, '## Scenario\nThe club room after school.'],
    ['example-dialogue', { exampleDialogue: 'User: Hi.\nHaruhi: You are late!' }, '## Example dialogue\nUser: Hi.\nHaruhi: You are late!'],
    ['lorebook', { lorebook: ['Mikuru is from the future.', 'Yuki is an interface.'] }, '## World notes\nMikuru is from the future.\n\nYuki is an interface.'],
    ['script', { script: ['Kyon: Why me?\nHaruhi: Because.'] }, '## Scenes from the script\nKyon: Why me?\nHaruhi: Because.'],
  ] as const)('puts %s under its own heading in the user message', (kind, fields, block) => {
    const prompt = ask({ ...empty, ...fields });
    expect(prompt.used).toEqual([kind]);
    expect(prompt.trimmed).toEqual([]);
    expect(prompt.messages[1].content).toContain(block);
    expect(prompt.messages[1].content).toContain('Write 5 questions');
    expect(prompt.text).toContain(block);
  });

  it('writes the Chinese template for a Chinese character, headings included', () => {
    const prompt = ask({ ...empty, name: '春日', description: '团长。' }, 'zh');
    expect(prompt.messages[0].content).toContain('春日');
    expect(prompt.messages[1].content).toContain('## 春日是谁\n团长。');
    expect(prompt.messages[1].content).toContain('5个语义互不重复的问题');
  });

  it('asks for the kind requested and lists the last questions to avoid', () => {
    const avoid = Array.from({ length: 15 }, (_, i) => `Old question ${i}?`);
    const prompt = questionPrompt(empty, { kind: 'out-of-world', count: 3, lang: 'en', avoid, scriptOffset: 0, budget: roomy });
    expect(prompt.messages[1].content).toContain('cannot know');
    expect(prompt.messages[1].content).toContain('- Old question 14?');
    expect(prompt.messages[1].content).not.toContain('- Old question 2?');
  });

  it('starts the script at the offset, so batches draw on different scenes', () => {
    const material = { ...empty, script: ['first scene', 'second scene', 'third scene'] };
    const prompt = questionPrompt(material, { kind: 'world', count: 5, lang: 'en', avoid: [], scriptOffset: 4, budget: roomy });
    const content = prompt.messages[1].content;
    expect(content.indexOf('second scene')).toBeLessThan(content.indexOf('third scene'));
    expect(content.indexOf('third scene')).toBeLessThan(content.indexOf('first scene'));
  });

  it('trims to the window: a long description is cut, lists stop at what fits, and both are reported', () => {
    const material: CharacterMaterial = {
      ...empty,
      description: 'word '.repeat(3000),
      lorebook: ['lore one'],
      script: ['scene one'],
    };
    const small = { contextWindow: 600, replyTokens: 200 };
    const prompt = questionPrompt(material, { kind: 'world', count: 5, lang: 'en', avoid: [], scriptOffset: 0, budget: small });
    expect(prompt.used).toEqual(['description']);
    expect(prompt.trimmed).toEqual(['description', 'lorebook', 'script']);
    expect(prompt.messages[1].content).toContain('word word');
    expect(prompt.messages[1].content).toContain('…');
    expect(prompt.messages[1].content).not.toContain('lore one');

    const lists: CharacterMaterial = { ...empty, lorebook: Array.from({ length: 100 }, (_, i) => `Entry number ${i} ${'x'.repeat(60)}`) };
    const listPrompt = questionPrompt(lists, { kind: 'world', count: 5, lang: 'en', avoid: [], scriptOffset: 0, budget: small });
    expect(listPrompt.trimmed).toEqual(['lorebook']);
    expect(listPrompt.messages[1].content).toContain('Entry number 0');
    expect(listPrompt.messages[1].content).not.toContain('Entry number 99');
  });
});

describe('answerPrompt', () => {
  it('puts the character and its material in the system message and the question in the user message', () => {
    const prompt = answerPrompt({ ...empty, description: 'The brigade chief.' }, {
      kind: 'everyday', question: 'What did you eat today?', lang: 'en', scriptOffset: 0, budget: roomy,
    });
    expect(prompt.messages[0].content).toMatch(/^You are Haruhi\./);
    expect(prompt.messages[0].content).toContain('## Who Haruhi is\nThe brigade chief.');
    expect(prompt.messages[1]).toEqual({ role: 'user', content: 'Question: What did you eat today?\nAnswer it as Haruhi.' });
    expect(prompt.text).toBe(`[system]\n${prompt.messages[0].content}\n\n[user]\n${prompt.messages[1].content}`);
  });

  it('tells the character to deflect an out-of-world question', () => {
    const en = answerPrompt(empty, { kind: 'out-of-world', question: 'What is a smartphone?', lang: 'en', scriptOffset: 0, budget: roomy });
    expect(en.messages[0].content).toContain('You do not know it');
    const zh = answerPrompt({ ...empty, name: '春日' }, { kind: 'out-of-world', question: '智能手机是什么？', lang: 'zh', scriptOffset: 0, budget: roomy });
    expect(zh.messages[0].content).toContain('你并不知道它');
  });
});
