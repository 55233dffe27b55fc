// One cell of an evaluation run: a question put to the character through the real chat prompt
// builder (chat-prompt.ts, core/role-prompt, CharacterRetrieval) in one configuration, the reply
// written by the loaded model, then scored. Held-out scenes never reach the prompt.

import { characterForMode, promptParts, type EvalCell } from '../core/evaluation/configs';
import { choicesFor, cosine, identityMessages, identitySchema, nearestCosine, outOfCharacterMarkers, parseIdentityPick, replyLength } from '../core/evaluation/scores';
import type { TextEmbedder } from '../core/embedding';
import type { GenerateOptions } from '../core/engine';
import type { MemoryInput, RolePrompt } from '../core/role-prompt';
import { rougeL } from '../core/rouge-l';
import { toGenerateOptions } from '../core/sampling';
import { estimatePromptTokens } from '../core/tokens';
import { toAppError } from '../core/errors';
import type { Character, ChatTurn, EvalResult, EvalScores, Message, SamplingSettings, StoredLorebook } from '../core/types';
import type { ChatQuery, RetrievalResult } from './character-retrieval';
import { findScenes, fitChatPrompt, historyOf, type SceneFinder } from './chat-prompt';
import { countFor, reportsWholePrompt } from './chat-session.svelte';
import type { ReadyEngine } from './model-loader.svelte';

/** What retrieval a run searches with (CharacterRetrieval fits): `exclude` keeps the held-out scenes out. */
export interface ExcludingRetrieval {
  search(character: Pick<Character, 'id' | 'language'>, query: ChatQuery, signal?: AbortSignal, k?: number, exclude?: ReadonlySet<string>): Promise<RetrievalResult>;
}

/** The scene finder of a run: the chat's own retrieval with the held-out scenes left out. */
export function excludingFinder(retrieval: ExcludingRetrieval, exclude: ReadonlySet<string>): SceneFinder {
  return { search: (character, query, signal) => retrieval.search(character, query, signal, undefined, exclude) };
}

export interface EvalContext {
  character: Character;
  persona: { name: string; description: string };
  /** The character's scenes with the run's held-out scenes left out (excludingFinder). */
  scenes: SceneFinder;
  lorebooks: readonly StoredLorebook[];
  /** The pinned facts of the character's chats, for the memory configuration. */
  memory?: MemoryInput;
  sampling: SamplingSettings;
  /** The embedder for the character's language when one is ready (cosine scores), else null. */
  embedder: TextEmbedder | null;
  /** The character's own lines embedded by `embedder` (cosine to its lines). */
  lineVectors: readonly Float32Array[];
  /** The four names of the identity check, the character's first. */
  identityChoices: readonly string[];
  now: () => number;
}

/** The judge answers in a few tokens of JSON (room for the longest name and the spaces a grammar allows); no creativity wanted. */
const JUDGE_OPTIONS: Pick<GenerateOptions, 'maxTokens' | 'temperature' | 'topP'> = { maxTokens: 96, temperature: 0, topP: 1 };

async function generate(ready: ReadyEngine, messages: ChatTurn[], options: GenerateOptions, signal: AbortSignal): Promise<{ text: string; promptTokens?: number }> {
  let text = '';
  let promptTokens: number | undefined;
  for await (const event of ready.engine.chat(messages, options, signal)) {
    if (event.type === 'delta') text += event.text;
    else promptTokens = event.usage.promptTokens;
  }
  signal.throwIfAborted();
  return { text, promptTokens };
}

/** The question as the one user turn of a branch (the run's prompts have no chat before it). */
function questionBranch(cell: EvalCell): Message[] {
  return [{
    id: `eval-${cell.question.id}`, conversationId: 'evaluation', parentId: null, role: 'user', content: cell.question.prompt,
    revisions: [], status: 'done', createdAt: 0, updatedAt: 0,
  }];
}

/** Scenes for the question when its configuration retrieves them (held-out ones left out by `context.scenes`). */
export async function cellScenes(cell: EvalCell, context: EvalContext, signal?: AbortSignal): Promise<RetrievalResult | null> {
  if (!promptParts(cell.config.mode).scenes) return null;
  return findScenes(context.scenes, context.character, historyOf(questionBranch(cell)), signal);
}

/**
 * The prompt one cell sends: the question as the one user turn, with what its configuration adds.
 * `firstTry` false: a retry after the engine said the prompt was too long (counted more carefully).
 */
