// `npx tsx bench/prompt-fidelity.bench.ts`: how faithful the role prompt stays to ChatHaruhi over a
// chat. Scripted 20-turn chats are cut from the four real ChatHaruhi fixture packs: the lines other
// speakers address to the character, in story order, are the person's messages, and the character's
// own answers are the replies. Each turn's "original scene" is the story the exchange comes from
// (the one scene that holds the exact answer). Scenes are found by the app's retrieval
// (CharacterRetrieval, keyword search) with the app's query. Per pack and window it reports, for
// each engine cache rule (web-llm: exact messages; llama.cpp: token prefix) and for ChatHaruhi's
// own policy on the same ranking (fresh scenes best first every turn until one does not fit the
// scene budget; whole (query, response) pairs newest first within the history budget):
// - the share of turns whose prompt holds the original scene,
// - first-turn fill: prompt tokens / (window - reply), over the chats whose first retrieval found
//   enough material (scenes worth at least the window less the reply; a short first line may find
//   only one or two),
// - history messages kept at turn 20,
// - tokens prefilled per turn (bench/engine-caches.ts; ChatHaruhi re-sends the whole prompt).
// Counts are the estimator's (core/tokens). Prints tables; targets are reported, never asserted.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNarrator, parseStory } from '../src/core/packs/chatharuhi';
import { buildRolePrompt, SCENE_SEPARATOR, SCENES_HEADER, scaleBudgets, type RetrievedScene, type RoleCacheRule, type RolePrompt } from '../src/core/role-prompt';
import { estimatePromptTokens, estimateTokens } from '../src/core/tokens';
import type { CharacterFields, ChatTurn, Lang, Scene } from '../src/core/types';
import { CharacterRetrieval, type SceneSource } from '../src/state/character-retrieval';
import { FIXTURES, haveFixtures, PACKS, readStories, type PackName } from '../test/unit/core/packs/helpers';
import { markdownTable } from './common';
import { LlamaCppCache, WebLLMCache, type EngineCache } from './engine-caches';

const TURNS = 20;
const CHATS_PER_PACK = 8;
const WINDOWS: readonly [number, number][] = [
  [4096, 384],
  [1024, 128],
];
const SCENE_TARGET = 0.95;
const FILL_TARGET = 0.7;

interface Exchange {
  user: string;
  reply: string;
  scene: string;
}

interface Pack {
  name: PackName;
  lang: Lang;
  character: CharacterFields;
  scenes: Scene[];
  /** The scripted chats: TURNS exchanges each. */
  chats: Exchange[][];
}

