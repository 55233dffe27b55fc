// `npx tsx bench/evaluation.bench.ts`: how many evaluation questions a minute the app gets through
// with the tiny GGUF, per configuration (zero-shot, few-shot, + scenes, + memory). Each question is
// one reply through the chat prompt builder, its scores and the identity judge's answer: the same
// runCell the Evaluate page's job runs, on real llama.cpp (node-llama-cpp's test server, as
// bench/server.bench.ts) with the ServerEngine. Held-out exchanges of the visible ChatHaruhi Sheldon
// pack (../shared, read in place) when it is there, else a small written corpus.
// Prints a table; figures are reported, never asserted.

import { existsSync } from 'node:fs';
import { configMatrix, pendingCells } from '../src/core/evaluation/configs';
import { identityChoices } from '../src/core/evaluation/scores';
import { assembleTestSet, heldOutSceneIds, ownSpeaker } from '../src/core/evaluation/test-sets';
import { TokenEstimator } from '../src/core/tokens';
import { DEFAULT_SAMPLING, EVAL_PROMPT_MODES, type Character, type Scene } from '../src/core/types';
import { ServerEngine } from '../src/engines/server/server-engine';
import { CharacterRetrieval } from '../src/state/character-retrieval';
import { excludingFinder, runCell, type EvalContext } from '../src/state/evaluation-cell';
import type { ReadyEngine } from '../src/state/model-loader.svelte';
import { startLlamaTestServer } from '../test/e2e/llama-test-server';
import { makeTinyGguf } from '../test/fixtures/make-tiny-gguf';
import { FIXTURES, readPackScenes } from '../test/unit/core/retrieval/haruhi-fixture';
import { median, rowsTable, type Row } from './common';

const QUESTIONS = 8;
const REPLY_TOKENS = 64;
const SHELDON = `${FIXTURES}/Sheldon`;

function writtenCorpus(): Scene[] {
  const pairs = [
    ['Where were you last night?', 'At the harbour, watching the lamp.'], ['Is the boat back?', 'Not yet. The fog is thick.'],
    ['What is for supper?', 'Stew, as always.'], ['Who broke the lens?', 'Nobody broke it. Salt dims it.'],
    ['Can I come in?', 'Mind the stairs.'], ['Did you hear the bell?', 'Twice, at midnight.'],
    ['Are you afraid of storms?', 'I am afraid of quiet ones.'], ['Why keep the light?', 'Because someone must.'],
    ['Who wrote the letter?', 'Someone who knew the tides.'], ['Is it true about the wreck?', 'Half of it is.'],
  ];
  return pairs.map(([asked, answer], i) => ({
    id: `s${i}`, characterId: 'c', title: `Scene ${i}`, tokens: 20, source: 'chatharuhi', vectors: [],
    text: `Tom:「${asked}」\nHester:「${answer}」`, lines: [{ speaker: 'Tom', text: asked }, { speaker: 'Hester', text: answer }],
  }));
}

async function main(): Promise<void> {
  const scenes: Scene[] = existsSync(`${SHELDON}/texts`) ? readPackScenes(SHELDON, 'c') : writtenCorpus();
  const speaker = ownSpeaker(scenes, ['Sheldon', 'Hester']);
  const character = {
    id: 'c', name: speaker, nickname: '', avatar: '', shortDescription: '', description: `${speaker}, as the corpus shows.`, personality: '', scenario: '',
    firstMessage: '', alternateGreetings: [], exampleDialogue: `<START>\n{{user}}: Hello.\n{{char}}: ${scenes[0].lines.find((l) => l.speaker === speaker)?.text ?? 'Hello.'}`,
    systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [], language: 'en',
    origin: 'user', extensions: {}, createdAt: 0, updatedAt: 0,
  } satisfies Character;
  const questions = assembleTestSet(scenes, speaker, { counts: { 'held-out': QUESTIONS }, seed: 'bench' });
  const retrieval = new CharacterRetrieval({ scenes: { listForCharacter: async () => scenes, count: async () => scenes.length } });
  const server = await startLlamaTestServer({ modelPath: makeTinyGguf().path, contextSize: 2048 });
  const engine = new ServerEngine({ pageProtocol: 'http:' });
  try {
    await engine.load({ kind: 'server', server: { baseUrl: server.url, model: server.modelId } }, () => {});
    const ready: ReadyEngine = { engine, modelId: server.modelId, contextWindow: 2048, estimator: new TokenEstimator() };
    const context: EvalContext = {
      character, persona: { name: 'User', description: '' }, scenes: excludingFinder(retrieval, heldOutSceneIds(questions)), lorebooks: [],
      memory: { pins: [{ id: 'p', text: 'The person is a physicist.' }] },
      sampling: { ...DEFAULT_SAMPLING, maxTokens: REPLY_TOKENS, seed: 7 }, embedder: null, lineVectors: [],
      identityChoices: identityChoices(speaker, [], 'en', 'bench'), now: Date.now,
    };
    const rows: Row[] = [];
    for (const config of configMatrix(EVAL_PROMPT_MODES, [server.modelId])) {
      const times: number[] = [];
      const started = performance.now();
      for (const cell of pendingCells(questions, [config], [])) {
        const begun = performance.now();
        await runCell(cell, ready, context, new AbortController().signal);
        times.push(performance.now() - begun);
      }
      const minutes = (performance.now() - started) / 60_000;
      rows.push({ figure: `${config.mode}: questions per minute (${questions.length} questions, median ${median(times).toFixed(0)} ms each)`, value: (questions.length / minutes).toFixed(1), target: '—', verdict: '—' });
    }
    console.log(rowsTable(rows, `evaluation on the tiny GGUF (${existsSync(`${SHELDON}/texts`) ? 'Sheldon pack' : 'written corpus'}, ${REPLY_TOKENS}-token replies, judge included)`));
  } finally {
    await engine.unload();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
