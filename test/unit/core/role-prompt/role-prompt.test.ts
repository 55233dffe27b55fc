import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import { expandMacros } from '../../../../src/core/macros';
import {
  buildRolePrompt,
  DEFAULT_RETAIN,
  REFERENCE_BUDGETS,
  ROLE_SYSTEM_TEMPLATE,
  scaleBudgets,
  SCENE_SEPARATOR,
  SCENES_HEADER,
  sceneTopicMoved,
  type MemoryInput,
  type RetrievedScene,
  type RolePrompt,
  type RolePromptInput,
} from '../../../../src/core/role-prompt';
import { estimatePromptTokens, estimateTokens } from '../../../../src/core/tokens';
import type { ChatTurn, Lorebook, LorebookEntry } from '../../../../src/core/types';
import { speakerCharacter, speakerTurns, type GroupLine } from '../../../../src/core/group/prompt';
import { mulberry32 as prng } from '../../../fixtures/random';
import { assistant, testCharacter, user } from '../../helpers/prompt-inputs';

const character = testCharacter;

function base(overrides: Partial<RolePromptInput> = {}): RolePromptInput {
  return {
    character: character(),
    persona: { name: 'Kyon', description: 'A tired student.' },
    history: [assistant('Hey {{user}}! You are late!'), user('Sorry, the train was slow.')],
    contextWindow: 4096,
    replyTokens: 256,
    ...overrides,
  };
}

const total = (prompt: { sections: { tokens: number }[] }) => prompt.sections.reduce((sum, s) => sum + s.tokens, 0);

/** The rules every prompt keeps, whatever the input. */
function expectValid(prompt: RolePrompt, input: RolePromptInput) {
  const count = input.countTokens ?? estimateTokens;
  const budget = input.contextWindow - input.replyTokens;
  const { messages } = prompt;
  expect(messages[0].role).toBe('system');
  expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
  expect(messages[messages.length - 1].role).toBe('user');
  for (let i = 2; i < messages.length; i++) expect(messages[i].role, `roles alternate at ${i}`).not.toBe(messages[i - 1].role);
  expect(total(prompt)).toBeLessThanOrEqual(budget);
  expect(estimatePromptTokens(messages, count)).toBe(total(prompt));
  expect(prompt.inspector.budget.used).toBe(total(prompt));
  for (const s of prompt.sections) expect(s.tokens, s.name).toBeGreaterThanOrEqual(0);
}

function scene(id: string, score: number, text = `Haruhi:「Scene ${id}.」\nKyon:「Sigh.」`): RetrievedScene {
  return { id, score, text };
}

let loreId = 0;
function lore(overrides: Partial<LorebookEntry> = {}): LorebookEntry {
  const id = loreId++;
  return { id, keys: [], secondaryKeys: [], content: `Lore ${id}.`, enabled: true, insertionOrder: 10, extensions: {}, ...overrides };
}
const book = (entries: LorebookEntry[], extra: Partial<Lorebook> = {}): Lorebook => ({ extensions: {}, entries, ...extra });

/** Plays a conversation: each step adds the reply to the last prompt and a new user message. */
/** A chat long enough that history needs all its room, so scenes get only their budget; ends with the person's message. */
function longChat(): ChatTurn[] {
  return [...Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? assistant(`Reply ${i}: ` + 'so much to say '.repeat(10)) : user(`Question ${i}?`))), user('And now?')];
}

function play(input: RolePromptInput, steps: { reply: string; message: string; scenes?: RetrievedScene[] }[]): RolePrompt[] {
  const prompts = [buildRolePrompt(input)];
  let history = [...input.history];
  for (const step of steps) {
    history = [...history, assistant(step.reply), user(step.message)];
    prompts.push(buildRolePrompt({ ...input, history, scenes: step.scenes ?? input.scenes, previous: prompts[prompts.length - 1] }));
  }
  return prompts;
}

describe('buildRolePrompt: sections and content', () => {
  it('builds the system message from the card, persona and macros, and lists sections in order', () => {
    const input = base();
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const system = prompt.messages[0].content;
    expect(system.startsWith(expandMacros(ROLE_SYSTEM_TEMPLATE.en, { char: 'Haruhi', user: 'Kyon' }))).toBe(true);
    expect(system).toContain('Haruhi is the brigade chief who drags Kyon into adventures.');
    expect(system).toContain("Haruhi's personality: Energetic, bossy, secretly kind.");
    expect(system).toContain('Scenario: After school in the club room.');
    expect(system).toContain("Haruhi's catchphrases: Boring!; Aliens, time travellers, espers!");
    expect(system).toContain('About Kyon: A tired student.');
    expect(system).toContain('examples of how Haruhi talks');
    expect(system).not.toMatch(/\{\{|<START>|<BOT>|<USER>|never sent|secret-tag/i);
    expect(prompt.sections.map((s) => s.name)).toEqual(['system', 'character', 'persona', 'examples', 'chat-start', 'history', 'message']);
  });

  it("uses the card's system prompt with {{original}} as the role template, and Chinese for zh cards", () => {
    const input = base({ character: character({ systemPrompt: 'Card rules first. {{original}}', language: 'zh', name: '春日' }), persona: undefined });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const template = expandMacros(ROLE_SYSTEM_TEMPLATE.zh, { char: '春日', user: '你' });
    expect(prompt.messages[0].content.startsWith(`Card rules first. ${template}`)).toBe(true);
    expect(prompt.messages[0].content).toContain('春日的性格：');
    expect(prompt.inspector.language).toBe('zh');
  });

  it('turns example dialogue into real user/assistant turns (RoleGPT), skipping unanswered lines', () => {
    const input = base({
      character: character({
        exampleDialogue: '<START>\n{{user}}: Hi.\n{{char}}: Finally!\n<START>\n{{char}}: *yawns* Boring.\n<START>\n{{user}}: Never answered.',
      }),
    });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages.slice(1, 5)).toEqual([
      { role: 'user', content: 'Hi.' },
      { role: 'assistant', content: 'Finally!' },
      { role: 'user', content: '(Go on.)' },
      { role: 'assistant', content: '*yawns* Boring.' },
    ]);
    expect(prompt.inspector.examples).toEqual({ available: 2, used: 2 });
  });

  it('puts post-history instructions at the end of the new message and replays them as sent', () => {
    const input = base({ character: character({ postHistoryInstructions: 'Stay brief. {{original}}' }) });
    const [first, second] = play(input, [{ reply: 'Whatever.', message: 'Again?' }]);
    expectValid(first, input);
    expect(first.messages.at(-1)?.content).toBe('Sorry, the train was slow.\n\n[System note: Stay brief.]');
    expect(second.messages.at(-3)?.content).toBe('Sorry, the train was slow.\n\n[System note: Stay brief.]');
    expect(second.messages.at(-1)?.content).toBe('Again?\n\n[System note: Stay brief.]');
    expect(second.sections.find((s) => s.name === 'post-history')?.tokens).toBeGreaterThan(0);
  });

  it('turns system notes in the history into user notes, skips empty turns and merges same-role neighbours', () => {
    const input = base({
      history: [assistant('Hi {{user}}.'), { role: 'system', content: 'Time passes.' }, assistant(''), user('one'), user('two')],
    });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages.at(-1)?.content).toBe('[System note: Time passes.]\n\none\n\ntwo');
  });

  it('rejects a history that does not end with the user, and windows too small for the reply', () => {
    expect(() => buildRolePrompt(base({ history: [assistant('hi')] }))).toThrow(AppError);
    expect(() => buildRolePrompt(base({ history: [] }))).toThrow(/person/);
    expect(() => buildRolePrompt(base({ contextWindow: 100, replyTokens: 90 }))).toThrow(expect.objectContaining({ code: 'context-exceeded' }));
  });

  it('uses a custom token counter for every figure', () => {
    const count = (text: string) => text.length;
    const input = base({ countTokens: count, contextWindow: 2000, replyTokens: 100 });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
  });
});