/** The speaker with the most lines: the pack's character. */
function mainSpeaker(scenes: readonly Scene[]): string {
  const counts = new Map<string, number>();
  for (const line of scenes.flatMap((s) => s.lines)) if (!isNarrator(line.speaker)) counts.set(line.speaker, (counts.get(line.speaker) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
}

/** A line by someone else right before a line by the character: one exchange. */
function exchangesOf(scene: Scene, name: string): Exchange[] {
  const out: Exchange[] = [];
  scene.lines.forEach((line, i) => {
    const next = scene.lines[i + 1];
    if (next && next.speaker === name && line.speaker !== name && !isNarrator(line.speaker) && line.text.trim()) {
      out.push({ user: line.text.trim(), reply: next.text.trim(), scene: scene.id });
    }
  });
  return out;
}

function loadPack(name: PackName): Pack {
  const scenes: Scene[] = readStories(name)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((story, i) => ({
      id: `${name}-${i}`, characterId: name, title: story.name.replace(/\.txt$/, ''), text: story.text, lines: parseStory(story.text),
      tokens: 0, source: 'chatharuhi' as const, vectors: [],
    }));
  const lang: Lang = /[\u4e00-\u9fff]/.test(scenes[0]?.text ?? '') ? 'zh' : 'en';
  const speaker = mainSpeaker(scenes);
  const systemPrompt = readFileSync(join(FIXTURES, name, 'system_prompt.txt'), 'utf8');
  const character: CharacterFields = {
    name: speaker, nickname: '', avatar: '', shortDescription: '', description: '', personality: '', scenario: '', firstMessage: '',
    alternateGreetings: [], exampleDialogue: '', systemPrompt, postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '',
    characterVersion: '', catchphrases: [], language: lang,
  };
  const all = scenes.flatMap((s) => exchangesOf(s, speaker));
  // Chats start at evenly spaced exchanges and run on through the following stories.
  const chats = Array.from({ length: CHATS_PER_PACK }, (_, c) => {
    const start = Math.floor((c * Math.max(0, all.length - TURNS)) / Math.max(1, CHATS_PER_PACK - 1));
    return all.slice(start, start + TURNS);
  }).filter((chat) => chat.length === TURNS);
  return { name, lang, character, scenes, chats };
}

/** The scene's text as a prompt carries it. */
const inPrompt = (messages: readonly ChatTurn[], text: string) => messages.some((m) => m.content.includes(text.trim()));

interface PolicyFigures {
  turns: number;
  withScene: number;
  firstFill: number[];
  historyAt20: number[];
  prefill: number[];
}

const empty = (): PolicyFigures => ({ turns: 0, withScene: 0, firstFill: [], historyAt20: [], prefill: [] });

/** ChatHaruhi's add_story: scenes in retrieval's order (best first), stopping at the first that does not fit the scene budget. */
function chatHaruhiScenes(ranked: readonly RetrievedScene[], budget: number, lang: Lang): RetrievedScene[] {
  let used = estimateTokens(SCENES_HEADER[lang]);
  const out: RetrievedScene[] = [];
  for (const scene of ranked) {
    const cost = estimateTokens(scene.text.trim()) + estimateTokens(SCENE_SEPARATOR);
    if (used + cost > budget) break;
    used += cost;
    out.push(scene);
  }
  return out;
}

/** ChatHaruhi's add_history: whole (query, response) pairs, newest first, within the history budget. */
function chatHaruhiHistory(history: readonly ChatTurn[], budget: number): number {
  let used = 0;
  let kept = 0;
  for (let i = history.length - 1; i >= 1; i -= 2) {
    used += estimateTokens(history[i - 1].content) + estimateTokens(history[i].content);
    if (used > budget) break;
    kept += 2;
  }
  return kept;
}

async function runChat(pack: Pack, chat: readonly Exchange[], window: number, reply: number, retrieval: CharacterRetrieval, figures: Record<string, PolicyFigures>): Promise<void> {
  const texts = new Map(pack.scenes.map((s) => [s.id, s.text]));
  const budgets = scaleBudgets(window);
  const rules: [string, RoleCacheRule, EngineCache][] = [
    ['web-llm', 'exact-messages', new WebLLMCache()],
    ['llama.cpp', 'token-prefix', new LlamaCppCache()],
  ];
  const previous = new Map<string, RolePrompt>();
  const history: ChatTurn[] = [];
  for (const [turn, exchange] of chat.entries()) {
    history.push({ role: 'user', content: exchange.user });
    const found = await retrieval.search({ id: pack.name, language: pack.lang }, CharacterRetrieval.queryFor(history));
    const original = texts.get(exchange.scene)!;
    const enough = found.scenes.reduce((sum, s) => sum + estimateTokens(s.text), 0) >= window - reply;
    for (const [label, cache, engine] of rules) {
      const prompt = buildRolePrompt({
        character: pack.character, history: [...history], scenes: found.scenes, contextWindow: window, replyTokens: reply,
        previous: previous.get(label), cache,
      });
      previous.set(label, prompt);
      const f = figures[label];
      f.turns++;
      if (inPrompt(prompt.messages, original)) f.withScene++;
      if (turn === 0 && enough) f.firstFill.push(prompt.inspector.budget.used / (window - reply));
      if (turn === chat.length - 1) f.historyAt20.push(prompt.inspector.history.kept);
      f.prefill.push(engine.prefill(prompt.messages));
      engine.finish(prompt.messages, exchange.reply);
    }
    const haruhi = figures.ChatHaruhi;
    const scenes = chatHaruhiScenes(found.scenes, budgets.scenes, pack.lang);
    haruhi.turns++;
    if (scenes.some((s) => s.id === exchange.scene)) haruhi.withScene++;
    if (turn === chat.length - 1) haruhi.historyAt20.push(chatHaruhiHistory(history.slice(0, -1), budgets.history));
    // ChatHaruhi re-sends everything each turn: system, scenes, kept history and the message.
    const sent = estimatePromptTokens([
      { role: 'system', content: pack.character.systemPrompt },
      { role: 'user', content: scenes.map((s) => s.text).join(SCENE_SEPARATOR) },
      ...history.slice(history.length - 1 - chatHaruhiHistory(history.slice(0, -1), budgets.history)),
    ]);
    haruhi.prefill.push(sent);
    if (turn === 0 && enough) haruhi.firstFill.push(sent / (window - reply));
    history.push({ role: 'assistant', content: exchange.reply });
  }
}

const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

async function main(): Promise<void> {
  if (!haveFixtures) {
    console.log('prompt-fidelity bench: ../shared/fixtures/chatharuhi is missing; nothing to measure.');
    return;
  }
  const rows: string[][] = [];
  const totals = new Map<string, PolicyFigures>();
  for (const name of PACKS) {
    const pack = loadPack(name);
    const source: SceneSource = { listForCharacter: async () => pack.scenes, count: async () => pack.scenes.length };
    const retrieval = new CharacterRetrieval({ scenes: source });
    for (const [window, reply] of WINDOWS) {
      const figures: Record<string, PolicyFigures> = { 'web-llm': empty(), 'llama.cpp': empty(), ChatHaruhi: empty() };
      for (const chat of pack.chats) await runChat(pack, chat, window, reply, retrieval, figures);
      for (const [policy, f] of Object.entries(figures)) {
        const key = `${policy} ${window}`;
        const total = totals.get(key) ?? empty();
        total.turns += f.turns;
        total.withScene += f.withScene;
        total.firstFill.push(...f.firstFill);
        total.historyAt20.push(...f.historyAt20);
        total.prefill.push(...f.prefill);
        totals.set(key, total);
        rows.push(row(`${name} (${pack.chats.length} chats)`, window, reply, policy, f));
      }
    }
  }
  for (const [key, f] of totals) {
    const [policy, window] = key.split(' ');
    const reply = WINDOWS.find(([w]) => String(w) === window)![1];
    rows.push(row('all packs', Number(window), reply, policy, f));
  }
  console.log(`\nPrompt fidelity over scripted ${TURNS}-turn chats cut from the ChatHaruhi packs (estimator counts)`);
  console.log(`targets: original scene in >= ${pct(SCENE_TARGET)} of turns for both cache rules; first-turn fill >= ${pct(FILL_TARGET)}`);
  console.log(markdownTable(['pack', 'window/reply', 'policy', 'original scene in prompt', 'first-turn fill (chats with enough material)', 'history msgs at turn 20', 'prefill tokens/turn', 'target'], rows));
}

function row(pack: string, window: number, reply: number, policy: string, f: PolicyFigures): string[] {
  const share = f.withScene / f.turns;
  const fill = mean(f.firstFill);
  const met = policy === 'ChatHaruhi' ? '' : `scene ${share >= SCENE_TARGET ? 'met' : 'missed'}, fill ${fill >= FILL_TARGET ? 'met' : 'missed'}`;
  const chats = f.historyAt20.length;
  return [pack, `${window}/${reply}`, policy, `${(share * 100).toFixed(1)} %`, `${pct(fill)} (${f.firstFill.length}/${chats})`, mean(f.historyAt20).toFixed(1), Math.round(mean(f.prefill)).toString(), met];
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
