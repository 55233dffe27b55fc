// `npx tsx bench/chat-prompt.bench.ts`: the work a chat does when the person presses Send, before the
// engine sees anything: scene retrieval through the cached per-character index (CharacterRetrieval)
// and the role prompt built from it. On the four real ChatHaruhi fixture packs when present.
// Prints a table; targets are reported, never asserted.

import { performance } from 'node:perf_hooks';
import { parseStory } from '../src/core/packs/chatharuhi';
import type { Character, Message, Scene } from '../src/core/types';
import { CharacterRetrieval, type SceneSource } from '../src/state/character-retrieval';
import { buildChatPrompt, steadyCount } from '../src/state/chat-prompt';
import { TokenEstimator } from '../src/core/tokens';
import { haveFixtures, PACKS, readStories, type PackName } from '../test/unit/core/packs/helpers';

const QUERIES = 200;

function character(pack: string, language: 'en' | 'zh'): Character {
  return {
    id: pack, origin: 'import', name: pack, nickname: '', avatar: '', shortDescription: '', description: `${pack} as in the stories.`,
    personality: '', scenario: '', firstMessage: '', alternateGreetings: [], exampleDialogue: '', systemPrompt: '',
    postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [], language,
    extensions: {}, createdAt: 0, updatedAt: 0,
  };
}

function scenesOf(pack: PackName): Scene[] {
  return readStories(pack).map((story, i) => ({
    id: `${pack}-${i}`, characterId: pack, title: story.name.replace(/\.txt$/, ''), text: story.text, lines: parseStory(story.text),
    tokens: 0, source: 'chatharuhi' as const, vectors: [],
  }));
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function benchPack(pack: PackName) {
  const scenes = scenesOf(pack);
  const source: SceneSource = { listForCharacter: async () => scenes, count: async () => scenes.length };
  const lang = /[\u4e00-\u9fff]/.test(scenes[0]?.text ?? '') ? 'zh' : 'en';
  const who = character(pack, lang);
  // Queries: lines the stories themselves contain, as a person would echo a topic.
  const lines = scenes.flatMap((s) => s.lines.map((l) => l.text)).filter((t) => t.length > 6);
  const queries = Array.from({ length: QUERIES }, (_, i) => lines[(i * 7919) % lines.length]);

  const retrieval = new CharacterRetrieval({ scenes: source });
  let started = performance.now();
  await retrieval.search(who, queries[0]);
  const cold = performance.now() - started;

  const search: number[] = [];
  const build: number[] = [];
  const estimator = new TokenEstimator();
  const greeting: Message = { id: 'g', conversationId: 'c', parentId: null, role: 'assistant', content: '……', revisions: [], status: 'done', createdAt: 0, updatedAt: 0 };
  for (const [i, query] of [...queries.slice(0, 20), ...queries].entries()) {
    const measured = i >= 20; // the first 20 warm the JIT up
    started = performance.now();
    const found = await retrieval.search(who, query);
    if (measured) search.push(performance.now() - started);
    const branch: Message[] = [greeting, { ...greeting, id: 'u', parentId: 'g', role: 'user', content: query }];
    started = performance.now();
    buildChatPrompt({
      character: who, persona: { name: 'User', description: '' }, branch, contextWindow: 4096, replyTokens: 384,
      countTokens: steadyCount(estimator), lorebooks: [], scenes: found.scenes, retrieval: found.trace,
    });
    if (measured) build.push(performance.now() - started);
  }
  const total = search.map((s, i) => s + build[i]);
  return { pack, scenes: scenes.length, cold, search, build, total };
}

async function main() {
  if (!haveFixtures) {
    console.log('chat-prompt bench: ../shared/fixtures/chatharuhi is missing; nothing to measure.');
    return;
  }
  const rows = [];
  for (const pack of PACKS) {
    const r = await benchPack(pack);
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    rows.push({
      pack: r.pack,
      scenes: r.scenes,
      'first search (index build)': ms(r.cold),
      'search p50 / p95': `${ms(percentile(r.search, 0.5))} / ${ms(percentile(r.search, 0.95))}`,
      'prompt build p50 / p95': `${ms(percentile(r.build, 0.5))} / ${ms(percentile(r.build, 0.95))}`,
      'send-time total p95': ms(percentile(r.total, 0.95)),
      'target (total p95 < 16 ms, one frame)': percentile(r.total, 0.95) < 16 ? 'met' : 'missed',
    });
  }
  console.log('\nSend-time prompt work (retrieval through the cached index + role prompt), Node');
  console.table(rows);
}

void main();