describe('buildRolePrompt: retrieved scenes (ChatHaruhi)', () => {
  it('puts scenes best-first in one block after the few-shot turns, separated by ###', () => {
    const scenes = [scene('low', 0.1), scene('top', 0.9), scene('mid', 0.5), scene('top', 0.2), { id: 'empty', score: 1, text: '  ' }];
    const input = base({ scenes });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const block = prompt.messages[5];
    expect(block.role).toBe('user');
    expect(block.content).toBe(
      `${SCENES_HEADER.en}\n${['top', 'mid', 'low'].map((id) => `Haruhi:「Scene ${id}.」\nKyon:「Sigh.」`).join(SCENE_SEPARATOR)}\n###\n\n` +
        '[The role-play with Kyon follows. Stay in character as Haruhi.]',
    );
    expect(prompt.inspector.scenes.chosen.map((s) => [s.id, s.score])).toEqual([['top', 0.9], ['mid', 0.5], ['low', 0.1]]);
    expect(prompt.inspector.scenes.leftOut).toEqual([]);
  });

  it('keeps scenes within their budget and says which were left out, with their scores', () => {
    const long = 'Haruhi:「' + 'word '.repeat(60) + '」';
    const scenes = Array.from({ length: 10 }, (_, i) => scene(`s${i}`, 10 - i, long));
    // History needs all its room, and no lorebook budget is left for scenes to take.
    const input = base({ scenes, history: longChat(), budgets: { scenes: 300, lore: 0 } });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const chosen = prompt.inspector.scenes.chosen;
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.length).toBeLessThan(10);
    expect(chosen.map((s) => s.id)).toEqual(scenes.slice(0, chosen.length).map((s) => s.id));
    expect(prompt.sections.find((s) => s.name === 'scenes')!.tokens).toBeLessThanOrEqual(300);
    // Each would fit alone: the better-ranked ones took the room.
    expect(prompt.inspector.scenes.leftOut.map((s) => [s.id, s.reason])).toEqual(scenes.slice(chosen.length).map((s) => [s.id, 'below-others']));
    expect(prompt.inspector.scenes.leftOut[0].score).toBe(10 - chosen.length);
  });

  it('scales budgets with the window from the 4k reference point', () => {
    expect(scaleBudgets(4096)).toMatchObject({ ...REFERENCE_BUDGETS });
    expect(scaleBudgets(8192)).toMatchObject({ scenes: 3000, history: 2400, fewShot: 1200, lore: 800, messageReserve: 256 });
    expect(scaleBudgets(1024)).toMatchObject({ scenes: 375, history: 300, messageReserve: 32 });
    expect(scaleBudgets(4096, { scenes: 10, retain: 7 })).toMatchObject({ scenes: 10, history: 1200, retain: 1 });
  });

  it('tells a topic move from rank shuffling', () => {
    const ranked = [
      { id: 'a', score: 9 },
      { id: 'b', score: 8 },
      { id: 'c', score: 7 },
      { id: 'd', score: 1 },
    ];
    expect(sceneTopicMoved(['b', 'c'], ranked)).toBe(false); // same topic, other order
    expect(sceneTopicMoved(['x', 'y'], ranked)).toBe(true); // none of them is relevant now
    expect(sceneTopicMoved(['d', 'x'], ranked)).toBe(true); // kept 1 of 17
    expect(sceneTopicMoved([], ranked)).toBe(true);
    expect(sceneTopicMoved(['x'], [])).toBe(false);
    expect(sceneTopicMoved(['x'], [{ id: 'a', score: 0 }])).toBe(false);
  });
});

describe('buildRolePrompt: lorebook', () => {
  it('puts constant entries in the system prompt and triggered ones in the context block, with why', () => {
    const before = lore({ constant: true, position: 'before_char', content: 'The world is a stage.' });
    const after = lore({ constant: true, content: 'Constant fact about {{user}}.' });
    const keyed = lore({ keys: ['train'], content: 'Trains in this town are always late.', name: 'Trains' });
    const unmatched = lore({ keys: ['aliens'] });
    const input = base({ lorebook: book([before, after, keyed, unmatched]) });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const system = prompt.messages[0].content;
    expect(system.indexOf('The world is a stage.')).toBeLessThan(system.indexOf('Haruhi is the brigade chief'));
    expect(system.indexOf('Constant fact about Kyon.')).toBeGreaterThan(system.indexOf('Catchphrases'.toLowerCase()) - 1);
    const context = prompt.messages[5].content;
    expect(context.startsWith('World info:\nTrains in this town are always late.')).toBe(true);
    expect(prompt.inspector.lorebook.chosen).toEqual([
      { id: before.id, reason: 'constant', matchedKeys: [], tokens: expect.any(Number), placement: 'system' },
      { id: after.id, reason: 'constant', matchedKeys: [], tokens: expect.any(Number), placement: 'system' },
      { id: keyed.id, name: 'Trains', reason: 'key', matchedKeys: ['train'], tokens: expect.any(Number), placement: 'context' },
    ]);
    expect(prompt.sections.map((s) => s.name)).toContain('lorebook-constant');
    expect(prompt.sections.map((s) => s.name)).toContain('lorebook');
  });

  it('reports entries left out for the budget, secondary keys or being disabled', () => {
    const big = lore({ keys: ['train'], priority: 0, content: 'x '.repeat(300) });
    const picky = lore({ keys: ['train'], selective: true, secondaryKeys: ['bus'] });
    const off = lore({ keys: ['train'], enabled: false });
    const input = base({ lorebook: book([big, picky, off]), budgets: { lore: 50 } });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    expect(prompt.inspector.lorebook.leftOut.map((l) => [l.id, l.reason])).toEqual([
      [off.id, 'disabled'],
      [big.id, 'budget'],
      [picky.id, 'secondary'],
    ]);
  });
});

describe('buildRolePrompt: lorebook keys that could freeze the page', () => {
  it('switches a runaway regex key off and tells the inspector which entry, which key and why', () => {
    const runaway = lore({ keys: ['/(a|a)*b/'], name: 'Echo cave', content: 'The cave repeats every word.' });
    const backref = lore({ keys: ['/(ab)\\1/'] });
    const fine = lore({ keys: ['/\\btrains?\\b/i'], name: 'Trains', content: 'Trains in this town are always late.' });
    const input = base({ lorebook: book([runaway, backref, fine]) });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    expect(prompt.inspector.lorebook.chosen.map((c) => c.id)).toEqual([fine.id]);
    const warnings = prompt.inspector.lorebook.warnings;
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Echo cave: "\/\(a\|a\)\*b\/" \(unsafe-regex: .+\)$/);
    expect(warnings[1]).toMatch(new RegExp(`^#${String(backref.id)}: .*backreferences`));
  });
});