export function cellPrompt(cell: EvalCell, ready: ReadyEngine, context: EvalContext, found: RetrievalResult | null, firstTry = true): RolePrompt {
  return fitChatPrompt({
    character: characterForMode(context.character, cell.config.mode),
    persona: context.persona,
    branch: questionBranch(cell),
    contextWindow: ready.contextWindow,
    replyTokens: context.sampling.maxTokens,
    countTokens: countFor(ready, firstTry),
    lorebooks: context.lorebooks,
    scenes: found?.scenes ?? [],
    retrieval: found?.trace,
    engine: ready.engine.kind,
    ...(promptParts(cell.config.mode).memory && context.memory ? { memory: context.memory } : {}),
  }, ready.countPrompt);
}

/** Tries at fitting a prompt the engine rejected as too long, as a chat reply does. */
const MAX_PROMPT_ATTEMPTS = 3;

/** The reply to the cell's question; a prompt the engine finds too long is built again smaller, as in a chat. */
async function replyTo(cell: EvalCell, ready: ReadyEngine, context: EvalContext, signal: AbortSignal): Promise<string> {
  const found = await cellScenes(cell, context, signal);
  const options = toGenerateOptions(context.sampling, ready.engine.capabilities());
  for (let attempt = 1; ; attempt++) {
    const prompt = cellPrompt(cell, ready, context, found, attempt === 1);
    const estimated = estimatePromptTokens(prompt.messages);
    try {
      const { text, promptTokens } = await generate(ready, prompt.messages, options, signal);
      if (promptTokens) ready.estimator.observe(estimated, promptTokens, { whole: reportsWholePrompt(ready) });
      return text.trim();
    } catch (error) {
      const appError = toAppError(error, 'generation-failed');
      if (appError.code !== 'context-exceeded' || attempt >= MAX_PROMPT_ATTEMPTS || signal.aborted) throw error;
      const counted = Number(appError.details.promptTokens);
      ready.estimator.observe(estimated, counted || Math.ceil(estimated * ready.estimator.ratio * 1.75), { whole: counted > 0 && reportsWholePrompt(ready) });
    }
  }
}

/** Runs one cell to its scored result. Throws when aborted (nothing is saved: the step is redone). */
export async function runCell(cell: EvalCell, ready: ReadyEngine, context: EvalContext, signal: AbortSignal): Promise<EvalResult> {
  const reply = await replyTo(cell, ready, context, signal);
  const scores: EvalScores = { oocMarkers: outOfCharacterMarkers(reply), length: replyLength(reply) };
  const reference = cell.question.reference;
  if (reference !== undefined) scores.rougeL = rougeL(reply, reference).f;
  if (context.embedder && reply) {
    try {
      const [replyVector, referenceVector] = await context.embedder.embed(reference !== undefined ? [reply, reference] : [reply], signal);
      if (referenceVector) scores.cosineReference = clampUnit(cosine(replyVector, referenceVector));
      const nearest = nearestCosine(replyVector, context.lineVectors);
      if (nearest !== undefined) scores.cosineLines = clampUnit(nearest);
    } catch {
      signal.throwIfAborted(); // a failing embedder costs the cosine scores, not the result
    }
  }
  if (reply) {
    const pick = await judge(cell, reply, ready, context, signal);
    if (pick !== null) {
      scores.identityPick = pick;
      scores.identityRight = pick === context.identityChoices[0];
    }
  }
  return { questionId: cell.question.id, configId: cell.config.id, reply, scores, at: context.now() };
}

/**
 * The identity check: which of the four names the loaded model gives the reply to, constrained to
 * the identity schema where the engine can. A grammar the engine fails to set up (wllama: "Failed to
 * initialize samplers") is asked again without one and read leniently; a judge that fails outright
 * costs the identity score, not the reply's other scores.
 */
async function judge(cell: EvalCell, reply: string, ready: ReadyEngine, context: EvalContext, signal: AbortSignal): Promise<string | null> {
  const choices = choicesFor(context.identityChoices, cell.question.id);
  const messages = identityMessages(cell.question.prompt, reply, choices, context.character.language);
  const attempts: GenerateOptions[] = ready.engine.capabilities().structuredOutput
    ? [{ ...JUDGE_OPTIONS, jsonSchema: identitySchema(choices) }, JUDGE_OPTIONS]
    : [JUDGE_OPTIONS];
  for (const options of attempts) {
    try {
      return parseIdentityPick((await generate(ready, messages, options, signal)).text, choices);
    } catch (error) {
      if (signal.aborted || toAppError(error).code === 'aborted') throw error;
    }
  }
  return null;
}

/** Float rounding can put a cosine a hair outside [-1, 1]; stored scores stay in range. */
function clampUnit(value: number): number {
  return Math.max(-1, Math.min(1, value));
}
