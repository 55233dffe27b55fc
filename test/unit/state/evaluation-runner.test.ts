// The evaluation job: every question x configuration one engine step, each result saved into the
// run as it comes, so a paused (or reloaded) run goes on from where it stopped.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { configMatrix } from '../../../src/core/evaluation/configs';
import { assembleTestSet } from '../../../src/core/evaluation/test-sets';
import { TokenEstimator } from '../../../src/core/tokens';
import { DEFAULT_SAMPLING, type EvalRun, type Scene } from '../../../src/core/types';
import { BackgroundJobs } from '../../../src/state/background-jobs.svelte';
import { CharacterRetrieval } from '../../../src/state/character-retrieval';
import { EngineTurns } from '../../../src/state/engine-turns.svelte';
import { EVALUATION_JOB, evaluationRunner } from '../../../src/state/evaluation-runner';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeCharacter } from '../storage/helpers';

const scene = (id: string, asked: string, answer: string): Scene => ({
  id, characterId: 'hester', title: id, tokens: 20, source: 'chatharuhi', vectors: [],
  text: `Tom:「${asked}」\nHester:「${answer}」`, lines: [{ speaker: 'Tom', text: asked }, { speaker: 'Hester', text: answer }],
});
const CORPUS = [scene('s1', 'Is the boat back?', 'The boat is gone.'), scene('s2', 'Why is the light dim?', 'Salt on the lens.')];
const hester = makeCharacter({ id: 'hester', name: 'Hester', language: 'en' });

const opened: AppDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

async function setup(engine: ScriptedEngine, models: string[] = ['scripted']) {
  const db = new AppDatabase(`evaluation-runner-${crypto.randomUUID()}`);
  opened.push(db);
  await db.open();
  const storage: Repositories = createRepositories(db);
  await storage.characters.bulkPut([hester]);
  await storage.scenes.bulkAdd(CORPUS);
  const retrieval = new CharacterRetrieval({ scenes: storage.scenes });
  const jobs = new BackgroundJobs({
    repo: () => storage.jobs,
    turns: new EngineTurns(),
    engine: () => ({ engine, modelId: 'scripted', contextWindow: 2048, estimator: new TokenEstimator() }),
  });
  jobs.register(evaluationRunner({
    runs: () => storage.evalRuns,
    character: (id) => (id === hester.id ? hester : undefined),
    scenes: (id) => storage.scenes.listForCharacter(id),
    retrieval: () => retrieval,
    lorebooks: async () => [],
    pins: async () => [],
    persona: () => ({ name: 'Tom', description: '' }),
    sampling: () => ({ ...DEFAULT_SAMPLING, maxTokens: 32 }),
    embedder: () => null,
    now: () => 50,
  }));
  const run: EvalRun = {
    id: 'run1', characterId: 'hester', title: 'Run', identityChoices: ['Hester', 'A', 'B', 'C'], createdAt: 1, updatedAt: 1, results: [],
    questions: assembleTestSet(CORPUS, 'Hester', { counts: { 'held-out': 2 }, seed: 'x' }),
    configs: configMatrix(['zero-shot'], models),
  };
  await storage.evalRuns.put(run);
  const start = () => jobs.start(EVALUATION_JOB, { title: 'Evaluate', characterId: 'hester', params: { runId: run.id }, state: { done: 0 }, total: 2 });
  return { storage, jobs, start };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(await check()).toBe(true);
}

describe('the evaluation job', () => {
  it('saves each result into the run, and after a pause goes on with the question it had not finished', async () => {
    const engine = new ScriptedEngine();
    let gateReached = false;
    let release = () => {};
    engine.replies = [
      { pieces: ['First answer.'] }, { pieces: ['{"speaker": "Hester"}'] },
      // The second question's reply is stopped halfway by the pause: nothing of it is kept.
      { pieces: ['Half', ' of it'], gate: () => ((gateReached = true), new Promise<void>((resolve) => (release = resolve))) },
      { pieces: ['Second answer.'] }, { pieces: ['{"speaker": "A"}'] },
    ];
    const { storage, jobs, start } = await setup(engine);
    const job = await start();
    await until(() => gateReached);
    const pausing = jobs.pause(job.id);
    release();
    await pausing;
    expect(jobs.get(job.id)).toMatchObject({ status: 'paused', progress: { done: 1, total: 2 } });
    const paused = (await storage.evalRuns.get('run1'))!;
    expect(paused.results.map((r) => r.reply)).toEqual(['First answer.']);
    expect(paused.finishedAt).toBeUndefined();

    await jobs.resume(job.id);
    await until(() => jobs.get(job.id)?.status === 'done');
    const done = (await storage.evalRuns.get('run1'))!;
    expect(done.results.map((r) => r.reply)).toEqual(['First answer.', 'Second answer.']);
    expect(new Set(done.results.map((r) => r.questionId)).size).toBe(2);
    expect(done.results.map((r) => r.scores.identityRight)).toEqual([true, false]);
    expect(done.finishedAt).toBe(50);
    // Two replies and two judgements, plus the one stopped halfway: no finished cell was run again.
    expect(engine.calls).toHaveLength(5);
  });

  it('waits, paused, when the rest of the run is for a model that is not loaded', async () => {
    const engine = new ScriptedEngine();
    const { storage, jobs, start } = await setup(engine, ['gguf:other']);
    const job = await start();
    await until(() => jobs.get(job.id)?.status === 'paused');
    expect(jobs.get(job.id)?.error).toMatchObject({ code: 'no-model', message: expect.stringContaining('gguf:other') });
    expect((await storage.evalRuns.get('run1'))!.results).toEqual([]);
    expect(engine.calls).toHaveLength(0);
  });
});