describe('buildRolePrompt: history', () => {
  const long = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? assistant(`Reply number ${i} `.repeat(8)) : user(`Question ${i}?`)));
  const fullBlock = Array.from({ length: 60 }, (_, i) => scene(`s${i}`, 60 - i, 'Haruhi:「' + 'word '.repeat(40) + '」'));

  it('keeps the newest history within its budget, contiguous, and counts what it dropped', () => {
    // Scenes may take all the room the plan does not give history: history gets its budget and
    // at most the bit of the block the last scene could not fill.
    const input = base({ history: [...long, user('Latest?')], scenes: fullBlock, layout: 'rebuild', budgets: { history: 300, scenes: 10_000, fewShot: 0 } });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const historyTokens = prompt.sections.find((s) => s.name === 'history')!.tokens;
    expect(historyTokens).toBeLessThanOrEqual(300 + 80);
    expect(historyTokens).toBeGreaterThan(200);
    expect(prompt.droppedMessages).toBeGreaterThan(0);
    expect(prompt.inspector.history.kept + prompt.droppedMessages).toBe(200);
    const sent = prompt.messages.slice(1).map((m) => m.content).join('\n\n');
    const kept = long.slice(prompt.droppedMessages).map((t) => t.content).join('\n\n');
    expect(sent).toContain(`${kept}\n\nLatest?`);
    expect(sent).not.toContain(long[prompt.droppedMessages - 1].content);
  });

  it('gives history the room that scenes and examples leave unused', () => {
    const withScenes = buildRolePrompt(base({ history: [...long, user('Latest?')], layout: 'rebuild', scenes: fullBlock }));
    const without = buildRolePrompt(base({ history: [...long, user('Latest?')], layout: 'rebuild' }));
    expect(without.inspector.history.kept).toBeGreaterThan(withScenes.inspector.history.kept);
  });

  it('keeps history up to what leaves room to append when cache-aware (at least `retain` of it)', () => {
    const rebuilt = buildRolePrompt(base({ history: [...long, user('Latest?')], layout: 'rebuild' }));
    const aware = buildRolePrompt(base({ history: [...long, user('Latest?')] }));
    const historyOf = (p: RolePrompt) => p.sections.find((s) => s.name === 'history')!.tokens;
    const appendRoom = Math.round((1 - DEFAULT_RETAIN) * scaleBudgets(4096).history);
    expect(historyOf(rebuilt)).toBeGreaterThan(1000);
    expect(historyOf(aware)).toBeLessThanOrEqual(historyOf(rebuilt) - appendRoom + 50);
    expect(historyOf(aware)).toBeGreaterThan(Math.max(historyOf(rebuilt) * DEFAULT_RETAIN, historyOf(rebuilt) - appendRoom - 100));
    // The prompt leaves at least that room free for the next turns.
    expect(aware.inspector.budget.prompt - aware.inspector.budget.used).toBeGreaterThanOrEqual(appendRoom - 50);
  });

  it('always keeps the new message, cutting its start when it alone is too long', () => {
    const huge = 'start ' + 'word '.repeat(3000) + 'the very end';
    const input = base({ history: [user(huge)], contextWindow: 1024, replyTokens: 128 });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    expect(prompt.messages.at(-1)?.content.endsWith('the very end')).toBe(true);
    expect(prompt.inspector.truncated.message).toBe(true);
    expect(prompt.inspector.mode).toBe('truncated');
  });
});

describe('buildRolePrompt: cache-aware layout', () => {
  const scenes = [scene('a', 3), scene('b', 2), scene('c', 1)];

  it('appends: each prompt is the previous one plus the reply plus the new message', () => {
    const input = base({ scenes, lorebook: book([lore({ constant: true })]) });
    const prompts = play(input, [
      { reply: 'Fine. Sit.', message: 'What is today’s plan?' },
      { reply: 'Aliens.', message: 'Again?' },
      { reply: 'Always.', message: 'OK.' },
    ]);
    const replies = ['Fine. Sit.', 'Aliens.', 'Always.'];
    for (let i = 1; i < prompts.length; i++) {
      expect(prompts[i].inspector.mode).toBe('appended');
      expect(prompts[i].messages.slice(0, -1)).toEqual([...prompts[i - 1].messages, { role: 'assistant', content: replies[i - 1] }]);
      expectValid(prompts[i], input);
    }
  });

  it('returns the very same prompt when the same turn is regenerated', () => {
    const input = base({ scenes });
    const first = buildRolePrompt(input);
    const again = buildRolePrompt({ ...input, previous: first });
    expect(again.messages).toEqual(first.messages);
    expect(again.sections).toEqual(first.sections);
    expect(again.inspector.mode).toBe('regenerated');
  });

  it('builds afresh after an edit of an earlier message, keeping the scene block when the topic holds', () => {
    const input = base({ scenes });
    const [, second] = play(input, [{ reply: 'Fine.', message: 'Next?' }]);
    const edited = buildRolePrompt({
      ...input,
      history: [assistant('Hey {{user}}! You are late!'), user('Sorry, the BUS was slow.'), assistant('Fine.'), user('Next?')],
      previous: second,
    });
    expect(edited.inspector.mode).toBe('fresh');
    expect(edited.inspector.refresh).toBe('not-continuation');
    expect(edited.inspector.scenes.reused).toBe(true);
    expect(edited.messages.slice(0, 6)).toEqual(second.messages.slice(0, 6));
  });

  it('adds new scenes to the new message when the topic moves, and rebuilds at once when asked to', () => {
    const input = base({ scenes });
    const moved = [scene('x', 5), scene('y', 4)];
    const [first, second] = play(input, [{ reply: 'Fine.', message: 'Tell me about espers.', scenes: moved }]);
    expect(second.inspector.mode).toBe('appended');
    expect(second.messages.slice(0, -1)).toEqual([...first.messages, { role: 'assistant', content: 'Fine.' }]);
    const last = second.messages.at(-1)!.content;
    expect(last.startsWith(`${SCENES_HEADER.en}\nHaruhi:「Scene x.」`)).toBe(true);
    expect(last.endsWith('Tell me about espers.')).toBe(true);
    expect(second.inspector.scenes.chosen.map((s) => s.id)).toEqual(['a', 'b', 'c', 'x', 'y']);
    expect(second.inspector.layout.notedScenes.map((s) => s.id)).toEqual(['x', 'y']);

    const rebuilt = buildRolePrompt({
      ...input,
      history: [...input.history, assistant('Fine.'), user('Tell me about espers.')],
      scenes: moved,
      previous: first,
      onTopicMove: 'rebuild',
    });
    expect(rebuilt.inspector.mode).toBe('fresh');
    expect(rebuilt.inspector.refresh).toBe('topic-moved');
    expect(rebuilt.inspector.scenes.chosen.map((s) => s.id)).toEqual(['x', 'y']);
    // The system prompt and few-shot turns are untouched.
    expect(rebuilt.messages.slice(0, 5)).toEqual(first.messages.slice(0, 5));
  });

  it('keeps the scene block when the ranking only shuffles', () => {
    const input = base({ scenes });
    const [, second] = play(input, [{ reply: 'Fine.', message: 'Hm.', scenes: [scene('c', 9), scene('b', 8), scene('a', 7)] }]);
    expect(second.inspector.mode).toBe('appended');
    expect(second.inspector.layout.notedScenes).toEqual([]);
  });

  it('adds lorebook entries that start to trigger as a note on the new message', () => {
    const alien = lore({ keys: ['alien'], content: 'Aliens watch Haruhi.' });
    const input = base({ lorebook: book([alien]) });
    const [first, second, third] = play(input, [
      { reply: 'Fine.', message: 'Is that an alien?' },
      { reply: 'Maybe.', message: 'An alien, really?' },
    ]);
    expect(first.inspector.lorebook.chosen).toEqual([]);
    expect(second.inspector.mode).toBe('appended');
    expect(second.messages.at(-1)?.content).toBe('[World info: Aliens watch Haruhi.]\n\nIs that an alien?');
    expect(second.inspector.lorebook.chosen).toEqual([expect.objectContaining({ id: alien.id, placement: 'note' })]);
    // Noted once: not again on the next turn.
    expect(third.messages.at(-1)?.content).toBe('An alien, really?');
  });

  it('rebuilds with `retain` of the history when an append would not fit, keeping the block', () => {
    const bigScenes = Array.from({ length: 12 }, (_, i) => scene(`s${i}`, 12 - i, 'Haruhi:「' + 'word '.repeat(40) + '」'));
    const input = base({ scenes: bigScenes, contextWindow: 2048, replyTokens: 256 });
    const steps = Array.from({ length: 12 }, (_, i) => ({ reply: `Reply ${i}: ` + 'so much to say '.repeat(12), message: `Message ${i}?` }));
    const prompts = play(input, steps);
    const modes = prompts.map((p) => p.inspector.mode);
    expect(modes.filter((m) => m === 'appended').length).toBeGreaterThan(6);
    const rebuild = prompts.findIndex((p, i) => i > 0 && p.inspector.refresh === 'history-full');
    expect(rebuild).toBeGreaterThan(1);
    const after = prompts[rebuild];
    expectValid(after, { ...input, history: [] as ChatTurn[] } as RolePromptInput);
    expect(after.inspector.scenes.reused).toBe(true);
    expect(after.droppedMessages).toBeGreaterThan(0);
    // System, few-shot and the context block are the same as before, so llama.cpp keeps them.
    const block = after.inspector.layout.contextIndex;
    expect(after.messages.slice(0, block)).toEqual(prompts[rebuild - 1].messages.slice(0, block));
    const contextChars = after.inspector.layout.contextParts.reduce((n, [, length]) => n + length + 2, -2);
    expect(after.messages[block].content.slice(0, contextChars)).toBe(prompts[rebuild - 1].messages[block].content.slice(0, contextChars));
    // And the next turn appends again.
    expect(prompts[rebuild + 1].inspector.mode).toBe('appended');
  });

  it('builds afresh when the card, persona or window changed, or the previous prompt has no layout', () => {
    const input = base({ scenes });
    const first = buildRolePrompt(input);
    const next = { ...input, history: [...input.history, assistant('Fine.'), user('Next?')] };
    expect(buildRolePrompt({ ...next, previous: first, persona: { name: 'Itsuki', description: '' } }).inspector.refresh).toBe('config-changed');
    expect(buildRolePrompt({ ...next, previous: first, contextWindow: 8192 }).inspector.refresh).toBe('config-changed');
    const plain = { messages: first.messages, sections: first.sections, droppedMessages: 0 };
    expect(buildRolePrompt({ ...next, previous: plain }).inspector.refresh).toBe('not-continuation');
    expect(buildRolePrompt({ ...next, previous: first, layout: 'rebuild' }).inspector.refresh).toBe('rebuild-layout');
  });

  it('survives a round trip of the previous prompt through JSON (as stored in IndexedDB)', () => {
    const input = base({ scenes, lorebook: book([lore({ keys: ['plan'] })]) });
    const first = buildRolePrompt(input);
    const stored = JSON.parse(JSON.stringify(first)) as RolePrompt;
    const next = buildRolePrompt({ ...input, history: [...input.history, assistant('Fine.'), user('The plan?')], previous: stored });
    expect(next.inspector.mode).toBe('appended');
    expectValid(next, { ...input, history: [] as ChatTurn[] } as RolePromptInput);
  });
});

