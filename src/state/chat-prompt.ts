// Builds the prompt for one reply: retrieval, lorebooks, the previous prompt for the cache-aware layout, token counting for the loaded model.

import { mergeLorebooks } from '../core/merge-lorebooks';
import { buildRolePrompt, type MemoryInput, type PromptInspector, type RetrievalTrace, type RetrievedScene, type RoleCacheRule, type RolePrompt } from '../core/role-prompt';
import { estimateTokens, type TokenEstimator } from '../core/tokens';
import type { Character, ChatTurn, EngineKind, Message, SentPrompt, StoredLorebook } from '../core/types';
import type { MessageTree } from '../core/message-tree';
import { CharacterRetrieval, type ChatQuery, type RetrievalResult } from './character-retrieval';

/** What finding scenes needs (CharacterRetrieval fits). */
export interface SceneFinder {
  search(character: Pick<Character, 'id' | 'language'>, query: ChatQuery, signal?: AbortSignal): Promise<RetrievalResult>;
}

export interface PromptContext {
  character: Character;
  persona: { name: string; description: string };
  /** The branch up to and including the new user message, oldest first. */
  branch: readonly Message[];
  contextWindow: number;
  replyTokens: number;
  countTokens: (text: string) => number;
  previous?: SentPrompt;
  lorebooks: readonly StoredLorebook[];
  scenes: RetrievedScene[];
  retrieval?: RetrievalTrace;
  seed?: string;
  /** The loaded engine, whose cache rule shapes the cache-aware layout. */
  engine?: EngineKind;
  /** The chat's long-term memory (state/chat-memory). */
  memory?: MemoryInput;
  /** The chat's own scenario, in place of the card's. */
  scenario?: string;
  /** The history as the prompt reads it, when not historyOf(branch): a group member's view (core/group). */
  turns?: ChatTurn[];
}

/**
 * web-llm reuses its cache only for identical earlier messages; wllama (llama.cpp) for an identical
 * token prefix, and so do model servers (llama-server's slot cache, vLLM's prefix caching).
 */
export function cacheRuleOf(engine: EngineKind): RoleCacheRule {
  return engine === 'webllm' ? 'exact-messages' : 'token-prefix';
}

/** The conversation turns the prompt builder reads: empty messages (a reply stopped before its first token) left out. */
export function historyOf(branch: readonly Message[]): ChatTurn[] {
  return branch.filter((m) => m.content.trim() !== '').map((m) => ({ role: m.role, content: m.content }));
}

/** The ids of historyOf(branch)'s turns, in order (memory recall names messages by them). */
export function historyIdsOf(branch: readonly Message[]): string[] {
  return branch.filter((m) => m.content.trim() !== '').map((m) => m.id);
}

/**
 * The prompt sent for the reply before this one, so the builder can replay it (web-llm's KV cache
 * survives only when earlier messages are byte-identical). Regenerating: the newest earlier version
 * of this very reply (the same turn gets the same prompt). Otherwise: the newest reply on the branch.
 * In a group chat (`speakerId`), only that member's replies count: each member has their own role
 * prompt, which their next one can append to.
 */
export function previousPrompt(tree: MessageTree, parentId: string, speakerId?: string): SentPrompt | undefined {
  const bySpeaker = (m: Message) => m.role === 'assistant' && (speakerId === undefined || m.speakerId === speakerId);
  const versions = tree.children(parentId).filter((m) => bySpeaker(m) && m.prompt?.inspector);
  const newest = [...versions].sort((a, b) => b.createdAt - a.createdAt)[0];
  if (newest?.prompt) return newest.prompt;
  const branch = tree.path(parentId);
  for (let i = branch.length - 1; i >= 0; i--) {
    const m = branch[i];
    if (bySpeaker(m) && m.prompt) return m.prompt;
  }
  return undefined;
}

/** Runs retrieval for the new message; a failure costs the scenes, never the reply. */
export async function findScenes(finder: SceneFinder | undefined, character: Character, history: readonly ChatTurn[], signal?: AbortSignal): Promise<RetrievalResult | null> {
  if (!finder) return null;
  try {
    return await finder.search(character, CharacterRetrieval.queryFor(history), signal);
  } catch {
    return null;
  }
}

/** Builds at most this many times to fit the measured prompt; each pass shrinks by what the last one was over. */
const FIT_PASSES = 4;

/**
 * The prompt, built by the content counts and then measured whole (chat template included) with
 * `measure`, the model's own count: while prompt + reply is over the window, built again in a
 * window smaller by the excess. The inspector then shows the measured size against the real window.
 * Without `measure` this is buildChatPrompt.
 */
export function fitChatPrompt(context: PromptContext, measure: ((messages: readonly ChatTurn[]) => number) | undefined): RolePrompt {
  let prompt = buildChatPrompt(context);
  if (!measure) return prompt;
  let window = context.contextWindow;
  for (let pass = 1; ; pass++) {
    const measured = measure(prompt.messages);
    const over = measured + context.replyTokens - context.contextWindow;
    if (over <= 0 || pass === FIT_PASSES) return withMeasuredBudget(prompt, measured, context);
    window -= over;
    // A rebuild in a smaller window cannot replay the previous prompt's layout.
    prompt = buildChatPrompt({ ...context, contextWindow: window, previous: undefined });
  }
}

function withMeasuredBudget(prompt: RolePrompt, measured: number, context: PromptContext): RolePrompt {
  const budget = {
    ...prompt.inspector.budget,
    contextWindow: context.contextWindow,
    prompt: context.contextWindow - context.replyTokens,
    used: measured,
    measured: true,
  };
  return { ...prompt, inspector: { ...prompt.inspector, budget } };
}

export function buildChatPrompt(context: PromptContext): RolePrompt {
  const prompt = buildRolePrompt({
    character: context.scenario ? { ...context.character, scenario: context.scenario } : context.character,
    persona: context.persona,
    lorebook: mergeLorebooks(context.character.lorebook, context.lorebooks),
    history: context.turns ?? historyOf(context.branch),
    scenes: context.scenes,
    contextWindow: context.contextWindow,
    replyTokens: context.replyTokens,
    countTokens: context.countTokens,
    previous: context.previous,
    seed: context.seed,
    ...(context.engine ? { cache: cacheRuleOf(context.engine) } : {}),
    ...(context.memory ? { memory: context.memory } : {}),
  });
  const inspector: PromptInspector = context.retrieval ? { ...prompt.inspector, retrieval: context.retrieval } : prompt.inspector;
  return { ...prompt, inspector };
}

/**
 * The estimator's count with its correction rounded UP to a quarter. The builder's plan (and so the
 * cache-aware layout) depends on the counts; the raw ratio drifts a little after every reply, which
 * would rebuild the prompt (a full prefill) each turn. Quarter steps move it only when it matters.
 */
export function steadyCount(estimator: Pick<TokenEstimator, 'ratio'>): (text: string) => number {
  const ratio = Math.ceil(estimator.ratio * 4) / 4;
  return (text: string) => Math.ceil(estimateTokens(text) * ratio);
}
