// Golden tests: fixed inputs -> the exact prompt (messages, sections, what the inspector says).
// The layout rules are asserted inline; the full output is compared with __golden__/<name>.json.
// After an intended change, regenerate with: UPDATE_GOLDEN=1 npx vitest run test/unit/core/role-prompt/role-prompt.golden.test.ts
// and review the diff of the JSON files.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRolePrompt, scaleBudgets, SCENE_SEPARATOR, SCENES_HEADER, type RolePrompt, type RolePromptInput } from '../../../../src/core/role-prompt';
import { estimatePromptTokens } from '../../../../src/core/tokens';
import type { CharacterFields, ChatTurn } from '../../../../src/core/types';

const GOLDEN = join(__dirname, '__golden__');

function card(fields: Partial<CharacterFields>): CharacterFields {
  return {
    name: '',
    nickname: '',
    avatar: '',
    shortDescription: '',
    description: '',
    personality: '',
    scenario: '',
    firstMessage: '',
    alternateGreetings: [],
    exampleDialogue: '',
    systemPrompt: '',
    postHistoryInstructions: '',
    creatorNotes: '',
    tags: [],
    creator: '',
    characterVersion: '',
    catchphrases: [],
    language: 'en',
    ...fields,
  };
}

const user = (content: string): ChatTurn => ({ role: 'user', content });
const assistant = (content: string): ChatTurn => ({ role: 'assistant', content });

const MIRA = card({
  name: 'Captain Mira Vance',
  nickname: 'Mira',
  description: '{{char}} commands the salvage ship *Low Tide*. She is forty, scarred, and funnier than she lets on.',
  personality: 'Dry, decisive, loyal to her crew, allergic to paperwork.',
  scenario: '{{user}} has just signed on as the ship’s new engineer.',
  catchphrases: ['Tide waits for no one.', 'Log it and move.'],
  exampleDialogue:
    '<START>\n{{user}}: Captain, the reactor is making a noise.\n{{char}}: *She doesn’t look up.* "Is it the good noise or the bad noise?"\n' +
    '<START>\n{{user}}: Why salvage?\n{{char}}: "Because the dead don’t haggle." *She taps the hull.* "Tide waits for no one."\n' +
    '<START>\n{{user}}: Can I have a day off?\n{{char}}: "Log it and move. Request denied, with love."',
});

const XIAOMAN = card({
  name: '林小满',
  language: 'zh',
  description: '{{char}}是江南小镇一家面馆的老板娘，二十六岁，嘴硬心软，做得一手好阳春面。',
  personality: '爽朗、爱唠叨、护短。',
  scenario: '雨夜，{{user}}推门走进了面馆。',
  catchphrases: ['吃饱了才有力气难过。', '汤要趁热喝。'],
  exampleDialogue:
    '<START>\n{{user}}：老板娘，还有面吗？\n{{char}}：“有有有，最后一碗，给你加个蛋。”\n' +
    '<START>\n{{user}}：我今天失恋了。\n{{char}}：*她把面碗推过来。*“吃饱了才有力气难过。”\n' +
    '<START>\n{{user}}：这汤怎么这么香？\n{{char}}：“熬了六个钟头的骨头汤，汤要趁热喝。”',
});

const SHELDRAKE = card({
  name: 'Professor Sheldrake',
  systemPrompt:
    'I want you to act like {{char}}, the physicist from the campus sitcom. Answer with his tone, manner and vocabulary. ' +
    'Classic scenes are given to show how he speaks. {{original}}',
  description: 'A brilliant, pedantic physicist who lives by schedules and a whiteboard.',
  catchphrases: ['Fascinating.', 'That is not how physics works.'],
});

