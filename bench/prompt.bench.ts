// `npx tsx bench/prompt.bench.ts`: role-prompt build time, and the tokens an engine must prefill per
// turn of a scripted conversation with the cache-aware layout against a layout rebuilt every turn.
// Prints tables; targets are reported, never asserted.
//
// Engines are simulated by their cache rules (bench/engine-caches.ts). The app tells the builder which rule the loaded engine follows (RolePromptInput.cache), so each
// engine gets its own cache-aware prompt; the rebuilt layout is the same for both.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatExampleDialogue } from '../src/core/example-dialogue';
import { withMessageFocus } from '../src/core/retrieval';
import { buildRolePrompt, DEFAULT_RETAIN, type RetrievedScene, type RolePrompt, type RolePromptInput } from '../src/core/role-prompt';
import type { CharacterFields, ChatTurn, Exchange, Lorebook, LorebookEntry } from '../src/core/types';
import { mulberry32 as prng } from '../test/fixtures/random';
import { median } from './common';
import { LlamaCppCache, WebLLMCache } from './engine-caches';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- deterministic data

const DATA_SEED = 20240611;
let random = prng(DATA_SEED);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

const FILLER = (
  'the a of and to in that it with as for his was on at by this had not are but from or have an they which one you were all we ' +
  'her she there been if more when will would who so no fog lamp street door window letter coat hat glass cab river bridge night ' +
  'morning rain smoke clock stair brass candle pocket glove boot ink paper desk chair table corner alley market theatre station'
).split(' ');

const TOPICS = [
  { name: 'ruby', words: ['ruby', 'jeweller', 'vault', 'countess', 'safe', 'necklace', 'pawnbroker', 'facets'] },
  { name: 'pell', words: ['Pell', 'Octavia', 'rival', 'newspaper', 'credit', 'cases', 'Gazette', 'jealous'] },
  { name: 'heron', words: ['heron', 'taxidermy', 'feathers', 'museum', 'beak', 'specimen', 'curator', 'glass-case'] },
  { name: 'theatre', words: ['Goldfinch', 'actress', 'curtain', 'poison', 'dressing-room', 'understudy', 'footlights', 'encore'] },
  { name: 'fire', words: ['fire', 'chemistry', 'laboratory', 'explosion', 'sulphur', 'test-tube', 'burner', 'fumes'] },
] as const;

function sentence(words: readonly string[], length: number, topicWords: readonly string[] = [], topicShare = 0.25): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(random() < topicShare && topicWords.length ? pick(topicWords) : pick(words));
  const text = out.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function paragraph(sentences: number, topicWords: readonly string[] = [], share = 0.25): string {
  return Array.from({ length: sentences }, () => sentence(FILLER, 8 + Math.floor(random() * 10), topicWords, share)).join(' ');
}

interface BuiltinJson {
  name: string;
  nickname: string;
  description: string;
  personality: string;
  scenario: string;
  firstMessage: string;
  catchphrases: string[];
  examples: Exchange[];
  systemPrompt: string;
  postHistoryInstructions: string;
}

function realisticCharacter(): CharacterFields {
  const base = JSON.parse(readFileSync(join(here, '../characters/cornelius-fane/character.json'), 'utf8')) as BuiltinJson;
  const examples: Exchange[] = [...base.examples];
  while (examples.length < 40) {
    const topic = pick(TOPICS);
    examples.push({ user: sentence(FILLER, 10, topic.words), char: `*${sentence(FILLER, 8, topic.words)}* "${paragraph(3, topic.words)}"` });
  }
  return {
    name: base.name,
    nickname: base.nickname,
    avatar: '',
    shortDescription: '',
    description: base.description,
    personality: base.personality,
    scenario: base.scenario,
    firstMessage: base.firstMessage,
    alternateGreetings: [],
    exampleDialogue: formatExampleDialogue(examples.slice(0, 40)),
    systemPrompt: base.systemPrompt,
    // A short post-history note, as many cards carry, so its cost shows.
    postHistoryInstructions: 'Write one reply as {{char}} only, two short paragraphs at most.',
    creatorNotes: '',
    tags: [],
    creator: '',
    characterVersion: '',
    catchphrases: base.catchphrases,
    language: 'en',
  };
}

