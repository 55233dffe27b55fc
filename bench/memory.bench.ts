// `npx tsx bench/memory.bench.ts`: long-term memory over a scripted 300-turn conversation. A fact is
// stated at turn 3 and asked about at turns 100, 200 and 300: is it in the prompt each time, pinned,
// recalled from the chat, or summarised? And the tokens each engine must prefill per turn with
// memory on (summary rewritten as history falls out, the fact pinned, recall every turn) against
// memory off, the engines simulated by their cache rules (bench/engine-caches.ts).
// Prints tables; targets are reported, never asserted.

import { recallCandidates } from '../src/core/memory/recall';
import { summaryDue } from '../src/core/memory/summary';
import { buildRolePrompt, type MemoryInput, type RolePrompt } from '../src/core/role-prompt';
import type { CharacterFields, ChatTurn } from '../src/core/types';
import { mulberry32 as prng } from '../test/fixtures/random';
import { markdownTable, rowsTable, type Row } from './common';
import { LlamaCppCache, WebLLMCache, type EngineCache } from './engine-caches';

const TURNS = 300;
const FACT_TURN = 3;
const ASK_TURNS = new Set([100, 200, 300]);
const FACT = 'My sister Marguerite keeps bees on a rooftop in Lyon.';
const ASK = 'Do you remember where my sister Marguerite keeps her bees?';
const FACT_WORD = 'Marguerite';
const TARGET_RATIO = 1.3;

const WORDS = (
  'the a of and to in that it with as for his was on at by this had not are but from or have an they which one you were all we ' +
  'fog lamp street door window letter coat hat glass cab river bridge night morning rain smoke clock stair brass candle pocket ' +
  'glove boot ink paper desk chair table corner alley market theatre station harbour train ticket garden kettle'
).split(' ');

const character: CharacterFields = {
  name: 'Hester', nickname: '', avatar: '', shortDescription: '', description: 'Hester Coyle is a dry-witted detective in a foggy port town. '.repeat(4),
  personality: 'Observant, dry, loyal.', scenario: 'Her office above the harbour.', firstMessage: 'You again. Sit.', alternateGreetings: [],
  exampleDialogue: '<START>\n{{user}}: Any news?\n{{char}}: The fog brings none.', systemPrompt: '', postHistoryInstructions: '',
  creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: ['Curious.'], language: 'en',
};

function sentence(random: () => number, length: number): string {
  const words = Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]);
  return words.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
}

type Variant = 'off' | 'on' | 'recall-only';

interface Run {
  prefill: Record<'webllm' | 'llama', number[]>;
  factAt: Map<number, string>;
  summaries: number;
}

/** The scripted chat, built turn by turn as the app builds it, with memory as `variant` says. */
function run(variant: Variant): Run {
  const random = prng(4242);
  const history: ChatTurn[] = [{ role: 'assistant', content: character.firstMessage }];
  const caches: Record<'webllm' | 'llama', EngineCache> = { webllm: new WebLLMCache(), llama: new LlamaCppCache() };
  const previous: Record<'webllm' | 'llama', RolePrompt | undefined> = { webllm: undefined, llama: undefined };
  const out: Run = { prefill: { webllm: [], llama: [] }, factAt: new Map(), summaries: 0 };
  let summary: { text: string; covers: number } | undefined;
  for (let turn = 1; turn <= TURNS; turn++) {
    const text = turn === FACT_TURN ? FACT : ASK_TURNS.has(turn) ? ASK : `${sentence(random, 12 + Math.floor(random() * 12))} What do you make of it?`;
    history.push({ role: 'user', content: text });
    const ids = history.map((_, i) => `m${i}`);
    const memory: MemoryInput | undefined =
      variant === 'off'
        ? undefined
        : {
            ...(variant === 'on' && summary ? { summary: { id: `s${summary.covers}`, text: summary.text, covers: summary.covers } } : {}),
            ...(variant === 'on' && turn > FACT_TURN ? { pins: [{ id: 'fact', text: FACT }] } : {}),
            recall: recallCandidates(history, ids),
          };
    const reply = `*${sentence(random, 6)}* "${Array.from({ length: 3 + Math.floor(random() * 4) }, () => sentence(random, 14)).join(' ')}"`;
    let dropped = 0;
    for (const engine of ['webllm', 'llama'] as const) {
      const prompt = buildRolePrompt({
        character, persona: { name: 'Watson', description: 'A patient friend.' }, history: [...history], contextWindow: 4096, replyTokens: 384,
        previous: previous[engine], cache: engine === 'webllm' ? 'exact-messages' : 'token-prefix', ...(memory ? { memory } : {}),
      });
      out.prefill[engine].push(caches[engine].prefill(prompt.messages));
      caches[engine].finish(prompt.messages, reply);
      previous[engine] = prompt;
      if (ASK_TURNS.has(turn) && engine === 'llama') out.factAt.set(turn, whereIsTheFact(prompt));
      dropped = prompt.droppedMessages;
    }
    history.push({ role: 'assistant', content: reply });
    // The idle summary pass, as the app runs it after the reply: a fixed-size rewrite (a real model keeps it under its word limit).
    const due = variant === 'on' ? summaryDue(dropped, summary?.covers ?? 0) : undefined;
    if (due) {
      summary = { text: `Through message ${due.to}: ${sentence(prng(due.to), 110)}`, covers: due.to };
      out.summaries++;
    }
  }
  return out;
}