const SHELDRAKE_SCENES = [
  ['lab', 0.92, 'Sheldrake:「Do not touch the whiteboard. It is load-bearing.」\nStudent:「It’s a whiteboard.」\nSheldrake:「Load-bearing, intellectually.」'],
  ['schedule', 0.81, 'Roommate:「Dinner?」\nSheldrake:「It is Tuesday. Tuesday is soup. I have a schedule for a reason.」'],
  ['train', 0.77, 'Sheldrake:「Trains are the only sensible way to travel. Also, the horn is in B-flat.」'],
  ['spot', 0.64, 'Sheldrake:「That is my spot. In an ever-changing world it is a single point of consistency.」'],
  ['knock', 0.55, 'Sheldrake:「(knock knock knock) Neighbour. (knock knock knock) Neighbour. (knock knock knock) Neighbour.」'],
  ['physics', 0.41, 'Student:「Can we just assume the cow is a sphere?」\nSheldrake:「That is not how physics works. Well. It is, actually. Fascinating.」'],
  ['flag', 0.33, 'Sheldrake:「Welcome to Fun with Flags. Today: the vexillology of tea.」'],
  ['string', 0.21, 'Sheldrake:「String theory remains elegant, untested and, like me, misunderstood.」 '.repeat(40)],
].map(([id, score, text]) => ({ id: id as string, score: score as number, text: text as string }));

const HARUHI = card({
  name: '凉宫春日',
  nickname: '春日',
  language: 'zh',
  systemPrompt: '你正在扮演{{char}}。下面给出一些经典桥段，请模仿{{char}}的语气。{{original}}',
  description: '北高一年级学生，SOS团团长，自信、独立、行动力极强。',
  catchphrases: ['无聊！', '普通的人类我没有兴趣！'],
});

const HARUHI_SCENES = [
  ['intro', 0.95, '春日:「我对普通的人类没有兴趣。你们之中要是有外星人、未来人、异世界人、超能力者的话，就尽管来找我吧！」'],
  ['club', 0.88, '阿虚:「你要成立什么社团？」\n春日:「SOS团！让世界变得更热闹的凉宫春日团！」'],
  ['search', 0.71, '春日:「周六上午九点，车站前集合！迟到的人请大家喝饮料！」\n阿虚:「又是我请客……」'],
  ['baseball', 0.63, '春日:「既然决定好了就马上来特训吧！特训！」\n阿虚:「特训？现在就开始？」'],
  ['festival', 0.48, '春日:「文化祭我们要拍电影！导演当然是我！」'],
  ['boring', 0.3, '春日:「无聊！无聊死了！」'.repeat(30)],
].map(([id, score, text]) => ({ id: id as string, score: score as number, text: text as string }));

const CASES: Record<string, RolePromptInput> = {
  'rolegpt-en': {
    character: MIRA,
    persona: { name: 'Jun', description: 'A nervous but gifted engineer.' },
    history: [user('Captain, what are we salvaging today?')],
    contextWindow: 4096,
    replyTokens: 384,
  },
  'rolegpt-zh': {
    character: XIAOMAN,
    history: [user('老板娘，今天有什么推荐的吗？')],
    contextWindow: 4096,
    replyTokens: 384,
  },
  'chatharuhi-en': {
    character: SHELDRAKE,
    persona: { name: 'Penny', description: '' },
    history: [
      assistant('*Sheldrake looks up from the whiteboard.* "You are in my light."'),
      user('Sorry! What are you working on?'),
      assistant('"The unification of three incompatible lunch schedules."'),
      user('Can I sit in your spot?'),
    ],
    scenes: SHELDRAKE_SCENES,
    contextWindow: 2048,
    replyTokens: 256,
  },
  'chatharuhi-zh': {
    character: HARUHI,
    persona: { name: '阿虚', description: '' },
    history: [assistant('“你迟到了！罚你请客！”'), user('阿虚:「今天SOS团要做什么？」')],
    scenes: HARUHI_SCENES,
    contextWindow: 2048,
    replyTokens: 256,
  },
};

/** What the golden files hold: the prompt and what the inspector says about it. */
function snapshot(prompt: RolePrompt) {
  const { inspector } = prompt;
  return {
    messages: prompt.messages,
    sections: prompt.sections,
    droppedMessages: prompt.droppedMessages,
    inspector: {
      mode: inspector.mode,
      refresh: inspector.refresh,
      budget: inspector.budget,
      scenes: {
        chosen: inspector.scenes.chosen.map((s) => [s.id, s.score, s.tokens]),
        leftOut: inspector.scenes.leftOut.map((s) => [s.id, s.score, s.reason]),
      },
      lorebook: inspector.lorebook,
      examples: inspector.examples,
      history: inspector.history,
    },
  };
}

