// The role prompt's input and output shapes, and the parts its builders pass between them.

import type { AuthorsNote, CharacterFields, ChatTurn, Lorebook, InspectorScene, RolePromptInspector, SceneKind, SectionName, SentPrompt } from '../types';

/** A scene the retrieval layer found for the new message; a higher score is better. */
export interface RetrievedScene {
  id: string;
  text: string;
  score: number;
  title?: string;
  /** 'knowledge': a knowledge passage, for the knowledge section; absent: a dialogue scene. */
  kind?: SceneKind;
  /**
   * The new message's own best match (retrieval's message focus): it goes first, and a prompt
   * without it takes it as a topic move, so it is in every prompt whose scene room holds it.
   */
  focus?: boolean;
}

export interface RoleBudgets {
  history: number;
  scenes: number;
  fewShot: number;
  /** All lorebook entries together (constant ones included). The book's own budget caps it. */
  lore: number;
  /** Room kept for the new message (post-history note included) so the plan does not move per turn. */
  messageReserve: number;
  /** Share of history's room a cache-aware fresh build fills (0..1); the rest is left for appends. */
  retain: number;
}

/**
 * 'exact-messages' (web-llm): the cache survives only when messages[:-1] equal the previous
 * conversation, so any fresh build is a full prefill. 'token-prefix' (llama.cpp / wllama): the
 * longest identical token prefix survives, so a fresh build pays only from its first change on.
 */
export type RoleCacheRule = 'exact-messages' | 'token-prefix';

export interface RolePromptInput {
  character: CharacterFields;
  persona?: { name: string; description: string };
  lorebook?: Lorebook;
  /** Oldest first: the visible branch including the greeting; the LAST item is the new user message. */
  history: ChatTurn[];
  /** Scenes retrieved for the new message, any order. */
  scenes?: RetrievedScene[];
  contextWindow: number;
  replyTokens: number;
  /** Defaults to `estimateTokens`; pass `TokenEstimator.count` for a per-model corrected count. */
  countTokens?: (text: string) => number;
  /** The prompt sent for the previous reply (as this function returned it), for the cache-aware layout. */
  previous?: SentPrompt;
  /** 'cache-aware' (default) or 'rebuild': everything fresh each turn, history filled to its budget. */
  layout?: 'cache-aware' | 'rebuild';
  /** Overrides the scene-relevance test for whether the topic moved. */
  topicMoved?: boolean;
  /**
   * What a topic move does between rebuilds. 'append' (default, except on a token-prefix engine):
   * the new scenes ride on the new message (the cache survives; the context block catches up at the
   * next rebuild). 'rebuild' (default with `cache: 'token-prefix'`): the context block is rebuilt at
   * once (a full prefill on web-llm; the block and the retained history on llama.cpp). When only
   * the message's focus scene is missing (RetrievedScene.focus), it rides on the message either way.
   */
  onTopicMove?: 'append' | 'rebuild';
  /** How the loaded engine reuses its KV cache; shapes what a fresh build keeps (see RoleCacheRule). */
  cache?: RoleCacheRule;
  /** Seed for {{random}}, {{pick}}, {{roll}} (use the conversation id). Defaults to the character's name. */
  seed?: string | number;
  /** Absolute token budgets replacing the scaled ones. */
  budgets?: Partial<RoleBudgets>;
  /** The chat's long-term memory: summary, pins, recall candidates and the author's note. */
  memory?: MemoryInput;
}

/** A memory text with the id the inspector names it by. */
export interface MemoryText {
  id: string;
  text: string;
}

export interface MemoryInput {
  /** The summary of the branch's oldest messages (`covers` of them). */
  summary?: MemoryText & { covers?: number };
  /** Pinned facts, in the order the person keeps them. */
  pins?: MemoryText[];
  /**
   * Earlier messages the new message may refer back to, best first; `turn` is their index in
   * `history`. Only those out of the history sent are recalled.
   */
  recall?: (MemoryText & { turn: number; score: number })[];
  authorsNote?: AuthorsNote;
  /** Token budgets replacing the scaled ones (see sections/memory.ts). */
  budgets?: Partial<MemoryBudgets>;
}

export interface MemoryBudgets {
  summary: number;
  pins: number;
  recall: number;
}

export interface RolePrompt extends SentPrompt {
  inspector: RolePromptInspector;
}

/** One section's text within a message; a message's parts are joined by a blank line. */
export interface Part {
  section: SectionName;
  text: string;
}

export interface Turn {
  role: 'user' | 'assistant';
  parts: Part[];
}

/** A message of the prompt being built, system message included. */
export interface Built {
  role: ChatTurn['role'];
  parts: Part[];
}

/** A history turn as rendered for the prompt, with its raw text for the history hash. */
export interface PriorTurn {
  role: ChatTurn['role'];
  /** Its position in the input's history (memory recall refers to turns by it). */
  index: number;
  raw: string;
  turn: Turn;
}

/** A ranked scene with its rendered text. */
export interface ChosenScene extends InspectorScene {
  text: string;
  focus?: boolean;
}

export type LoreLeftOut = RolePromptInspector['lorebook']['leftOut'][number];
