// `npx tsx bench/dialogue-gen.bench.ts`: Write example dialogues on the tiny GGUF (random weights,
// real llama.cpp through node-llama-cpp, test/e2e/llama-test-server.ts, every reply constrained by
// the JSON schema's grammar), driven by the app's own job runner and server engine: pairs written
// per minute, the share kept after the filters, and how many were dropped by each. Noise for text
// is the worst case for the filters, not a measure of a real model's quality. Prints a table;
// figures are reported, never asserted.

import { initialState, planKinds, type DialogueGenParams, type DialogueGenState } from '../src/core/dialogue-gen/job-state';
import { DROP_REASONS } from '../src/core/dialogue-gen/filters';
import { TokenEstimator } from '../src/core/tokens';
import type { JobProgress, JobRecord } from '../src/core/types';
import { ServerEngine } from '../src/engines/server/server-engine';
import type { JobHandle } from '../src/state/background-jobs.svelte';
import { DialogueGenRunner, DIALOGUE_JOB_KIND } from '../src/state/dialogue-gen-job';
import type { ReadyEngine } from '../src/state/model-loader.svelte';
import { makeTinyGguf } from '../test/fixtures/make-tiny-gguf';
import { startLlamaTestServer } from '../test/e2e/llama-test-server';
import { makeCharacter } from '../test/unit/storage/helpers';
import { rowsTable, type Row } from './common';

const PAIRS = 20;
const CONTEXT = 4096;

async function main(): Promise<void> {
  const server = await startLlamaTestServer({ modelPath: makeTinyGguf().path, contextSize: CONTEXT });
  const engine = new ServerEngine({ pageProtocol: 'http:' });
  try {
    const loaded = await engine.load({ kind: 'server', server: { baseUrl: server.url, model: server.modelId } }, () => {});
    const ready: ReadyEngine = { engine, modelId: loaded.id, contextWindow: loaded.contextWindow, estimator: new TokenEstimator() };
    const character = makeCharacter({
      id: 'bench', name: 'Hester Coyle', language: 'en',
      description: 'Hester Coyle has kept the light on Gannet Rock for thirty-one years. She is kind, not friendly, speaks plainly and briefly, and holds that most troubles are solved by dry socks, hot food and keeping the lamp lit.',
      personality: 'Gruff, practical, quietly superstitious.',
      scenario: 'A storm; a stranger pulled from the surf sits by her stove.',
      exampleDialogue: '<START>\n{{user}}: Why do you stay out here?\n{{char}}: Somebody has to keep the lamp lit. Sea does not wait for volunteers.',
    });
    const params: DialogueGenParams = { lang: 'en', plan: planKinds(PAIRS, ['world', 'everyday', 'out-of-world'], 0.25) };
    let record: JobRecord<DialogueGenParams, DialogueGenState> = {
      id: 'bench-job', kind: DIALOGUE_JOB_KIND, characterId: character.id, title: 'bench', status: 'running', params, state: initialState(),
      progress: { done: 0, total: PAIRS }, createdAt: 0, updatedAt: 0,
    };
    let steps = 0;
    // The job's handle without storage or turns: every step runs at once, the state kept in memory.
    const handle: JobHandle<DialogueGenParams, DialogueGenState> = {
      record,
      signal: new AbortController().signal,
      save: async (state: DialogueGenState, progress: JobProgress) => {
        record = { ...record, state, progress };
      },
      engineStep: (step) => {
        steps++;
        return step(ready, new AbortController().signal);
      },
    };
    const runner = new DialogueGenRunner({ character: () => character, scenes: async () => [], attachedBooks: async () => [] });
    const started = performance.now();
    await runner.run(handle);
    const minutes = (performance.now() - started) / 60_000;
    const { state, progress } = record;
    const written = progress.done;
    const kept = state.kept.length;
    const rows: Row[] = [
      { figure: `pairs written (of ${PAIRS} asked; ${steps} engine steps)`, value: String(written), target: '—', verdict: '—' },
      { figure: 'pairs written per minute', value: (written / minutes).toFixed(1), target: '—', verdict: '—' },
      { figure: 'share kept (kept / written)', value: written ? (kept / written).toFixed(2) : '—', target: '—', verdict: '—' },
      ...DROP_REASONS.map((reason) => ({ figure: `dropped: ${reason}`, value: String(state.counts[reason]), target: '—', verdict: '—' })),
    ];
    console.log(rowsTable(rows));
  } finally {
    await engine.unload();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