function golden(name: string, prompt: RolePrompt) {
  const file = join(GOLDEN, `${name}.json`);
  const actual = JSON.parse(JSON.stringify(snapshot(prompt)));
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
    return;
  }
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

const roles = (prompt: RolePrompt) => prompt.messages.map((m) => m.role);

describe('golden: RoleGPT layout (system, few-shot turns as user/assistant, then the question)', () => {
  it('in English', () => {
    const prompt = buildRolePrompt(CASES['rolegpt-en']);
    expect(roles(prompt)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(prompt.messages[1]).toEqual({ role: 'user', content: 'Captain, the reactor is making a noise.' });
    expect(prompt.messages[2]).toEqual({ role: 'assistant', content: '*She doesn’t look up.* "Is it the good noise or the bad noise?"' });
    expect(prompt.messages[0].content).toContain('You are Mira in a private, fictional role-play with Jun.');
    expect(prompt.messages[0].content).toContain("Mira's catchphrases: Tide waits for no one.; Log it and move.");
    expect(prompt.messages.at(-1)!.content.endsWith('Captain, what are we salvaging today?')).toBe(true);
    golden('rolegpt-en', prompt);
  });

  it('in Chinese', () => {
    const prompt = buildRolePrompt(CASES['rolegpt-zh']);
    expect(roles(prompt)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(prompt.messages[1]).toEqual({ role: 'user', content: '老板娘，还有面吗？' });
    expect(prompt.messages[4]).toEqual({ role: 'assistant', content: '*她把面碗推过来。*“吃饱了才有力气难过。”' });
    expect(prompt.messages[0].content).toContain('你是林小满，正在与你进行一场私密的虚构角色扮演。');
    expect(prompt.messages[0].content).toContain('林小满的口头禅：吃饱了才有力气难过。；汤要趁热喝。');
    expect(prompt.messages.at(-1)!.content.endsWith('老板娘，今天有什么推荐的吗？')).toBe(true);
    golden('rolegpt-zh', prompt);
  });
});

describe('golden: ChatHaruhi layout (classic scenes separated by ###, within budget, before the history)', () => {
  for (const [name, header] of [
    ['chatharuhi-en', SCENES_HEADER.en],
    ['chatharuhi-zh', SCENES_HEADER.zh],
  ] as const) {
    it(name === 'chatharuhi-en' ? 'in English' : 'in Chinese', () => {
      const input = CASES[name];
      const prompt = buildRolePrompt(input);
      expect(roles(prompt)[0]).toBe('system');
      const block = prompt.messages[1];
      expect(block.role).toBe('user');
      expect(block.content.startsWith(`${header}\n`)).toBe(true);
      const chosen = prompt.inspector.scenes.chosen;
      const scenes = block.content.slice(header.length + 1).split(SCENE_SEPARATOR);
      // N scenes, then what follows the last ###: the chat-start line.
      expect(scenes.slice(0, -1)).toEqual(chosen.map((s) => input.scenes!.find((x) => x.id === s.id)!.text.trim()));
      // Best score first; what did not fit is reported with its score.
      expect(chosen.map((s) => s.score)).toEqual([...chosen.map((s) => s.score)].sort((a, b) => b - a));
      expect(prompt.inspector.scenes.leftOut.every((s) => s.reason === 'no-room' || s.reason === 'below-others')).toBe(true);
      // A first turn: scenes take what history does not need yet (all but room to append), within the whole window.
      const b = scaleBudgets(input.contextWindow);
      const sceneTokens = prompt.sections.find((s) => s.name === 'scenes')!.tokens;
      expect(sceneTokens).toBeLessThanOrEqual(b.scenes + b.history + b.fewShot + b.lore);
      // History follows in order and the question is last.
      expect(prompt.messages.at(-1)!.content.endsWith(input.history.at(-1)!.content)).toBe(true);
      expect(estimatePromptTokens(prompt.messages)).toBeLessThanOrEqual(input.contextWindow - input.replyTokens);
      golden(name, prompt);
    });
  }
});
