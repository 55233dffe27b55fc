// The background job that writes example dialogues for a character with the loaded model (kind 'dialogues').
//
// Each engine call is one step through the job handle (so a chat reply always goes first, and a
// step cut short is run again), constrained to the pass's JSON schema, and read back with
// parseJsonReply; core/dialogue-gen/job-state.ts applies it through the filters. The state is
// saved after every step, so the job resumes after a reload where it was.

import { parseJsonReply, type JsonSchema } from '../core/json-schema';
import { answerPrompt, materialOf, questionPrompt, type AssembledPrompt, type PromptBudget } from '../core/dialogue-gen/prompt';
import { materialMentionsAi, NearDuplicates } from '../core/dialogue-gen/filters';
import {
  answeredOf,
  applyAnswer,
  applyQuestions,
  droppedOf,
  nextStep,
  totalOf,
  type DialogueGenParams,
  type DialogueGenState,
} from '../core/dialogue-gen/job-state';
import { ANSWER_REPLY_TOKENS, ANSWER_SCHEMA, questionsReplyTokens, questionsSchema, type AnswerReply, type QuestionsReply } from '../core/dialogue-gen/schemas';
import { AppError } from '../core/errors';
import type { Character, JobProgress, Lorebook, Scene } from '../core/types';
import type { JobHandle, JobRunner } from './background-jobs.svelte';
import type { ReadyEngine } from './model-loader.svelte';

export const DIALOGUE_JOB_KIND = 'dialogues';

/** Sampling for both passes: varied enough that batches differ, low enough to stay on task. */
const TEMPERATURE = 0.8;
const TOP_P = 0.95;
/**
 * Most existing lines checked for near-duplicates (each answer is compared with every one, by an
 * O(n·m) LCS): a large imported corpus is sampled from its start rather than making each step slow.
 */
export const MAX_EXISTING_LINES = 3000;
/** Scenes the script window moves on by per pass-1 batch. */
const SCRIPT_STRIDE = 3;

export interface DialogueGenJobDeps {
  character(id: string): Character | undefined;
  scenes(characterId: string): Promise<Scene[]>;
  /** Enabled lorebooks attached to the character (its own card book is on the character). */
  attachedBooks(characterId: string): Promise<Lorebook[]>;
  now?: () => number;
}

/** The progress a state shows: pairs answered of all, kept, and dropped by each filter. */
export function progressOf(state: DialogueGenState, params: DialogueGenParams): JobProgress {
  return { done: answeredOf(state), total: totalOf(params.plan), counts: { kept: state.kept.length, dropped: droppedOf(state), ...state.counts } };
}

export class DialogueGenRunner implements JobRunner<DialogueGenParams, DialogueGenState> {
  readonly kind = DIALOGUE_JOB_KIND;
  readonly #deps: DialogueGenJobDeps;

  constructor(deps: DialogueGenJobDeps) {
    this.#deps = deps;
  }

  async run(handle: JobHandle<DialogueGenParams, DialogueGenState>): Promise<void> {
    const { params } = handle.record;
    const characterId = handle.record.characterId ?? '';
    const character = this.#deps.character(characterId);
    if (!character) throw new AppError('not-found', `Character ${characterId} no longer exists`, { table: 'characters', id: characterId });
    const scenes = await this.#deps.scenes(characterId);
    const material = materialOf(character, scenes, await this.#deps.attachedBooks(characterId));
    const aiIsInCharacter = materialMentionsAi([material.description, material.personality, material.scenario, ...material.lorebook]);
    let state = handle.record.state;
    const duplicates = new NearDuplicates([...existingLines(character, scenes, material.name), ...state.kept.map((pair) => pair.answer)]);
    const now = this.#deps.now ?? Date.now;

    for (;;) {
      if (handle.signal.aborted) return;
      const step = nextStep(state, params);
      if (step.pass === 'done') return;
      if (step.pass === 'questions') {
        const schema = questionsSchema(step.count);
        const reply = await handle.engineStep((ready, signal) => {
          const prompt = questionPrompt(material, {
            kind: step.kind, count: step.count, lang: params.lang, avoid: state.asked, scriptOffset: state.batches * SCRIPT_STRIDE,
            budget: budgetOf(ready, questionsReplyTokens(step.count)),
          });
          return generate(ready, prompt, schema, questionsReplyTokens(step.count), signal);
        });
        const parsed = parseJsonReply<QuestionsReply>(reply.text, questionsSchema());
        state = applyQuestions(state, params, step.kind, parsed?.questions ?? null);
      } else {
        const question = step.question;
        const reply = await handle.engineStep((ready, signal) => {
          const prompt = answerPrompt(material, {
            kind: question.kind, question: question.question, lang: params.lang, scriptOffset: state.batches * SCRIPT_STRIDE,
            budget: budgetOf(ready, ANSWER_REPLY_TOKENS),
          });
          return generate(ready, prompt, ANSWER_SCHEMA, ANSWER_REPLY_TOKENS, signal);
        });
        const parsed = parseJsonReply<AnswerReply>(reply.text, ANSWER_SCHEMA);
        state = applyAnswer(state, params, parsed?.answer ?? null, {
          duplicates,
          aiIsInCharacter,
          keep: { id: `${state.batches}-${answeredOf(state)}`, prompt: reply.prompt, model: reply.model, createdAt: now() },
        });
      }
      await handle.save(state, progressOf(state, params));
    }
  }
}

function budgetOf(ready: ReadyEngine, replyTokens: number): PromptBudget {
  return { contextWindow: ready.contextWindow, replyTokens, count: ready.countTokens ?? ready.estimator.count };
}

/** One generation, constrained to the schema where the engine can; the text, the prompt it came from and the model. */
async function generate(ready: ReadyEngine, prompt: AssembledPrompt, schema: JsonSchema, maxTokens: number, signal: AbortSignal) {
  let text = '';
  for await (const event of ready.engine.chat(prompt.messages, { maxTokens, temperature: TEMPERATURE, topP: TOP_P, jsonSchema: schema }, signal)) {
    if (event.type === 'delta') text += event.text;
  }
  return { text, prompt: prompt.text, model: ready.modelId };
}

/** The character's own lines in its corpus (near-duplicate candidates), at most MAX_EXISTING_LINES. */
function existingLines(character: Character, scenes: readonly Scene[], displayName: string): string[] {
  const names = new Set([character.name, character.nickname, displayName].map((n) => n.trim()).filter(Boolean));
  const lines: string[] = [];
  for (const scene of scenes) {
    for (const line of scene.lines) {
      if (names.has(line.speaker.trim())) lines.push(line.text);
      if (lines.length >= MAX_EXISTING_LINES) return lines;
    }
  }
  return lines;
}