describe("buildRolePrompt: the engine's cache rule", () => {
  const bigScenes = Array.from({ length: 12 }, (_, i) => scene(`s${i}`, 12 - i, 'Haruhi:「' + 'word '.repeat(40) + '」'));
  const alien = lore({ keys: ['alien'], content: 'Aliens watch Haruhi from the roof.' });
  // A long chat at 2k: the messages mention aliens from the fourth turn on, so the entry starts to
  // trigger between fresh builds, and appends soon outgrow the history room.
  const longChat = (cache: RolePromptInput['cache'], aliens = true) => {
    const input = base({ scenes: bigScenes, contextWindow: 2048, replyTokens: 256, lorebook: book([alien]), cache });
    const steps = Array.from({ length: 12 }, (_, i) => ({ reply: `Reply ${i}: ` + 'so much to say '.repeat(10), message: aliens && i >= 2 ? `An alien again, ${i}?` : `Message ${i}?` }));
    return { input, prompts: play(input, steps) };
  };
  const firstFull = (prompts: RolePrompt[]) => prompts.findIndex((p, i) => i > 3 && p.inspector.refresh === 'history-full');

  it('token-prefix (llama.cpp): a history-full rebuild keeps the context block and notes new lorebook hits on the message', () => {
    const { input, prompts } = longChat('token-prefix');
    const rebuild = firstFull(prompts);
    expect(rebuild).toBeGreaterThan(3);
    const after = prompts[rebuild];
    const before = prompts[rebuild - 1];
    expectValid(after, { ...input, history: [] as ChatTurn[] } as RolePromptInput);
    expect(after.inspector.scenes.reused).toBe(true);
    // Everything up to the end of the context block is what llama.cpp already holds.
    const block = after.inspector.layout.contextIndex;
    const contextChars = after.inspector.layout.contextParts.reduce((n, [, length]) => n + length + 2, -2);
    expect(after.messages.slice(0, block)).toEqual(before.messages.slice(0, block));
    expect(after.messages[block].content.slice(0, contextChars)).toBe(before.messages[block].content.slice(0, contextChars));
    // The entry is not in the kept block, so it rides on the new message, and is not noted twice.
    expect(after.messages[block].content.slice(0, contextChars)).not.toContain('Aliens watch');
    expect(after.messages.at(-1)?.content.startsWith('[World info: Aliens watch Haruhi from the roof.]')).toBe(true);
    expect(after.inspector.lorebook.chosen).toContainEqual(expect.objectContaining({ id: alien.id, placement: 'note' }));
    expect(prompts[rebuild + 1].inspector.mode).toBe('appended');
    expect(prompts[rebuild + 1].messages.at(-1)?.content).not.toContain('Aliens watch');
  });

  it('exact-messages (web-llm): a fresh build refreshes the context block, since it is a full prefill anyway', () => {
    const { prompts } = longChat('exact-messages');
    const rebuild = firstFull(prompts);
    expect(rebuild).toBeGreaterThan(3);
    const after = prompts[rebuild];
    expect(after.inspector.scenes.reused).toBe(false);
    expect(after.inspector.lorebook.chosen).toContainEqual(expect.objectContaining({ id: alien.id, placement: 'context' }));
    expect(after.messages.at(-1)?.content).not.toContain('Aliens watch');
    expect(prompts[rebuild + 1].inspector.mode).toBe('appended');
    // Even with nothing new to add, the block is built again rather than kept.
    const quiet = longChat('exact-messages', false).prompts;
    const quietRebuild = quiet[firstFull(quiet)];
    expect(quietRebuild.inspector.scenes.reused).toBe(false);
    expect(longChat(undefined, false).prompts.find((p) => p.inspector.refresh === 'history-full')?.inspector.scenes.reused).toBe(true);
  });

  it('token-prefix: a topic move rebuilds the context block at once; the other rules append the new scenes', () => {
    const scenes = [scene('a', 3), scene('b', 2), scene('c', 1)];
    const moved = [scene('x', 5), scene('y', 4)];
    for (const cache of ['token-prefix', 'exact-messages', undefined] as const) {
      const input = base({ scenes, cache });
      const [first, second] = play(input, [{ reply: 'Fine.', message: 'Tell me about espers.', scenes: moved }]);
      if (cache === 'token-prefix') {
        expect(second.inspector.refresh).toBe('topic-moved');
        expect(second.inspector.scenes.chosen.map((s) => s.id)).toEqual(['x', 'y']);
        // System and few-shot turns stay, so llama.cpp re-prefills only the block and the history.
        expect(second.messages.slice(0, 5)).toEqual(first.messages.slice(0, 5));
      } else {
        expect(second.inspector.mode, String(cache)).toBe('appended');
        expect(second.inspector.layout.notedScenes.map((s) => s.id)).toEqual(['x', 'y']);
      }
    }
  });

  it('keeps whole exchanges when a rebuild retains part of the history', () => {
    for (const cache of ['token-prefix', 'exact-messages', undefined] as const) {
      const { prompts } = longChat(cache);
      const rebuilds = prompts.filter((p, i) => i > 0 && p.inspector.refresh === 'history-full');
      expect(rebuilds.length, String(cache)).toBeGreaterThan(0);
      for (const p of rebuilds) {
        // The history before the new message ends with a reply, so whole exchanges make an even count.
        expect(p.inspector.history.kept % 2, String(cache)).toBe(0);
        expect(p.inspector.history.kept).toBeGreaterThan(0);
      }
    }
  });
});

