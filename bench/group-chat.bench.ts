// `npx tsx bench/group-chat.bench.ts`: tokens an engine must prefill per reply in a group chat of
// three members over 30 scripted replies, each member's role prompt built cache-aware (appending to
// that member's own last prompt) or rebuilt every turn. The speakers follow natural order (mentions,
// then talkativeness, seeded), the person writing before about half the replies ("let them talk"
// between). Two engine caches: one (the app's engines keep one conversation) and one per member (a
// model server with a slot each). Prints tables; no target is asserted.

import { speakerCharacter, speakerTurns, type GroupLine } from '../src/core/group/prompt';
import { chooseSpeaker } from '../src/core/group/speaker';
import { buildRolePrompt, type RolePrompt, type RolePromptInput } from '../src/core/role-prompt';
import type { Character } from '../src/core/types';
import { mulberry32 } from '../test/fixtures/random';
import { LlamaCppCache, WebLLMCache, type EngineCache } from './engine-caches';

const REPLIES = 30;
const WINDOW = 4096;
const REPLY_TOKENS = 384;
const PERSON = 'Watson';
const WORDS = 'the fog lamp street letter cab violin case clue door window night rain train station inspector pipe chair fire stair'.split(' ');

function member(id: string, name: string, random: () => number): Character {
  const text = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  return {
    id, origin: 'user', name, nickname: '', avatar: '', shortDescription: `${name}, ${text(8)}.`, description: `${name} is ${text(120)}.`,
    personality: text(40), scenario: text(30), firstMessage: `${text(30)}.`, alternateGreetings: [],
    exampleDialogue: Array.from({ length: 4 }, () => `<START>\n{{user}}: ${text(12)}?\n{{char}}: ${text(50)}.`).join('\n'),
    systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [text(4)],
    language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
  };
}

interface Figures {
  speaker: string;
  aware: { one: Record<string, number>; each: Record<string, number> };
  rebuilt: { one: Record<string, number>; each: Record<string, number> };
  mode: string;
}

type Caches = { web: EngineCache; llama: EngineCache };
const newCaches = (): Caches => ({ web: new WebLLMCache(), llama: new LlamaCppCache() });

/** `repeat`: the share of replies the person gives to the member who just spoke (a manual pick). */
function run(repeat: number): Figures[] {
  const random = mulberry32(2026);
  const members = [member('a', 'Holmes', random), member('b', 'Hudson', random), member('c', 'Lestrade', random)];
  const group = { members: members.map((m) => m.id), talkativeness: { a: 0.8, b: 0.5, c: 0.3 } };
  const lines: GroupLine[] = [{ role: 'assistant', content: members[0].firstMessage, speakerId: 'a', speakerName: 'Holmes' }];
  const lastPrompt = new Map<string, RolePrompt>();
  // One cache shared by every member (the app's engines), and one per member (a slot each).
  const one = { aware: newCaches(), rebuilt: newCaches() };
  const each = new Map(members.map((m) => [m.id, { aware: newCaches(), rebuilt: newCaches() }]));
  const rows: Figures[] = [];
  let lastSpeaker = 'a';
  for (let turn = 0; turn < REPLIES; turn++) {
    if (random() < 0.5) {
      const named = random() < 0.3 ? ` ${members[Math.floor(random() * 3)].name}, what do you say?` : '';
      lines.push({ role: 'user', content: `${Array.from({ length: 15 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')}.${named}` });
    }
    const speakerId = random() < repeat ? lastSpeaker : chooseSpeaker({ group, members, mode: 'natural', lastText: lines.at(-1)!.content, lastTextBy: lines.at(-1)!.speakerId, lastSpeakerId: lastSpeaker, random })!;
    const speaker = members.find((m) => m.id === speakerId)!;
    const others = members.filter((m) => m !== speaker);
    const input: RolePromptInput = {
      character: speakerCharacter(speaker, others, PERSON),
      persona: { name: PERSON, description: 'A doctor with a notebook.' },
      history: speakerTurns(lines, speakerId, { person: PERSON, speaker: speaker.name, fallback: 'Group' }, 'en'),
      contextWindow: WINDOW,
      replyTokens: REPLY_TOKENS,
    };
    const aware = buildRolePrompt({ ...input, previous: lastPrompt.get(speakerId), cache: 'token-prefix' });
    const rebuilt = buildRolePrompt({ ...input, layout: 'rebuild' });
    const reply = `${Array.from({ length: 60 + Math.floor(random() * 80) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')}.`;
    const own = each.get(speakerId)!;
    const prefill = (caches: Caches, prompt: RolePrompt) => {
      const figures = { web: caches.web.prefill(prompt.messages), llama: caches.llama.prefill(prompt.messages) };
      caches.web.finish(prompt.messages, `${speaker.name}: ${reply}`);
      caches.llama.finish(prompt.messages, `${speaker.name}: ${reply}`);
      return figures;
    };
    rows.push({
      speaker: speaker.name,
      aware: { one: prefill(one.aware, aware), each: prefill(own.aware, aware) },
      rebuilt: { one: prefill(one.rebuilt, rebuilt), each: prefill(own.rebuilt, rebuilt) },
      mode: aware.inspector.mode === 'appended' ? 'append' : `${aware.inspector.mode}:${aware.inspector.refresh}`,
    });
    lastPrompt.set(speakerId, aware);
    lines.push({ role: 'assistant', content: reply, speakerId, speakerName: speaker.name });
    lastSpeaker = speakerId;
  }
  return rows;
}

const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);

function main(): void {
  const rows = run(0);
  console.log(`Group chat: 3 members, ${REPLIES} replies, ${WINDOW} window, ${REPLY_TOKENS} reply tokens: tokens prefilled per reply`);
  console.table(rows.map((r, i) => ({
    reply: i + 1, speaker: r.speaker, layout: r.mode,
    'one cache, web-llm aware / rebuilt': `${r.aware.one.web} / ${r.rebuilt.one.web}`,
    'one cache, llama.cpp aware / rebuilt': `${r.aware.one.llama} / ${r.rebuilt.one.llama}`,
    'cache per member, llama.cpp aware / rebuilt': `${r.aware.each.llama} / ${r.rebuilt.each.llama}`,
  })));
  const summaries = [0, 0.4].flatMap((repeat) => {
    const runRows = repeat === 0 ? rows : run(repeat);
    const sameSpeaker = runRows.filter((r, i) => i > 0 && r.speaker === runRows[i - 1].speaker).length;
    const summary = (label: string, pick: (r: Figures, layout: 'aware' | 'rebuilt') => number) => {
      const aware = mean(runRows.map((r) => pick(r, 'aware')));
      const rebuilt = mean(runRows.map((r) => pick(r, 'rebuilt')));
      return { chat: `${repeat === 0 ? 'natural order' : 'manual picks of the same member'} (${sameSpeaker} repeats)`, engine: label, 'cache-aware': aware, rebuilt, ratio: (aware / rebuilt).toFixed(2) };
    };
    return [
      summary('web-llm, one cache', (r, l) => r[l].one.web),
      summary('llama.cpp, one cache', (r, l) => r[l].one.llama),
      summary('web-llm, cache per member', (r, l) => r[l].each.web),
      summary('llama.cpp, cache per member', (r, l) => r[l].each.llama),
    ];
  });
  console.log(`\nAverage tokens prefilled per reply over ${REPLIES} replies (repeats: replies by the member who spoke just before)`);
  console.table(summaries);
}

main();