/** Which section of the prompt carries the fact, if any. */
function whereIsTheFact(prompt: RolePrompt): string {
  const sections = prompt.inspector.layout;
  const all = prompt.messages.map((m) => m.content).join('\n');
  if (!all.includes(FACT_WORD)) return 'missing';
  const last = prompt.messages.at(-1)!.content;
  const withoutAsk = last.replace(ASK, '');
  if (withoutAsk.includes(FACT_WORD)) return 'recalled';
  const block = sections.contextIndex >= 0 ? prompt.messages[sections.contextIndex].content : '';
  if (block.includes(`- ${FACT}`)) return 'pinned';
  return all.replace(ASK, '').includes(FACT_WORD) ? 'in history' : 'missing';
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function main(): void {
  const started = performance.now();
  const off = run('off');
  const on = run('on');
  const recallOnly = run('recall-only');
  const seconds = (performance.now() - started) / 1000;

  console.log(`Scripted ${TURNS}-turn chat, 4096 window, 384 reply tokens; the fact stated at turn ${FACT_TURN}: "${FACT}"`);
  console.log(markdownTable(['asked at turn', 'memory off', 'memory on (pin + summary + recall)', 'recall only'], [...ASK_TURNS].map((turn) => [
    String(turn), off.factAt.get(turn) ?? '-', on.factAt.get(turn) ?? '-', recallOnly.factAt.get(turn) ?? '-',
  ])));

  const rows: Row[] = [];
  for (const engine of ['llama', 'webllm'] as const) {
    const ratio = mean(on.prefill[engine]) / mean(off.prefill[engine]);
    rows.push({
      figure: `${engine === 'llama' ? 'wllama (token prefix)' : 'web-llm (exact messages)'}: prefill per turn, memory on / off`,
      value: `${mean(on.prefill[engine]).toFixed(0)} / ${mean(off.prefill[engine]).toFixed(0)} tokens = ${ratio.toFixed(2)}x`,
      target: `<= ${TARGET_RATIO}x`,
      verdict: ratio <= TARGET_RATIO ? 'met' : 'MISSED',
    });
  }
  const found = [...ASK_TURNS].filter((turn) => on.factAt.get(turn) !== 'missing').length;
  rows.push({ figure: 'fact in the prompt when asked (memory on)', value: `${found} of ${ASK_TURNS.size}`, target: `${ASK_TURNS.size} of ${ASK_TURNS.size}`, verdict: found === ASK_TURNS.size ? 'met' : 'MISSED' });
  const recalled = [...ASK_TURNS].filter((turn) => recallOnly.factAt.get(turn) !== 'missing').length;
  rows.push({ figure: 'fact in the prompt when asked (recall alone)', value: `${recalled} of ${ASK_TURNS.size}`, target: 'reported', verdict: '-' });
  rows.push({ figure: 'summary passes written (memory on)', value: String(on.summaries), target: 'reported', verdict: '-' });
  rows.push({ figure: 'bench time (3 runs x 2 engines)', value: `${seconds.toFixed(1)} s`, target: 'reported', verdict: '-' });
  console.log('');
  console.log(rowsTable(rows));
}

main();