describe('buildRolePrompt: the new message’s focus scene (issue 11)', () => {
  const fits = (id: string, score: number, focus = false): RetrievedScene => ({
    ...scene(id, score, `Haruhi:「${id} ` + 'word '.repeat(60) + '」'),
    ...(focus ? { focus: true } : {}),
  });

  it('puts the focus scene first in a fresh block, even when retrieval scored it lowest', () => {
    const ranked = Array.from({ length: 8 }, (_, i) => fits(`s${i}`, 9 - i));
    const input = base({ scenes: [...ranked, fits('film', 0.5, true)], history: longChat(), budgets: { scenes: 300, lore: 0 } });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const chosen = prompt.inspector.scenes.chosen.map((s) => s.id);
    expect(chosen[0]).toBe('film');
    expect(chosen.length).toBeLessThan(ranked.length);
    // Those it displaced are left out for the better-ranked ones, the focus scene counting as the best.
    expect(prompt.inspector.scenes.leftOut.map((s) => s.reason)).toEqual(ranked.slice(chosen.length - 1).map(() => 'below-others'));
  });

  it('a continuation missing the focus scene takes it alone on the new message, on every cache rule, keeping the cache', () => {
    for (const cache of ['token-prefix', 'exact-messages', undefined] as const) {
      const input = base({ scenes: [scene('a', 3), scene('b', 2), scene('c', 1)], cache });
      // The exchange's scores still favour the old scenes (the topic holds by them), but the message names the film.
      const next = [scene('a', 3), scene('b', 2), scene('c', 1), scene('d', 0.9), { ...scene('film', 0.5), focus: true }];
      const [first, second] = play(input, [{ reply: 'Fine.', message: 'What about the festival film?', scenes: next }]);
      expect(second.inspector.mode, String(cache)).toBe('appended');
      expect(second.messages.slice(0, -1)).toEqual([...first.messages, { role: 'assistant', content: 'Fine.' }]);
      expect(second.messages.at(-1)!.content).toBe(`${SCENES_HEADER.en}\nHaruhi:「Scene film.」\nKyon:「Sigh.」${SCENE_SEPARATOR.trimEnd()}\n\nWhat about the festival film?`);
      expect(second.inspector.scenes.chosen.map((s) => [s.id, s.placed])).toEqual([['a', 'earlier'], ['b', 'earlier'], ['c', 'earlier'], ['film', 'new']]);
      expect(second.inspector.scenes.leftOut.map((s) => [s.id, s.reason])).toEqual([['d', 'not-refreshed']]);
      expect(second.inspector.layout.notedScenes.map((s) => s.id)).toEqual(['film']);
    }
  });

  it('changes nothing when the focus scene is already in the prompt', () => {
    const input = base({ scenes: [scene('a', 3), scene('b', 2), scene('c', 1)], cache: 'token-prefix' });
    const [first, second] = play(input, [{ reply: 'Fine.', message: 'And b?', scenes: [scene('a', 3), { ...scene('b', 2), focus: true }, scene('c', 1)] }]);
    expect(second.inspector.mode).toBe('appended');
    expect(second.messages).toEqual([...first.messages, { role: 'assistant', content: 'Fine.' }, { role: 'user', content: 'And b?' }]);
    expect(second.inspector.layout.notedScenes).toEqual([]);
  });
});