function realisticLorebook(): Lorebook {
  const entries: LorebookEntry[] = [];
  for (let i = 0; i < 50; i++) {
    const topic = TOPICS[i % TOPICS.length];
    const key = topic.words[(i * 3) % topic.words.length];
    entries.push({
      id: i,
      keys: [key, `${key}s`],
      secondaryKeys: i % 7 === 0 ? [topic.words[1]] : [],
      selective: i % 7 === 0,
      content: paragraph(2 + (i % 3), topic.words, 0.15),
      enabled: i % 17 !== 16,
      insertionOrder: 100 + (i % 10),
      priority: i % 5,
      constant: i === 0 || i === 1,
      extensions: {},
    });
  }
  return { extensions: {}, entries, scanDepth: 4, recursiveScanning: true };
}

interface CorpusScene {
  id: string;
  text: string;
  topic: number;
  terms: Map<string, number>;
}

const termsOf = (text: string) => {
  const terms = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z][a-z'-]+/g) ?? []) terms.set(word, (terms.get(word) ?? 0) + 1);
  return terms;
};

function corpus(perTopic: number): CorpusScene[] {
  const scenes: CorpusScene[] = [];
  TOPICS.forEach((topic, t) => {
    for (let i = 0; i < perTopic; i++) {
      const lines = Array.from({ length: 4 + Math.floor(random() * 4) }, (_, k) =>
        k % 2 === 0 ? `Fane:「${sentence(FILLER, 10 + Math.floor(random() * 8), topic.words, 0.3)}」` : `Assistant:「${sentence(FILLER, 6, topic.words, 0.3)}」`,
      );
      const text = lines.join('\n');
      scenes.push({ id: `${topic.name}-${i}`, text, topic: t, terms: termsOf(text) });
    }
  });
  return scenes;
}

