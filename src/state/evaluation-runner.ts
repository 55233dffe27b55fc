// The background job of an evaluation run: question x configuration cells one engine step each
// (a chat reply always goes first), every result saved into the run as it comes, so a paused,
// reloaded or interrupted run goes on from its last result.

import { nextCell, pendingCells } from '../core/evaluation/configs';
import { heldOutSceneIds, ownLines, ownSpeaker } from '../core/evaluation/test-sets';
import type { TextEmbedder } from '../core/embedding';
import { AppError } from '../core/errors';
import type { MemoryText } from '../core/role-prompt';
import type { Character, EvalRun, Lang, SamplingSettings, Scene, StoredLorebook } from '../core/types';
import type { EvalRunRepository } from '../storage/eval-runs';
import type { JobRunner } from './background-jobs.svelte';
import { excludingFinder, runCell, type EvalContext, type ExcludingRetrieval } from './evaluation-cell';

export const EVALUATION_JOB = 'evaluation';

export interface EvaluationJobParams {
  runId: string;
}

/** The job's own state: how many results the run had at the last save (the results live in the run). */
export interface EvaluationJobState {
  done: number;
}

export interface EvaluationRunnerDeps {
  runs: () => EvalRunRepository;
  character: (id: string) => Character | undefined;
  scenes: (characterId: string) => Promise<Scene[]>;
  retrieval: () => ExcludingRetrieval;
  lorebooks: (characterId: string) => Promise<StoredLorebook[]>;
  /** The pinned facts of every chat with the character (the memory configuration's memory). */
  pins: (characterId: string) => Promise<MemoryText[]>;
  persona: () => { name: string; description: string };
  sampling: (character: Character) => SamplingSettings;
  embedder: (lang: Lang) => TextEmbedder | null;
  now?: () => number;
}

/** The character's own lines embedded for the cosine to its lines: a sample is enough, and keeps the start quick. */
const LINE_SAMPLE = 64;

/** A run's fixed inputs, read once each time its job starts. */
async function contextFor(run: EvalRun, character: Character, deps: EvaluationRunnerDeps, signal: AbortSignal): Promise<EvalContext> {
  const [scenes, lorebooks, pins] = await Promise.all([deps.scenes(character.id), deps.lorebooks(character.id), deps.pins(character.id)]);
  const exclude = heldOutSceneIds(run.questions);
  const embedder = deps.embedder(character.language);
  let lineVectors: Float32Array[] = [];
  if (embedder) {
    const lines = ownLines(scenes, ownSpeaker(scenes, [character.name, character.nickname]), exclude, LINE_SAMPLE);
    lineVectors = lines.length ? await embedder.embed(lines, signal).catch(() => []) : [];
  }
  return {
    character,
    persona: deps.persona(),
    scenes: excludingFinder(deps.retrieval(), exclude),
    lorebooks,
    ...(pins.length ? { memory: { pins } } : {}),
    sampling: deps.sampling(character),
    embedder,
    lineVectors,
    identityChoices: run.identityChoices,
    now: deps.now ?? Date.now,
  };
}

export function evaluationRunner(deps: EvaluationRunnerDeps): JobRunner<EvaluationJobParams, EvaluationJobState> {
  return {
    kind: EVALUATION_JOB,
    async run(handle) {
      const repo = deps.runs();
      let run = await repo.get(handle.record.params.runId);
      if (!run) throw new AppError('not-found', `The evaluation run ${handle.record.params.runId} was deleted.`, { table: 'evalRuns', id: handle.record.params.runId });
      const character = deps.character(run.characterId);
      if (!character) throw new AppError('not-found', `The character ${run.characterId} was deleted.`, { table: 'characters', id: run.characterId });
      const context = await contextFor(run, character, deps, handle.signal);
      if (context.embedder && run.embeddingModel !== context.embedder.modelId) {
        run = { ...run, embeddingModel: context.embedder.modelId };
        await repo.put(run);
      }
      const total = run.questions.length * run.configs.length;
      for (;;) {
        if (handle.signal.aborted) return;
        const pending = pendingCells(run.questions, run.configs, run.results);
        if (pending.length === 0) return;
        const result = await handle.engineStep((ready, signal) => {
          const cell = nextCell(pending, ready.modelId);
          // The rest is for another model: the job pauses until the person loads it and resumes.
          if (!cell) throw new AppError('no-model', `The rest of this run needs the model ${pending[0].config.model}.`, { model: pending[0].config.model });
          return runCell(cell, ready, context, signal);
        });
        run = await repo.addResult(run.id, result, (deps.now ?? Date.now)());
        await handle.save({ done: run.results.length }, { done: run.results.length, total });
      }
    },
  };
}