describe('card macros with a seed', () => {
  const ctx = { char: 'Haruhi', user: 'Kyon' };

  it('expands {{random}}, {{pick}} and {{roll}} the same way for the same seed and text', () => {
    const text = 'Mood: {{random:happy,bored,angry}} / {{random::a, b::c}} / {{pick:x,y,z}} / {{roll:d20}} / {{roll::2d6+3}} / {{roll 6}}';
    const one = expandMacros(text, { ...ctx, seed: 'chat-1' });
    expect(expandMacros(text, { ...ctx, seed: 'chat-1' })).toBe(one);
    const m = /^Mood: (happy|bored|angry) \/ (a, b|c) \/ ([xyz]) \/ (\d+) \/ (\d+) \/ (\d+)$/.exec(one);
    expect(m).not.toBeNull();
    expect(Number(m![4])).toBeGreaterThanOrEqual(1);
    expect(Number(m![4])).toBeLessThanOrEqual(20);
    expect(Number(m![5])).toBeGreaterThanOrEqual(5);
    expect(Number(m![5])).toBeLessThanOrEqual(15);
    expect(Number(m![6])).toBeLessThanOrEqual(6);
    const seen = new Set(Array.from({ length: 40 }, (_, i) => expandMacros('{{random:a,b,c,d}}', { ...ctx, seed: i })));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('keeps escaped commas, comments, {{original}} and leaves macros alone without a seed', () => {
    expect(expandMacros('{{random:a\\,b}}', { ...ctx, seed: 1 })).toBe('a,b');
    expect(expandMacros('x{{// hidden}}y {{original}}', { ...ctx, seed: 1, original: 'O' })).toBe('xy O');
    expect(expandMacros('{{random:a,b}} {{roll:d20}}', ctx)).toBe('{{random:a,b}} {{roll:d20}}');
    expect(expandMacros('{{roll:banana}} {{random:}}', { ...ctx, seed: 1 })).toBe('{{roll:banana}} {{random:}}');
  });

  it('gives the builder stable prompts: the seed defaults to the character, or is the conversation', () => {
    const input = base({ character: character({ description: '{{char}} feels {{random:happy,bored,angry,sleepy,curious}} today.' }) });
    const a = buildRolePrompt(input);
    expect(buildRolePrompt(input).messages[0].content).toBe(a.messages[0].content);
    expect(a.messages[0].content).toMatch(/Haruhi feels (happy|bored|angry|sleepy|curious) today\./);
    const moods = new Set(Array.from({ length: 30 }, (_, i) => /feels (\w+)/.exec(buildRolePrompt({ ...input, seed: `c${i}` }).messages[0].content)![1]));
    expect(moods.size).toBeGreaterThan(1);
  });
});

const HARUHI = join(__dirname, '../../../../../shared/fixtures/chatharuhi/haruhi');

describe('buildRolePrompt on a real ChatHaruhi pack', () => {
  it.skipIf(!existsSync(HARUHI))('fills the room history does not need with real classic scenes, separated by ###', () => {
    const files = readdirSync(join(HARUHI, 'texts')).filter((f) => f.endsWith('.txt')).sort().slice(0, 40);
    const scenes = files.map((f, i) => ({ id: f, text: readFileSync(join(HARUHI, 'texts', f), 'utf8'), score: 40 - i }));
    const input = base({
      character: character({ name: '凉宫春日', language: 'zh', systemPrompt: readFileSync(join(HARUHI, 'system_prompt.txt'), 'utf8'), exampleDialogue: '' }),
      persona: { name: '阿虚', description: '' },
      history: [user('阿虚:「今天SOS团做什么？」')],
      scenes,
    });
    const prompt = buildRolePrompt(input);
    expectValid(prompt, input);
    const block = prompt.messages[1].content;
    expect(block.startsWith(SCENES_HEADER.zh)).toBe(true);
    // N scenes, each followed by ### (the last one's before the chat-start line).
    expect(block.split(SCENE_SEPARATOR).length).toBe(prompt.inspector.scenes.chosen.length + 1);
    // A first turn: scenes take what history does not need yet, all but the room to append the next turns.
    const { prompt: room, used } = prompt.inspector.budget;
    expect(used).toBeGreaterThanOrEqual(0.7 * room);
    expect(room - used).toBeGreaterThanOrEqual(Math.round((1 - DEFAULT_RETAIN) * scaleBudgets(4096).history));
    expect(prompt.inspector.scenes.chosen.length).toBeGreaterThan(1);
    expect(prompt.inspector.scenes.leftOut.length).toBeGreaterThan(0);
  });
});

describe('buildRolePrompt: properties (seeded random inputs)', () => {
  const EN = 'the a of sword alien esper tea club room haruhi kyon time travel slider brigade rain lamp door night secret letter'.split(' ');
  const ZH = '春日 阿虚 外星人 未来人 超能力者 社团 茶 雨 灯 门 夜 秘密 信 学校 电影'.split(' ');
  const KEYS = ['alien', 'esper', 'tea', 'haruhi', '春日', '外星人', '/time ?travel/i', '/([a-z/', 'club room', '(a+)+'];

  function generator(seed: number) {
    const random = prng(seed);
    const int = (max: number) => Math.floor(random() * max);
    const pick = <T>(list: readonly T[]) => list[int(list.length)];
    const words = (max: number, zh = false) => Array.from({ length: int(max) }, () => pick(zh ? ZH : EN)).join(zh ? '' : ' ');
    const text = (max: number, zh = false) => {
      const base = words(max, zh);
      const r = random();
      if (r < 0.05) return base + ' {{user}} and {{char}} {{random:x,y,z}} {{roll:d6}}';
      if (r < 0.08) return base + ' 😀\n\n*acts* "speaks"';
      return base;
    };
    return { random, int, pick, text };
  }

  function randomInput(seed: number): RolePromptInput {
    const { random, int, pick, text } = generator(seed);
    const zh = random() < 0.4;
    const big = () => (random() < 0.1 ? 1500 : 80);
    const examples = Array.from({ length: int(12) }, () => `<START>\n{{user}}: ${text(20, zh)}\n{{char}}: ${text(big(), zh)}`).join('\n');
    const entries: LorebookEntry[] = Array.from({ length: random() < 0.5 ? 0 : int(20) }, (_, i) => ({
      id: i,
      keys: Array.from({ length: int(3) }, () => pick(KEYS)),
      secondaryKeys: random() < 0.3 ? [pick(KEYS)] : [],
      selective: random() < 0.3,
      selectiveLogic: pick(['and-any', 'and-all', 'not-any', 'not-all'] as const),
      content: text(random() < 0.1 ? 600 : 40, zh),
      enabled: random() < 0.9,
      constant: random() < 0.15,
      useRegex: random() < 0.1,
      insertionOrder: int(10),
      priority: int(5),
      position: random() < 0.5 ? 'before_char' : 'after_char',
      // Every fourth entry at a depth among the history turns (no extra draws: the other inputs stay as they were).
      extensions: i % 4 === 3 ? { position: 4, depth: i % 5, role: i % 3 } : {},
    }));
    const history: ChatTurn[] = [];
    if (random() < 0.8) history.push(assistant(text(60, zh)));
    const turns = int(random() < 0.2 ? 200 : 40);
    for (let i = 0; i < turns; i++) {
      const roll = random();
      history.push({ role: roll < 0.45 ? 'user' : roll < 0.93 ? 'assistant' : 'system', content: random() < 0.04 ? '' : text(random() < 0.05 ? 2000 : 70, zh) });
    }
    history.push(user(text(random() < 0.08 ? 4000 : 60, zh) || 'hi'));
    const contextWindow = 256 + int(8192 - 256 + 1);
    const counters = [undefined, (t: string) => Math.ceil(t.length / 2), (t: string) => Math.ceil(estimateTokens(t) * 1.3)];
    return {
      character: character({
        language: zh ? 'zh' : 'en',
        name: zh ? '春日' : 'Haruhi',
        nickname: random() < 0.2 ? 'Haru' : '',
        description: text(random() < 0.15 ? 3000 : 120, zh),
        personality: text(40, zh),
        scenario: text(40, zh),
        catchphrases: Array.from({ length: int(4) }, () => text(8, zh)),
        exampleDialogue: random() < 0.8 ? examples : '',
        systemPrompt: random() < 0.3 ? `{{original}} ${text(30, zh)}` : '',
        postHistoryInstructions: random() < 0.3 ? text(25, zh) : '',
      }),
      persona: random() < 0.5 ? { name: zh ? '阿虚' : 'Kyon', description: text(30, zh) } : undefined,
      lorebook: entries.length ? book(entries, { recursiveScanning: random() < 0.5, scanDepth: random() < 0.5 ? int(8) : undefined, tokenBudget: random() < 0.3 ? int(500) : undefined }) : undefined,
      history,
      scenes: Array.from({ length: int(30) }, (_, i) => ({
        id: `s${int(40)}`, score: random() < 0.05 ? Number.NaN : random() * 10 - 1, text: text(random() < 0.1 ? 1200 : 120, zh), title: i % 3 ? undefined : `t${i}`,
        ...(random() < 0.05 ? { focus: true } : {}),
      })),
      contextWindow,
      replyTokens: int(Math.floor(contextWindow / 2)),
      countTokens: pick(counters),
      layout: random() < 0.25 ? 'rebuild' : 'cache-aware',
      onTopicMove: random() < 0.3 ? 'rebuild' : 'append',
      seed: random() < 0.5 ? `conv-${seed}` : undefined,
    };
  }

  const names = new Set([
    'system', 'lorebook-constant', 'character', 'persona', 'examples', 'summary', 'pins', 'lorebook', 'scenes', 'chat-start', 'history',
    'authors-note', 'lorebook-depth', 'recall', 'lorebook-note', 'post-history', 'message',
  ]);

  /** A chat's memory: a summary (sometimes far over its budget), pins, recall candidates, an author's note. */
  function randomMemory(seed: number, history: readonly ChatTurn[]): MemoryInput {
    const { random, int, text } = generator(seed * 13 + 5);
    const recallOf = (i: number) => {
      const turn = int(Math.max(1, history.length - 1));
      return { id: `m${turn}`, turn, text: history[turn]?.content ?? '', score: 10 - i };
    };
    return {
      summary: random() < 0.7 ? { id: `sum${int(3)}`, text: text(random() < 0.2 ? 2000 : 150), covers: int(20) } : undefined,
      pins: Array.from({ length: int(8) }, (_, i) => ({ id: `pin${i}`, text: text(random() < 0.1 ? 400 : 15) })),
      recall: random() < 0.8 ? Array.from({ length: int(6) }, (_, i) => recallOf(i)) : undefined,
      authorsNote: random() < 0.5 ? { text: text(30), depth: int(6) } : undefined,
    };
  }

  function check(prompt: RolePrompt, input: RolePromptInput, label: string) {
    const count = input.countTokens ?? estimateTokens;
    const budget = input.contextWindow - input.replyTokens;
    const { messages } = prompt;
    expect(messages[0].role, label).toBe('system');
    expect(messages.filter((m) => m.role === 'system').length, label).toBe(1);
    expect(messages[messages.length - 1].role, label).toBe('user');
    for (let i = 2; i < messages.length; i++) expect(messages[i].role, `${label}: alternation at ${i}`).not.toBe(messages[i - 1].role);
    expect(total(prompt), label).toBeLessThanOrEqual(budget);
    expect(estimatePromptTokens(messages, count), label).toBe(total(prompt));
    for (const s of prompt.sections) expect(names.has(s.name), `${label}: section ${s.name}`).toBe(true);
    // The new message is the end of the last message (before any post-history note), whole unless cut.
    const displayName = input.character.nickname || input.character.name;
    const expanded = expandMacros(input.history.at(-1)!.content, {
      char: displayName,
      user: input.persona?.name || (input.character.language === 'zh' ? '你' : 'User'),
      seed: input.seed ?? displayName,
    });
    const last = messages[messages.length - 1].content;
    if (prompt.inspector.truncated.message) {
      expect(last.includes(expanded), label).toBe(false);
      expect(expanded.endsWith(last.split('…').at(-1)!.split('\n\n[')[0].split('\n\n【')[0]), label).toBe(true);
    } else expect(last.includes(expanded), label).toBe(true);
    expect(prompt.inspector.budget.used, label).toBe(total(prompt));
    expect(prompt.droppedMessages, label).toBeGreaterThanOrEqual(0);
  }

  it('never exceeds the window, ends with the new message and keeps the shape, over multi-turn chats', () => {
    let built = 0;
    let appended = 0;
    for (let seed = 1; seed <= 200; seed++) {
      // Each engine cache rule, and none, over a third of the chats.
      const input = { ...randomInput(seed), cache: (['token-prefix', 'exact-messages', undefined] as const)[seed % 3] };
      const { random, text } = generator(seed * 7919);
      const budget = input.contextWindow - input.replyTokens;
      let prompt: RolePrompt;
      try {
        prompt = buildRolePrompt(input);
      } catch (error) {
        // Only a window too small for the reply may refuse.
        expect(error, `seed ${seed}`).toBeInstanceOf(AppError);
        expect((error as AppError).code, `seed ${seed}`).toBe('context-exceeded');
        expect(budget, `seed ${seed}`).toBeLessThan(2 * 6 + 8 + 8);
        continue;
      }
      check(prompt, input, `seed ${seed}`);
      built++;
      // Continue the chat a few turns, passing the previous prompt each time.
      let history = input.history;
      for (let turn = 0; turn < 4; turn++) {
        const reply = text(random() < 0.1 ? 1500 : 80) || 'ok';
        const message = text(40) || 'go on';
        history = [...history, assistant(reply), user(message)];
        const scenes = random() < 0.5 ? input.scenes : randomInput(seed * 31 + turn).scenes;
        const next = { ...input, history, scenes, previous: random() < 0.9 ? prompt : undefined };
        const previous = prompt;
        prompt = buildRolePrompt(next);
        check(prompt, next, `seed ${seed} turn ${turn}`);
        built++;
        if (prompt.inspector.mode === 'appended') {
          appended++;
          expect(prompt.messages.slice(0, -1), `seed ${seed} turn ${turn}`).toEqual([
            ...previous.messages,
            { role: 'assistant', content: expandMacros(reply, { char: input.character.nickname || input.character.name, user: input.persona?.name || (input.character.language === 'zh' ? '你' : 'User'), seed: input.seed ?? (input.character.nickname || input.character.name) }) },
          ]);
        }
      }
    }
    expect(built).toBeGreaterThan(700);
    expect(appended).toBeGreaterThan(150);
  }, 30_000); // 200 random chats: seconds on a loaded 2-core machine

  it('never exceeds the window with memory on (summary, pins, recall, author\'s note), over multi-turn chats whose memory changes', () => {
    let built = 0;
    let appended = 0;
    let withMemory = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const plain = randomInput(seed);
      const input = { ...plain, memory: randomMemory(seed, plain.history), cache: (['token-prefix', 'exact-messages', undefined] as const)[seed % 3] };
      const { random, text } = generator(seed * 7907);
      let prompt: RolePrompt;
      try {
        prompt = buildRolePrompt(input);
      } catch (error) {
        expect((error as AppError).code, `seed ${seed}`).toBe('context-exceeded');
        expect(input.contextWindow - input.replyTokens, `seed ${seed}`).toBeLessThan(2 * 6 + 8 + 8);
        continue;
      }
      check(prompt, input, `seed ${seed}`);
      built++;
      let history = input.history;
      let memory = input.memory;
      for (let turn = 0; turn < 4; turn++) {
        history = [...history, assistant(text(random() < 0.1 ? 1500 : 80) || 'ok'), user(text(40) || 'go on')];
        // Now and then the summary is rewritten or a pin added, as the app does between turns.
        if (random() < 0.3) memory = { ...randomMemory(seed * 5 + turn, history), authorsNote: memory.authorsNote };
        const next = { ...input, history, memory, previous: random() < 0.9 ? prompt : undefined };
        prompt = buildRolePrompt(next);
        check(prompt, next, `seed ${seed} turn ${turn} (memory)`);
        built++;
        if (prompt.inspector.mode === 'appended') appended++;
        if (prompt.sections.some((s) => ['summary', 'pins', 'recall', 'authors-note'].includes(s.name))) withMemory++;
      }
    }
    expect(built).toBeGreaterThan(400);
    expect(appended).toBeGreaterThan(80);
    expect(withMemory).toBeGreaterThan(200);
  }, 30_000);

  it('never exceeds the window in group chats, and a member who speaks again appends to their own last prompt', () => {
    let built = 0;
    let appended = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const base = randomInput(seed);
      const members = [0, 1, 2].map((k) => ({ id: `m${k}`, character: { ...randomInput(seed * 3 + k + 500).character, name: ['Alice', 'Bob', '春日'][k] } }));
      const person = base.persona?.name ?? 'User';
      const { random, int, text } = generator(seed * 7901);
      const lines: GroupLine[] = [{ role: 'assistant', content: text(60) || 'Welcome.', speakerId: 'm0', speakerName: 'Alice' }];
      const last = new Map<string, RolePrompt>();
      for (let turn = 0; turn < 10; turn++) {
        if (random() < 0.6) lines.push({ role: 'user', content: text(random() < 0.05 ? 2000 : 40) || 'hm' });
        // Often the same member again (a mention, "let them talk"), so appends are exercised.
        const speaker = random() < 0.4 ? members[0] : members[int(3)];
        const others = members.filter((m) => m !== speaker).map((m) => m.character);
        const input: RolePromptInput = {
          ...base,
          character: speakerCharacter(speaker.character, others, person, random() < 0.3 ? text(30) : undefined),
          history: speakerTurns(lines, speaker.id, { person, speaker: speaker.character.name, fallback: 'Group' }, speaker.character.language),
          scenes: base.scenes,
          previous: last.get(speaker.id),
          cache: (['token-prefix', 'exact-messages', undefined] as const)[seed % 3],
        };
        let prompt: RolePrompt;
        try {
          prompt = buildRolePrompt(input);
        } catch (error) {
          expect((error as AppError).code, `seed ${seed}`).toBe('context-exceeded');
          break;
        }
        check(prompt, input, `seed ${seed} turn ${turn} (group, ${speaker.id})`);
        built++;
        if (prompt.inspector.mode === 'appended') appended++;
        last.set(speaker.id, prompt);
        lines.push({ role: 'assistant', content: text(random() < 0.1 ? 800 : 60) || 'ok', speakerId: speaker.id, speakerName: speaker.character.name });
      }
    }
    expect(built).toBeGreaterThan(700);
    expect(appended).toBeGreaterThan(100);
  }, 30_000);

  it('is deterministic: the same input gives the same prompt', () => {
    for (let seed = 1000; seed < 1030; seed++) {
      const input = randomInput(seed);
      if (input.contextWindow - input.replyTokens < 40) continue;
      expect(buildRolePrompt(input)).toEqual(buildRolePrompt(input));
    }
  });
});