/** A small tf-idf scorer standing in for the retrieval layer: top `k` scenes with scores. */
function retrieve(scenes: readonly CorpusScene[], query: string, k: number): RetrievedScene[] {
  const df = new Map<string, number>();
  for (const scene of scenes) for (const term of scene.terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const q = termsOf(query);
  return scenes
    .map((scene) => {
      let score = 0;
      for (const term of q.keys()) {
        const tf = scene.terms.get(term) ?? 0;
        if (tf) score += (tf / (tf + 1.2)) * Math.log(1 + scenes.length / (df.get(term) ?? 1));
      }
      return { id: scene.id, text: scene.text, score };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

// ---------------------------------------------------------------- runs

function longHistory(messages: number): ChatTurn[] {
  const history: ChatTurn[] = [];
  for (let i = 0; i < messages; i++) {
    const topic = TOPICS[Math.floor(i / 40) % TOPICS.length];
    history.push(i % 2 === 0 ? { role: 'assistant', content: paragraph(3 + (i % 4), topic.words) } : { role: 'user', content: sentence(FILLER, 12 + (i % 9), topic.words) });
  }
  return history;
}

function buildTime(): { median: number; p95: number; tokens: number; messages: number } {
  const character = realisticCharacter();
  const lorebook = realisticLorebook();
  const scenes = retrieve(corpus(20), 'the ruby in the vault and the countess', 20);
  const history = [...longHistory(199), { role: 'user' as const, content: 'Tell me about the ruby and the countess, Fane.' }];
  const input: RolePromptInput = { character, lorebook, scenes, history, contextWindow: 4096, replyTokens: 384 };
  for (let i = 0; i < 20; i++) buildRolePrompt(input); // warm-up
  const times: number[] = [];
  let last: RolePrompt | undefined;
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    last = buildRolePrompt(input);
    times.push(performance.now() - start);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: median(times), p95: sorted[Math.floor(sorted.length * 0.95)], tokens: last!.inspector.budget.used, messages: last!.messages.length };
}

interface TurnFigures {
  turn: number;
  promptTokens: number;
  webllmAware: number;
  webllmRebuilt: number;
  llamaAware: number;
  llamaRebuilt: number;
  mode: string;
  llamaMode: string;
}

/** A scripted 20-turn conversation: four topics of five turns each, replies of 60-160 tokens. */
function conversation(contextWindow: number, replyTokens: number, startHistory: ChatTurn[], tuning: Pick<RolePromptInput, 'budgets' | 'onTopicMove'> = {}): TurnFigures[] {
  random = prng(DATA_SEED); // every run sees the same character, book, corpus and script
  const local = prng(77);
  const character = realisticCharacter();
  const lorebook = realisticLorebook();
  const scenes = corpus(12);
  const history: ChatTurn[] = [...startHistory];
  const caches = { webAware: new WebLLMCache(), webRebuilt: new WebLLMCache(), llamaAware: new LlamaCppCache(), llamaRebuilt: new LlamaCppCache() };
  let previous: RolePrompt | undefined;
  let previousLlama: RolePrompt | undefined;
  const rows: TurnFigures[] = [];
  const step = (p: RolePrompt) => (p.inspector.mode === 'appended' ? 'append' : `${p.inspector.mode}:${p.inspector.refresh}${p.inspector.scenes.reused ? '+kept' : ''}`);
  const script = [TOPICS[0], TOPICS[0], TOPICS[0], TOPICS[0], TOPICS[0], TOPICS[1], TOPICS[1], TOPICS[1], TOPICS[1], TOPICS[1],
    TOPICS[2], TOPICS[2], TOPICS[2], TOPICS[2], TOPICS[2], TOPICS[3], TOPICS[3], TOPICS[3], TOPICS[3], TOPICS[3]];
  script.forEach((topic, index) => {
    const words = topic.words;
    const userText = `${sentence(FILLER, 10 + Math.floor(local() * 14), words, 0.3)} What about the ${words[Math.floor(local() * words.length)]}?`;
    history.push({ role: 'user', content: userText });
    // As the app's retrieval: the exchange and the message, the message's own clear best match first.
    const asHits = (found: RetrievedScene[]) => found.map((x) => ({ ...x, sceneId: x.id }));
    const retrieved = withMessageFocus(asHits(retrieve(scenes, history.slice(-3).map((t) => t.content).join(' '), 20)), asHits(retrieve(scenes, userText, 2)))
      .map(({ sceneId: _, ...scene }) => scene);
    const base = { character, lorebook, history: [...history], scenes: retrieved, contextWindow, replyTokens, persona: { name: 'Watson', description: 'A sturdy, patient assistant with a notebook.' } };
    const aware = buildRolePrompt({ ...base, ...tuning, previous, cache: 'exact-messages' });
    const awareLlama = buildRolePrompt({ ...base, ...tuning, previous: previousLlama, cache: 'token-prefix' });
    const rebuilt = buildRolePrompt({ ...base, layout: 'rebuild' });
    const reply = `*${sentence(FILLER, 8, words)}* "${paragraph(3 + Math.floor(local() * 5), words)}"`;
    rows.push({
      turn: index + 1,
      promptTokens: aware.inspector.budget.used,
      webllmAware: caches.webAware.prefill(aware.messages),
      webllmRebuilt: caches.webRebuilt.prefill(rebuilt.messages),
      llamaAware: caches.llamaAware.prefill(awareLlama.messages),
      llamaRebuilt: caches.llamaRebuilt.prefill(rebuilt.messages),
      mode: step(aware),
      llamaMode: step(awareLlama),
    });
    caches.webAware.finish(aware.messages, reply);
    caches.webRebuilt.finish(rebuilt.messages, reply);
    caches.llamaAware.finish(awareLlama.messages, reply);
    caches.llamaRebuilt.finish(rebuilt.messages, reply);
    history.push({ role: 'assistant', content: reply });
    previous = aware;
    previousLlama = awareLlama;
  });
  return rows;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(cells[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function main(): void {
  const build = buildTime();
  console.log('Prompt build (40 examples, 20 scenes, 50-entry lorebook, 200-message history, 4096 window)');
  console.log(table(['figure', 'value'], [
    ['median build time', `${build.median.toFixed(3)} ms`],
    ['p95 build time', `${build.p95.toFixed(3)} ms`],
    ['prompt tokens (estimated)', build.tokens],
    ['messages', build.messages],
  ]));

  const greeting: ChatTurn = { role: 'assistant', content: realisticCharacter().firstMessage };
  const detail = conversation(4096, 384, [greeting]);
  console.log('\nScripted 20-turn conversation, new chat, 4096 window, 384 reply tokens: tokens prefilled per turn');
  console.log(table(
    ['turn', 'prompt', 'web-llm aware', 'web-llm rebuilt', 'llama.cpp aware', 'llama.cpp rebuilt', 'web-llm step', 'llama.cpp step'],
    detail.map((r) => [r.turn, r.promptTokens, r.webllmAware, r.webllmRebuilt, r.llamaAware, r.llamaRebuilt, r.mode, r.llamaMode]),
  ));

  const summaries: (string | number)[][] = [];
  const long = longHistory(200);
  const runs: [string, number, number, ChatTurn[], Pick<RolePromptInput, 'budgets' | 'onTopicMove'>][] = [
    ['new chat', 2048, 256, [greeting], {}],
    ['new chat', 4096, 384, [greeting], {}],
    ['new chat', 8192, 512, [greeting], {}],
    ['after 200 messages', 4096, 384, long, {}],
    ['after 200 messages', 8192, 512, long, {}],
    ['new chat, retain 0.4', 4096, 384, [greeting], { budgets: { retain: 0.4 } }],
    ['new chat, retain 0.5', 4096, 384, [greeting], { budgets: { retain: 0.5 } }],
    ['new chat, topic move rebuilds', 4096, 384, [greeting], { onTopicMove: 'rebuild' }],
    ['after 200, retain 0.5', 4096, 384, long, { budgets: { retain: 0.5 } }],
  ];
  for (const [label, window, reply, start, tuning] of runs) {
    const rows = conversation(window, reply, start, tuning);
    const web = sum(rows.map((r) => r.webllmAware)) / sum(rows.map((r) => r.webllmRebuilt));
    const llama = sum(rows.map((r) => r.llamaAware)) / sum(rows.map((r) => r.llamaRebuilt));
    summaries.push([
      `${label}, ${window}/${reply}`,
      Math.round(sum(rows.map((r) => r.webllmAware)) / rows.length),
      Math.round(sum(rows.map((r) => r.webllmRebuilt)) / rows.length),
      web.toFixed(2),
      Math.round(sum(rows.map((r) => r.llamaAware)) / rows.length),
      Math.round(sum(rows.map((r) => r.llamaRebuilt)) / rows.length),
      llama.toFixed(2),
      `${rows.filter((r) => r.mode !== 'append').length}/${rows.filter((r) => r.llamaMode !== 'append').length}`,
      web <= 0.25 && llama <= 0.25 ? 'met' : 'missed',
    ]);
  }
  console.log(`\nAverage tokens prefilled per turn over 20 turns (target: cache-aware at most 0.25 of rebuilt; defaults: retain ${DEFAULT_RETAIN},`);
  console.log('topic moves append new scenes to the message on web-llm and rebuild the block on llama.cpp; the last four rows vary one setting)');
  console.log(table(
    ['conversation, window/reply', 'web-llm aware', 'web-llm rebuilt', 'ratio', 'llama.cpp aware', 'llama.cpp rebuilt', 'ratio', 'rebuilds web/llama', 'target'],
    summaries,
  ));
}

main();
