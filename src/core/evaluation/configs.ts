// The configurations an evaluation run compares (prompt modes across models), what each puts in the
// role prompt, and the order the run works through question x configuration cells.

import type { CharacterFields, EvalConfig, EvalPromptMode, EvalQuestion, EvalResult } from '../types';
import { EVAL_PROMPT_MODES } from '../types';

/** Every chosen mode on every chosen model: models outermost, so one model's cells run together. */
export function configMatrix(modes: readonly EvalPromptMode[], models: readonly string[]): EvalConfig[] {
  const chosen = EVAL_PROMPT_MODES.filter((mode) => modes.includes(mode));
  return [...new Set(models)].flatMap((model) => chosen.map((mode) => ({ id: `${mode}@${model}`, mode, model })));
}

/** What a mode adds to the role prompt: each mode keeps what the one before it had. */
export interface PromptParts {
  /** The card's example exchanges (RoleGPT few-shot). */
  examples: boolean;
  /** Retrieved scenes of the corpus (ChatHaruhi). */
  scenes: boolean;
  /** The pinned facts of the character's chats. */
  memory: boolean;
}

export function promptParts(mode: EvalPromptMode): PromptParts {
  const rank = EVAL_PROMPT_MODES.indexOf(mode);
  return { examples: rank >= 1, scenes: rank >= 2, memory: rank >= 3 };
}

/** The card as a mode sends it: zero-shot leaves out the example dialogue. */
export function characterForMode<C extends CharacterFields>(character: C, mode: EvalPromptMode): C {
  return promptParts(mode).examples ? character : { ...character, exampleDialogue: '' };
}

export interface EvalCell {
  question: EvalQuestion;
  config: EvalConfig;
}

/**
 * Cells still to run, in run order: configuration by configuration (a model's cells together, so
 * the person loads each model once), question by question within one.
 */
export function pendingCells(questions: readonly EvalQuestion[], configs: readonly EvalConfig[], results: readonly EvalResult[]): EvalCell[] {
  const done = new Set(results.map((r) => `${r.configId}\u0000${r.questionId}`));
  return configs.flatMap((config) => questions.filter((q) => !done.has(`${config.id}\u0000${q.id}`)).map((question) => ({ question, config })));
}

/** The next cell to run with the loaded model: its own cells first, then null when only other models' are left. */
export function nextCell(pending: readonly EvalCell[], loadedModel: string | null): EvalCell | null {
  return pending.find((cell) => cell.config.model === loadedModel) ?? null;
}