describe('buildRolePrompt: a budget that follows need (issue 11)', () => {
  const many = (prefix: string, words: number, count = 40) =>
    Array.from({ length: count }, (_, i) => scene(`${prefix}${i}`, count - i, `Haruhi:「${prefix} ${i} ` + 'word '.repeat(words) + '」'));

  it('fills at least 70 % of the window less the reply on a first turn when there are enough scenes, never more', () => {
    for (const [contextWindow, replyTokens] of [[4096, 384], [2048, 256], [8192, 512]]) {
      for (const layout of ['cache-aware', 'rebuild'] as const) {
        const input = base({ scenes: many('s', 50, 120), contextWindow, replyTokens, layout });
        const prompt = buildRolePrompt(input);
        expectValid(prompt, input);
        expect(prompt.inspector.budget.used, `${contextWindow}/${replyTokens} ${layout}`).toBeGreaterThanOrEqual(0.7 * (contextWindow - replyTokens));
      }
    }
  });

  it('admits the best new scene on a topic move even when it is larger than a third of the scene room', () => {
    const input = base({ scenes: many('old', 30), cache: 'exact-messages' });
    // About 500 estimated tokens: more than a third of the 1,500-token scene budget, less than all of it.
    const big = scene('big', 100, 'Haruhi:「The festival film! ' + 'camera '.repeat(480) + '」');
    const moved = [big, ...many('new', 30).map((s) => ({ ...s, score: s.score / 100 }))];
    const [first, second] = play(input, [{ reply: 'Fine.', message: 'What about the festival film?', scenes: moved }]);
    expect(first.inspector.scenes.chosen.some((s) => s.id === 'big')).toBe(false);
    expect(second.inspector.mode).toBe('appended');
    expect(second.messages.at(-1)!.content).toContain('camera camera');
    expect(second.inspector.scenes.chosen.map((s) => s.id)).toContain('big');
  });

  it('in a small window, history gives way for the best new scene after a topic move when it fits the scene budget', () => {
    for (const cache of ['exact-messages', 'token-prefix'] as const) {
      const input = base({ history: longChat(), contextWindow: 1024, replyTokens: 128, scenes: [scene('tea', 5)], cache });
      // About 250 estimated tokens: within the 375-token scene budget of a 1,024 window, more than history leaves it.
      const film = scene('film', 9, 'Haruhi:「The festival film! ' + 'camera '.repeat(120) + '」');
      const [, second] = play(input, [{ reply: 'Fine.', message: 'What about the festival film?', scenes: [film, scene('tea', 1)] }]);
      expectValid(second, { ...input, history: [...input.history, assistant('Fine.'), user('What about the festival film?')] });
      expect(second.messages.some((m) => m.content.includes('camera camera')), cache).toBe(true);
      expect(second.inspector.scenes.chosen.map((s) => s.id)).toContain('film');
    }
  });

  it('says why each scene was or was not taken: new, already in the prompt, no room, below others, not refreshed', () => {
    const huge = scene('huge', 10, 'Haruhi:「' + 'word '.repeat(400) + '」');
    const fits = Array.from({ length: 8 }, (_, i) => scene(`s${i}`, 9 - i, 'Haruhi:「' + 'word '.repeat(60) + '」'));
    const input = base({ scenes: [huge, ...fits], history: longChat(), budgets: { scenes: 300, lore: 0 }, cache: 'exact-messages' });
    const [first, second] = play(input, [{ reply: 'Fine.', message: 'And then?' }]);
    const why = (p: RolePrompt) => [
      ...p.inspector.scenes.chosen.map((s) => [s.id, s.placed]),
      ...p.inspector.scenes.leftOut.map((s) => [s.id, s.reason]),
    ];
    const taken = first.inspector.scenes.chosen.length;
    expect(taken).toBeGreaterThan(0);
    expect(why(first)).toEqual([
      ...fits.slice(0, taken).map((s) => [s.id, 'new']),
      ['huge', 'no-room'],
      ...fits.slice(taken).map((s) => [s.id, 'below-others']),
    ]);
    // Same topic next turn: the prompt is reused, its scenes already in it, the rest not refreshed.
    expect(second.inspector.mode).toBe('appended');
    expect(why(second)).toEqual([
      ...fits.slice(0, taken).map((s) => [s.id, 'earlier']),
      ['huge', 'not-refreshed'],
      ...fits.slice(taken).map((s) => [s.id, 'not-refreshed']),
    ]);
  });

  it('gives the room back to history as the chat grows: a rebuild after many turns carries fewer scenes than the first prompt', () => {
    const input = base({ scenes: many('s', 50), cache: 'exact-messages' });
    const steps = Array.from({ length: 14 }, (_, i) => ({ reply: `Reply ${i}: ` + 'so much to say '.repeat(12), message: `Message ${i}?` }));
    const prompts = play(input, steps);
    const last = prompts.at(-1)!;
    expect(prompts[0].inspector.history.kept).toBe(1);
    const rebuilt = [...prompts].reverse().find((p) => p.inspector.mode === 'fresh')!;
    expect(rebuilt.inspector.history.kept).toBeGreaterThan(6);
    expect(rebuilt.inspector.scenes.chosen.length).toBeLessThan(prompts[0].inspector.scenes.chosen.length);
    expect(last.inspector.budget.used).toBeLessThanOrEqual(last.inspector.budget.prompt);
  });
});
